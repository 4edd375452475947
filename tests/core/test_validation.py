"""Validation exactly per the answers contract: every problem reported at once, each naming its key."""

from __future__ import annotations

from typing import Any

import pytest

from backpain_cli.core.validation import InvalidAnswers, validate


def problems(obj: Any) -> dict[str, str]:
    with pytest.raises(InvalidAnswers) as info:
        validate(obj)
    return {p.key: p.message for p in info.value.problems}


def test_valid_answers_get_defaults(base_answers: dict[str, Any]) -> None:
    out = validate(base_answers)
    assert out["treatments_tried"] == [] and out["goals"] == [] and out["pattern"] == []
    assert "activity_level" not in out and "startback" not in out


def test_unknown_key_is_an_error_with_a_suggestion(base_answers: dict[str, Any]) -> None:
    got = problems({**base_answers, "red_flag": ["saddle_numbness"]})
    assert "did you mean red_flags" in got["red_flag"]


def test_a_red_flag_given_as_a_key_points_to_its_list(base_answers: dict[str, Any]) -> None:
    got = problems({**base_answers, "saddle_numbness": True})
    assert "red_flags" in got["saddle_numbness"]


def test_missing_required_keys_are_each_named(base_answers: dict[str, Any]) -> None:
    answers = dict(base_answers)
    del answers["red_flags"], answers["bothersomeness"]
    got = problems(answers)
    assert set(got) == {"red_flags", "bothersomeness"}
    assert all("missing" in m for m in got.values())


@pytest.mark.parametrize(
    ("key", "value", "words"),
    [
        ("age", "7", '"7" (a string)'),
        ("pain_intensity", "7", "a whole number from 0 to 10"),
        ("numbness_tingling", 1, "true or false"),
        ("sleep_disturbed", "true", "true or false"),
        ("age", True, "true (a boolean)"),
        ("duration_weeks", None, "null"),
        ("age", 30.5, "whole number"),
        ("red_flags", "saddle_numbness", "a list"),
        ("onset", "slowly", "one of gradual"),
        ("pain_areas", {}, "an object"),
    ],
)
def test_wrong_types(base_answers: dict[str, Any], key: str, value: Any, words: str) -> None:
    got = problems({**base_answers, key: value})
    assert list(got) == [key]
    assert words in got[key]


@pytest.mark.parametrize(
    ("key", "value"),
    [("age", 121), ("pain_intensity", 11), ("pain_intensity", -1), ("duration_weeks", -0.1), ("duration_weeks", 5201),
     ("enjoyment_interference", 10**400)],
)  # fmt: skip
def test_numbers_out_of_range(base_answers: dict[str, Any], key: str, value: Any) -> None:
    assert list(problems({**base_answers, key: value})) == [key]


def test_numbers_at_their_limits_are_valid(base_answers: dict[str, Any]) -> None:
    validate({**base_answers, "age": 16, "duration_weeks": 0, "pain_intensity": 10})
    validate({**base_answers, "age": 120, "duration_weeks": 5200, "pain_intensity": 0})


def test_non_finite_numbers_are_refused(base_answers: dict[str, Any]) -> None:
    assert "duration_weeks" in problems({**base_answers, "duration_weeks": float("nan")})
    assert "duration_weeks" in problems({**base_answers, "duration_weeks": float("inf")})


def test_under_16_is_refused_with_advice_to_see_a_doctor(base_answers: dict[str, Any]) -> None:
    message = problems({**base_answers, "age": 15})["age"]
    assert "16" in message and "doctor" in message


def test_unknown_and_repeated_list_values(base_answers: dict[str, Any]) -> None:
    got = problems({**base_answers, "red_flags": ["saddle_numbnes"], "radiating_pain": ["arm", "arm"]})
    assert '"saddle_numbnes"' in got["red_flags"]
    assert "repeated" in got["radiating_pain"]


def test_empty_pain_areas(base_answers: dict[str, Any]) -> None:
    assert "empty" in problems({**base_answers, "pain_areas": []})["pain_areas"]


def test_empty_lists_are_answers(base_answers: dict[str, Any]) -> None:
    validate({**base_answers, "red_flags": [], "risk_factors": [], "past_two_weeks": []})


def test_startback_rules(base_answers: dict[str, Any]) -> None:
    assert "exceed" in problems({**base_answers, "startback": {"total": 2, "psychosocial": 3}})["startback"]
    assert "startback.psychosocial" in problems({**base_answers, "startback": {"total": 2}})
    assert "startback.extra" in problems({**base_answers, "startback": {"total": 2, "psychosocial": 1, "extra": 1}})
    assert "startback.total" in problems({**base_answers, "startback": {"total": 10, "psychosocial": 1}})
    validate({**base_answers, "startback": {"total": 9, "psychosocial": 5}})


def test_id_is_a_string_or_whole_number(base_answers: dict[str, Any]) -> None:
    assert validate({**base_answers, "id": 7})["id"] == 7
    assert "id" in problems({**base_answers, "id": [1]})
    assert "id" in problems({**base_answers, "id": True})


def test_every_problem_at_once(base_answers: dict[str, Any]) -> None:
    bad = {**base_answers, "age": "40", "pain_areas": [], "trend": "up", "mystery": 1}
    del bad["weakness"]
    assert set(problems(bad)) == {"age", "pain_areas", "trend", "mystery", "weakness"}


@pytest.mark.parametrize("obj", [[], "answers", 3, None, True])
def test_not_an_object(obj: Any) -> None:
    assert "a JSON object" in problems(obj)["(record)"]


def test_integral_floats_count_as_whole_numbers(base_answers: dict[str, Any]) -> None:
    # JSON Schema calls 40.0 an integer; the validator agrees with the schema and stores 40.
    out = validate({**base_answers, "age": 40.0})
    assert out["age"] == 40 and isinstance(out["age"], int)


def test_a_refused_record_with_red_flags_still_gets_urgent_advice(base_answers: dict[str, Any]) -> None:
    with pytest.raises(InvalidAnswers) as info:
        validate({**base_answers, "age": 14, "red_flags": ["saddle_numbness", "not_a_flag"], "weakness": "worsening"})
    assert "doctor" in str(info.value) and "the same day" in str(info.value)
    assert info.value.warning is not None
    assert "NOT ASSESSED" in info.value.warning and "saddle_numbness" in info.value.warning
    assert "weakness: yes, and it is getting worse (worsening)" in info.value.warning
    assert "not_a_flag" not in info.value.warning
    assert "emergency department now" in str(info.value)


def test_any_rejected_record_with_warning_signs_says_so(base_answers: dict[str, Any]) -> None:
    with pytest.raises(InvalidAnswers) as info:
        validate({**base_answers, "red_flags": ["bladder_or_bowel_change"], "goal": ["less_pain"]})
    assert info.value.warning and "bladder_or_bowel_change" in info.value.warning
    with pytest.raises(InvalidAnswers) as quiet:
        validate({**base_answers, "goal": ["less_pain"]})
    assert quiet.value.warning is None


def test_every_option_fits_an_80_column_prompt() -> None:
    # questionary cuts a choice at the terminal's edge instead of wrapping it: a cut red flag loses its meaning.
    from backpain_cli.core.questionnaire import QUESTIONS

    too_long = [c.label for q in QUESTIONS for c in q.choices if len(c.label) > 72]
    assert too_long == []


def test_a_record_of_many_unknown_keys_names_twenty_and_counts_the_rest(base_answers: dict[str, Any]) -> None:
    from backpain_cli.core.validation import MAX_NAMED

    got = problems({**base_answers, **{f"extra_{i}": 1 for i in range(25)}, "red_flags": [f"x{i}" for i in range(30)]})
    assert sum(key.startswith("extra_") for key in got) == MAX_NAMED
    assert got["(more keys)"] == "5 more unknown keys, not named here"
    assert got["red_flags"].count('"x') == MAX_NAMED and "and 10 more unknown values" in got["red_flags"]
