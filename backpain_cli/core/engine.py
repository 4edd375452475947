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
    pieces = []
    for k, v in evidence.items():
        t = type(v)
        if t is list:
            pieces.append(_piece(k, tuple(v)))
        elif t is dict:
            pieces.append(f"{_name(k)}: {_value_text(k, v)}")
        else:
            pieces.append(_piece(k, v))
    return ". ".join(pieces)


@lru_cache(maxsize=8192, typed=True)  # the same answers come up again and again
def _piece(key: str, value: Any) -> str:
    """`Name: text` for one answer (a tuple for a list answer)."""
    return f"{_name(key)}: {_value_text(key, list(value) if type(value) is tuple else value)}"


def _name(key: str) -> str:
    return _SHORT[key] if key in _SHORT else key.capitalize()


_SHORT = {k: name.capitalize() for k, name in SHORT_NAMES.items()}
_LEVEL = {r.id: r.level for r in RULES_BY_ID.values()}
_RANK = {level: i for i, level in enumerate(LEVELS)}
_WHY = {r.id: f"{r.why} Your answers: " for r in RULES_BY_ID.values()}


def assess(answers: Mapping[str, Any]) -> Result:
    """Assess valid answers (see `validation.validate`). Deterministic; no I/O."""
    f = Facts(answers)
    fired = evaluate(f)
    level_of = _LEVEL
    why = _WHY
    reasons = [
        {
            "rule": rule_id,
            "level": level_of[rule_id],
            "because": f"{why[rule_id]}{answers_text(evidence)}.",
            "answers": evidence,
        }
        for rule_id, evidence in fired.items()
    ]
    level: str = LEVELS[min([_RANK[level_of[rule_id]] for rule_id in fired])]
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
    scores = {
        "pain_impact": f.pain_impact,
        "duration": f.duration,
        "risk_group": f.risk_group,
        "screen_total": f.screen_total,
        "screen_psychosocial": f.screen_psychosocial,
        "screen_source": f.screen_source,
    }
    if f.screen_source == "built_in":
        scores["screen_note"] = explain.SCREEN_NOTE
    result["action"] = action
    result["reasons"] = reasons
    result["scores"] = scores
    result["contributors"] = explain.contributors(f, fired)
    result["rule_out"] = explain.rule_out(fired)
    result["care_ladder"] = explain.care_ladder(f, level, fired)
    result["notes"] = explain.personal_notes(f, level)
    result["safety_net"] = None if level == "emergency" else explain.SAFETY_NET
    result["disclaimer"] = explain.DISCLAIMER
    result["policy_version"] = POLICY_VERSION
    result["contract_version"] = CONTRACT_VERSION
    return result


def assess_record(obj: Any) -> Result:
    """Validate one answers object and assess it; raises validation.InvalidAnswers listing every problem."""
    return assess(validate(obj))
