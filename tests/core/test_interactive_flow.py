"""The questionnaire's logic apart from the screen: reading answers, and emergency rules on partial answers."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpain_cli.core import early, flow
from backpain_cli.core.policy import EMERGENCY, RULES_BY_ID, Facts, evaluate
from backpain_cli.core.questionnaire import BY_KEY, QUESTIONS, Question
from backpain_cli.core.validation import validate

# ───────────────────────── which questions ─────────────────────────


def test_every_interactive_question_is_asked_in_definition_order() -> None:
    assert [q.key for q in flow.ASKED] == [q.key for q in QUESTIONS if q.interactive]
    assert "startback" not in {q.key for q in flow.ASKED}
    assert "id" not in {q.key for q in flow.ASKED}
    assert flow.ASKED[0].key == "red_flags"


def test_the_warning_signs_are_asked_on_two_screens() -> None:
    """Every question is one screen, but the red flags: the spine's warning signs, then the other symptoms; each
    option on exactly one of them."""
    assert [s.id for s in flow.STEPS[:3]] == ["red_flags:spine", "red_flags:other", "age"]
    assert [s.key for s in flow.STEPS] == ["red_flags", *(q.key for q in flow.ASKED)]
    spine, other = flow.STEPS[:2]
    assert [c.value for c in spine.choices + other.choices] == list(BY_KEY["red_flags"].values)
    assert "fever_or_chills" in spine.own(BY_KEY["red_flags"].values)
    assert other.own(BY_KEY["red_flags"].values) == [
        "chest_pain_or_breathlessness",
        "fainting_or_collapse",
        "abdominal_pain_or_pulsing",
        "severe_headache_or_stiff_neck",
        "stroke_like_symptoms",
        "urinary_pain_or_blood",
    ]
    assert spine.prompt != other.prompt and spine.help != other.help
    assert len({s.short_name for s in flow.STEPS}) == len(flow.STEPS)  # the review tells every screen apart


def test_a_screen_replaces_only_its_own_ticks() -> None:
    spine, other = flow.STEPS[:2]
    before = ["saddle_numbness", "fainting_or_collapse"]
    assert other.merged(before, ["urinary_pain_or_blood", "chest_pain_or_breathlessness"]) == [
        "saddle_numbness",
        "chest_pain_or_breathlessness",
        "urinary_pain_or_blood",
    ]
    assert spine.merged(before, []) == ["fainting_or_collapse"]
    assert spine.merged([], ["constant_night_pain", "bladder_or_bowel_change"]) == [
        "bladder_or_bowel_change",
        "constant_night_pain",
    ]


def test_only_pattern_has_conditional_options() -> None:
    assert [q.key for q in flow.ASKED if flow.has_conditions(q)] == ["pattern"]


# ───────────────────────── reading typed answers ─────────────────────────

AGE, WEEKS, PAIN = BY_KEY["age"], BY_KEY["duration_weeks"], BY_KEY["pain_intensity"]


@pytest.mark.parametrize(
    ("q", "typed", "value"),
    [
        (AGE, "30", 30),
        (AGE, " 16 ", 16),
        (AGE, "016", 16),
        (WEEKS, "0,4", 0.4),
        (WEEKS, "2.5", 2.5),
        (WEEKS, ".5", 0.5),
        (WEEKS, "3", 3),
        (PAIN, "0", 0),
    ],
)
def test_numbers_read(q: Question, typed: str, value: float) -> None:
    got = flow.read_number(q, typed)
    assert got == value
    assert type(got) is type(value)


@pytest.mark.parametrize(
    ("q", "typed", "message"),
    [
        (AGE, "15", "This questionnaire is for people aged 16 and over"),
        (AGE, "1", "This questionnaire is for people aged 16 and over"),
        # Only a plain whole number from 1 to 15 is taken for an age under 16; anything else is a slip.
        (AGE, "0", "Please type a whole number from 16 to 120."),
        (AGE, "-5", "Please type a whole number from 16 to 120."),
        (AGE, "+12", "Please type a whole number from 16 to 120."),
        (AGE, "1e1", "Please type a whole number from 16 to 120."),
        (AGE, "1_2", "Please type a whole number from 16 to 120."),
        (AGE, "30.0", "Please type a whole number from 16 to 120."),
        (AGE, "١٢", "Please type a whole number from 16 to 120."),
        (WEEKS, "1e1", "Please type a number from 0 to 5200."),
        (WEEKS, "1_0", "Please type a number from 0 to 5200."),
        (AGE, "121", "Please type a whole number from 16 to 120."),
        (AGE, "30.5", "Please type a whole number from 16 to 120."),
        (AGE, "", "Please type a whole number from 16 to 120."),
        (AGE, "thirty", "Please type a whole number from 16 to 120."),
        (WEEKS, "-1", "Please type a number from 0 to 5200."),
        (WEEKS, "nan", "Please type a number from 0 to 5200."),
        (WEEKS, "inf", "Please type a number from 0 to 5200."),
        (PAIN, "11", "Please type a whole number from 0 to 10."),
    ],
)
def test_numbers_refused_with_a_message(q: Question, typed: str, message: str) -> None:
    with pytest.raises(ValueError) as refused:
        flow.read_number(q, typed)
    assert str(refused.value).startswith(message)
    # Under 16 is not a typing mistake (the person is asked whether it is right); the rest are.
    assert isinstance(refused.value, flow.Refused) == message.startswith("This questionnaire")


def test_at_least_one_pain_area() -> None:
    areas = BY_KEY["pain_areas"]
    assert flow.check_list(areas, []) == "Please tick at least one."
    assert flow.check_list(areas, ["neck"]) is None
    assert flow.check_list(BY_KEY["red_flags"], []) is None


def test_summary_names_every_screen(base_answers: dict[str, Any]) -> None:
    answers = {**base_answers, "red_flags": ["fever_or_chills", "stroke_like_symptoms", "constant_night_pain"]}
    lines = flow.summary(answers)
    assert [key for key, _ in lines] == [s.id for s in flow.STEPS]
    shown = dict(lines)
    assert shown["red_flags:spine"] == (
        "Warning signs: fever (38 °C / 100.4 °F or more) or shaking chills in the last two weeks; "
        "pain at night that no position eases"
    )
    assert shown["red_flags:other"] == (
        "Other symptoms with the pain: new dizziness with double vision, slurred speech, or a drooping face"
    )
    assert dict(flow.summary(base_answers))["red_flags:other"] == "Other symptoms with the pain: none"
    assert shown["age"] == "Age: 30"
    assert shown["activity_level"].endswith("not answered")


# ───────────────────────── emergency rules on partial answers ─────────────────────────


def _answer(q: Question) -> st.SearchStrategy[Any]:
    if q.kind == "integer":
        assert q.minimum is not None and q.maximum is not None
        return st.integers(int(q.minimum), int(q.maximum))
    if q.kind == "number":
        assert q.minimum is not None and q.maximum is not None
        return st.one_of(st.integers(int(q.minimum), 60), st.floats(q.minimum, q.maximum, allow_nan=False))
    if q.kind == "boolean":
        return st.booleans()
    if q.kind == "choice":
        values = st.sampled_from(q.values)
        return values if q.required else st.none() | values
    return st.lists(st.sampled_from(q.values), unique=True, min_size=q.min_items)


ANSWERS = st.fixed_dictionaries({q.key: _answer(q) for q in flow.ASKED}).map(
    lambda a: {k: v for k, v in a.items() if v is not None}
)


def _emergency_ids(answers: dict[str, Any]) -> list[str]:
    return [r for r in evaluate(Facts(validate(answers))) if RULES_BY_ID[r].level == EMERGENCY]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANSWERS)
def test_early_warnings_are_the_policy(answers: dict[str, Any]) -> None:
    final = _emergency_ids(answers)
    every = {q.key for q in flow.ASKED}
    assert [r.id for r in early.emergencies(answers, every)] == final
    before: set[str] = set()
    for n in range(len(flow.ASKED) + 1):
        keys = {q.key for q in flow.ASKED[:n]}
        so_far = {k: v for k, v in answers.items() if k in keys}
        now = {r.id for r in early.emergencies(so_far, keys)}
        assert before <= now <= set(final)  # never a false alarm, never withdrawn
        before = now


@pytest.mark.parametrize(
    ("answers", "rules"),
    [
        ({"red_flags": ["saddle_numbness"]}, ["E1"]),
        ({"red_flags": ["bladder_or_bowel_change", "new_symptoms_both_legs"]}, ["E1", "E2"]),
        ({"red_flags": ["fever_or_chills"]}, []),
        # E4 also reads the nerve answers (weakness, numbness): not decided by the first questions
        ({"red_flags": ["fever_or_chills"], "age": 40, "risk_factors": ["weakened_immunity"]}, []),
        ({"red_flags": [], "age": 40, "risk_factors": [], "pain_areas": ["neck"], "duration_weeks": 1}, []),
        ({"red_flags": ["chest_pain_or_breathlessness", "severe_headache_or_stiff_neck"]}, ["E7", "E9"]),
        ({"red_flags": ["fainting_or_collapse", "stroke_like_symptoms", "saddle_numbness"]}, ["E1", "E7", "E9"]),
        ({"red_flags": ["abdominal_pain_or_pulsing", "urinary_pain_or_blood"]}, []),
    ],
)
def test_decided_from_the_first_questions(answers: dict[str, Any], rules: list[str]) -> None:
    assert [r.id for r in early.emergencies(answers, set(answers))] == rules


def test_a_rule_waits_for_every_answer_it_reads() -> None:
    a: dict[str, Any] = {"red_flags": [], "age": 60, "risk_factors": ["cancer_history"]}
    assert early.emergencies(a, set(a)) == []
    a |= {"pain_areas": ["low_back"], "duration_weeks": 1, "onset": "gradual", "weakness": "stable"}
    assert early.emergencies(a, set(a)) == []  # E5 also reads numbness_tingling and radiating_pain
    a |= {"numbness_tingling": False, "radiating_pain": []}
    assert [r.id for r in early.emergencies(a, set(a))] == ["E5"]
    # weakness worsening: E3 as soon as the weakness question is answered
    b = {"weakness": "worsening"}
    assert [r.id for r in early.emergencies(b, set(b))] == ["E3"]
    assert early.emergencies(b, set()) == []


#: Each new or widened emergency rule: answers that fire it, and every key it reads (from the policy's table).
READS: list[tuple[str, dict[str, Any], set[str]]] = [
    (
        "E4",
        {"red_flags": ["fever_or_chills"], "risk_factors": ["diabetes"]},
        {"red_flags", "risk_factors", "weakness", "numbness_tingling"},
    ),
    (
        "E4",
        {"red_flags": ["fever_or_chills"], "weakness": "stable"},
        {"red_flags", "risk_factors", "weakness", "numbness_tingling"},
    ),
    (
        "E5",
        {"risk_factors": ["cancer_history"], "red_flags": ["hand_clumsiness_or_unsteady_walking"]},
        {"red_flags", "risk_factors", "weakness", "numbness_tingling", "radiating_pain"},
    ),
    ("E7", {"red_flags": ["fainting_or_collapse"]}, {"red_flags"}),
    (
        "E8",
        {"red_flags": ["abdominal_pain_or_pulsing"], "age": 50},
        {"red_flags", "age", "risk_factors", "onset", "duration_weeks"},
    ),
    (
        "E8",
        {"risk_factors": ["aortic_aneurysm"], "onset": "sudden", "duration_weeks": 30},
        {"red_flags", "age", "risk_factors", "onset", "duration_weeks"},
    ),
    ("E9", {"red_flags": ["severe_headache_or_stiff_neck"]}, {"red_flags"}),
    (
        "E10",
        {"onset": "sudden", "duration_weeks": 0.9, "pain_intensity": 8, "age": 60},
        {"onset", "duration_weeks", "pain_intensity", "age"},
    ),
    (
        "E11",
        {"pain_areas": ["neck"], "onset": "after_minor_injury", "duration_weeks": 0.5, "age": 65},
        {"pain_areas", "onset", "duration_weeks", "age", "numbness_tingling"},
    ),
    (
        "E11",
        {"pain_areas": ["neck"], "onset": "after_minor_injury", "duration_weeks": 0.5, "numbness_tingling": True},
        {"pain_areas", "onset", "duration_weeks", "age", "numbness_tingling"},
    ),
]


@pytest.mark.parametrize(("rule", "change", "reads"), READS, ids=[f"{r}-{n}" for n, (r, _, _) in enumerate(READS)])
def test_a_rule_is_decided_once_every_key_it_reads_is_answered(
    base_answers: dict[str, Any], rule: str, change: dict[str, Any], reads: set[str]
) -> None:
    """Answers that fire `rule`: it is reported as soon as the keys it reads are answered, whatever else is not;
    and not while any one of them is unanswered, whatever the others say."""
    answers = {**base_answers, **change}
    assert rule in _emergency_ids(answers)
    assert rule in [r.id for r in early.emergencies(answers, reads)]
    for key in reads:
        assert rule not in [r.id for r in early.emergencies(answers, reads - {key})], key


def test_a_major_injury_waits_for_the_duration() -> None:
    a: dict[str, Any] = {"onset": "after_major_injury"}
    assert early.emergencies(a, set(a)) == []
    a["duration_weeks"] = 1
    assert [r.id for r in early.emergencies(a, set(a))] == ["E6"]
    a["duration_weeks"] = 3
    assert early.emergencies(a, set(a)) == []


# ───────────────────────── the two-week screen in our own words ─────────────────────────

#: Phrases of the published screening tool's items. The built-in screen asks about the same areas in our own words,
#: so none of these may appear in what a person reads (labels, prompt, help).
TOOL_PHRASES = (
    "only walked short distances",
    "not safe to be active",
    "not really safe",
    "worrying thoughts",
    "going through my mind",
    "a lot of the time",
    "never get better",
    "never going to get",
    "not enjoyed",
    "things i used to enjoy",
    "slower than usual",
    "more slowly than usual",
    "pain in the shoulder",
    "pain in my shoulders",
    # the PHQ-2's first item
    "little pleasure",
    "interest or pleasure",
)


def test_two_week_screen_is_in_our_own_words() -> None:
    screen = BY_KEY["past_two_weeks"]
    texts = [screen.prompt, screen.help, *(c.label for c in screen.choices)]
    copied = [(phrase, text) for text in texts for phrase in TOOL_PHRASES if phrase in text.lower()]
    assert copied == []
    assert all(len(c.label) <= 72 for c in screen.choices)


def test_bothersomeness_answers_are_in_our_own_words() -> None:
    """The values are the contract's; the labels are not the Keele tool's answer options word for word."""
    labels = {c.label.lower() for c in BY_KEY["bothersomeness"].choices}
    assert labels.isdisjoint({"slightly", "moderately", "very much", "extremely"})
    assert BY_KEY["bothersomeness"].values == ("not_at_all", "slightly", "moderately", "very", "extremely")
