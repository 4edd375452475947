"""The explanation's parts, checked over generated answers against the same parts written with the policy's
combinators (the form they had before they were written out plainly for speed)."""

from __future__ import annotations

from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from backpain_cli.core import explain
from backpain_cli.core.policy import EMERGENCY_OR_URGENT, SERIOUS_BITS, Evidence, Facts, all_of, any_of, evaluate
from backpain_cli.core.validation import validate
from tests.strategies import answers, edgy_answers, swept_answers


def contributors_by_combinators(f: Facts, fired: dict[str, Evidence]) -> list[dict[str, Any]]:
    serious = any(r in fired for r in EMERGENCY_OR_URGENT)
    radicular = f.radicular()
    at_50 = f.at_least("age", 50)
    found = {
        "muscle_strain": {} if serious or radicular else f.among("onset", "after_lifting_or_strain"),
        "disc_or_nerve_root": any_of(radicular, f.has("pattern", "worse_sitting_or_bending")),
        "spinal_stenosis": all_of(at_50, f.has("pattern", "leg_pain_walking_eased_by_sitting")),
        "degenerative_change": all_of(
            at_50, any_of(f.among("onset", "gradual"), f.has("pattern", "worse_leaning_back"))
        ),
        "inflammatory": fired.get("S3", {}),
    }
    return [{"id": k, "label": explain._LABELS[k], "answers": ev} for k, ev in found.items() if ev]


@settings(max_examples=1500, deadline=None)
@given(st.one_of(answers(), edgy_answers(), swept_answers()))
def test_contributors_agree_with_the_combinators(a: dict[str, Any]) -> None:
    f = Facts(validate(a))
    fired = evaluate(f)
    serious = sum(SERIOUS_BITS.get(r, 0) for r in fired)
    got = explain.contributors(f, serious, fired.get("S3"))
    assert got == contributors_by_combinators(f, fired)
    assert [list(c["answers"]) for c in got] == [list(c["answers"]) for c in contributors_by_combinators(f, fired)]


@settings(max_examples=500, deadline=None)
@given(st.one_of(answers(), edgy_answers()))
def test_rule_out_lists_each_worry_with_the_rules_fired_behind_it(a: dict[str, Any]) -> None:
    fired = evaluate(Facts(validate(a)))
    expected = [
        {"what": what, "rules": [r for r in ids if r in fired]}
        for what, ids in explain.RULE_OUT
        if any(r in fired for r in ids)
    ]
    assert explain.rule_out(fired) == expected
