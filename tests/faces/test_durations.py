"""Durations as people say them, at the duration question: read into weeks and said back as understood."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pexpect
import pytest

from backpain_cli.core.durations import parse
from tests.faces.test_interactive import ANSI, ENTER, script_parts
from tests.faces.test_interactive_pty import TOTAL, result_json, spawn


@pytest.mark.parametrize(
    ("typed", "weeks", "understood"),
    [
        ("3 days", 0.43, "3 days (0.4 weeks)"),
        ("3d", 0.43, "3 days (0.4 weeks)"),
        ("1 day", 0.14, "1 day (0.1 weeks)"),
        ("10 Days", 1.43, "10 days (1.4 weeks)"),
        ("2 weeks", 2, "2 weeks"),
        ("1 week", 1, "1 week"),
        ("2w", 2, "2 weeks"),
        ("3 wks", 3, "3 weeks"),
        ("6 months", 26, "6 months (26 weeks)"),
        ("2 months", 8.67, "2 months (8.7 weeks)"),
        ("6mo", 26, "6 months (26 weeks)"),
        ("1 year", 52, "1 year (52 weeks)"),
        ("1.5y", 78, "1.5 years (78 weeks)"),
        ("2 yrs", 104, "2 years (104 weeks)"),
        ("3", 3, "3 weeks"),
        ("0.5", 0.5, "0.5 weeks"),
        ("2,5", 2.5, "2.5 weeks"),
        (" 4 weeks ", 4, "4 weeks"),
        ("0", 0, "0 weeks"),
        ("100 years", 5200, "100 years (5200 weeks)"),
    ],
)
def test_accepted(typed: str, weeks: float, understood: str) -> None:
    assert parse(typed) == (weeks, understood)


@pytest.mark.parametrize(
    "typed",
    ["", "days", "3 fortnights", "-3 days", "1e3", "nan", "inf", "3 days 2 weeks", "three days", "3..5d", "101 years",
     "3 hours", "½ year", "٣ days"],
)  # fmt: skip
def test_refused_with_examples(typed: str) -> None:
    with pytest.raises(ValueError, match=r"3 days, 2 weeks, 6 months or 1 year|shorter duration"):
        parse(typed)


def test_a_person_answers_3_days_and_sees_what_was_understood(base_answers: dict[str, Any], tmp_path: Path) -> None:
    """In a real terminal: "3 fortnights" is asked again with examples, "3 days" is taken as 0.43 weeks and the
    answered line says "3 days (0.4 weeks)"."""
    kept = tmp_path / "answers.json"
    child = spawn("--format", "json", "--save-answers", str(kept))
    seen = io.StringIO()
    child.logfile_read = seen
    n = 0
    for key, keys in script_parts(base_answers):
        if key != "!warning":
            n += 1
            child.expect_exact(f"question {n} of {TOTAL}")
        if key == "duration_weeks":
            child.send("3 fortnights" + ENTER)
            child.expect_exact("for example 3 days, 2 weeks, 6 months or 1 year")
            child.send("3 days" + ENTER)
            child.expect_exact("3 days (0.4 weeks)")
        else:
            child.send(keys)
    child.expect_exact("Are these right?")
    child.send(ENTER)
    child.expect_exact("Save this result in your history")
    child.send(ENTER)
    child.expect(pexpect.EOF)
    child.close()
    shown = ANSI.sub("", seen.getvalue()).replace("\r\n", "\n")
    assert child.exitstatus == 0, shown[-2000:]
    assert "How long since this episode began? 3 days (0.4 weeks)" in shown
    assert json.loads(kept.read_text())["duration_weeks"] == 0.43
    assert result_json(shown)["level"] == "self_care"
