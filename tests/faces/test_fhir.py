"""FHIR R4: `backpain questions --format fhir`, QuestionnaireResponses in, Bundles and OperationOutcomes out, as a
portal or a bulk export sees them (CliRunner, and a real process for pipes). Every resource backpain writes is
validated with fhir.resources' R4B models."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core.questionnaire import BY_KEY, CONTRACT_VERSION, QUESTIONS
from tests.fhir_helpers import emitted_questionnaire, response, validate_resource
from tests.strategies import answers

pytest.importorskip("fhir.resources")

runner = CliRunner()
Q = emitted_questionnaire()
BASE = "https://backpain.example/fhir"
EXCLUSIVE = "http://hl7.org/fhir/StructureDefinition/questionnaire-optionExclusive"


def lines(text: str) -> list[dict[str, Any]]:
    # On "\n" only: str.splitlines also cuts at U+2028 or \x1c, which JSON may hold unescaped inside an id.
    return [json.loads(x) for x in text.split("\n") if x.strip()]


def ndjson(resources: list[dict[str, Any]]) -> str:
    return "".join(json.dumps(r) + "\n" for r in resources)


def resources_of(bundle: dict[str, Any]) -> dict[str, dict[str, Any]]:
    assert bundle["resourceType"] == "Bundle" and bundle["type"] == "collection"
    return {e["resource"]["resourceType"]: e["resource"] for e in bundle["entry"]}


def params(bundle: dict[str, Any]) -> list[dict[str, Any]]:
    return list(resources_of(bundle)["Parameters"]["parameter"])


def summary(bundle: dict[str, Any]) -> dict[str, Any]:
    """Level, within, rule ids and scores, read from the Parameters the GuidanceResponse refers to."""
    by_url = {e["fullUrl"]: e["resource"] for e in bundle["entry"]}
    guidance = resources_of(bundle)["GuidanceResponse"]
    parameters = by_url[guidance["outputParameters"]["reference"]]
    out: dict[str, Any] = {"rules": []}
    for p in parameters["parameter"]:
        if p["name"] == "rule":
            out["rules"].append(next(part["valueCode"] for part in p["part"] if part["name"] == "id"))
        else:
            out[p["name"]] = next(v for k, v in p.items() if k.startswith("value"))
    return out


def json_summary(result: dict[str, Any]) -> dict[str, Any]:
    s = result["scores"]
    out = {
        "rules": [r["rule"] for r in result["reasons"]],
        "level": result["level"],
        **{k: s[k] for k in ("pain_impact", "duration", "risk_group", "screen_total", "screen_psychosocial")},
        "screen_source": s["screen_source"],
    }
    if "within" in result:
        out["within"] = result["within"]
    return out


BASIC: dict[str, Any] = {
    "age": 34,
    "pain_areas": ["low_back"],
    "duration_weeks": 1.5,
    "onset": "after_lifting_or_strain",
    "red_flags": [],
    "risk_factors": [],
    "weakness": "none",
    "numbness_tingling": False,
    "radiating_pain": ["below_knee"],
    "pain_intensity": 5,
    "enjoyment_interference": 3,
    "activity_interference": 4,
    "trend": "improving",
    "sleep_disturbed": False,
    "past_two_weeks": [],
    "bothersomeness": "moderately",
}


# ── the Questionnaire ──


def test_the_questionnaire_is_valid_r4b_and_names_this_contract() -> None:
    validate_resource(Q)
    assert Q["url"] == f"{BASE}/Questionnaire/backpain"
    assert Q["version"] == str(CONTRACT_VERSION) and Q["status"] == "active"
    keys = [q.key for q in QUESTIONS if q.key != "id"]
    assert [item["linkId"] for item in Q["item"]] == keys, "one item per contract key, in the definition's order"


@pytest.mark.parametrize("q", [q for q in QUESTIONS if q.key != "id"], ids=lambda q: q.key)
def test_each_item_follows_the_definition(q: Any) -> None:
    (item,) = [i for i in Q["item"] if i["linkId"] == q.key]
    assert item["required"] is q.required
    expected_type = {"integer": "integer", "number": "decimal", "boolean": "boolean", "startback": "group"}
    assert item["type"] == expected_type.get(q.kind, "choice")
    assert item.get("repeats", False) is (q.kind == "multi")
    if q.kind in ("choice", "multi"):
        codings = [o["valueCoding"] for o in item["answerOption"]]
        system = f"{BASE}/CodeSystem/{q.key.replace('_', '-')}"
        assert {c["system"] for c in codings} == {system}
        plain = [c for o, c in zip(item["answerOption"], codings, strict=True) if "extension" not in o]
        assert [(c["code"], c["display"]) for c in plain] == [(c.value, c.label) for c in q.choices]
        exclusive = [o["valueCoding"]["code"] for o in item["answerOption"] if o.get("extension")]
        assert all(e["url"] == EXCLUSIVE for o in item["answerOption"] for e in o.get("extension", []))
        # An empty list is "none": explicit and exclusive; a list that may not be empty has no such option.
        assert exclusive == (["none"] if q.kind == "multi" and not q.min_items else [])
    if q.kind in ("integer", "number"):
        ext = {e["url"].rsplit("/", 1)[1]: e for e in item["extension"]}
        value = "valueInteger" if q.kind == "integer" else "valueDecimal"
        assert ext["minValue"][value] == max(q.minimum, q.refuse_below or q.minimum)
        assert ext["maxValue"][value] == q.maximum
    if q.kind == "startback":
        assert [(c["linkId"], c["type"], c["required"]) for c in item["item"]] == [
            ("startback.total", "integer", True),
            ("startback.psychosocial", "integer", True),
        ]


def test_the_fhir_base_moves_every_canonical_url() -> None:
    q = emitted_questionnaire("--fhir-base", "https://fhir.hospital.example/r4/")
    validate_resource(q)
    text = json.dumps(q)
    assert q["url"] == "https://fhir.hospital.example/r4/Questionnaire/backpain"
    assert BASE not in text
    codings = [o["valueCoding"] for item in q["item"] for o in item.get("answerOption", [])]
    assert all(c["system"].startswith("https://fhir.hospital.example/r4/CodeSystem/") for c in codings)


@pytest.mark.parametrize("base", ["hospital.example", "https://", "https://x.example/a b", "https://x|1"])
def test_a_fhir_base_that_is_not_an_absolute_url_is_a_usage_error(base: str) -> None:
    result = runner.invoke(app, ["questions", "--format", "fhir", "--fhir-base", base])
    assert result.exit_code == 2 and "absolute URL" in result.output


def _fhirpath(resource: dict[str, Any], expression: str) -> list[Any]:
    fhirpathpy = pytest.importorskip("fhirpathpy")
    from fhirpathpy.models import models

    return list(fhirpathpy.evaluate(resource, expression, {"resource": resource}, model=models["r4"]))


TOGGLE = "http://hl7.org/fhir/uv/sdc/StructureDefinition/sdc-questionnaire-answerOptionsToggleExpression"


def _toggles() -> list[tuple[set[str], str]]:
    (item,) = [i for i in Q["item"] if i["linkId"] == "pattern"]
    out = []
    for ext in item["extension"]:
        assert ext["url"] == TOGGLE
        options = {e["valueCoding"]["code"] for e in ext["extension"] if e["url"] == "option"}
        (expr,) = [e["valueExpression"] for e in ext["extension"] if e["url"] == "expression"]
        assert expr["language"] == "text/fhirpath"
        out.append((options, expr["expression"]))
    return out


def test_options_asked_only_under_a_condition_carry_it_as_fhirpath() -> None:
    toggled = {code for options, _ in _toggles() for code in options}
    conditional = {c.value for q in QUESTIONS for c in q.choices if c.asked_when is not None}
    assert toggled == conditional


@given(answers())
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_fhirpath_conditions_agree_with_the_definition(a: dict[str, Any]) -> None:
    qr = response(Q, a)
    for options, expression in _toggles():
        choice = next(c for c in BY_KEY["pattern"].choices if c.value in options)
        assert choice.asked_when is not None
        assert _fhirpath(qr, expression) == [choice.asked_when.test(a)], (choice.asked_when.text, expression)


# ── round trip: the emitted Questionnaire, filled in, gives exactly what the JSON path gives ──


def _assess(stdin: str, *args: str) -> Any:
    return runner.invoke(app, ["assess", *args], input=stdin)


@given(st.lists(answers(), min_size=10, max_size=50))  # about 3,000 answer sets in all
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
def test_responses_to_the_emitted_questionnaire_give_the_json_paths_results(batch: list[dict[str, Any]]) -> None:
    via_json = _assess("".join(json.dumps(a) + "\n" for a in batch), "--format", "json")
    via_fhir = _assess(ndjson([response(Q, a) for a in batch]), "--format", "fhir")
    assert via_json.exit_code == 0 and via_fhir.exit_code == 0, via_fhir.stderr
    results, bundles = lines(via_json.stdout), lines(via_fhir.stdout)
    assert len(bundles) == len(batch)
    for result, bundle in zip(results, bundles, strict=True):
        assert summary(bundle) == {**json_summary(result), "action": result["action"], **_versions(result)}
        obs = resources_of(bundle)["Observation"]
        assert obs["valueQuantity"]["value"] == result["scores"]["pain_impact"]


def _versions(result: dict[str, Any]) -> dict[str, Any]:
    return {"policy_version": result["policy_version"], "contract_version": result["contract_version"]}


@pytest.mark.parametrize("rid", ["\x0c", "a\x0bb", " "])
def test_an_id_that_is_no_fhir_string_is_left_out_not_written_invalid(rid: str) -> None:
    """Found by the property below: an id holding only a form feed made an invalid Bundle."""
    result = _assess(json.dumps(response(Q, {**BASIC, "id": rid}, id="qr-1")), "--format", "fhir")
    assert result.exit_code == 0, result.stderr
    bundle = json.loads(result.stdout)
    for resource in [bundle, *(entry["resource"] for entry in bundle["entry"])]:
        validate_resource(resource)


@given(answers(ids=st.text(min_size=1, max_size=12)))
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_every_resource_written_for_a_result_is_valid_r4b(a: dict[str, Any]) -> None:
    result = _assess(json.dumps(response(Q, a, id="qr-1")), "--format", "fhir")
    assert result.exit_code == 0, result.stderr
    bundle = json.loads(result.stdout)
    validate_resource(bundle)
    for entry in bundle["entry"]:
        validate_resource(entry["resource"])


def test_the_result_bundle_traces_the_result_back_to_the_response_and_the_policy() -> None:
    flagged = {**BASIC, "red_flags": ["saddle_numbness"], "id": "clinic-0042"}
    qr = response(Q, flagged, id="qr-7")
    result = _assess(json.dumps(qr), "--format", "fhir")
    assert result.exit_code == 0
    bundle = json.loads(result.stdout)
    r = resources_of(bundle)
    guidance, obs = r["GuidanceResponse"], r["Observation"]
    assert guidance["status"] == "success"
    assert guidance["moduleUri"] == f"{BASE}/triage-policy|2026.2"
    assert guidance["reasonReference"][0]["reference"] == "QuestionnaireResponse/qr-7"
    assert guidance["reasonReference"][0]["identifier"]["value"] == "clinic-0042"
    notes = [n["text"] for n in guidance["note"]]
    assert notes[0].startswith("Go to an emergency department now")
    assert any(
        n.startswith("E") and "(emergency)" in n and "numbness or tingling around the genitals" in n for n in notes
    )
    fulls = {e["fullUrl"] for e in bundle["entry"]}
    assert guidance["outputParameters"]["reference"] in fulls
    s = summary(bundle)
    assert s["level"] == "emergency" and s["within"] == "now"
    # Our own code system, never a LOINC code: the items are not the PEG's exact wording.
    assert obs["code"]["coding"][0]["system"] == f"{BASE}/CodeSystem/scores"
    assert "loinc" not in json.dumps(obs).lower()
    assert obs["derivedFrom"][0]["reference"] == "QuestionnaireResponse/qr-7"


def test_a_response_without_an_id_has_no_reference_back() -> None:
    qr = response(Q, BASIC)
    bundle = json.loads(_assess(json.dumps(qr), "--format", "fhir").stdout)
    assert "reasonReference" not in resources_of(bundle)["GuidanceResponse"]


@pytest.mark.parametrize(
    ("extra", "expected"),
    [({"identifier": {"value": "visit-9"}, "id": "qr-1"}, "visit-9"), ({"id": "qr-1"}, "qr-1"), ({}, None)],
)
def test_the_record_id_is_the_identifier_else_the_resource_id(extra: dict[str, Any], expected: Any) -> None:
    qr = {**response(Q, BASIC), **extra}
    out = json.loads(_assess(json.dumps(qr), "--format", "json").stdout)
    assert out.get("id") == expected
    assert out["level"] == json.loads(_assess(json.dumps(BASIC), "--format", "json").stdout)["level"]


def test_a_version_bare_canonical_and_an_amended_response_are_read() -> None:
    qr = response(Q, BASIC, questionnaire=Q["url"], status="amended")
    result = _assess(json.dumps(qr))
    assert result.exit_code == 0 and json.loads(result.stdout)["level"]


def test_a_list_answered_none_is_the_empty_list() -> None:
    via_fhir = json.loads(_assess(json.dumps(response(Q, BASIC))).stdout)
    assert via_fhir["reasons"] == json.loads(_assess(json.dumps(BASIC)).stdout)["reasons"]
    qr = response(Q, BASIC)
    (flags,) = [i for i in qr["item"] if i["linkId"] == "red_flags"]
    assert [a["valueCoding"]["code"] for a in flags["answer"]] == ["none"]


# ── bad responses: each its own OperationOutcome, every other record still assessed ──


def _item(qr: dict[str, Any], link_id: str) -> dict[str, Any]:
    return next(i for i in qr["item"] if i["linkId"] == link_id)


def _wrong_questionnaire(qr: dict[str, Any]) -> None:
    qr["questionnaire"] = "http://loinc.org/q/44249-1"


def _draft(qr: dict[str, Any]) -> None:
    qr["status"] = "in-progress"


def _unknown_link(qr: dict[str, Any]) -> None:
    qr["item"].append({"linkId": "pain_level", "answer": [{"valueInteger": 3}]})


def _wrong_type(qr: dict[str, Any]) -> None:
    _item(qr, "age")["answer"] = [{"valueString": "34"}]


def _string_in_integer(qr: dict[str, Any]) -> None:
    _item(qr, "age")["answer"] = [{"valueInteger": "34"}]


def _two_single(qr: dict[str, Any]) -> None:
    item = _item(qr, "onset")
    item["answer"].append({"valueCoding": {**item["answer"][0]["valueCoding"], "code": "sudden"}})


def _none_and_more(qr: dict[str, Any]) -> None:
    item = _item(qr, "risk_factors")
    item["answer"].append({"valueCoding": {**item["answer"][0]["valueCoding"], "code": "diabetes"}})


def _missing_required(qr: dict[str, Any]) -> None:
    qr["item"] = [i for i in qr["item"] if i["linkId"] != "weakness"]


def _misspelt_element(qr: dict[str, Any]) -> None:
    qr["stauts"] = qr.pop("status")


def _flat_group_item(qr: dict[str, Any]) -> None:
    qr["item"].append({"linkId": "startback.total", "answer": [{"valueInteger": 3}]})


def _foreign_code_system(qr: dict[str, Any]) -> None:
    _item(qr, "onset")["answer"][0]["valueCoding"]["system"] = "http://snomed.info/sct"


BAD = [
    (_wrong_questionnaire, "questionnaire", "not this questionnaire", "QuestionnaireResponse.questionnaire"),
    (_draft, "status", "expected completed or amended", "QuestionnaireResponse.status"),
    (_unknown_link, "pain_level", "unknown linkId", "linkId = 'pain_level'"),
    (_wrong_type, "age", "expected valueInteger", "linkId = 'age'"),
    (_string_in_integer, "age", '"34" (a string)', "linkId = 'age'"),
    (_two_single, "onset", "a single choice: 2 answers", "linkId = 'onset'"),
    (_none_and_more, "risk_factors", '"none" given with diabetes', "linkId = 'risk_factors'"),
    (_missing_required, "weakness", "missing", "linkId = 'weakness'"),
    (_foreign_code_system, "onset", "expected a code of", "linkId = 'onset'"),
    (_flat_group_item, "startback.total", "belongs in the startback group", "linkId = 'startback.total'"),
]


@pytest.mark.parametrize(("spoil", "link_id", "says", "where"), BAD, ids=[b[0].__name__.strip("_") for b in BAD])
def test_each_bad_response_gets_its_own_outcome_and_the_rest_are_assessed(
    spoil: Any, link_id: str, says: str, where: str
) -> None:
    good = response(Q, {**BASIC, "id": "a"})
    bad = copy.deepcopy(response(Q, {**BASIC, "id": "b"}))
    spoil(bad)
    result = _assess(ndjson([good, bad, good]), "--format", "fhir")
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert [r["resourceType"] for r in out] == ["Bundle", "OperationOutcome", "Bundle"]
    outcome = out[1]
    validate_resource(outcome)
    (issue,) = outcome["issue"]
    assert issue["severity"] == "error"
    assert issue["diagnostics"].startswith(f"{link_id}: ") and says in issue["diagnostics"], issue["diagnostics"]
    assert any(where in e for e in issue["expression"]), issue["expression"]
    assert len(issue["expression"]) == 1, "the one item at fault, said once"
    assert "record 2 (id 'b') rejected: " + link_id in result.stderr


def test_a_rejected_response_that_states_warning_signs_carries_the_warning() -> None:
    qr = response(Q, {**BASIC, "red_flags": ["bladder_or_bowel_change"]}, status="in-progress")
    result = _assess(ndjson([qr, response(Q, BASIC)]), "--format", "fhir")
    assert result.exit_code == 1
    outcome = lines(result.stdout)[0]
    validate_resource(outcome)
    error, warning = outcome["issue"]
    assert error["severity"] == "error" and warning["severity"] == "warning"
    assert warning["diagnostics"].startswith("NOT ASSESSED, but warning signs were given")
    assert "bladder_or_bowel_change" in warning["diagnostics"] and "emergency department" in warning["diagnostics"]
    assert "NOT ASSESSED" in result.stderr


@pytest.mark.parametrize(
    ("link_id", "codes", "sign"),
    [("red_flags", ["none", "saddle_numbness"], "saddle_numbness"), ("weakness", ["none", "worsening"], "worsening")],
)
def test_a_sign_in_an_answer_that_cannot_be_read_is_still_a_sign_given(
    link_id: str, codes: list[str], sign: str
) -> None:
    qr = response(Q, BASIC)
    system = f"{BASE}/CodeSystem/{link_id.replace('_', '-')}"
    _item(qr, link_id)["answer"] = [{"valueCoding": {"system": system, "code": c}} for c in codes]
    outcome = json.loads(_assess(json.dumps(qr), "--format", "fhir").stdout)
    warning = outcome["issue"][1]["diagnostics"]
    assert warning.startswith("NOT ASSESSED, but warning signs were given") and f"({sign})" in warning
    assert "emergency department" in warning


def test_json_output_for_a_bad_response_names_the_link_ids() -> None:
    qr = response(Q, {**BASIC, "id": "x"})
    _item(qr, "onset")["answer"].append({"valueCoding": {**_item(qr, "onset")["answer"][0]["valueCoding"]}})
    out = json.loads(_assess(json.dumps(qr)).stdout)
    assert out["line"] == 1 and out["id"] == "x" and out["error"].startswith("onset: a single choice")


def test_a_startback_group_is_read_and_checked() -> None:
    good = response(Q, {**BASIC, "startback": {"total": 6, "psychosocial": 4}})
    out = json.loads(_assess(json.dumps(good)).stdout)
    assert out["scores"]["screen_source"] == "startback" and out["scores"]["risk_group"] == "high"
    bad = response(Q, {**BASIC, "startback": {"total": 6}})
    result = _assess(json.dumps(bad), "--format", "fhir")
    issue = json.loads(result.stdout)["issue"][0]
    assert issue["diagnostics"].startswith("startback.psychosocial: missing")
    assert issue["expression"] == [
        "QuestionnaireResponse.item.where(linkId = 'startback').item.where(linkId = 'startback.psychosocial')"
    ]


def test_input_format_fhir_refuses_plain_answers_but_still_warns() -> None:
    plain = {**BASIC, "red_flags": ["saddle_numbness"]}
    result = _assess(json.dumps(plain), "--input-format", "fhir", "--format", "fhir")
    assert result.exit_code == 1
    outcome = json.loads(result.stdout)
    assert outcome["issue"][0]["diagnostics"].startswith("resourceType: expected a QuestionnaireResponse")
    assert "saddle_numbness" in outcome["issue"][1]["diagnostics"]


# ── framing: one resource, a Bundle, NDJSON ──


def test_a_bundle_of_responses_gives_one_result_a_response_in_order() -> None:
    bad = response(Q, {**BASIC, "id": "2"}, status="stopped")
    entries = [response(Q, {**BASIC, "id": "1"}), bad, response(Q, {**BASIC, "id": "3", "age": 70})]
    bundle = {
        "resourceType": "Bundle",
        "type": "searchset",
        "entry": [
            *({"fullUrl": f"urn:uuid:{n}", "resource": r, "search": {"mode": "match"}} for n, r in enumerate(entries)),
            {"resource": {"resourceType": "Patient"}, "search": {"mode": "include"}},
        ],
    }
    result = _assess(json.dumps(bundle, indent=2))
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert [o.get("id") for o in out] == ["1", "2", "3"]
    assert out[1] == {"line": 2, "id": "2", **{k: out[1][k] for k in ("error",)}}
    assert "3 records read: 2 assessed" in result.stderr


def test_one_response_gives_one_indented_bundle() -> None:
    result = _assess(json.dumps(response(Q, BASIC), indent=2), "--format", "fhir")
    assert result.exit_code == 0
    assert result.stdout.startswith("{\n") and json.loads(result.stdout)["resourceType"] == "Bundle"


def test_a_bundle_with_a_key_given_twice_is_rejected_whole() -> None:
    text = json.dumps({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": response(Q, BASIC)}]})
    text = text.replace('"status": "completed"', '"status": "completed", "status": "completed"')
    result = _assess(text, "--format", "fhir")
    assert result.exit_code == 1
    issue = json.loads(result.stdout)["issue"][0]
    assert "given more than once" in issue["diagnostics"]


def test_jobs_give_the_same_results_for_fhir_input() -> None:
    batch = [response(Q, {**BASIC, "id": str(n), "pain_intensity": n % 11}) for n in range(60)]
    one = _assess(ndjson(batch))
    two = subprocess.run(
        [sys.executable, "-m", "backpain_cli", "assess", "--jobs", "2"],
        input=ndjson(batch).encode(),
        capture_output=True,
        check=False,
    )
    assert two.returncode == 0 and two.stdout.decode() == one.stdout


def test_a_bulk_export_streams_and_head_stops_quietly(tmp_path: Any) -> None:
    export = tmp_path / "QuestionnaireResponse.ndjson"
    export.write_text((json.dumps(response(Q, BASIC, id="x")) + "\n") * 20000)
    proc = subprocess.run(
        [
            "bash",
            "-c",
            f'"{sys.executable}" -m backpain_cli assess -a "{export}" -f fhir | head -n 2; '
            'echo "status ${PIPESTATUS[0]}" >&2',
        ],
        capture_output=True,
        check=False,
    )
    out = proc.stdout.decode().splitlines()
    assert len(out) == 2 and all(json.loads(x)["resourceType"] == "Bundle" for x in out)
    assert proc.stderr.decode() == "status 0\n", "no traceback, no summary"


def test_the_docs_give_the_default_base_and_every_extension_url() -> None:
    from pathlib import Path

    from backpain_cli.core import fhir

    text = (Path(__file__).parent.parent.parent / "docs" / "fhir.md").read_text()
    for url in (fhir.DEFAULT_BASE, fhir.MIN_VALUE, fhir.OPTION_EXCLUSIVE, fhir.OPTIONS_TOGGLE):
        assert url in text


def test_a_misspelt_element_is_named_as_an_element_not_an_item() -> None:
    qr = response(Q, BASIC)
    qr["stauts"] = qr.pop("status")
    issue = json.loads(_assess(json.dumps(qr), "--format", "fhir").stdout)["issue"][0]
    assert issue["diagnostics"].startswith("QuestionnaireResponse.stauts: not an element")
    assert issue["expression"] == ["QuestionnaireResponse.stauts", "QuestionnaireResponse.status"]


def test_a_bundle_in_input_that_began_as_plain_json_says_how_to_read_it() -> None:
    bundle = {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": response(Q, BASIC)}]}
    result = _assess(json.dumps(BASIC) + "\n" + json.dumps(bundle) + "\n")
    assert result.exit_code == 1
    first, second = lines(result.stdout)
    assert first["level"] and second["error"].startswith("Bundle: a Bundle in input that did not begin as FHIR")
    ok = _assess(json.dumps(BASIC) + "\n" + json.dumps(bundle) + "\n", "--input-format", "fhir")
    assert [o.get("level") for o in lines(ok.stdout)][1:] == [first["level"]], "the Bundle's response assessed"
