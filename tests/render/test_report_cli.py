"""The report's faces on the command line: --output files, the batch table, JSON Lines by default, and rich kept
out of JSON mode."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from backpain_cli.core.engine import assess_record
from tests.conftest import VIGNETTES, assess_cli

ONE = json.dumps(VIGNETTES[0]["answers"])
ALL = "".join(json.dumps(v["answers"]) + "\n" for v in VIGNETTES)


@pytest.mark.parametrize(
    ("name", "args", "check"),
    [
        ("report.md", [], lambda s: s.startswith("# Back and neck pain")),
        ("report.txt", [], lambda s: "EMERGENCY" in s and "\x1b" not in s),
        ("result.json", [], lambda s: json.loads(s)["level"] == "emergency"),
        ("anything", ["--format", "markdown"], lambda s: s.startswith("# Back and neck pain")),
    ],
)
def test_output_writes_the_chosen_format_privately(tmp_path: Path, name: str, args: list[str], check: Any) -> None:
    path = tmp_path / name
    result = assess_cli([*args, "--output", str(path)], ONE)
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert check(path.read_text())
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == [name], "no temporary file left behind"


def test_output_file_equals_what_stdout_would_show(tmp_path: Path) -> None:
    for fmt in ("text", "markdown", "json"):
        path = tmp_path / f"out-{fmt}"
        assert assess_cli(["-f", fmt, "-o", str(path)], ALL).exit_code == 0
        assert path.read_text() == assess_cli(["-f", fmt], ALL).stdout


def test_output_replaces_an_existing_file_and_makes_it_private(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old")
    path.chmod(0o644)
    assert assess_cli(["-o", str(path)], ONE).exit_code == 0
    assert path.read_text().startswith("# Back and neck pain")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_output_is_left_alone_on_a_usage_error(tmp_path: Path) -> None:
    path = tmp_path / "report.md"
    path.write_text("old")
    result = assess_cli(["-o", str(path)], "   \n")
    assert result.exit_code == 2
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.md"]


def test_output_is_never_half_written(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Interrupted after the first records were written: the old file stays whole, the partial one goes."""
    from backpain_cli.faces import batch

    path = tmp_path / "results.jsonl"
    path.write_text("old")
    assessed = []
    real = batch.assess

    def assess_then_interrupt(answers: Any, *region: Any) -> Any:
        if len(assessed) == 3:  # three results made (and written to the private file): then Ctrl-C
            raise KeyboardInterrupt
        assessed.append(answers)
        return real(answers, *region)

    monkeypatch.setattr(batch, "assess", assess_then_interrupt)
    result = assess_cli(["-f", "json", "-o", str(path)], ALL)
    assert result.exit_code == 130 and len(assessed) == 3
    assert path.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.jsonl"]


def test_output_to_a_missing_directory_is_a_usage_error(tmp_path: Path) -> None:
    result = assess_cli(["-o", str(tmp_path / "no" / "such.md")], ONE)
    assert result.exit_code == 2
    assert "cannot write to" in result.stderr and "such.md" in result.stderr


def test_output_keeps_the_assessed_records_when_some_are_rejected(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    result = assess_cli(["-f", "json", "-o", str(path)], ALL + '{"age": 3}\n')
    assert result.exit_code == 1
    lines = path.read_text().splitlines()
    assert len(lines) == len(VIGNETTES) + 1 and "error" in json.loads(lines[-1])


def test_batch_text_is_a_table_with_a_count_per_level() -> None:
    result = assess_cli(["--format", "text"], ALL + '{"id": "bad one", "age": 30}\n')
    assert result.exit_code == 1
    out = result.stdout
    for v in VIGNETTES:
        row = next(line for line in out.splitlines() if line.startswith(v["name"] + " "))
        result = assess_record(v["answers"])
        assert row.split()[-2:] == [result["reasons"][0]["rule"], f"{result['scores']['pain_impact']:.1f}"]
        assert result["reasons"][0]["rule"] in v["expected_rules"]
    assert "bad one" in out and "rejected" in out
    counts = {lvl: sum(v["expected_level"] == lvl for v in VIGNETTES) for lvl in ("emergency", "urgent")}
    assert f"emergency {counts['emergency']}".split() in [line.split()[-2:] for line in out.splitlines()]
    assert f"urgent {counts['urgent']}".split() in [line.split()[-2:] for line in out.splitlines()]
    assert ["all", str(len(VIGNETTES) + 1)] in [line.split()[-2:] for line in out.splitlines()]
    assert "Why" not in out, "a batch gets the table, not full reports"
    assert "\x1b" not in out


def test_one_line_of_json_lines_gets_the_report_not_a_table() -> None:
    out = assess_cli(["--format", "text"], ONE + "\n").stdout
    assert "EMERGENCY" in out and "Records by level" not in out


def test_json_lines_stay_the_default_when_stdout_is_not_a_terminal() -> None:
    result = assess_cli([], ALL)
    assert [json.loads(line)["id"] for line in result.stdout.splitlines()] == [v["name"] for v in VIGNETTES]


@pytest.mark.parametrize("fmt", ["json", None])
def test_json_mode_never_imports_rich(tmp_path: Path, fmt: str | None) -> None:
    answers = tmp_path / "a.jsonl"
    answers.write_text(ALL)
    code = (
        "import sys\n"
        "from backpain_cli.cli.app import main\n"
        f"sys.argv = ['backpain', 'assess', '--answers', {str(answers)!r}] + {['-f', fmt] if fmt else []!r}\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "loaded = [m for m in sys.modules if m.split('.')[0] in ('rich', 'questionary', 'prompt_toolkit')]\n"
        "sys.stderr.write(repr(sorted(loaded)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.stderr.splitlines()[-1] == "[]"  # after the batch's summary line
    assert len(done.stdout.splitlines()) == len(VIGNETTES)


def test_text_mode_in_a_real_terminal_is_in_colour_unless_no_color(tmp_path: Path) -> None:
    pexpect = pytest.importorskip("pexpect")
    answers = tmp_path / "a.json"
    answers.write_text(ONE)
    outputs = {}
    for no_color in (False, True):
        env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")}
        env.update({"TERM": "xterm-256color", "COLUMNS": "80"})
        if no_color:
            env["NO_COLOR"] = "1"
        child = pexpect.spawn(
            sys.executable, ["-m", "backpain_cli", "assess", "--answers", str(answers)], env=env, encoding="utf-8"
        )
        child.expect(pexpect.EOF, timeout=60)
        outputs[no_color] = child.before
    from tests.render.test_report import COLOUR_SGR

    assert COLOUR_SGR.search(outputs[False])
    assert not COLOUR_SGR.search(outputs[True])
    assert "EMERGENCY" in outputs[True]


@pytest.mark.parametrize("columns", [60, 100])
def test_batch_table_snapshot(columns: int, snapshot: Any) -> None:
    from tests.render.test_report import TextSnapshot

    long_id = {**VIGNETTES[-1]["answers"], "id": "a-very-long-reference-that-cannot-fit-in-the-id-column-at-all"}
    data = ALL + json.dumps(long_id) + "\n" + '{"id": 7, "age": 30}\n'
    result = assess_cli(["--format", "text"], data, COLUMNS=str(columns))
    assert result.exit_code == 1
    assert max(len(line) for line in result.stdout.splitlines()) <= columns
    assert result.stdout == snapshot(extension_class=TextSnapshot)
