"""`backpain` as its users see it, through typer's CliRunner (and once as a real process)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli import __version__
from backpain_cli.cli.app import app
from backpain_cli.core.questionnaire import QUESTIONS
from tests.conftest import VIGNETTES

runner = CliRunner()


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in text.splitlines()]


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and __version__ in result.stdout


def _help(args: list[str]) -> str:
    result = runner.invoke(app, [*args, "--help"], env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.exit_code == 0
    return " ".join(result.stdout.replace("│", " ").split())


def test_help_documents_exit_codes() -> None:
    text = _help(["assess"])
    assert "0 every record assessed" in text and "130" in text and "2 usage error" in text
    assert "3 assessed and printed, but not saved to the history as asked (--save, or yes at the save" in text
    assert "70 internal error" in text


def test_top_level_help_lists_the_shared_exit_codes_and_points_to_each_command() -> None:
    text = _help([])
    assert "0 every record assessed" not in text, "not assess's list as if it were every command's"
    assert "0 done; 2 usage error; 70 internal error" in text and "130 interrupted" in text
    assert "backpain assess --help" in text and "backpain history --help" in text


def test_history_help_documents_130_at_the_delete_question() -> None:
    text = _help(["history"])
    assert "130 interrupted (Ctrl-C), also at the question before a deletion" in text


@pytest.mark.parametrize("command", [[], ["assess"], ["history"], ["schema"], ["questions"]])
def test_help_fits_80_columns_and_shows_flags_plainly(command: list[str]) -> None:
    result = CliRunner().invoke(app, [*command, "--help"], env={"COLUMNS": "80", "NO_COLOR": "1"})
    assert result.exit_code == 0
    out = result.stdout
    assert all(len(line) <= 80 for line in out.splitlines())
    assert "…" not in out, "an option's help was cut off"
    assert "<bool>" not in out and "BOOLEAN" not in out
    assert "[x>=1]" not in out and "<int" not in out


def test_db_help_is_whole_at_80_columns() -> None:
    for command in ("assess", "history"):
        out = CliRunner().invoke(app, [command, "--help"], env={"COLUMNS": "80", "NO_COLOR": "1"}).stdout
        text = " ".join(out.replace("│", " ").split())
        assert "history.sqlite3 in $BACKPAIN_HOME, else in your user data folder" in text


def test_schema_descriptions_are_sentences() -> None:
    from backpain_cli.render.schema import answers_schema

    def descriptions(node: Any) -> list[str]:
        if isinstance(node, dict):
            own = [node["description"]] if isinstance(node.get("description"), str) else []
            return own + [d for v in node.values() for d in descriptions(v)]
        if isinstance(node, list):
            return [d for v in node for d in descriptions(v)]
        return []

    found = descriptions(answers_schema())
    assert len(found) > 20
    for text in found:
        assert text[:1].isupper() and text.rstrip()[-1] in ".?", text
        assert "questionnaire Given" not in text


def test_bad_option_is_a_usage_error() -> None:
    assert runner.invoke(app, ["assess", "--format", "yaml"], input="{}").exit_code == 2


def test_mixed_batch_keeps_order_and_reports_bad_records_in_place(base_answers: dict[str, Any]) -> None:
    good = [json.dumps({**base_answers, "id": f"good-{i}"}) for i in range(3)]
    bad_type = json.dumps({**base_answers, "id": "bad-type", "age": "40"})
    data = "\n".join([good[0], bad_type, "{not json", "", good[1], "[1, 2]", good[2]]) + "\n"
    result = runner.invoke(app, ["assess"], input=data)
    assert result.exit_code == 1
    out = lines(result.stdout)
    assert [o.get("id") for o in out] == ["good-0", "bad-type", None, "good-1", None, "good-2"]
    assert out[1] == {"line": 2, "id": "bad-type", "error": out[1]["error"]} and "age" in out[1]["error"]
    assert out[2]["line"] == 3 and "invalid JSON" in out[2]["error"]
    assert out[4]["line"] == 6 and "JSON object" in out[4]["error"]
    assert all("level" in out[i] for i in (0, 3, 5))
    assert "record 2" in result.stderr and "age" in result.stderr


def test_json_array_in_gives_json_lines_out() -> None:
    data = json.dumps([v["answers"] for v in VIGNETTES[:3]])
    result = runner.invoke(app, ["assess"], input=data)
    assert result.exit_code == 0
    assert [o["id"] for o in lines(result.stdout)] == [v["answers"]["id"] for v in VIGNETTES[:3]]


def test_pretty_printed_object_gives_one_object(base_answers: dict[str, Any]) -> None:
    result = runner.invoke(app, ["assess"], input=json.dumps(base_answers, indent=4))
    assert result.exit_code == 0
    assert json.loads(result.stdout)["level"] == "self_care"
    assert result.stderr == ""


def test_a_single_rejected_object(base_answers: dict[str, Any]) -> None:
    result = runner.invoke(app, ["assess"], input=json.dumps({**base_answers, "age": 12}, indent=1))
    assert result.exit_code == 1
    out = json.loads(result.stdout)
    assert out["line"] == 1 and "age" in out["error"] and "doctor" in out["error"]


@pytest.mark.parametrize("data", ["", "   \n\n"])
def test_empty_input_is_a_usage_error(data: str) -> None:
    result = runner.invoke(app, ["assess"], input=data)
    assert result.exit_code == 2
    assert result.stdout == ""
    assert "pipe answers" in result.stderr.lower() or "Pipe answers" in result.stderr


@pytest.mark.parametrize("data", ["{", "nope", '{"age": 30,}', "\x00\x01"])
def test_invalid_json_is_a_rejected_record(data: str) -> None:
    result = runner.invoke(app, ["assess"], input=data)
    assert result.exit_code == 1
    assert "invalid JSON" in json.loads(result.stdout)["error"]
    assert "Traceback" not in result.output


def test_answers_from_a_file_and_from_dash(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    path = tmp_path / "a.json"
    path.write_text(json.dumps(base_answers))
    from_file = runner.invoke(app, ["assess", "--answers", str(path)])
    from_stdin = runner.invoke(app, ["assess", "--answers", "-"], input=json.dumps(base_answers))
    assert from_file.exit_code == from_stdin.exit_code == 0
    assert json.loads(from_file.stdout) == json.loads(from_stdin.stdout)


def test_unreadable_answers_file_is_a_usage_error(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "--answers", str(tmp_path / "missing.json")])
    assert result.exit_code == 2
    assert "cannot read" in result.stderr and "Traceback" not in result.output


def test_text_format(base_answers: dict[str, Any]) -> None:
    result = runner.invoke(app, ["assess", "--format", "text"], input=json.dumps(base_answers))
    assert result.exit_code == 0
    assert "not a diagnosis" in result.stdout.lower()
    assert "\x1b[" not in result.stdout


def test_input_format_jsonl_is_respected(base_answers: dict[str, Any]) -> None:
    pretty = json.dumps(base_answers, indent=2)
    result = runner.invoke(app, ["assess", "--input-format", "jsonl"], input=pretty)
    assert result.exit_code == 1  # each line of a pretty document is its own (broken) record
    assert len(lines(result.stdout)) == len([x for x in pretty.splitlines() if x.strip()])


def test_schema_is_draft_2020_12_and_covers_every_key() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    result = runner.invoke(app, ["schema"])
    assert result.exit_code == 0
    schema = json.loads(result.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"].endswith("2020-12/schema")
    assert set(schema["properties"]) == {q.key for q in QUESTIONS}
    assert schema["additionalProperties"] is False
    for v in VIGNETTES:
        jsonschema.validate(v["answers"], schema)


#: What contract version 2 added (answers-contract.md, marked v2): each must be in the schema and in `questions`.
CONTRACT_V2 = {
    "red_flags": [
        "chest_pain_or_breathlessness",
        "fainting_or_collapse",
        "abdominal_pain_or_pulsing",
        "severe_headache_or_stiff_neck",
        "stroke_like_symptoms",
        "urinary_pain_or_blood",
    ],
    "risk_factors": ["diabetes", "recent_spine_procedure_or_hospital_stay", "aortic_aneurysm"],
    "weakness": ["known_stable"],
    "pattern": ["same_whatever_position"],
}


@pytest.mark.parametrize("key", sorted(CONTRACT_V2))
def test_schema_and_questions_carry_the_contract_v2_values(key: str) -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(runner.invoke(app, ["schema"]).stdout)
    node = schema["properties"][key]
    allowed = node["items"]["enum"] if node.get("type") == "array" else node["enum"]
    questions = runner.invoke(app, ["questions"]).stdout
    for value in CONTRACT_V2[key]:
        assert value in allowed
        assert value in questions
        answers = dict(VIGNETTES[-1]["answers"])
        answers[key] = [value] if node.get("type") == "array" else value
        jsonschema.validate(answers, schema)


def test_questions_lists_every_key_with_its_answers_and_when_asked() -> None:
    text = runner.invoke(app, ["questions"]).stdout
    for q in QUESTIONS:
        assert q.key in text
        for c in q.choices:
            assert c.value in text
    assert "only when the pain has lasted 12 weeks or more and began before age 45" in text
    as_json = json.loads(runner.invoke(app, ["questions", "--format", "json"]).stdout)
    assert [q["key"] for q in as_json] == [q.key for q in QUESTIONS]


def test_module_entry_point_and_real_process(base_answers: dict[str, Any]) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "backpain_cli", "assess"],
        input=json.dumps(base_answers).encode(),
        capture_output=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["level"] == "self_care"
    assert proc.stderr == b""


def test_a_rejected_record_names_its_warning_signs_on_every_path(base_answers: dict[str, Any]) -> None:
    misspelt = json.dumps({**base_answers, "red_flags": ["saddle_numbness"], "goal": ["less_pain"]})
    # A duplicate key whose first copy holds the red flag that the second would hide.
    hidden = json.dumps(base_answers).replace(
        '"red_flags": []', '"red_flags": ["bladder_or_bowel_change"], "red_flags": []'
    )
    assert hidden.count('"red_flags"') == 2
    result = runner.invoke(app, ["assess"], input=f"{misspelt}\n{hidden}\n")
    assert result.exit_code == 1
    first, second = lines(result.stdout)
    assert "goal" in first["error"] and "NOT ASSESSED" in first["error"] and "saddle_numbness" in first["error"]
    assert "more than once" in second["error"] and "bladder_or_bowel_change" in second["error"]
    assert "emergency department" in second["error"]


def test_jobs_help_shows_n() -> None:
    text = _help(["assess"])
    assert "-j N Worker processes for large batches with JSON output (default 1)." in text
    result = runner.invoke(app, ["assess", "--jobs", "0"], input="{}")
    assert result.exit_code == 2 and "expected 1 or more" in result.stderr


def test_output_with_an_empty_path_says_it_needs_one(base_answers: dict[str, Any]) -> None:
    result = runner.invoke(app, ["assess", "-o", ""], input=json.dumps(base_answers))
    assert result.exit_code == 2
    assert result.stderr == "backpain: --output needs a file path.\n"


@pytest.mark.parametrize("command", ["assess", "history"])
@pytest.mark.parametrize("where", ["folder", ""])
def test_db_at_a_folder_is_a_usage_error_before_anything_is_assessed(
    tmp_path: Path, base_answers: dict[str, Any], command: str, where: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    db = str(tmp_path) if where else ""
    args = [command, "--db", db] + (["--save"] if command == "assess" else [])
    result = runner.invoke(app, args, input=json.dumps(base_answers))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert "--db must be a file path, not a folder" in result.stderr
    assert list(tmp_path.iterdir()) == []
