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

from backpain_cli.core import explain, i18n
from backpain_cli.core.policy import LEVELS, POLICY_VERSION, RULES_BY_ID, SPECIALIST, Evidence, Facts, evaluate, within
from backpain_cli.core.questionnaire import BY_KEY, CONTRACT_VERSION, SHORT_NAMES
from backpain_cli.core.regions import INTL
from backpain_cli.core.validation import validate

Result = dict[str, Any]


def _value_text(key: str, value: Any, region: str = INTL) -> str:
    if isinstance(value, list):
        return "; ".join([_scalar_text(key, v, region) for v in value]) if value else i18n.translator(region)("none")
    if isinstance(value, dict):
        return ", ".join(f"{k} {v}" for k, v in value.items())
    return _scalar_text(key, value, region)


@lru_cache(maxsize=4096, typed=True)  # the same few answers come up again and again
def _scalar_text(key: str, value: Any, region: str = INTL) -> str:
    _ = i18n.translator(region)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, str) and key in BY_KEY and BY_KEY[key].choices:
        text = _(BY_KEY[key].label(value))
        return text[:1].lower() + text[1:]
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def answers_text(evidence: Evidence, region: str | None = None) -> str:
    """The answers behind a rule in plain words: `weeks since it began: 10. Over two weeks: about the same`
    (in `region`'s words; default: this process's region)."""
    region = i18n.current() if region is None else region
    _ = i18n.translator(region)
    return ". ".join(
        [
            f"{_(SHORT_NAMES[k]).capitalize() if k in SHORT_NAMES else k.capitalize()}: {_value_text(k, v, region)}"
            for k, v in evidence.items()
        ]
    )


def assess(answers: Mapping[str, Any], region: str | None = None) -> Result:
    """Assess valid answers (see `validation.validate`). Deterministic; no I/O. The texts (`action`, each
    `because`, the explanation) are in `region`'s words (a code of `regions`; default: this process's region,
    `intl` unless the command chose one); every code (level, rules, `within`, ids) is the same in every region."""
    region = i18n.current() if region is None else region
    _ = i18n.translator(region)
    f = Facts(answers)
    fired = evaluate(f)
    reasons = []
    for rule_id, evidence in fired.items():
        r = RULES_BY_ID[rule_id]
        reasons.append(
            {
                "rule": rule_id,
                "level": r.level,
                "because": _("{why} Your answers: {answers}.").format(
                    why=_(r.why), answers=answers_text(evidence, region)
                ),
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
    care_ladder = explain.care_ladder(f, level, fired)
    result["level"] = level
    if when is not None:
        result["within"] = when
    result.update(
        {
            "action": _(action),
            "reasons": reasons,
            "scores": {
                "pain_impact": f.pain_impact,
                "duration": f.duration,
                "risk_group": f.risk_group,
                "screen_total": f.screen_total,
                "screen_psychosocial": f.screen_psychosocial,
                "screen_source": f.screen_source,
            },
            "contributors": [{**c, "label": _(c["label"])} for c in explain.contributors(f, fired)],
            "rule_out": [{**r, "what": _(r["what"])} for r in explain.rule_out(fired)],
            "care_ladder": {**care_ladder, "next": _(care_ladder["next"])},
            "notes": [{**n, "note": _(n["note"])} for n in explain.personal_notes(f, level)],
            "safety_net": None if level == "emergency" else _(explain.SAFETY_NET),
            "disclaimer": _(explain.DISCLAIMER),
            "region": region,
            "policy_version": POLICY_VERSION,
            "contract_version": CONTRACT_VERSION,
        }
    )
    if f.screen_source == "built_in":
        result["scores"]["screen_note"] = _(explain.SCREEN_NOTE)
    return result


def assess_record(obj: Any) -> Result:
    """Validate one answers object and assess it; raises validation.InvalidAnswers listing every problem."""
    return assess(validate(obj))
