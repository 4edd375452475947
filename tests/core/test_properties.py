"""Properties of the engine over generated valid answers (hypothesis). No deadlines: a slow example on a busy
machine is not a failure."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpain_cli.core.engine import assess
from backpain_cli.core.policy import LEVELS
from backpain_cli.core.questionnaire import BY_KEY
from backpain_cli.core.validation import validate
from backpain_cli.render.schema import answers_schema
from tests.strategies import answers, edgy_answers

RED_FLAGS = BY_KEY["red_flags"].values
RISK_FACTORS = BY_KEY["risk_factors"].values
#: Weakness answers from least to most concerning: none < known and examined < new, not examined < worsening.
WEAKNESS = ["none", "known_stable", "stable", "worsening"]
RANK = LEVELS.index


def level(a: dict[str, Any]) -> int:
    return RANK(assess(validate(a))["level"])


@settings(deadline=None)
@given(answers())
def test_valid_answers_validate_and_assess_deterministically(a: dict[str, Any]) -> None:
    first = assess(validate(a))
    assert first == assess(validate(json.loads(json.dumps(a))))


@settings(deadline=None)
@given(answers(), st.sampled_from(RED_FLAGS))
def test_adding_a_red_flag_never_lowers_the_level(a: dict[str, Any], flag: str) -> None:
    more = {**a, "red_flags": sorted({*a["red_flags"], flag})}
    assert level(more) <= level(a)


@settings(deadline=None)
@given(answers())
def test_removing_red_flags_and_risk_factors_never_raises_the_level(a: dict[str, Any]) -> None:
    assert level({**a, "red_flags": [], "risk_factors": []}) >= level(a)


@settings(max_examples=300, deadline=None)
@given(st.one_of(answers(), edgy_answers()), st.sampled_from(RED_FLAGS))
def test_adding_a_red_flag_to_answers_on_the_edges_never_lowers_the_level(a: dict[str, Any], flag: str) -> None:
    more = {**a, "red_flags": sorted({*a["red_flags"], flag})}
    assert level(more) <= level(a)


@settings(max_examples=300, deadline=None)
@given(st.one_of(answers(), edgy_answers()), st.sampled_from(RISK_FACTORS))
def test_adding_a_risk_factor_never_lowers_the_level(a: dict[str, Any], risk: str) -> None:
    more = {**a, "risk_factors": sorted({*a["risk_factors"], risk})}
    assert level(more) <= level(a)


@settings(max_examples=300, deadline=None)
@given(st.one_of(answers(), edgy_answers()))
def test_more_concerning_weakness_never_lowers_the_level(a: dict[str, Any]) -> None:
    levels = [level({**a, "weakness": w}) for w in WEAKNESS]
    assert levels == sorted(levels, reverse=True), dict(zip(WEAKNESS, levels, strict=True))
    assert levels[-1] == RANK("emergency")  # worsening weakness is E3


@settings(deadline=None)
@given(
    answers(),
    st.sampled_from(
        [
            "bladder_or_bowel_change",
            "saddle_numbness",
            "new_symptoms_both_legs",
            "chest_pain_or_breathlessness",
            "fainting_or_collapse",
            "severe_headache_or_stiff_neck",
            "stroke_like_symptoms",
        ]
    ),
)
def test_an_emergency_flag_is_always_an_emergency(a: dict[str, Any], flag: str) -> None:
    flags = sorted({*a["red_flags"], flag})
    result = assess(validate({**a, "red_flags": flags}))
    assert (result["level"], result["within"]) == ("emergency", "now")


@settings(deadline=None)
@given(st.one_of(answers(), edgy_answers()))
def test_within_only_for_emergency_and_urgent(a: dict[str, Any]) -> None:
    result = assess(validate(a))
    expected = {"emergency": {"now"}, "urgent": {"today", "48h"}}.get(result["level"], {None})
    assert result.get("within") in expected
    assert ("within" in result) is (result["level"] in ("emergency", "urgent"))


@settings(deadline=None)
@given(answers())
def test_reasons_are_complete_ordered_and_name_real_answers(a: dict[str, Any]) -> None:
    valid = validate(a)
    result = assess(valid)
    reasons = result["reasons"]
    assert reasons, "every result has at least one reason"
    ranks = [RANK(r["level"]) for r in reasons]
    assert ranks == sorted(ranks), "most urgent first"
    assert result["level"] == reasons[0]["level"]
    assert ("C0" in {r["rule"] for r in reasons}) == (len(reasons) == 1 and reasons[0]["level"] == "self_care")
    for reason in reasons:
        for key, value in reason["answers"].items():
            assert key in valid, f"{reason['rule']} names {key}, which was not answered"
            if isinstance(value, list) and key != "startback":
                assert set(value) <= set(valid[key])
            elif key != "startback":
                assert value == valid[key]
    assert (result["safety_net"] is None) == (result["level"] == "emergency")


@given(answers())
@settings(max_examples=50, deadline=None)
def test_the_schema_accepts_every_generated_answer_set(a: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(a, SCHEMA)


SCHEMA = answers_schema()
