"""HL7 FHIR R4: the questionnaire as a `Questionnaire`, a `QuestionnaireResponse` as answers, a result as a `Bundle`.

Three pure parts, each generated from the one definition (`questionnaire.QUESTIONS`) or the engine's result:

- `questionnaire(base)`: the `Questionnaire`, one item per contract key (`linkId` = the key);
- `response_answers(value, base)`: a decoded `QuestionnaireResponse` turned into the contract's answers object,
  with the problems of the mapping itself (the questionnaire named, the status, unknown linkIds, the value[x]
  of each answer, one answer to a single choice, `none` alone); the answers then go through the same
  validation, assessment and warning path as JSON (`fhir_io.response_answers`);
- `result_bundle(result, base, source)` and `outcome(rejection)`: a `Bundle` (type `collection`) holding a
  `GuidanceResponse`, its `Parameters` and an `Observation` of pain impact; an `OperationOutcome` for a record
  that was not assessed.

Pure: no I/O, no third-party imports (docs/fhir.md describes the mapping).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from backpain_cli.core.i18n import _
from backpain_cli.core.policy import POLICY_VERSION
from backpain_cli.core.questionnaire import (
    CONTRACT_VERSION,
    LEG_PAIN_OVER_50,
    LONG_AND_EARLY,
    QUESTIONS,
    SHORT_NAMES,
    Condition,
    Question,
)
from backpain_cli.core.validation import Problem, describe

#: The base of every canonical URL backpain writes, unless `--fhir-base` gives another (your own, for a portal).
DEFAULT_BASE = "https://backpain.example/fhir"
QUESTIONNAIRE_ID = "backpain"
#: The code of the explicit "none of these" option of a list item (its answer means the empty list).
NONE = "none"
NONE_LABEL = "None of these"

EXT = "http://hl7.org/fhir/StructureDefinition/"
SDC = "http://hl7.org/fhir/uv/sdc/StructureDefinition/"
MIN_VALUE = EXT + "minValue"
MAX_VALUE = EXT + "maxValue"
OPTION_EXCLUSIVE = EXT + "questionnaire-optionExclusive"
OPTIONS_TOGGLE = SDC + "sdc-questionnaire-answerOptionsToggleExpression"
UCUM = "http://unitsofmeasure.org"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"

#: Contract type -> Questionnaire item type -> the answer's value[x] (docs/fhir.md has the same table).
ITEM_TYPE = {
    "integer": "integer",
    "number": "decimal",
    "boolean": "boolean",
    "choice": "choice",
    "multi": "choice",
    "startback": "group",
}
VALUE_X = {
    "integer": "valueInteger",
    "number": "valueDecimal",
    "boolean": "valueBoolean",
    "choice": "valueCoding",
    "multi": "valueCoding",
}


def questionnaire_url(base: str = DEFAULT_BASE) -> str:
    return f"{base}/Questionnaire/{QUESTIONNAIRE_ID}"


def code_system(key: str, base: str = DEFAULT_BASE) -> str:
    """The CodeSystem of one choice or list item's codes: one a key, so that `worsening` (weakness) and
    `worsening` (trend) stay apart."""
    return f"{base}/CodeSystem/{key.replace('_', '-')}"


def scores_system(base: str = DEFAULT_BASE) -> str:
    return f"{base}/CodeSystem/scores"


def policy_uri(base: str = DEFAULT_BASE) -> str:
    """The triage policy and its version, as the GuidanceResponse's `moduleUri`."""
    return f"{base}/triage-policy|{POLICY_VERSION}"


# ── the Questionnaire ──


def _answer_path(link_id: str) -> str:
    return f"%resource.item.where(linkId = '{link_id}').answer.value"


#: Each condition of the definition as FHIRPath over the response being filled in (the SDC
#: answerOptionsToggleExpression): the same tests as `questionnaire.LONG_AND_EARLY` and `LEG_PAIN_OVER_50`.
CONDITIONS: dict[Condition, str] = {
    LONG_AND_EARLY: (
        f"{_answer_path('duration_weeks')} >= 12 and "
        f"({_answer_path('age')} - {_answer_path('duration_weeks')} / 52) < 45"
    ),
    LEG_PAIN_OVER_50: (
        f"{_answer_path('age')} >= 50 and "
        f"{_answer_path('radiating_pain')}.where(code = 'buttock_or_thigh' or code = 'below_knee').exists()"
    ),
}


def has_none_option(q: Question) -> bool:
    """A list item that may be empty has an explicit `none` option (exclusive of the others)."""
    return q.kind == "multi" and not q.min_items


def _coding(q: Question, code: str, label: str, base: str) -> dict[str, Any]:
    return {"system": code_system(q.key, base), "code": code, "display": label}


def _number(kind: str, x: float | None) -> dict[str, Any]:
    if kind == "integer":
        return {"valueInteger": int(x or 0)}
    return {"valueDecimal": int(x) if x is not None and float(x).is_integer() else x}


def _item(q: Question, base: str, link_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"linkId": link_id or q.key, "text": q.prompt, "type": ITEM_TYPE[q.kind]}
    if q.kind in ("integer", "number"):
        low = q.minimum if q.refuse_below is None or q.minimum is None else max(q.minimum, q.refuse_below)
        item["extension"] = [
            {"url": MIN_VALUE, **_number(q.kind, low)},
            {"url": MAX_VALUE, **_number(q.kind, q.maximum)},
        ]
    item["required"] = q.required
    if q.kind == "multi":
        item["repeats"] = True
    if q.kind in ("choice", "multi"):
        options: list[dict[str, Any]] = [{"valueCoding": _coding(q, c.value, c.label, base)} for c in q.choices]
        if has_none_option(q):
            options.append(
                {
                    "extension": [{"url": OPTION_EXCLUSIVE, "valueBoolean": True}],
                    "valueCoding": _coding(q, NONE, NONE_LABEL, base),
                }
            )
        item["answerOption"] = options
        toggles = _toggles(q, base)
        if toggles:
            item.setdefault("extension", []).extend(toggles)
    if q.kind == "startback":
        item["item"] = [_item(f, base, f"{q.key}.{f.key}") for f in q.fields]
    return item


def _toggles(q: Question, base: str) -> list[dict[str, Any]]:
    """Options offered only under a condition (the `pattern` item's): each condition's options, enabled while
    its FHIRPath expression is true."""
    by_condition: dict[Condition, list[dict[str, Any]]] = {}
    for c in q.choices:
        if c.asked_when is not None:
            by_condition.setdefault(c.asked_when, []).append(_coding(q, c.value, c.label, base))
    return [
        {
            "url": OPTIONS_TOGGLE,
            "extension": [
                *({"url": "option", "valueCoding": coding} for coding in codings),
                {
                    "url": "expression",
                    "valueExpression": {
                        "description": condition.text,
                        "language": "text/fhirpath",
                        "expression": CONDITIONS[condition],
                    },
                },
            ],
        }
        for condition, codings in by_condition.items()
    ]


def questionnaire(base: str = DEFAULT_BASE) -> dict[str, Any]:
    """The `Questionnaire` of answers contract version `CONTRACT_VERSION`, generated from the one definition. The
    contract's `id` is no item: a response's own `identifier` (else its `id`) is the record's id."""
    return {
        "resourceType": "Questionnaire",
        "id": QUESTIONNAIRE_ID,
        "url": questionnaire_url(base),
        "version": str(CONTRACT_VERSION),
        "name": "BackpainTriage",
        "title": "Back and neck pain triage questionnaire",
        "status": "active",
        "subjectType": ["Patient"],
        "description": (
            "Warning signs first, then the pain, how it affects you, what you have tried and what you want; "
            f"answers contract version {CONTRACT_VERSION}, assessed by triage policy {POLICY_VERSION}. "
            "Not a diagnosis."
        ),
        "item": [_item(q, base) for q in QUESTIONS if q.kind != "id"],
    }


# ── a QuestionnaireResponse as answers ──

#: The elements of a QuestionnaireResponse (R4) and of its items and answers; anything else is a mistake.
RESPONSE_ELEMENTS = frozenset(
    {
        "resourceType",
        "id",
        "meta",
        "implicitRules",
        "language",
        "text",
        "contained",
        "extension",
        "modifierExtension",
        "identifier",
        "basedOn",
        "partOf",
        "questionnaire",
        "status",
        "subject",
        "encounter",
        "authored",
        "author",
        "source",
        "item",
    }
)
ITEM_ELEMENTS = frozenset({"id", "extension", "modifierExtension", "linkId", "definition", "text", "answer", "item"})
CODING_ELEMENTS = frozenset({"id", "extension", "system", "version", "code", "display", "userSelected"})
STATUSES = ("completed", "amended")
_TOP: dict[str, Question] = {q.key: q for q in QUESTIONS if q.kind != "id"}


class Source:
    """Where a record's answers came from: the response's resource id and identifier, for references back; and
    `codes`, every code it gives for each choice item, even one that could not be read (two answers to a single
    choice, `none` with another code), so that a rejected response's warning signs are still named."""

    __slots__ = ("codes", "id", "identifier")

    def __init__(self, id: str | None = None, identifier: dict[str, Any] | None = None) -> None:
        self.id = id
        self.identifier = identifier
        self.codes: dict[str, list[str]] = {}

    def reference(self) -> dict[str, Any] | None:
        """A Reference to the response, when it had an id (or an identifier); None otherwise."""
        ref: dict[str, Any] = {}
        if self.id is not None:
            ref["reference"] = f"QuestionnaireResponse/{self.id}"
        ref["type"] = "QuestionnaireResponse"
        if self.identifier is not None and is_fhir_string(self.identifier.get("value")):
            ref["identifier"] = self.identifier
        return ref if len(ref) > 1 else None


def _str(value: Any) -> str:
    return describe(value)


#: What FHIR allows in a `string` (R4 datatypes: `[ \r\n\t\S]+`): no other control or space characters.
_FHIR_STRING = re.compile(r"[ \r\n\t\S]+")


def is_fhir_string(value: Any) -> bool:
    """Whether `value` can be written as a FHIR `string` (a record id made only of, say, a form feed cannot: it is
    then left out of the identifiers written, rather than writing an invalid resource)."""
    return isinstance(value, str) and _FHIR_STRING.fullmatch(value) is not None


def response_answers(
    value: Mapping[str, Any], base: str = DEFAULT_BASE
) -> tuple[dict[str, Any], list[Problem], Source]:
    """The answers object a `QuestionnaireResponse` gives, the problems met on the way (each naming its linkId,
    or the element at fault), and the response's own id and identifier. The answers are not yet validated: a
    value of the wrong JSON type is left for `validation.validate` to name, as for JSON input."""
    problems: list[Problem] = []
    out: dict[str, Any] = {}
    source = Source()
    kind = value.get("resourceType")
    if kind != "QuestionnaireResponse":
        got = _("none") if kind is None else _str(kind)
        problems.append(
            Problem(
                "resourceType", _("expected a QuestionnaireResponse (or a Bundle of them), got {got}").format(got=got)
            )
        )
        return out, problems, source
    _record_id(value, out, source, problems)
    for key in value:
        if key not in RESPONSE_ELEMENTS:
            problems.append(Problem(f"QuestionnaireResponse.{key}", _("not an element of a QuestionnaireResponse")))
    if value.get("modifierExtension"):
        problems.append(Problem("modifierExtension", _("not understood, and it may change what the answers mean")))
    _check_questionnaire(value.get("questionnaire"), base, problems)
    status = value.get("status")
    if status not in STATUSES:
        got = _("none") if status is None else _str(status)
        problems.append(
            Problem(
                "status",
                _("expected completed or amended, got {got}: only a finished response is assessed").format(got=got),
            )
        )
    items = value.get("item", [])
    if not isinstance(items, list):
        problems.append(Problem("item", _("expected a list of items, got {got}").format(got=_str(items))))
        items = []
    _items(items, _TOP, "", base, out, problems, source.codes)
    return out, problems, source


def _record_id(value: Mapping[str, Any], out: dict[str, Any], source: Source, problems: list[Problem]) -> None:
    rid = value.get("id")
    if isinstance(rid, str) and rid:
        source.id = rid
    identifier = value.get("identifier")
    if identifier is not None:
        if isinstance(identifier, dict) and isinstance(identifier.get("value"), str):
            source.identifier = {k: identifier[k] for k in ("system", "value") if isinstance(identifier.get(k), str)}
            out["id"] = identifier["value"]
        else:
            problems.append(
                Problem("identifier", _("expected one Identifier with a value, got {got}").format(got=_str(identifier)))
            )
    if "id" not in out and source.id is not None:
        out["id"] = source.id


def _check_questionnaire(named: Any, base: str, problems: list[Problem]) -> None:
    ours = questionnaire_url(base)
    if named is None:
        problems.append(
            Problem(
                "questionnaire",
                _("missing; expected {url} (or {url}|{version})").format(url=ours, version=CONTRACT_VERSION),
            )
        )
        return
    if not isinstance(named, str):
        problems.append(Problem("questionnaire", _("expected {url}, got {got}").format(url=ours, got=_str(named))))
        return
    url, _bar, version = named.partition("|")
    if url != ours:
        problems.append(
            Problem(
                "questionnaire", _('answers "{named}", not this questionnaire ({url})').format(named=named, url=ours)
            )
        )
    elif version and version != str(CONTRACT_VERSION):
        problems.append(
            Problem(
                "questionnaire",
                _("answers version {version} of the questionnaire; this is version {ours}").format(
                    version=version, ours=CONTRACT_VERSION
                ),
            )
        )


def _items(
    items: list[Any],
    known: Mapping[str, Question],
    prefix: str,
    base: str,
    out: dict[str, Any],
    problems: list[Problem],
    codes: dict[str, list[str]],
) -> None:
    """Map each item to its answer in `out` (keyed by the question's key, without `prefix`)."""
    seen: set[str] = set()
    for n, item in enumerate(items, 1):
        if not isinstance(item, dict) or not isinstance(item.get("linkId"), str):
            problems.append(
                Problem(
                    f"{prefix or ''}item[{n}]", _("expected an item with a linkId, got {got}").format(got=_str(item))
                )
            )
            continue
        link_id: str = item["linkId"]
        key = link_id.removeprefix(prefix) if prefix and link_id.startswith(prefix) else None if prefix else link_id
        q = known.get(key) if key is not None else None
        if q is None:
            problems.append(Problem(link_id, _("unknown linkId") + _suggest(link_id, known, prefix)))
            continue
        if link_id in seen:
            problems.append(
                Problem(link_id, _("given more than once; give each item once, so that no answer hides another"))
            )
            continue
        seen.add(link_id)
        for element in item:
            if element not in ITEM_ELEMENTS:
                problems.append(Problem(link_id, _("{element} is not an element of an item").format(element=element)))
        if item.get("modifierExtension"):
            problems.append(
                Problem(link_id, _("modifierExtension not understood; it may change what the answer means"))
            )
        if q.kind == "startback":
            if item.get("answer"):
                problems.append(Problem(link_id, _("a group has no answers of its own; answer its items")))
            children = item.get("item", [])
            if not isinstance(children, list):
                problems.append(Problem(link_id, _("expected a list of items, got {got}").format(got=_str(children))))
                continue
            group: dict[str, Any] = {}
            _items(children, {f.key: f for f in q.fields}, link_id + ".", base, group, problems, codes)
            if group or children:
                out[q.key] = group
            continue
        if item.get("item"):
            problems.append(Problem(link_id, _("an answer item has no nested items")))
        answer = _answer(q, link_id, item.get("answer", []), base, problems, codes)
        if answer is not _MISSING:
            out[q.key] = answer


_MISSING = object()


def _suggest(link_id: str, known: Mapping[str, Question], prefix: str) -> str:
    from backpain_cli.core.validation import close_key

    if not prefix and link_id.startswith("startback."):
        return _(" (it belongs in the startback group)")
    close = close_key(link_id, tuple(prefix + k for k in known))
    return _(" (did you mean {key}?)").format(key=close) if close is not None else _(" (not in the questionnaire)")


def _answer(
    q: Question, link_id: str, answers: Any, base: str, problems: list[Problem], stated: dict[str, list[str]]
) -> Any:
    """The contract value of one item's answers; `_MISSING` for none (a missing answer is validation's to say)."""
    if not isinstance(answers, list):
        problems.append(Problem(link_id, _("expected a list of answers, got {got}").format(got=_str(answers))))
        return _MISSING
    if not answers:
        return _MISSING
    want = VALUE_X[q.kind]
    values: list[Any] = []
    for answer in answers:
        got = [k for k in answer if k.startswith("value")] if isinstance(answer, dict) else []
        if not isinstance(answer, dict) or len(got) != 1:
            shown = ", ".join(got) if got else _str(answer) if not isinstance(answer, dict) else _("no value[x]")
            problems.append(
                Problem(
                    link_id,
                    _("expected an answer with one {value} ({expected}), got {got}").format(
                        value=want, expected=q.expected(), got=shown
                    ),
                )
            )
            return _MISSING
        if got[0] != want:
            shown = f"{got[0]} {_str(answer[got[0]])}" if not isinstance(answer[got[0]], dict) else got[0]
            problems.append(
                Problem(
                    link_id,
                    _("expected {value} ({expected}), got {got}").format(value=want, expected=q.expected(), got=shown),
                )
            )
            return _MISSING
        for element in answer:
            if element not in ("id", "extension", want):
                if element == "item":
                    text = _("an answer here has no nested items")
                else:
                    text = _("an answer here has no element {element}").format(element=element)
                problems.append(Problem(link_id, text))
        values.append(answer[want])
    if q.kind not in ("choice", "multi"):
        if len(values) > 1:
            problems.append(Problem(link_id, _("{n} answers given; give one").format(n=len(values))))
            return _MISSING
        return values[0]
    codes = [_code(q, link_id, coding, base, problems) for coding in values]
    stated.setdefault(q.key, []).extend(c for c in codes if isinstance(c, str) and c != NONE)
    if any(c is _MISSING for c in codes):
        return _MISSING
    if q.kind == "choice":
        if len(codes) > 1:
            shown = ", ".join(map(str, codes))
            problems.append(
                Problem(
                    link_id,
                    _("a single choice: {n} answers given ({values}); give one").format(n=len(codes), values=shown),
                )
            )
            return _MISSING
        return codes[0]
    if has_none_option(q) and NONE in codes:
        if len(codes) > 1:
            others = ", ".join(str(c) for c in codes if c != NONE)
            problems.append(
                Problem(
                    link_id,
                    _('"none" given with {others}; none means none of these, so give it alone').format(others=others),
                )
            )
            return _MISSING
        return []
    return codes


def _code(q: Question, link_id: str, coding: Any, base: str, problems: list[Problem]) -> Any:
    ours = code_system(q.key, base)
    if not isinstance(coding, dict):
        problems.append(Problem(link_id, _("expected valueCoding to be a Coding, got {got}").format(got=_str(coding))))
        return _MISSING
    extra = [k for k in coding if k not in CODING_ELEMENTS]
    if extra:
        problems.append(
            Problem(link_id, _("{elements} is not an element of a Coding").format(elements=", ".join(map(str, extra))))
        )
        return _MISSING
    if coding.get("system") != ours:
        got = _("no system") if "system" not in coding else _("system {system}").format(system=_str(coding["system"]))
        problems.append(Problem(link_id, _("expected a code of {url}, got {got}").format(url=ours, got=got)))
        return _MISSING
    return coding.get("code")


# ── results as FHIR ──


def _urn() -> str:
    import uuid  # only when a result is written as FHIR

    return f"urn:uuid:{uuid.uuid4()}"


def _parameters(result: Mapping[str, Any]) -> dict[str, Any]:
    params: list[dict[str, Any]] = [{"name": "level", "valueCode": result["level"]}]
    if result.get("within") is not None:
        params.append({"name": "within", "valueCode": result["within"]})
    params.append({"name": "action", "valueString": result["action"]})
    params += [
        {
            "name": "rule",
            "part": [
                {"name": "id", "valueCode": reason["rule"]},
                {"name": "level", "valueCode": reason["level"]},
                {"name": "because", "valueString": reason["because"]},
            ],
        }
        for reason in result["reasons"]
    ]
    scores = result["scores"]
    params.append({"name": "pain_impact", "valueDecimal": scores["pain_impact"]})
    for name in ("duration", "risk_group", "screen_source"):
        params.append({"name": name, "valueCode": scores[name]})
    for name in ("screen_total", "screen_psychosocial"):
        params.append({"name": name, "valueInteger": scores[name]})
    params.append({"name": "policy_version", "valueString": result["policy_version"]})
    params.append({"name": "contract_version", "valueInteger": result["contract_version"]})
    return {"resourceType": "Parameters", "parameter": params}


#: The three 0-10 items whose mean is the pain-impact score.
IMPACT_ITEMS = ("pain_intensity", "enjoyment_interference", "activity_interference")


def _observation(result: Mapping[str, Any], answers: Mapping[str, Any] | None, base: str, ref: Any) -> dict[str, Any]:
    system = scores_system(base)
    obs: dict[str, Any] = {
        "resourceType": "Observation",
        "status": "final",
        "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey", "display": "Survey"}]}],
        "code": {
            "coding": [{"system": system, "code": "pain_impact", "display": "Pain impact (0-10)"}],
            "text": (
                "Pain impact: the mean of pain, interference with enjoying life and interference with usual "
                "activities over the past week, each 0-10 (in the manner of the PEG scale, not its exact wording)"
            ),
        },
        "valueQuantity": {"value": result["scores"]["pain_impact"], "unit": "score", "system": UCUM, "code": "{score}"},
    }
    if answers is not None and all(k in answers for k in IMPACT_ITEMS):
        obs["component"] = [
            {
                "code": {"coding": [{"system": system, "code": k}], "text": SHORT_NAMES[k]},
                "valueInteger": answers[k],
            }
            for k in IMPACT_ITEMS
        ]
    if ref is not None:
        obs["derivedFrom"] = [ref]
    return obs


def result_bundle(
    result: Mapping[str, Any],
    answers: Mapping[str, Any] | None = None,
    base: str = DEFAULT_BASE,
    source: Source | None = None,
) -> dict[str, Any]:
    """A `Bundle` of type `collection`: the GuidanceResponse, the Parameters it refers to, the Observation."""
    ref = source.reference() if source is not None else None
    params_url, obs_url, guidance_url = _urn(), _urn(), _urn()
    guidance: dict[str, Any] = {"resourceType": "GuidanceResponse"}
    if result.get("id") is not None and is_fhir_string(str(result["id"])):
        guidance["requestIdentifier"] = {"value": str(result["id"])}
    guidance["moduleUri"] = policy_uri(base)
    guidance["status"] = "success"
    if ref is not None:
        guidance["reasonReference"] = [ref]
    guidance["note"] = [{"text": result["action"]}] + [
        {"text": f"{reason['rule']} ({reason['level']}): {reason['because']}"} for reason in result["reasons"]
    ]
    guidance["outputParameters"] = {"reference": params_url, "type": "Parameters"}
    entries = [
        (guidance_url, guidance),
        (params_url, _parameters(result)),
        (obs_url, _observation(result, answers, base, ref)),
    ]
    return {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"fullUrl": url, "resource": resource} for url, resource in entries],
    }


#: FHIRPath for a problem's key: the response's own elements, else the item with that linkId.
_GROUPS = {f"{q.key}.{f.key}": q.key for q in QUESTIONS for f in q.fields}


def record_level(key: str) -> bool:
    """Whether a problem's key is the response's own element rather than an item's linkId."""
    return key in RESPONSE_ELEMENTS or key.startswith("QuestionnaireResponse.")


def expression(key: str) -> str:
    """Where a problem is in a QuestionnaireResponse, as FHIRPath naming the linkId."""
    if key in RESPONSE_ELEMENTS:
        return f"QuestionnaireResponse.{key}"
    if key.startswith("QuestionnaireResponse."):
        return key
    if key.startswith("(") or "[" in key:
        return "QuestionnaireResponse"
    group = _GROUPS.get(key)
    if group is not None:
        return f"QuestionnaireResponse.item.where(linkId = '{group}').item.where(linkId = '{key}')"
    quoted = key.replace("\\", "\\\\").replace("'", "\\'")
    return f"QuestionnaireResponse.item.where(linkId = '{quoted}')"


def outcome(rejection: Mapping[str, Any], where: tuple[str, ...] = ()) -> dict[str, Any]:
    """The `OperationOutcome` of a record not assessed: its error (with the linkIds at fault) and, when it
    states warning signs, a second issue with the warning."""
    error: dict[str, Any] = {"severity": "error", "code": "invalid", "diagnostics": str(rejection["error"])}
    paths = list(dict.fromkeys(expression(k) for k in where))
    if paths:
        error["expression"] = paths
    issues = [error]
    if rejection.get("warning"):
        issues.append({"severity": "warning", "code": "informational", "diagnostics": str(rejection["warning"])})
    out: dict[str, Any] = {"resourceType": "OperationOutcome", "issue": issues}
    details = f"record {rejection['line']}" + (f", id {rejection['id']}" if "id" in rejection else "")
    error["details"] = {"text": f"{details}: not assessed"}
    return out


__all__ = [
    "DEFAULT_BASE",
    "Source",
    "outcome",
    "questionnaire",
    "response_answers",
    "result_bundle",
]
