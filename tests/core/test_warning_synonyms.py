"""A rejected record that names a warning sign in any common clinical wording (word order, short form, British or
American spelling) carries the warning at the level that sign calls for (triage policy 2026.2): given under
red_flags, or mentioned in the free text of a record that cannot be read at all. The table below is the test's
own list, written from the answers contract and the policy, not read from the code."""

from __future__ import annotations

import json
from typing import Any

import pytest

from backpain_cli.io.decoding import answers
from backpain_cli.io.json_text import Rejected

EMERGENCY = "go to an emergency department now"
TODAY = "see a doctor today"
IN_48H = "see a doctor within 48 hours"
GP = "see a gp or physiotherapist in the next week or two"

#: flag: (the advice it calls for alone, the wordings that name it)
SYNONYMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "bladder_or_bowel_change": (
        EMERGENCY,
        ("bowel_or_bladder_change", "bladder or bowel changes", "bowel/bladder", "incontinence", "incontinent",
         "urinary retention", "retention of urine", "faecal incontinence", "fecal incontinence", "cauda_equina",
         "cauda equina syndrome", "CES", "loss of bladder control", "can't pass urine"),
    ),
    "saddle_numbness": (
        EMERGENCY,
        ("saddle anaesthesia", "saddle anesthesia", "Saddle-Anaesthesia", "saddle paraesthesia", "saddle paresthesia",
         "perineal numbness", "numbness around the genitals", "saddle_numb"),
    ),
    "new_symptoms_both_legs": (
        EMERGENCY,
        ("bilateral sciatica", "Bilateral_Sciatica", "bilateral leg weakness", "pain in both legs",
         "numbness in both of my legs"),
    ),
    "chest_pain_or_breathlessness": (
        EMERGENCY,
        ("chest pain", "chest_pain", "chest tightness", "tightness in the chest", "shortness of breath",
         "short of breath", "breathless", "dyspnoea", "dyspnea", "breathlessness"),
    ),
    "fainting_or_collapse": (
        EMERGENCY,
        ("fainting", "fainted", "syncope", "collapse", "collapsed", "passed out", "blacked out",
         "loss of consciousness"),
    ),
    "severe_headache_or_stiff_neck": (
        EMERGENCY,
        ("thunderclap headache", "worst headache ever", "meningism", "neck stiffness", "stiff neck", "photophobia",
         "subarachnoid haemorrhage", "subarachnoid hemorrhage"),
    ),
    "stroke_like_symptoms": (
        EMERGENCY,
        ("stroke", "TIA", "dysarthria", "slurred speech", "diplopia", "double vision", "dysphagia",
         "difficulty swallowing", "facial droop", "drooping face"),
    ),
    "fever_or_chills": (
        TODAY,
        ("fever", "fevers", "feverish", "febrile", "pyrexia", "high temperature", "chills", "rigors"),
    ),
    "abdominal_pain_or_pulsing": (
        TODAY,
        ("abdominal pain", "abdominal_pain", "belly pain", "stomach pain", "pain in the belly", "pulsatile mass",
         "pulsating lump"),
    ),
    "urinary_pain_or_blood": (
        TODAY,
        ("dysuria", "haematuria", "hematuria", "blood in the urine", "urine infection", "UTI",
         "urinary tract infection", "painful urination", "burning when passing urine"),
    ),
    "unexplained_weight_loss": (
        IN_48H,
        ("weight_loss", "weight loss", "losing weight", "lost weight", "unintentional weight loss"),
    ),
    "hand_clumsiness_or_unsteady_walking": (
        IN_48H,
        ("clumsy hands", "hand clumsiness", "unsteady gait", "unsteady walking", "ataxia", "myelopathy"),
    ),
    "constant_night_pain": (
        GP,
        ("night_pain", "night pain", "nocturnal pain", "pain at night"),
    ),
}  # fmt: skip

CASES = [(flag, advice, wording) for flag, (advice, wordings) in SYNONYMS.items() for wording in wordings]


def warning_of(raw: bytes) -> str | None:
    with pytest.raises(Rejected) as info:
        answers(raw)
    return info.value.warning


def valid(**changes: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "age": 30, "pain_areas": ["low_back"], "duration_weeks": 1, "onset": "after_lifting_or_strain",
        "red_flags": [], "risk_factors": [], "weakness": "none", "numbness_tingling": False, "radiating_pain": [],
        "pain_intensity": 4, "enjoyment_interference": 3, "activity_interference": 3, "trend": "improving",
        "sleep_disturbed": False, "past_two_weeks": [], "bothersomeness": "moderately",
    }  # fmt: skip
    out.update(changes)
    return out


@pytest.mark.parametrize(("flag", "advice", "wording"), CASES)
def test_a_synonym_under_red_flags_is_a_sign_given(flag: str, advice: str, wording: str) -> None:
    warning = warning_of(json.dumps(valid(red_flags=[wording])).encode())
    assert warning is not None, wording
    assert warning.startswith("NOT ASSESSED, but warning signs were given: ")
    assert f"({flag})" in warning and advice in warning.casefold()
    if advice != EMERGENCY:
        assert "emergency" not in warning


@pytest.mark.parametrize(("flag", "advice", "wording"), CASES)
def test_a_synonym_in_the_text_of_an_unreadable_record_is_mentioned(flag: str, advice: str, wording: str) -> None:
    raw = b'{"notes": "since Monday: ' + wording.encode() + b', says the patient", "age": NaN}'
    warning = warning_of(raw)
    assert warning is not None, wording
    assert warning.startswith("NOT ASSESSED: this record mentions ") and "check it" in warning
    assert f"({flag})" in warning and advice in warning.casefold()


@pytest.mark.parametrize(
    ("weakness", "advice"),
    [
        ("foot drop", TODAY),  # weakness present, not yet examined: stable
        ("drop foot", TODAY),
        ("progressive weakness", EMERGENCY),  # getting worse
        ("progressive foot drop", EMERGENCY),
        ("getting weaker", EMERGENCY),
    ],
)
def test_weakness_in_clinical_words(weakness: str, advice: str) -> None:
    given = warning_of(json.dumps(valid(red_flags=[weakness], goal=1)).encode())
    mentioned = warning_of(b'{"notes": "' + weakness.encode() + b'", "age": NaN}')
    assert given is not None and mentioned is not None
    assert advice in given.casefold() and advice in mentioned.casefold()


@pytest.mark.parametrize(
    "record",
    [
        valid(weakness="known_stable", goal=1),  # examined before and unchanged: not a warning sign
        {**valid(goal=1), "weakness": "examined by my GP, unchanged"},
        {**valid(goal=1), "notes": "stable"},
        {**valid(goal=1), "notes": "weakened immunity improving"},
        # every other answer of the contract at once: none of their words is a sign
        valid(
            goal=1, pain_areas=["low_back", "mid_back", "neck"], onset="after_major_injury", trend="worsening",
            risk_factors=["cancer_history", "osteoporosis", "long_term_steroids", "weakened_immunity",
                          "injects_drugs", "recent_bacterial_infection", "diabetes",
                          "recent_spine_procedure_or_hospital_stay", "aortic_aneurysm"],
            radiating_pain=["buttock_or_thigh", "below_knee", "arm"], numbness_tingling=True, sleep_disturbed=True,
            past_two_weeks=["pain_elsewhere", "walking_limited", "dressing_slower", "fear_of_movement",
                            "worrying_thoughts", "feels_it_will_never_improve", "low_mood"],
            pattern=["better_with_exercise", "not_better_with_rest", "night_pain_eases_on_getting_up",
                     "morning_stiffness_over_30_min", "leg_pain_walking_eased_by_sitting", "worse_sitting_or_bending",
                     "worse_leaning_back", "same_whatever_position"],
            treatments_tried=["rest", "heat_or_ice", "otc_painkillers", "prescription_medication", "physiotherapy",
                              "exercise_programme", "manual_therapy", "psychological_support", "injection",
                              "surgery"],
            goals=["less_pain", "better_sleep", "return_to_work", "sport_or_exercise", "everyday_tasks",
                   "avoid_surgery", "understand_cause"],
            activity_level="high", startback={"total": 9, "psychosocial": 5}, weakness="known_stable",
        ),
    ],
)  # fmt: skip
def test_no_warning_from_ordinary_words(record: dict[str, Any]) -> None:
    assert warning_of(json.dumps(record).encode()) is None


def test_a_negated_sign_is_still_mentioned_to_check() -> None:
    """The record was not assessed: "no fever" is read as a mention to check, never as a sign given."""
    warning = warning_of(json.dumps({**valid(goal=1), "notes": "no fever"}).encode())
    assert warning is not None and warning.startswith("NOT ASSESSED: this record mentions Fever")
    assert "check it" in warning and TODAY in warning.casefold()


@pytest.mark.parametrize(
    ("record", "advice"),
    [
        (valid(red_flags=["abdominal_pain_or_pulsing"], goal=1), TODAY),  # U10 alone
        (valid(red_flags=["abdominal_pain_or_pulsing"], age=50, goal=1), EMERGENCY),  # E8: age 50 or over
        (valid(red_flags=["belly pain"], risk_factors=["aortic_aneurysm"], goal=1), EMERGENCY),  # E8: an aneurysm
        ({**valid(red_flags=["abdominal pain"]), "age": "62"}, EMERGENCY),  # a string age, still readable
        ({"notes": "pulsatile mass", "age": 71, "x": float("nan")}, EMERGENCY),
        ({"notes": "AAA", "age": "x"}, EMERGENCY),  # the aneurysm itself
    ],
)
def test_belly_pain_is_an_emergency_at_50_or_with_an_aneurysm(record: dict[str, Any], advice: str) -> None:
    warning = warning_of(json.dumps(record).replace("NaN", "NaN").encode())
    assert warning is not None and "(abdominal_pain_or_pulsing)" in warning
    assert advice in warning.casefold()
    if advice != EMERGENCY:
        assert "emergency" not in warning


@pytest.mark.parametrize(
    "raw",
    [
        b'{"notes": "\\u0073addle_numbness", "age": NaN}',  # an escape in the middle of a word
        b'{"red_flags": ["\\u0053\\u0041\\u0044\\u0044\\u004c\\u0045 numbness"], "age": NaN}',
        json.dumps(json.dumps({"notes": "saddle numbness"})).encode(),  # encoded twice: \\" around it
        b'{"notes": "sad\\u0064le numbness", "x": ' + b"1" * 400 + b"}",  # a number too large to read
    ],
)
def test_escaped_signs_are_decoded_before_the_scan(raw: bytes) -> None:
    warning = warning_of(raw)
    assert warning is not None and "(saddle_numbness)" in warning and EMERGENCY in warning


@pytest.mark.parametrize("size", [70_000, 2_000_000])
def test_a_typo_anywhere_in_a_large_unreadable_record_is_found(size: int) -> None:
    filler = b"lorem ipsum dolor sit amet " * (size // 27)
    raw = b'{"notes": "' + filler + b'", "deep": {"red_flags": ["Saddle-Numbnes"]}, "age": NaN}'
    warning = warning_of(raw)
    assert warning is not None and "(saddle_numbness)" in warning and EMERGENCY in warning


def test_a_sign_two_objects_deep_in_a_large_record_is_given() -> None:
    record = {"notes": "x" * 200_000, "visit": {"answers": {"red_flags": ["bowel_or_bladder_change"]}}}
    warning = warning_of(json.dumps(record).encode())
    assert warning is not None and warning.startswith("NOT ASSESSED, but warning signs were given: ")
    assert "(bladder_or_bowel_change)" in warning
