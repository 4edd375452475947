"""The assessment engine: valid answers in, an assessment out.

    >>> from backpain_cli.core.engine import assess
    >>> assess(answers)["level"]

`assess` takes answers already validated (`validation.validate`); `assess_record` validates first.
The result is a plain JSON-ready dict; its contract parts are `id`, `level`, `within` (emergency and urgent
only), `reasons`, `scores` and `policy_version` (answers-contract.md). Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from backpain_cli.core import explain
from backpain_cli.core.policy import LEVELS, POLICY_VERSION, RULES_BY_ID, SPECIALIST, Evidence, Facts, evaluate, within
from backpain_cli.core.questionnaire import BY_KEY, CONTRACT_VERSION, SHORT_NAMES
from backpain_cli.core.validation import validate

Result = dict[str, Any]


def _value_text(key: str, value: Any) -> str:
    if isinstance(value, list):
        return "; ".join([_scalar_text(key, v) for v in value]) if value else "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return _scalar_text(key, value)


@lru_cache(maxsize=4096, typed=True)  # the same few answers come up again and again
def _scalar_text(key: str, value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, str) and key in BY_KEY and BY_KEY[key].choices:
        text = BY_KEY[key].label(value)
        return text[:1].lower() + text[1:]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answers_text(evidence: Evidence) -> str:
    """The answers behind a rule in plain words: `weeks since it began: 10. Over two weeks: about the same`."""
    return ". ".join(
        [f"{_SHORT[k] if k in _SHORT else k.capitalize()}: {_value_text(k, v)}" for k, v in evidence.items()]
    )


_SHORT = {k: name.capitalize() for k, name in SHORT_NAMES.items()}


def assess(answers: Mapping[str, Any]) -> Result:
    """Assess valid answers (see `validation.validate`). Deterministic; no I/O."""
    f = Facts(answers)
    fired = evaluate(f)
    reasons = []
    for rule_id, evidence in fired.items():
        r = RULES_BY_ID[rule_id]
        reasons.append(
            {
                "rule": rule_id,
                "level": r.level,
                "because": f"{r.why} Your answers: {answers_text(evidence)}.",
                "answers": evidence,
            }
        )
    level: str = min((RULES_BY_ID[rule_id].level for rule_id in fired), key=LEVELS.index)
    result: Result = {}
    if "id" in answers:
        result["id"] = answers["id"]
    when = within(level, f, fired)
    action = explain.action(level, when)
    if level == SPECIALIST and "S3" in fired:
        action = explain.RHEUMATOLOGY_ACTION
    result["level"] = level
    if when is not None:
        result["within"] = when
    result.update(
        {
            "action": action,
            "reasons": reasons,
            "scores": {
                "pain_impact": f.pain_impact,
                "duration": f.duration,
                "risk_group": f.risk_group,
                "screen_total": f.screen_total,
                "screen_psychosocial": f.screen_psychosocial,
                "screen_source": f.screen_source,
            },
            "contributors": explain.contributors(f, fired),
            "rule_out": explain.rule_out(fired),
            "care_ladder": explain.care_ladder(f, level, fired),
            "notes": explain.personal_notes(f, level),
            "safety_net": None if level == "emergency" else explain.SAFETY_NET,
            "disclaimer": explain.DISCLAIMER,
            "policy_version": POLICY_VERSION,
            "contract_version": CONTRACT_VERSION,
        }
    )
    if f.screen_source == "built_in":
        result["scores"]["screen_note"] = explain.SCREEN_NOTE
    return result


def assess_record(obj: Any) -> Result:
    """Validate one answers object and assess it; raises validation.InvalidAnswers listing every problem."""
    return assess(validate(obj))
