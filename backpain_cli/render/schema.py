"""The JSON Schema (draft 2020-12) of the answers, generated from the questionnaire definition."""

from __future__ import annotations

from typing import Any

from backpain_cli.core.i18n import _
from backpain_cli.core.questionnaire import CONTRACT_VERSION, QUESTIONS, Question


def _property(q: Question) -> dict[str, Any]:
    """A question's schema: its description in the region's words; its keys, types and values the same in every
    region."""
    out: dict[str, Any] = {"description": _(q.prompt) + (f" {_(q.help)}" if q.help else "")}
    if q.kind in ("integer", "number"):
        out.update(type=q.kind, minimum=q.minimum, maximum=q.maximum)
        if q.refuse_below is not None:
            out["description"] += " " + _("Under {n}: {why}.").format(n=f"{q.refuse_below:g}", why=_(q.refuse_message))
    elif q.kind == "boolean":
        out["type"] = "boolean"
    elif q.kind == "choice":
        out.update(type="string", enum=list(q.values))
    elif q.kind == "multi":
        out.update(type="array", items={"enum": list(q.values)}, uniqueItems=True)
        if q.min_items:
            out["minItems"] = q.min_items
    elif q.kind == "id":
        out["type"] = ["string", "integer"]
    else:  # startback
        out.update(_object(q.fields))
    if q.default is not None:
        out["default"] = list(q.default)
    return out


def _object(questions: tuple[Question, ...]) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {q.key: _property(q) for q in questions},
        "required": [q.key for q in questions if q.required],
        "additionalProperties": False,
    }


def answers_schema() -> dict[str, Any]:
    schema = {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"urn:backpain:answers:v{CONTRACT_VERSION}",
        "title": _("backpain answers, contract version {version}").format(version=CONTRACT_VERSION),
        "description": _("One assessment's answers. Unknown keys are errors; an empty list means none apply."),
    }
    schema.update(_object(QUESTIONS))
    return schema
