"""The assessment engine: valid answers in, an assessment out.

    >>> from backpain_cli.core.engine import assess
    >>> assess(answers)["level"]

`assess` takes answers already validated (`validation.validate`); `assess_record` validates first.
The result is a plain JSON-ready dict; its contract parts are `id`, `level`, `within` (emergency and urgent
only), `reasons`, `scores` and `policy_version` (answers-contract.md). Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from functools import lru_cache, partial
from itertools import islice
from typing import Any

from backpain_cli.core import explain, i18n
from backpain_cli.core.policy import (
    EMERGENCY,
    LEVELS,
    POLICY_VERSION,
    RULES,
    RULES_BY_ID,
    Evidence,
    Facts,
    evaluate_with,
    within,
)
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
    pieces = []
    for k, v in evidence.items():
        t = type(v)
        if t is list:
            pieces.append(_piece(k, tuple(v), region))
        elif t is dict:
            pieces.append(f"{_name(k, region)}: {_value_text(k, v, region)}")
        else:
            pieces.append(_piece(k, v, region))
    return ". ".join(pieces)


@lru_cache(maxsize=8192, typed=True)  # the same answers come up again and again
def _piece(key: str, value: Any, region: str) -> str:
    """`Name: text` for one answer (a tuple for a list answer)."""
    return f"{_name(key, region)}: {_value_text(key, list(value) if type(value) is tuple else value, region)}"


@lru_cache(maxsize=256)
def _name(key: str, region: str) -> str:
    return i18n.translator(region)(SHORT_NAMES[key]).capitalize() if key in SHORT_NAMES else key.capitalize()


_LEVEL = {r.id: r.level for r in RULES_BY_ID.values()}
if [r.level for r in RULES] != sorted((r.level for r in RULES), key=LEVELS.index):  # `assess` takes the first
    # fired rule's level: the rules, as compiled, must be in table order, most urgent level first
    raise RuntimeError("the policy's rules are not in table order, most urgent level first")


@lru_cache(maxsize=16)
def _reason_texts(region: str) -> dict[str, tuple[str, ...]]:
    """Each rule's reason in a region's words (`{why} Your answers: {answers}.`) with its `why` put in, made once:
    the words before the answers and after them. (A template that does not give the answers exactly once is
    kept whole, with the why, for `str.format`.)"""
    _ = i18n.translator(region)
    template = _("{why} Your answers: {answers}.")
    texts: dict[str, tuple[str, ...]] = {}
    for r in RULES_BY_ID.values():
        why = _(r.why)
        parts = template.format(why=why, answers=_ANSWERS).split(_ANSWERS)
        texts[r.id] = (parts[0], parts[1]) if len(parts) == 2 and _ANSWERS not in why else (template, why, "")
    return texts


_ANSWERS = "\x00answers\x00"  # where the answers go, while a template is split


def because(rule_id: str, evidence: Evidence, region: str | None = None) -> str:
    """Why a rule fired, in words, with the answers behind it (in `region`'s words; default: this process's)."""
    region = i18n.current() if region is None else region
    return _because(_reason_texts(region)[rule_id], answers_text(evidence, region))


def _because(text: tuple[str, ...], answers: str) -> str:
    if len(text) == 2:
        return text[0] + answers + text[1]
    return text[0].format(why=text[1], answers=answers)


#: What a result holds for each of its shared parts, in place of the part itself (`assess`'s `form`): made once,
#: from the part, when the part is made.
Form = Callable[[Any], Any]

REASON_CACHE = 16384


class _Kept:
    """What is kept for one region (and form): the explanation's shared parts in its words (`explain.Parts`), and
    each reason as it goes in a result, by the fired rule's signature (`policy.evaluate_with`). The same rule with
    the same answers comes up again and again, and its reason is made once and shared by every result that gives
    it. Many differ (14,900 in 50,000 random records): when REASON_CACHE are kept, the older half is dropped, so
    memory stays flat (about 1 KB a reason kept as a dict, 0.6 KB as its JSON: at most 17 MB for one region and
    form; bench/memory.py sees 15 MB of growth from 1,000 to 1,000,000 records, within its goal of 20)."""

    __slots__ = ("get", "make", "parts", "reasons")

    def __init__(self, region: str, form: Form | None) -> None:
        self.parts = explain.Parts(i18n.translator(region), form or explain.as_it_is)
        self.reasons: dict[tuple[Any, ...], Any] = {}
        self.get = self.reasons.get
        self.make = partial(_reason, region, form, self.reasons)


#: What is kept, by region (a region and a form: a tuple of both), for the last KEPT_MOST used (a caller who makes
#: a new form for every call gets no sharing, but no growth either).
_KEPT: dict[Any, _Kept] = {}
KEPT_MOST = 16


def _kept(region: str, form: Form | None) -> _Kept:
    while len(_KEPT) >= KEPT_MOST:
        del _KEPT[next(iter(_KEPT))]  # the first made
    kept = _KEPT[region if form is None else (region, form)] = _Kept(region, form)
    return kept


def _forget(region: str) -> None:
    """A region's translations were replaced: its words kept here are made again from them."""
    for key in [k for k in _KEPT if k == region or (type(k) is tuple and k[0] == region)]:
        del _KEPT[key]
    for cached in (_reason_texts, _piece, _scalar_text, _name):
        cached.cache_clear()


i18n.on_register(_forget)


def _reason(
    region: str, form: Form | None, kept: dict[tuple[Any, ...], Any], sign: tuple[Any, ...], evidence: Evidence
) -> Any:
    """A reason not kept yet: made, and kept (as `form` makes it, if there is one)."""
    if len(kept) >= REASON_CACHE:
        for old in list(islice(kept, len(kept) // 2 or 1)):  # the oldest kept (a dict keeps its order)
            del kept[old]
    rule_id = sign[0]
    reason = {
        "rule": rule_id,
        "level": _LEVEL[rule_id],
        "because": because(rule_id, evidence, region),
        "answers": evidence,
    }
    made = kept[sign] = reason if form is None else form(reason)
    return made


#: S3's test, for its answers in the explanation (`explain.contributors`): it fires for few records.
_S3 = RULES_BY_ID["S3"].test


def assess(answers: Mapping[str, Any], region: str | None = None, form: Form | None = None) -> Result:
    """Assess valid answers (see `validation.validate`). Deterministic; no I/O. The texts (`action`, each
    `because`, the explanation) are in `region`'s words (a code of `regions`; default: this process's region,
    `intl` unless the command chose one); every code (level, rules, `within`, ids) is the same in every region.

    Results share their constant parts (a reason, the care ladder, the notes, what to rule out, the texts) with
    other results: read a result, or copy it (`copy.deepcopy`) before changing it.

    `form`, for the layer that writes results: each shared part (each reason, `action`, `scores.screen_note`, the
    contributors made once (`explain.Parts`), `rule_out`, `care_ladder`, each note, `safety_net`, `disclaimer`)
    is what `form(part)` made of it, once, when the part was made, and is given as made then to every result that
    gives it. The JSON Lines fast path keeps each as the JSON it is written as, so that it is encoded once, not
    for each result. What a form made is kept by that form: give the same function each time (the last
    KEPT_MOST regions and forms used are kept)."""
    region = i18n.current() if region is None else region
    f = Facts(answers)
    kept = _KEPT.get(region if form is None else (region, form)) or _kept(region, form)
    fired, serious = evaluate_with(f, kept.get, kept.make)  # each fired rule's reason
    level: str = _LEVEL[next(iter(fired))]  # the rules are in table order: the most urgent level first
    when = within(level, f, fired)
    parts = kept.parts
    scores = {
        "pain_impact": f.pain_impact,
        "duration": f.duration,
        "risk_group": f.risk_group,
        "screen_total": f.screen_total,
        "screen_psychosocial": f.screen_psychosocial,
        "screen_source": f.screen_source,
    }
    if f.screen_source == "built_in":
        scores["screen_note"] = parts.screen_note
    # Made whole at once, in the contract's order; the keys that do not apply are taken out after.
    result: Result = {
        "id": answers.get("id"),
        "level": level,
        "within": when,
        "action": explain.action(level, when, inflammatory="S3" in fired, parts=parts),
        "reasons": [*fired.values()],
        "scores": scores,
        "contributors": explain.contributors(f, serious, _S3(f, fired) if "S3" in fired else None, parts=parts),
        "rule_out": explain.rule_out_of(serious, parts=parts),
        "care_ladder": explain.care_ladder(f, level, parts=parts),
        "notes": explain.personal_notes(f, level, parts=parts),
        "safety_net": None if level == EMERGENCY else parts.safety_net,
        "disclaimer": parts.disclaimer,
        "region": region,
        "policy_version": POLICY_VERSION,
        "contract_version": CONTRACT_VERSION,
    }
    if "id" not in answers:
        del result["id"]
    if when is None:
        del result["within"]
    return result


def assess_record(obj: Any) -> Result:
    """Validate one answers object and assess it; raises validation.InvalidAnswers listing every problem."""
    return assess(validate(obj))
