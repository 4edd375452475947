"""Building QuestionnaireResponses from the emitted Questionnaire, as a portal would, and validating what backpain
writes with fhir.resources (R4B)."""

from __future__ import annotations

import json
from typing import Any

from typer.testing import CliRunner

from backpain_cli.cli.app import app


def emitted_questionnaire(*args: str) -> dict[str, Any]:
    result = CliRunner().invoke(app, ["questions", "--format", "fhir", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def _none_option(item: dict[str, Any]) -> dict[str, Any]:
    exclusive = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"
    options = [o for o in item["answerOption"] if any(e["url"] == exclusive for e in o.get("extension", []))]
    assert len(options) == 1, f"{item['linkId']}: one exclusive option"
    return options[0]["valueCoding"]


def _coding(item: dict[str, Any], code: str) -> dict[str, Any]:
    (option,) = [o for o in item["answerOption"] if o["valueCoding"]["code"] == code]
    return dict(option["valueCoding"])


_VALUE = {"integer": "valueInteger", "decimal": "valueDecimal", "boolean": "valueBoolean"}


def _answer_item(item: dict[str, Any], value: Any) -> dict[str, Any]:
    if item["type"] == "group":
        return {
            "linkId": item["linkId"],
            "item": [
                _answer_item(child, value[child["linkId"].rsplit(".", 1)[1]])
                for child in item["item"]
                if child["linkId"].rsplit(".", 1)[1] in value
            ],
        }
    if item["type"] == "choice" and item.get("repeats"):
        codings = [_coding(item, v) for v in value] if value else [_none_option(item)]
        return {"linkId": item["linkId"], "answer": [{"valueCoding": c} for c in codings]}
    if item["type"] == "choice":
        return {"linkId": item["linkId"], "answer": [{"valueCoding": _coding(item, value)}]}
    return {"linkId": item["linkId"], "answer": [{_VALUE[item["type"]]: value}]}


def response(q: dict[str, Any], answers: dict[str, Any], **extra: Any) -> dict[str, Any]:
    """The QuestionnaireResponse a portal filling in `q` would send for `answers` (its `id` as identifier)."""
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{q['url']}|{q['version']}",
        "status": "completed",
    }
    if "id" in answers:
        out["identifier"] = {"system": "urn:example:clinic", "value": str(answers["id"])}
    out["item"] = [_answer_item(item, answers[item["linkId"]]) for item in q["item"] if item["linkId"] in answers]
    out.update(extra)
    return out


def validate_resource(resource: dict[str, Any]) -> Any:
    """Parse with fhir.resources' R4B model of its resourceType (raises if it is not valid R4B)."""
    import importlib

    kind = resource["resourceType"]
    module = importlib.import_module(f"fhir.resources.R4B.{kind.lower()}")
    return getattr(module, kind).model_validate(resource)
