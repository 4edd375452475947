"""The engine against independent second implementations of the policy: tests/reference_policy.py (2026.2,
the policy in force) and tests/reference_policy_2026_1.py (the one before, for records saved under it)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpain_cli.core.engine import assess
from backpain_cli.core.questionnaire import BY_KEY
from backpain_cli.core.validation import validate
from tests.strategies import V2_VALUES, answers, edgy_answers, swept_answers

from . import reference_policy as ref
from . import reference_policy_2026_1 as ref_2026_1

RANK = ref.LEVELS.index


def test_the_v2_values_are_the_questionnaires() -> None:
    for key, added in V2_VALUES.items():
        assert added < set(BY_KEY[key].values), key


def test_the_references_cover_every_rule() -> None:
    from backpain_cli.core.policy import RULES

    assert set(ref.LVL) == {r.id for r in RULES}
    assert all(ref.LVL[r.id] == r.level for r in RULES)


def compare(a: dict[str, Any]) -> None:
    valid = validate(a)
    result = assess(valid)
    level, rules, derived, within = ref.ref_assess(validate(a))
    assert {r["rule"] for r in result["reasons"]} == rules
    assert result["level"] == level
    assert result.get("within") == within
    assert ("within" in result) is (within is not None)
    scores = result["scores"]
    assert (scores["pain_impact"], scores["duration"], scores["risk_group"]) == (
        derived["pain_impact"],
        derived["duration"],
        derived["rg"],
    )
    assert (scores["screen_total"], scores["screen_psychosocial"]) == (derived["tot"], derived["psy"])


# Structured answers (a failure shrinks to a small case): plain, and pushed onto the policy's edges.
@settings(max_examples=400, deadline=None)
@given(st.one_of(answers(), edgy_answers()))
def test_engine_agrees_with_the_independent_reference(a: dict[str, Any]) -> None:
    compare(a)


# Many more answer sets on the same edges, cheap to generate (see swept_answers).
@settings(max_examples=4000, deadline=None)
@given(swept_answers())
def test_engine_agrees_with_the_independent_reference_on_a_wide_sweep(a: dict[str, Any]) -> None:
    compare(a)


@settings(max_examples=2500, deadline=None)
@given(swept_answers(version=1))
def test_a_version_1_record_is_never_triaged_lower_than_under_2026_1(a: dict[str, Any]) -> None:
    """2026.2 only adds and widens, except that U3 and U4 now stop at 12 weeks: a record saved under 2026.1 is
    never sent to a less urgent level, unless the only reason is that limit."""
    assert not any(set(a.get(key, [])) & added if key != "weakness" else a[key] in added
                   for key, added in V2_VALUES.items())  # fmt: skip
    valid = validate(a)
    new = RANK(assess(valid)["level"])
    old_level, old_rules, _ = ref_2026_1.ref_assess(validate(a))
    old = RANK(old_level)
    if new > old:
        assert a["duration_weeks"] >= 12 and old_rules & {"U3", "U4"}, (old_rules, new)
        without_limited = old_rules - {"U3", "U4"}
        rest = min((RANK(ref_2026_1.LVL[r]) for r in without_limited), default=RANK("self_care"))
        assert new <= rest, (old_rules, new)


@pytest.mark.parametrize(
    ("changes", "old_rule"),
    [
        ({"onset": "after_minor_injury", "age": 70}, "U3"),
        ({"onset": "sudden", "risk_factors": ["osteoporosis"]}, "U3"),
        ({"onset": "after_major_injury"}, "U4"),
    ],
)
def test_the_12_week_limit_is_the_only_way_down(
    base_answers: dict[str, Any], changes: dict[str, Any], old_rule: str
) -> None:
    a = {**base_answers, **changes, "duration_weeks": 12}
    old_level, old_rules, _ = ref_2026_1.ref_assess(validate(a))
    assert (old_level, old_rules) == ("urgent", {old_rule})
    assert assess(validate(a))["level"] == "self_care"
