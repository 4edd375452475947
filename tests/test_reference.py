"""The engine against an independent second implementation of the policy (tests/reference_policy.py)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backpain_cli.core.engine import assess
from backpain_cli.core.validation import validate

from .reference_policy import ref_assess
from .strategies import answers

# Values either side of every threshold in the policy, so that the generated answers sit on its edges.
EDGES = {
    "age": st.sampled_from([16, 39, 40, 41, 44, 45, 46, 49, 50, 69, 70, 120]),
    "duration_weeks": st.sampled_from([0, 1.99, 2, 3.99, 4, 5.99, 6, 11.99, 12, 52, 60]),
    "pain_intensity": st.sampled_from([0, 6, 7, 8, 10]),
    "activity_interference": st.sampled_from([0, 4, 5, 7, 8, 10]),
}


@st.composite
def edgy_answers(draw: st.DrawFn) -> dict[str, Any]:
    a = draw(answers())
    for key, values in EDGES.items():
        if draw(st.booleans()):
            a[key] = draw(values)
    return a


@settings(max_examples=1000)
@given(st.one_of(answers(), edgy_answers()))
def test_engine_agrees_with_the_independent_reference(a: dict[str, Any]) -> None:
    result = assess(validate(a))
    level, rules, derived = ref_assess(validate(a))
    assert result["level"] == level
    assert {r["rule"] for r in result["reasons"]} == rules
    scores = result["scores"]
    assert (scores["pain_impact"], scores["duration"], scores["risk_group"]) == (
        derived["pain_impact"],
        derived["duration"],
        derived["rg"],
    )
    assert (scores["screen_total"], scores["screen_psychosocial"]) == (derived["tot"], derived["psy"])
