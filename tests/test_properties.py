"""Properties of the engine over generated valid answers (hypothesis)."""

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

from .strategies import answers

RED_FLAGS = BY_KEY["red_flags"].values
RANK = LEVELS.index


def level(a: dict[str, Any]) -> int:
    return RANK(assess(validate(a))["level"])


@given(answers())
def test_valid_answers_validate_and_assess_deterministically(a: dict[str, Any]) -> None:
    first = assess(validate(a))
    assert first == assess(validate(json.loads(json.dumps(a))))


@given(answers(), st.sampled_from(RED_FLAGS))
def test_adding_a_red_flag_never_lowers_the_level(a: dict[str, Any], flag: str) -> None:
    more = {**a, "red_flags": sorted({*a["red_flags"], flag})}
    assert level(more) <= level(a)


@given(answers())
def test_removing_red_flags_and_risk_factors_never_raises_the_level(a: dict[str, Any]) -> None:
    assert level({**a, "red_flags": [], "risk_factors": []}) >= level(a)


@given(answers(), st.sampled_from(["bladder_or_bowel_change", "saddle_numbness", "new_symptoms_both_legs"]))
def test_a_cauda_equina_flag_is_always_an_emergency(a: dict[str, Any], flag: str) -> None:
    flags = sorted({*a["red_flags"], flag})
    assert assess(validate({**a, "red_flags": flags}))["level"] == "emergency"


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
@settings(max_examples=50)
def test_the_schema_accepts_every_generated_answer_set(a: dict[str, Any]) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(a, SCHEMA)


SCHEMA = answers_schema()
