"""`backpain history`, `assess --save` and the change since the last assessment, as a person sees them.
Every test uses a real SQLite file under tmp_path."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core.engine import assess
from backpain_cli.core.policy import POLICY_VERSION
from backpain_cli.core.validation import validate
from backpain_cli.faces.history import category, chart, compare, render_history, save_result
from backpain_cli.render.words import since_last_text
from backpain_cli.storage.store import open_store
from tests.conftest import VIGNETTES


@pytest.fixture(autouse=True)
def _private_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKPAIN_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("COLUMNS", raising=False)
    monkeypatch.setenv("TZ", "UTC")


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "history.sqlite3"


def _items(base: dict[str, Any], pain: int, enjoyment: int, activity: int, **more: Any) -> dict[str, Any]:
    return {
        **base,
        "pain_intensity": pain,
        "enjoyment_interference": enjoyment,
        "activity_interference": activity,
        **more,
    }


def _save_cli(db: Path, answers: dict[str, Any], fmt: str = "json") -> Any:
    result = CliRunner().invoke(app, ["assess", "--save", "--db", str(db), "-f", fmt], input=json.dumps(answers))
    assert result.exit_code == 0, result.output
    return result


def _seed(db: Path, base: dict[str, Any], values: list[tuple[int, int, int]]) -> None:
    for i, (p, e, a) in enumerate(values):
        answers = validate(_items(base, p, e, a, id=f"seed-{i}"))
        save_result(db, answers, assess(answers), now=f"2026-10-{i + 1:02d}T09:00:00Z")


# -- the IMMPACT categories --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("before", "after", "expected"),
    [
        (5.0, 3.5, "meaningful_improvement"),  # exactly 30% lower
        (5.0, 3.6, "no_meaningful_change"),  # 28%
        (5.0, 2.5, "substantial_improvement"),  # exactly 50%
        (6.3, 4.4, "meaningful_improvement"),  # 30.2%
        (6.3, 4.5, "no_meaningful_change"),  # 28.6%
        (6.3, 3.2, "meaningful_improvement"),  # 49.2%
        (6.3, 3.1, "substantial_improvement"),  # 50.8%
        (4.0, 4.0, "no_meaningful_change"),
        (4.0, 4.1, "worse"),
        (0.0, 0.0, "no_meaningful_change"),
        (0.0, 0.3, "worse"),
        (10.0, 0.0, "substantial_improvement"),
    ],
)
def test_category(before: float, after: float, expected: str) -> None:
    assert category(before, after) == expected


tenths = st.integers(0, 100).map(lambda n: n / 10)


@settings(max_examples=200, deadline=None)
@given(tenths, tenths)
def test_category_agrees_with_the_percentage(before: float, after: float) -> None:
    c = compare(before, after)
    assert c["change"] == round(after - before, 1)
    if after > before:
        assert c["category"] == "worse"
    elif before == 0:
        assert c["change_pct"] is None
        assert c["category"] == "no_meaningful_change"
    else:
        drop = (before - after) / before * 100
        expected = (
            "substantial_improvement"
            if drop >= 50 - 1e-9
            else "meaningful_improvement"
            if drop >= 30 - 1e-9
            else "no_meaningful_change"
        )
        assert c["category"] == expected
        assert abs(c["change_pct"] + drop) <= 0.05 + 1e-9


# -- since the last, on assess --save ------------------------------------------------------------------------


def test_first_save_has_no_since_last_and_the_second_has_it(db: Path, base_answers: dict[str, Any]) -> None:
    first = json.loads(_save_cli(db, _items(base_answers, 8, 7, 6)).stdout)  # 7.0
    assert "since_last" not in first
    second = json.loads(_save_cli(db, _items(base_answers, 3, 3, 4)).stdout)  # 3.3
    since = second["since_last"]
    assert since["level"] == first["level"]
    assert since["pain_impact"] == 7.0
    assert since["change"] == -3.7
    assert since["change_pct"] == -52.9
    assert since["category"] == "substantial_improvement"
    assert since["date"].endswith("Z")
    assert since["policy_version"] == POLICY_VERSION
    assert set(since) == {"date", "level", "pain_impact", "policy_version", "change", "change_pct", "category"}


def test_a_rise_is_shown_plainly(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, _items(base_answers, 3, 3, 3))
    result = _save_cli(db, _items(base_answers, 6, 5, 5), fmt="text")
    text = " ".join(result.stdout.split())
    assert re.search(r"Since last time \d{1,2} [A-Z][a-z]{2} \d{4}: 3\.0 → 5\.3 \(\+77%\), worse[.;]", text), text
    out = json.loads(_save_cli(db, _items(base_answers, 7, 5, 5)).stdout)
    assert out["since_last"]["category"] == "worse"
    assert out["since_last"]["change"] == 0.4


def test_the_policy_is_unchanged_by_history(db: Path, base_answers: dict[str, Any]) -> None:
    """Saving a much worse assessment after a better one changes nothing in the result but since_last."""
    _save_cli(db, _items(base_answers, 1, 1, 1))
    answers = _items(base_answers, 9, 9, 9)
    saved = json.loads(_save_cli(db, answers).stdout)
    plain = json.loads(CliRunner().invoke(app, ["assess", "-f", "json"], input=json.dumps(answers)).stdout)
    assert saved.pop("since_last")["category"] == "worse"
    assert saved == plain


def test_what_is_stored_is_the_result_without_since_last(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, base_answers)
    _save_cli(db, base_answers)
    store = open_store(db)
    assert store is not None
    with store:
        assert all("since_last" not in r.result for r in store.records(full=True) if r.result)


def test_a_batch_saves_each_assessed_record_and_no_rejected_one(db: Path, base_answers: dict[str, Any]) -> None:
    lines = [_items(base_answers, 6, 6, 6, id="a"), {"age": 3}, _items(base_answers, 3, 3, 3, id="b")]
    result = CliRunner().invoke(
        app, ["assess", "--save", "--db", str(db)], input="".join(json.dumps(x) + "\n" for x in lines)
    )
    assert result.exit_code == 1
    outs = [json.loads(x) for x in result.stdout.splitlines()]
    assert [o.get("id") for o in outs] == ["a", None, "b"]
    assert outs[2]["since_last"]["category"] == "substantial_improvement"
    assert "saved 2 assessments" in result.stderr
    history = json.loads(CliRunner().invoke(app, ["history", "--db", str(db), "-f", "json"]).stdout)
    assert [a["pain_impact"] for a in history["assessments"]] == [6, 3]


def test_a_history_that_cannot_be_created_still_shows_the_result(
    db: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A directory the database cannot be created in (simulated: root may write anywhere)."""
    from backpain_cli.storage import store

    def refuse(path: Path) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(store, "_create_private_file", refuse)
    answers = _items(base_answers, 6, 6, 6, id="x", red_flags=["saddle_numbness"])
    result = CliRunner().invoke(app, ["assess", "--save", "--db", str(db)], input=json.dumps(answers))
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["level"] == "emergency"
    assert "not saved" in result.stderr and "Permission denied" in result.stderr


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_a_folder_no_one_can_write_to_still_shows_the_result(base_answers: dict[str, Any]) -> None:
    """/proc/self exists and is a folder, but no file can be created in it, not even by root."""
    answers = {**base_answers, "red_flags": ["saddle_numbness"]}
    result = CliRunner().invoke(
        app, ["assess", "--save", "--db", "/proc/self/history.sqlite3"], input=json.dumps(answers)
    )
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["level"] == "emergency"
    assert "not saved to your history: cannot create the history database" in result.stderr


def test_a_save_that_fails_part_way_still_shows_every_result(
    db: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from backpain_cli.storage.store import Store

    real = Store.save
    calls = []

    def fail_second(self: Store, answers: Any, result: Any, now: Any = None) -> Any:
        calls.append(1)
        if len(calls) == 2:
            raise sqlite3.OperationalError("database or disk is full")
        return real(self, answers, result, now)

    monkeypatch.setattr(Store, "save", fail_second)
    lines = [_items(base_answers, 6, 6, 6, id=f"r{i}") for i in range(3)]
    result = CliRunner().invoke(
        app, ["assess", "--save", "--db", str(db)], input="".join(json.dumps(x) + "\n" for x in lines)
    )
    assert result.exit_code == 3, result.output
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == ["r0", "r1", "r2"]
    assert "saved 1 assessment to" in result.stderr and "other 2" in result.stderr and "disk is full" in result.stderr
    assert len(calls) == 2, "no save is tried after one failed"


def test_a_history_that_cannot_be_used_with_output_still_writes_the_file(
    tmp_path: Path, base_answers: dict[str, Any]
) -> None:
    db = tmp_path / "notes.txt"
    db.write_text("not a database")
    out = tmp_path / "report.md"
    result = CliRunner().invoke(
        app, ["assess", "--save", "--db", str(db), "-o", str(out)], input=json.dumps(base_answers)
    )
    assert result.exit_code == 3, result.output
    assert out.read_text().startswith("# Back and neck pain")


def test_the_interactive_save_failure_has_the_same_exit_status(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    import io

    from backpain_cli.faces.interactive import finish
    from backpain_cli.io.env import Environment

    db = tmp_path / "notes.txt"
    db.write_text("not a database")
    env = Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), True, False, False)
    status = finish(env, {**base_answers, "red_flags": ["saddle_numbness"]}, "json", None, history=lambda: db)
    assert status == 3
    assert json.loads(env.stdout.getvalue())["level"] == "emergency"  # type: ignore[attr-defined]
    assert "left untouched" in env.stderr.getvalue()  # type: ignore[attr-defined]


def test_save_result_for_the_interactive_question(db: Path, base_answers: dict[str, Any]) -> None:
    answers = validate(_items(base_answers, 6, 6, 6))
    first = assess(answers)
    record = save_result(db, answers, first)
    assert record.id == 1
    assert "since_last" not in first
    answers = validate(_items(base_answers, 2, 2, 2))
    second = assess(answers)
    assert save_result(db, answers, second).id == 2
    assert second["since_last"]["category"] == "substantial_improvement"
    assert second["since_last"]["pain_impact"] == 6


# -- backpain history ----------------------------------------------------------------------------------------


def test_history_json(db: Path, base_answers: dict[str, Any]) -> None:
    _seed(db, base_answers, [(8, 8, 8), (6, 6, 6), (5, 5, 5)])
    result = CliRunner().invoke(app, ["history", "--db", str(db), "-f", "json"])
    assert result.exit_code == 0
    out = json.loads(result.stdout)
    assert [a["id"] for a in out["assessments"]] == [1, 2, 3]
    # Known independently of the output: the engine's own result for the answers saved, and the policy's version.
    expected = assess(validate(_items(base_answers, 8, 8, 8, id="seed-0")))
    assert expected["level"] != expected["scores"]["risk_group"]  # so that one written for the other shows
    assert out["assessments"][0] == {
        "id": 1,
        "date": "2026-10-01T09:00:00Z",
        "level": expected["level"],
        "pain_impact": 8.0,
        "pain_intensity": 8,
        "enjoyment_interference": 8,
        "activity_interference": 8,
        "risk_group": "low",
        "duration": "acute",
        "duration_weeks": 1.0,
        "policy_version": POLICY_VERSION,
    }
    for (p, e, a), saved in zip([(8, 8, 8), (6, 6, 6), (5, 5, 5)], out["assessments"], strict=True):
        again = assess(validate(_items(base_answers, p, e, a)))
        assert (saved["level"], saved["risk_group"]) == (again["level"], again["scores"]["risk_group"])
        assert saved["policy_version"] == POLICY_VERSION
    assert out["since_first"]["id"] == 1
    assert out["since_first"]["category"] == "meaningful_improvement"  # 8 -> 5: 37.5%
    assert out["since_first"]["items"] == {
        "pain_intensity": -3,
        "enjoyment_interference": -3,
        "activity_interference": -3,
    }
    assert out["since_previous"]["id"] == 2
    assert out["since_previous"]["category"] == "no_meaningful_change"  # 6 -> 5: 16.7%


def test_history_text_table_and_changes(db: Path, base_answers: dict[str, Any]) -> None:
    _seed(db, base_answers, [(8, 8, 8), (6, 6, 6), (3, 3, 4)])
    result = CliRunner().invoke(app, ["history", "--db", str(db), "-f", "text"])
    assert result.exit_code == 0
    text = " ".join(result.stdout.split())  # as read, whatever the wrapping
    assert "Saved assessments" in text
    assert "1 Oct 2026" in text and "3 Oct 2026" in text
    assert "Since the first (1 Oct 2026): pain impact 8 → 3.3, down 4.7 (−59%): substantial improvement" in text
    assert "Since the previous (2 Oct 2026): pain impact 6 → 3.3, down 2.7 (−45%): meaningful improvement" in text
    assert "IMMPACT, Dworkin et al. 2008" in text
    assert "\x1b[" not in text  # no colour codes when not a terminal


def test_history_with_nothing_saved(db: Path) -> None:
    result = CliRunner().invoke(app, ["history", "--db", str(db), "-f", "text"])
    assert result.exit_code == 0
    assert "No saved assessments yet" in result.stdout
    assert not db.exists()


def _bars(lines: list[str], column: int) -> str:
    """The characters of one chart column, bottom to top."""
    return "".join(line[column] if column < len(line) else " " for line in reversed(lines))


def test_chart_at_60_columns(db: Path, base_answers: dict[str, Any]) -> None:
    values = [(8, 7, 4), (10, 10, 10), (9, 9, 9), (0, 0, 0)] + [(5, 5, 5)] * 9 + [(7, 6, 6)]  # 14 assessments
    _seed(db, base_answers, values)
    store = open_store(db)
    assert store is not None
    with store:
        records = store.records()
    lines = [t.plain for t in chart(records, 60)]
    assert all(cell_len(line) <= 60 for line in lines)
    assert "latest 11 of 14" in lines[0]
    rows = lines[1:11]  # 10 at the top, 1 at the bottom
    assert [r[:4] for r in rows[:2]] == ["10 ┤", " 9 │"]
    # The last group (7, 6, 6: pain impact 6.3): bars of 6.3, 7, 6 and 6 rows.
    start = 4 + 5 * 10 + 1
    assert _bars(rows, start) == "██████▂   "  # 6 full rows and 0.3 of the seventh (eighths)
    assert _bars(rows, start + 1) == "▓▓▓▓▓▓▓   "
    assert _bars(rows, start + 2) == "▒▒▒▒▒▒    "
    assert _bars(rows, start + 3) == "░░░░░░    "
    # The oldest shown is the fourth saved (0, 0, 0): empty; the first three no longer fit.
    assert [_bars(rows, 5 + i) for i in range(4)] == [" " * 10] * 4
    assert _bars(rows, 10) == "█████     "
    assert "pain impact" in lines[-1] and "intensity" in lines[-1]
    whole = render_history(records, 60, color=False)
    assert all(cell_len(line) <= 60 for line in whole.splitlines())


def test_chart_through_the_cli_at_60_columns(db: Path, base_answers: dict[str, Any]) -> None:
    _seed(db, base_answers, [(8, 7, 4), (5, 5, 5)])
    result = CliRunner(env={"COLUMNS": "60"}).invoke(app, ["history", "--db", str(db), "-f", "text"])
    assert result.exit_code == 0
    assert max(cell_len(line) for line in result.stdout.splitlines()) <= 60
    assert "Pain over time" in result.stdout
    wide = CliRunner(env={"COLUMNS": "100"}).invoke(app, ["history", "--db", str(db), "-f", "text"])
    assert "Pain impact" in wide.stdout  # room for the long headers
    assert "1 Oct 2026 09:00" in wide.stdout


def test_history_colour_in_a_terminal(db: Path, base_answers: dict[str, Any]) -> None:
    _seed(db, base_answers, [(2, 2, 2), (8, 8, 8)])
    store = open_store(db)
    assert store is not None
    with store:
        text = render_history(store.records(), 80, color=True)
    assert "\x1b[" in text
    assert "worse" in text


# -- export --------------------------------------------------------------------------------------------------


def test_export_answers_reassess_to_the_stored_results(db: Path) -> None:
    for v in VIGNETTES:
        _save_cli(db, v["answers"])
    exported = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "answers"])
    assert exported.exit_code == 0
    reassessed = CliRunner().invoke(app, ["assess", "-f", "json"], input=exported.stdout)
    assert reassessed.exit_code == 0, reassessed.output
    results = [json.loads(line) for line in reassessed.stdout.splitlines()]
    full = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "json"])
    stored = [json.loads(line) for line in full.stdout.splitlines()]
    assert len(results) == len(stored) == len(VIGNETTES)
    for got, record in zip(results, stored, strict=True):
        assert got["id"] == record["answers"]["id"]  # the caller's own reference, kept
        assert got == record["result"]


def test_export_answers_numbers_only_those_saved_without_an_id(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, {**base_answers, "id": "clinic-0042"})
    _save_cli(db, base_answers)
    _save_cli(db, {**base_answers, "id": 7})
    exported = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "answers"])
    assert [json.loads(line)["id"] for line in exported.stdout.splitlines()] == ["clinic-0042", 2, 7]


def test_export_json(db: Path, base_answers: dict[str, Any]) -> None:
    _seed(db, base_answers, [(5, 5, 5), (4, 4, 4)])
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "json"])
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [set(x) for x in lines] == [{"id", "date", "answers", "result"}] * 2
    assert lines[1]["date"] == "2026-10-02T09:00:00Z"
    assert lines[1]["answers"]["pain_intensity"] == 4
    assert lines[1]["result"]["scores"]["pain_impact"] == 4


def test_export_csv(db: Path, base_answers: dict[str, Any]) -> None:
    _seed(db, base_answers, [(5, 5, 5)])
    answers = validate(_items(base_answers, 6, 6, 6, id="=cmd()", radiating_pain=["arm", "buttock_or_thigh"]))
    save_result(db, answers, assess(answers))
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert len(rows) == 2
    assert rows[0]["id"] == "1" and rows[0]["pain_impact"] == "5.0"
    assert rows[1]["radiating_pain"] == "arm;buttock_or_thigh"
    assert rows[1]["numbness_tingling"] == "false"
    assert rows[1]["answers_id"] == "'=cmd()"  # never a spreadsheet formula
    assert rows[1]["rules"]


@pytest.mark.parametrize(
    "rid", ["=1+1", "+1", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "\n=1", " =1", "\u3000=1", "＝1+1", "－1"]
)
def test_export_csv_never_starts_a_cell_with_a_formula(db: Path, base_answers: dict[str, Any], rid: str) -> None:
    answers = validate({**base_answers, "id": rid})
    save_result(db, answers, assess(answers))
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "csv"])
    (row,) = list(csv.DictReader(io.StringIO(result.stdout_bytes.decode(), newline="")))
    assert row["answers_id"] == "'" + rid
    for cell in row.values():
        assert cell.lstrip(" \u3000")[:1] not in ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def test_export_csv_leaves_plain_ids_alone(db: Path, base_answers: dict[str, Any]) -> None:
    for rid in ("clinic-0042", 42, "two\rlines\nhere"):
        answers = validate({**base_answers, "id": rid})
        save_result(db, answers, assess(answers))
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--export", "csv"])
    rows = csv.DictReader(io.StringIO(result.stdout_bytes.decode(), newline=""))
    assert [r["answers_id"] for r in rows] == ["clinic-0042", "42", "two\rlines\nhere"]


# -- delete --------------------------------------------------------------------------------------------------

MARK = "unmistakable-marker-7f3a9c"


def _files_bytes(db: Path) -> bytes:
    return b"".join(p.read_bytes() for p in db.parent.glob(db.name + "*"))


def test_delete_one_really_removes_its_bytes(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, _items(base_answers, 5, 5, 5, id="keep-me"))
    _save_cli(db, _items(base_answers, 4, 4, 4, id=MARK))
    _save_cli(db, _items(base_answers, 3, 3, 3, id="keep-me-too"))
    assert MARK.encode() in db.read_bytes()
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--delete", "2", "--yes"])
    assert result.exit_code == 0, result.output
    assert "deleted assessment #2" in result.stderr
    assert MARK.encode() not in _files_bytes(db)
    assert b"keep-me-too" in db.read_bytes()
    out = json.loads(CliRunner().invoke(app, ["history", "--db", str(db), "-f", "json"]).stdout)
    assert [a["id"] for a in out["assessments"]] == [1, 3]


def test_delete_all_asks_first(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, _items(base_answers, 5, 5, 5, id=MARK))
    _save_cli(db, _items(base_answers, 4, 4, 4, id=MARK + "-2"))
    runner = CliRunner()
    no = runner.invoke(app, ["history", "--db", str(db), "--delete-all"], input="n\n")
    assert no.exit_code == 0
    assert "Delete all 2 saved assessments for good? [y/N]" in no.stderr
    assert "nothing deleted" in no.stderr
    silent = runner.invoke(app, ["history", "--db", str(db), "--delete-all"], input="")
    assert silent.exit_code == 2
    assert "--yes" in silent.stderr
    assert MARK.encode() in db.read_bytes()
    yes = runner.invoke(app, ["history", "--db", str(db), "--delete-all"], input="y\n")
    assert yes.exit_code == 0
    assert "deleted all 2 saved assessments" in yes.stderr
    assert MARK.encode() not in _files_bytes(db)
    out = json.loads(runner.invoke(app, ["history", "--db", str(db), "-f", "json"]).stdout)
    assert out["assessments"] == []
    assert json.loads(_save_cli(db, base_answers).stdout).get("since_last") is None


def test_delete_one_asks_first_too(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, base_answers)
    no = CliRunner().invoke(app, ["history", "--db", str(db), "--delete", "1"], input="\n")
    assert no.exit_code == 0
    assert "Delete saved assessment #1 for good?" in no.stderr
    assert json.loads(CliRunner().invoke(app, ["history", "--db", str(db), "-f", "json"]).stdout)["assessments"]


def test_delete_an_unknown_id(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, base_answers)
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--delete", "9", "--yes"])
    assert result.exit_code == 2
    assert "no saved assessment #9" in result.stderr


def test_one_action_at_a_time(db: Path) -> None:
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--delete-all", "--export", "json"])
    assert result.exit_code == 2
    assert "choose one of" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ["--export", "csv", "--format", "json"],
        ["--export", "answers", "-f", "text"],
        ["--delete-all", "--yes", "-f", "json"],
    ],
)
def test_format_with_an_export_or_a_deletion_is_refused(
    db: Path, base_answers: dict[str, Any], args: list[str]
) -> None:
    _save_cli(db, base_answers)
    result = CliRunner().invoke(app, ["history", "--db", str(db), *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "--format" in result.stderr
    assert (
        len(json.loads(CliRunner().invoke(app, ["history", "--db", str(db), "-f", "json"]).stdout)["assessments"]) == 1
    )


@pytest.mark.parametrize("args", [["--yes"], ["-y", "-f", "json"], ["--yes", "--export", "json"]])
def test_yes_without_a_deletion_is_refused(db: Path, base_answers: dict[str, Any], args: list[str]) -> None:
    _save_cli(db, base_answers)
    result = CliRunner().invoke(app, ["history", "--db", str(db), *args])
    assert result.exit_code == 2, result.output
    assert result.stdout == "" and "--yes" in result.stderr


# -- start-up stays lean -------------------------------------------------------------------------------------

IMPORTS = textwrap.dedent(
    """
    import sys
    from backpain_cli.cli.app import main
    sys.argv = ["backpain", "assess", "-f", "json"] + sys.argv[1:]
    try:
        main()
    except SystemExit:
        pass
    heavy = {"sqlite3", "_sqlite3", "rich", "platformdirs", "backpain_cli.storage.store", "backpain_cli.faces.history"}
    print(sorted(m for m in sys.modules if m in heavy), file=sys.stderr)
    """
)


@pytest.mark.parametrize("save", [False, True])
def test_assess_imports_the_store_only_with_save(tmp_path: Path, base_answers: dict[str, Any], save: bool) -> None:
    args = ["--save", "--db", str(tmp_path / "h.sqlite3")] if save else []
    proc = subprocess.run(
        [sys.executable, "-c", IMPORTS, *args],
        input=json.dumps(base_answers),
        capture_output=True,
        text=True,
        timeout=60,
    )
    loaded = json.loads(proc.stderr.strip().splitlines()[-1].replace("'", '"'))
    if save:
        assert {"sqlite3", "backpain_cli.storage.store"} <= set(loaded)
        assert "rich" not in loaded
    else:
        assert loaded == []


def test_a_long_history_shows_the_latest_rows(db: Path, base_answers: dict[str, Any]) -> None:
    from backpain_cli.faces import history

    _seed(db, base_answers, [(5, 5, 5)] * 4)
    store = open_store(db)
    assert store is not None
    with store:
        records = store.records()
    old = history.TABLE_ROWS
    history.TABLE_ROWS = 3
    try:
        text = render_history(records, 80, color=False)
    finally:
        history.TABLE_ROWS = old
    table = text.split("Pain over time")[0]
    assert "1 Oct 2026" not in table and "2 Oct 2026" in table
    assert "The latest 3 of 4 are shown" in table
    assert "Since the first (1 Oct 2026)" in text  # the change still counts from the very first


def test_a_rise_from_no_pain_has_no_percentage() -> None:
    since = {"date": "2026-11-20T10:00:00Z", "level": "self_care", "pain_impact": 0.0, **compare(0.0, 2.0)}
    assert since["change_pct"] is None
    text = since_last_text(since, 2.0)
    assert text == "20 Nov 2026: 0.0 → 2.0 (+2), worse; the level was self-care."
    assert since_last_text(since, 2.0, "self_care") == "20 Nov 2026: 0.0 → 2.0 (+2), worse."


# -- a busy history never holds a result back ------------------------------------------------------------


def _hold(db: Path) -> Any:
    """Another connection holding the history in an exclusive transaction: no one else can read or write it."""
    import sqlite3

    conn = sqlite3.connect(db, isolation_level=None)
    conn.execute("BEGIN EXCLUSIVE")
    return conn


def test_a_busy_history_does_not_hold_back_the_result(db: Path, base_answers: dict[str, Any]) -> None:
    """The result is written at once; it is saved once the other process lets go."""
    import os
    import select
    import time

    _save_cli(db, base_answers)
    emergency = {**base_answers, "id": "cannot-wait", "red_flags": ["saddle_numbness"]}
    holder = _hold(db)
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess", "--save", "--db", str(db), "--input-format", "jsonl"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(json.dumps(emergency).encode() + b"\n")
        proc.stdin.close()
        fd, out, started = proc.stdout.fileno(), b"", time.monotonic()
        while not out.endswith(b"}\n") and time.monotonic() - started < 15:
            ready, _, _ = select.select([fd], [], [], 0.5)
            if ready:
                out += os.read(fd, 1 << 16)
        elapsed = time.monotonic() - started
        assert out.endswith(b"}\n"), f"no result after {elapsed:.0f} s while the history was busy"
        assert proc.poll() is None, "the result is out while the save still waits"
        result = json.loads(out)
        assert result["level"] == "emergency" and "since_last" not in result
    finally:
        holder.rollback()
        holder.close()
    proc.wait(timeout=60)
    assert proc.stderr is not None
    err = proc.stderr.read()
    assert proc.returncode == 0, err
    assert b"busy" in err and b"without the change since your last saved assessment" in err
    assert b"saved 1 assessment" in err
    with open_store(db) as store:
        assert store is not None and [r.level for r in store.records()] == ["self_care", "emergency"]


def test_a_history_busy_for_too_long_shows_the_result_then_exits_3(
    db: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from backpain_cli.storage import store

    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.2)
    _save_cli(db, base_answers)
    holder = _hold(db)
    try:
        emergency = {**base_answers, "id": "cannot-wait", "red_flags": ["saddle_numbness"]}
        result = CliRunner().invoke(app, ["assess", "--save", "--db", str(db)], input=json.dumps(emergency))
    finally:
        holder.rollback()
        holder.close()
    assert result.exit_code == 3, result.output
    assert json.loads(result.stdout)["level"] == "emergency"
    assert "not saved to your history" in result.stderr and "is busy" in result.stderr


def _read_line(stream: Any, within: float) -> bytes:
    """One line of `stream` (a pipe), or what came of it in `within` seconds."""
    import os
    import select
    import time

    fd, out, started = stream.fileno(), b"", time.monotonic()
    while not out.endswith(b"\n") and time.monotonic() - started < within:
        ready, _, _ = select.select([fd], [], [], 0.2)
        if ready:
            chunk = os.read(fd, 1)
            if not chunk:
                break
            out += chunk
    return out


def _backpain(*args: str, stdin: Any = subprocess.PIPE) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", *args], stdin=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


@pytest.mark.timeout(90)
def test_a_busy_history_never_holds_back_the_next_result_of_a_live_feed(db: Path, base_answers: dict[str, Any]) -> None:
    """A JSON Lines feed with the history held by another connection: an emergency record that comes a second
    after two others is answered at once, not after a wait for the history; all three are saved once it is free."""
    import time

    _save_cli(db, base_answers)
    holder = _hold(db)
    proc = _backpain("assess", "--save", "--db", str(db), "--input-format", "jsonl")
    try:
        assert proc.stdin is not None and proc.stdout is not None
        for rid in ("one", "two"):
            proc.stdin.write(json.dumps({**base_answers, "id": rid}).encode() + b"\n")
        proc.stdin.flush()
        assert json.loads(_read_line(proc.stdout, 20))["id"] == "one"
        assert json.loads(_read_line(proc.stdout, 20))["id"] == "two"
        time.sleep(1)
        emergency = {**base_answers, "id": "cannot-wait", "red_flags": ["saddle_numbness"]}
        proc.stdin.write(json.dumps(emergency).encode() + b"\n")
        proc.stdin.flush()
        line = _read_line(proc.stdout, 10)
        assert line.endswith(b"\n"), "the emergency result waited for the busy history"
        assert json.loads(line)["level"] == "emergency"
        proc.stdin.close()
    finally:
        holder.rollback()
        holder.close()
    assert proc.wait(timeout=60) == 0
    assert proc.stderr is not None
    assert b"saved 3 assessments" in proc.stderr.read()
    with open_store(db) as store:
        assert store is not None and store.count() == 4


@pytest.mark.timeout(90)
@pytest.mark.parametrize(
    ("signum", "status", "word"), [(signal.SIGINT, 130, b"interrupted"), (signal.SIGTERM, 143, b"terminated")]
)
def test_a_signal_stops_the_wait_for_a_busy_history(
    db: Path, base_answers: dict[str, Any], tmp_path: Path, signum: int, status: int, word: bytes
) -> None:
    """Ctrl-C or SIGTERM while `--save` waits for a busy history stops it at once: the results stay, stderr says
    they were not saved, and the signal's status wins over 3."""
    _save_cli(db, base_answers)
    records = tmp_path / "in.jsonl"
    emergency = {**base_answers, "id": "cannot-wait", "red_flags": ["saddle_numbness"]}
    records.write_text(json.dumps(emergency) + "\n" + json.dumps(base_answers) + "\n")
    holder = _hold(db)
    try:
        with records.open("rb") as stdin:
            proc = _backpain("assess", "--save", "--db", str(db), stdin=stdin)
        assert proc.stderr is not None
        said = b""
        while b"records read" not in said:  # the batch is done: the save waits for the history
            line = _read_line(proc.stderr, 20)
            assert line, said
            said += line
        proc.send_signal(signum)
        try:
            out, err = proc.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.communicate()
            pytest.fail("the signal waited for the busy history")
    finally:
        holder.rollback()
        holder.close()
    assert proc.returncode == status, err
    assert [json.loads(line).get("id") for line in out.splitlines()] == ["cannot-wait", None]
    assert word in err and b"not saved to your history" in err
    with open_store(db) as store:
        assert store is not None and store.count() == 1


def test_a_history_busy_now_and_then_is_not_busy_for_too_long(
    db: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A slow feed finds the history busy at two flushes far apart: it may have been free in between, so that is
    not "busy for longer than BUSY_TIMEOUT"; the result is saved once the history is free."""
    import contextlib
    import time

    from backpain_cli.faces import history
    from backpain_cli.io.env import Environment
    from backpain_cli.storage import store

    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.5)
    monkeypatch.setattr(history, "RETRY_AFTER", 0.1)
    _save_cli(db, base_answers)
    valid = validate(base_answers)
    env = Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), False, False, False)
    saver = history._Saver(env, db)
    holder = _hold(db)
    try:
        saver.before_written(assess(valid), dict(valid))
        saver.written()
        assert saver.pending and saver.failure is None
        time.sleep(1)  # no flush meanwhile: the next record of the feed has not come
        saver.written()
        assert saver.pending and saver.failure is None
    finally:
        holder.rollback()
        holder.close()
    saver.finish(contextlib.nullcontext)
    saver.close()
    assert saver.saved == 1 and saver.failure is None


def test_a_batch_compares_each_result_with_the_one_before_it(db: Path, base_answers: dict[str, Any]) -> None:
    _save_cli(db, _items(base_answers, 8, 8, 8))
    data = "\n".join(json.dumps(_items(base_answers, p, p, p, id=f"r{p}")) for p in (6, 3, 4)) + "\n"
    result = CliRunner().invoke(app, ["assess", "--save", "--db", str(db)], input=data)
    assert result.exit_code == 0, result.output
    since = [json.loads(line)["since_last"] for line in result.stdout.splitlines()]
    assert [(s["pain_impact"], s["category"]) for s in since] == [
        (8.0, "no_meaningful_change"),
        (6.0, "substantial_improvement"),
        (3.0, "worse"),
    ]
    with open_store(db) as store:
        assert store is not None
        records = store.records(full=True)
        assert [r.pain_impact for r in records] == [8.0, 6.0, 3.0, 4.0]
        assert all(r.result is not None and "since_last" not in r.result for r in records)
        assert [s["date"] for s in since] == [r.date for r in records[:3]]


# -- an output is never the history (issue 11, point 8) ------------------------------------------------------


@pytest.mark.parametrize("how", ["same", "relative", "symlink", "hardlink", "default", "not_yet"])
def test_an_output_onto_the_history_is_refused_before_assessing(
    tmp_path: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    home = tmp_path / "home"
    monkeypatch.chdir(tmp_path)
    db = home / "history.sqlite3"
    if how == "not_yet":
        home.mkdir(mode=0o700)
    else:
        _seed(db, base_answers, [(6, 6, 6)])
    before = db.read_bytes() if db.exists() else None
    out = {"same": str(db), "relative": "home/../home/history.sqlite3", "default": str(db), "not_yet": str(db)}.get(
        how, str(tmp_path / "other.db")
    )
    if how == "symlink":
        os.symlink(db, out)
    elif how == "hardlink":
        os.link(db, out)
    args = ["assess", "--save", "-o", out] + ([] if how == "default" else ["--db", str(db)])
    emergency = {**base_answers, "red_flags": ["saddle_numbness"]}
    result = CliRunner().invoke(app, args, input=json.dumps(emergency))
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    assert f"--output {out} is your history database" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert (db.read_bytes() if db.exists() else None) == before
    assert not (how == "not_yet" and db.exists())


def test_save_answers_onto_the_history_is_refused(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "history.sqlite3"
    _seed(db, base_answers, [(6, 6, 6)])
    before = db.read_bytes()
    result = CliRunner().invoke(app, ["assess", "--db", str(db), "--save-answers", str(db)], input="{}")
    assert result.exit_code == 2, result.output
    assert f"--save-answers {db} is your history database" in result.stderr
    assert db.read_bytes() == before


def test_an_output_beside_the_history_is_fine(tmp_path: Path, base_answers: dict[str, Any]) -> None:
    db = tmp_path / "history.sqlite3"
    out = tmp_path / "history.sqlite3.json"
    result = CliRunner().invoke(
        app, ["assess", "--save", "--db", str(db), "-o", str(out)], input=json.dumps(base_answers)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(out.read_text())["level"] and _count_rows(db) == 1


def _count_rows(db: Path) -> int:
    store = open_store(db, create=False)
    assert store is not None
    with store:
        return store.count()


# -- exports stream (issue 11, point 9; memory and time: bench/history_export.py) -----------------------------


@pytest.mark.parametrize("fmt", ["json", "csv", "answers"])
def test_an_export_streams_every_record_once_in_order(
    db: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch, fmt: str
) -> None:
    """Read a few records at a time and written a little at a time: across those boundaries, nothing is lost,
    doubled or reordered, and the output is what one piece would be."""
    from backpain_cli.faces import history
    from backpain_cli.storage import store

    _seed(db, base_answers, [(i % 11, 5, 5) for i in range(7)])
    whole = CliRunner().invoke(app, ["history", "--db", str(db), "--export", fmt]).stdout_bytes
    monkeypatch.setattr(store, "READ_BATCH", 2)
    monkeypatch.setattr(history, "CHUNK", 10)
    result = CliRunner().invoke(app, ["history", "--db", str(db), "--export", fmt])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == whole
    if fmt == "csv":
        ids = [row["id"] for row in csv.DictReader(io.StringIO(result.stdout_bytes.decode(), newline=""))]
        assert ids == [str(i) for i in range(1, 8)]
    else:
        ids = [json.loads(line)["id"] for line in result.stdout.splitlines()]
        assert ids == (list(range(1, 8)) if fmt == "json" else [f"seed-{i}" for i in range(7)])


def test_a_save_is_not_held_up_by_an_export_in_progress(
    db: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """An export read slowly (piped into a pager, say) holds no lock between its reads: a save goes through at
    once, and the export, going on, ends with it."""
    from backpain_cli.storage import store

    monkeypatch.setattr(store, "READ_BATCH", 2)
    _seed(db, base_answers, [(5, 5, 5)] * 3)
    reader = open_store(db, create=False)
    assert reader is not None
    with reader:
        records = reader.iter_records(full=True)
        first = next(records)
        answers = validate(_items(base_answers, 2, 2, 2, id="during"))
        store.save_assessment(db, answers, assess(answers), timeout=0)  # busy would raise StoreError
        rest = list(records)
    assert [r.id for r in [first, *rest]] == [1, 2, 3, 4]
    assert rest[-1].answers is not None and rest[-1].answers["id"] == "during"


# -- a history outlives versions of the policy (issue 10) ----------------------------------------------------

OLD_POLICY = "2026.1"


@pytest.fixture
def newer_policy(monkeypatch: pytest.MonkeyPatch) -> str:
    """This backpain's policy version; while it is still OLD_POLICY, a later one stands in for it."""
    from backpain_cli.core import engine, policy

    if policy.POLICY_VERSION == OLD_POLICY:
        monkeypatch.setattr(policy, "POLICY_VERSION", OLD_POLICY + ".1")
        monkeypatch.setattr(engine, "POLICY_VERSION", OLD_POLICY + ".1")
    return str(policy.POLICY_VERSION)


def _save_under(db: Path, answers: dict[str, Any], version: str, now: str) -> None:
    valid = validate(answers)
    save_result(db, valid, {**assess(valid), "policy_version": version}, now=now)


def test_since_last_time_says_when_the_earlier_result_was_made_under_another_policy(
    db: Path, base_answers: dict[str, Any], newer_policy: str
) -> None:
    note = f"(earlier result under policy {OLD_POLICY})"
    _save_under(db, _items(base_answers, 8, 7, 6), OLD_POLICY, "2026-10-01T09:00:00Z")
    out = json.loads(_save_cli(db, _items(base_answers, 3, 3, 4)).stdout)
    assert out["policy_version"] == newer_policy
    assert out["since_last"]["policy_version"] == OLD_POLICY
    _save_under(db, _items(base_answers, 8, 7, 6), OLD_POLICY, "2026-10-02T09:00:00Z")
    text = " ".join(_save_cli(db, _items(base_answers, 3, 3, 4), fmt="text").stdout.split())
    assert f"Since last time 2 Oct 2026: 7.0 → 3.3 (−53%), much better {note}" in text, text
    _save_under(db, _items(base_answers, 8, 7, 6), OLD_POLICY, "2026-10-03T09:00:00Z")
    markdown = _save_cli(db, _items(base_answers, 3, 3, 4), fmt="markdown").stdout
    assert f"| Since last time | 3 Oct 2026: 7.0 → 3.3 (−53%), much better {note}" in markdown, markdown
    again = _save_cli(db, _items(base_answers, 3, 3, 4), fmt="text").stdout  # the one before: this policy's
    assert "Since last time" in again and "earlier result under policy" not in again


def test_history_shows_the_policy_each_assessment_was_made_under(
    db: Path, base_answers: dict[str, Any], newer_policy: str
) -> None:
    _save_under(db, _items(base_answers, 8, 8, 8), OLD_POLICY, "2026-10-01T09:00:00Z")
    _save_under(db, _items(base_answers, 6, 6, 6), OLD_POLICY, "2026-10-02T09:00:00Z")
    answers = validate(_items(base_answers, 3, 3, 4))
    save_result(db, answers, assess(answers), now="2026-10-03T09:00:00Z")
    result = CliRunner().invoke(app, ["history", "--db", str(db), "-f", "text"])
    assert result.exit_code == 0, result.output
    table = result.stdout.split("Pain over time")[0]
    assert "Policy" in table
    rows = [line.split() for line in table.splitlines() if line.strip()[:1].isdigit()]
    assert [row[-1] for row in rows] == [OLD_POLICY, OLD_POLICY, newer_policy]
    text = " ".join(result.stdout.split())
    note = f"(earlier result under policy {OLD_POLICY})"
    assert (
        "Since the first (1 Oct 2026): pain impact 8 → 3.3, down 4.7 (−59%): "
        f"substantial improvement (50% or more lower) {note}." in text
    )
    assert (
        "Since the previous (2 Oct 2026): pain impact 6 → 3.3, down 2.7 (−45%): "
        f"meaningful improvement (30% or more lower) {note}." in text
    )
    out = json.loads(CliRunner().invoke(app, ["history", "--db", str(db), "-f", "json"]).stdout)
    assert [a["policy_version"] for a in out["assessments"]] == [OLD_POLICY, OLD_POLICY, newer_policy]
    assert out["since_first"]["policy_version"] == out["since_previous"]["policy_version"] == OLD_POLICY


def test_history_under_one_policy_says_nothing_of_versions(db: Path, base_answers: dict[str, Any]) -> None:
    _seed(db, base_answers, [(8, 8, 8), (6, 6, 6)])
    result = CliRunner().invoke(app, ["history", "--db", str(db), "-f", "text"])
    assert "Policy" not in result.stdout and "earlier result under policy" not in result.stdout
    second = _save_cli(db, _items(base_answers, 3, 3, 4), fmt="text").stdout
    assert "Since last time" in second and "earlier result under policy" not in second
