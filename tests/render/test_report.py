"""The report as people see it: snapshots of every vignette at 80 and 60 columns and as Markdown, through the CLI
with stdout not a terminal (plain text, the layout fixed by COLUMNS); colour and NO_COLOR in a terminal; input
that tries to inject markup, links or escape codes; no line wider than the terminal."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len
from syrupy.assertion import SnapshotAssertion
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from backpain_cli.core.engine import assess
from backpain_cli.core.validation import validate
from backpain_cli.faces.sinks import make_sink
from backpain_cli.io.env import Environment
from backpain_cli.render.markdown import render_markdown
from backpain_cli.render.report import BODY, render_text
from tests.conftest import VIGNETTES, assess_cli
from tests.strategies import answers

IDS = [v["name"] for v in VIGNETTES]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
#: An SGR sequence that sets a colour: 30–37, 38;…, 39, 40–47, 48;…, 49, 90–97, 100–107.
COLOUR_SGR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-9]|4[0-9]|9[0-7]|10[0-7])(?:;[0-9;]*)?m")
INJECTION = "[bold red]x[/] [link=http://e.vil]y[/link]"


class TextSnapshot(SingleFileSnapshotExtension):
    """One readable .txt file per snapshot, so that a change to the report is reviewed as a plain diff."""

    _write_mode = WriteMode.TEXT
    file_extension = "txt"


class MarkdownSnapshot(TextSnapshot):
    file_extension = "md"


@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_text_report_snapshot(vignette: dict[str, Any], columns: int, snapshot: SnapshotAssertion) -> None:
    result = assess_cli(["--format", "text"], json.dumps(vignette["answers"]), COLUMNS=str(columns))
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "\x1b" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= columns
    assert out.count(assess(validate(vignette["answers"]))["disclaimer"][:40]) <= 1
    assert out == snapshot(extension_class=TextSnapshot)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_markdown_report_snapshot(vignette: dict[str, Any], snapshot: SnapshotAssertion) -> None:
    result = assess_cli(["--format", "markdown"], json.dumps(vignette["answers"]))
    assert result.exit_code == 0, result.output
    assert result.stdout == snapshot(extension_class=MarkdownSnapshot)


def _vignette(name: str) -> dict[str, Any]:
    return next(v["answers"] for v in VIGNETTES if v["name"] == name)


def _tty_report(answers: dict[str, Any], environ: dict[str, str], columns: int = 80) -> str:
    """The report as the text sink writes it to a terminal."""
    out = io.BytesIO()
    env = Environment(io.BytesIO(), out, io.StringIO(), False, True, True, {"COLUMNS": str(columns), **environ})
    sink = make_sink("text", env, batch=False)
    valid = validate(answers)
    sink.write(True, assess(valid), valid)
    sink.close()
    return out.getvalue().decode()


def test_terminal_report_is_in_colour() -> None:
    out = _tty_report(_vignette("ces-bladder-saddle"), {"TERM": "xterm-256color"})
    assert COLOUR_SGR.search(out), "a terminal gets colour"


def test_no_color_removes_every_colour_code() -> None:
    for vignette in VIGNETTES:
        out = _tty_report(vignette["answers"], {"TERM": "xterm-256color", "NO_COLOR": "1"})
        assert not COLOUR_SGR.search(out), vignette["name"]
        assert "EMERGENCY" in out or vignette["expected_level"] != "emergency"


def test_piped_text_has_no_escape_codes_even_with_a_colour_terminal_type() -> None:
    result = assess_cli(["--format", "text"], json.dumps(_vignette("ces-bladder-saddle")), TERM="xterm-256color")
    assert result.exit_code == 0
    assert "\x1b" not in result.stdout
    assert "EMERGENCY" in result.stdout


@pytest.mark.parametrize("colour", [False, True])
def test_markup_in_the_id_is_shown_as_typed(colour: bool) -> None:
    answers = {**_vignette("lifting-strain-three-days"), "id": INJECTION}
    if colour:
        out = _tty_report(answers, {"TERM": "xterm-256color"})
        assert "\x1b]8;" not in out, "no hyperlink escape"
        out = ANSI.sub("", out)
    else:
        result = assess_cli(["--format", "text"], json.dumps(answers))
        assert result.exit_code == 0
        out = result.stdout
    assert f"Record: {INJECTION}" in out


def test_escape_codes_in_the_id_are_made_visible() -> None:
    answers = {**_vignette("lifting-strain-three-days"), "id": "a\x1b[31mred\x1b]8;;http://e.vil\x07b\nc"}
    result = assess_cli(["--format", "text"], json.dumps(answers))
    assert "\x1b" not in result.stdout and "\x07" not in result.stdout
    assert "Record: a\\x1b[31mred\\x1b]8;;http://e.vil\\x07b\\nc" in result.stdout
    out = _tty_report(answers, {"TERM": "xterm-256color"})
    assert "\x1b[31mred" not in out and "\x1b]8;" not in out


def test_markup_in_the_id_is_literal_in_markdown() -> None:
    result = assess_cli(
        ["--format", "markdown"], json.dumps({**_vignette("lifting-strain-three-days"), "id": INJECTION})
    )
    assert f"Record: `{INJECTION}`" in result.stdout
    tricky = render_markdown({**assess(validate(_vignette("lifting-strain-three-days"))), "id": "a`b``<x>"})
    assert "Record: ```a`b``<x>```" in tricky


def test_the_batch_table_shows_the_id_as_typed() -> None:
    records = [{**_vignette("lifting-strain-three-days"), "id": INJECTION}, _vignette("ces-bladder-saddle")]
    result = assess_cli(["--format", "text"], "\n".join(json.dumps(r) for r in records), COLUMNS="100")
    assert result.exit_code == 0
    assert INJECTION in result.stdout


@pytest.mark.parametrize("columns", [60, 61, 67, 80, 99, 100, 140])
def test_no_line_is_wider_than_the_terminal(columns: int) -> None:
    for vignette in VIGNETTES:
        out = ANSI.sub("", _tty_report(vignette["answers"], {"TERM": "xterm-256color"}, columns))
        widest = max(cell_len(line) for line in out.splitlines())
        assert widest <= min(columns, 100), (vignette["name"], widest)


# Any valid answers (from the one definition), with long or odd ids to stress the layout.
ANSWERS = answers(ids=st.text(min_size=1, max_size=120) | st.integers(0, 10**12))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(answers=ANSWERS, width=st.integers(60, 130), colour=st.booleans())
def test_any_answers_fit_any_width_and_show_the_id(answers: dict[str, Any], width: int, colour: bool) -> None:
    valid = validate(answers)
    result = assess(valid)
    out = render_text(result, valid, width=width, color=colour, environ={"TERM": "xterm-256color"})
    if colour:
        assert "\x1b]8;" not in out
        out = ANSI.sub("", out)
    else:
        assert "\x1b" not in out
    assert max(cell_len(line) for line in out.splitlines()) <= min(width, 100)
    if "id" in answers:
        from backpain_cli.render.words import shown

        flat = "".join(out.split())
        assert "".join(shown(answers["id"]).split()) in flat
    assert out.count("This is not a diagnosis") == 1


def _since(change: float, category: str) -> dict[str, Any]:
    return {
        "date": "2026-11-01T12:00:00+00:00",  # midday: the same date in (almost) any time zone
        "level": "specialist",
        "pain_impact": 5.0,
        "change": change,
        "change_pct": change / 5.0 * 100,
        "category": category,
    }


def test_since_last_shows_a_rise_plainly() -> None:
    valid = validate(_vignette("sciatica-ten-weeks-after-physio"))
    result = assess(valid)  # pain impact 5.3
    result["since_last"] = _since(0.3, "worse")
    out = render_text(result, valid, width=80)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("Pain impact "))
    assert lines[at + 1] == "Since last time  1 Nov 2026: 5.0 → 5.3 (+6%), worse."
    md = render_markdown(result, valid)
    rows = md.splitlines()
    at = next(i for i, line in enumerate(rows) if line.startswith("| Pain impact |"))
    assert rows[at + 1] == "| Since last time | 1 Nov 2026: 5.0 → 5.3 (+6%), worse. |"


def test_since_last_shows_an_improvement() -> None:
    valid = validate(_vignette("sciatica-ten-weeks-after-physio"))
    result = assess(valid)
    result["since_last"] = {**_since(-2.7, "meaningful_improvement"), "change_pct": -33.75}
    out = " ".join(render_text(result, valid, width=60).split())
    assert "Since last time 1 Nov 2026: 8.0 → 5.3 (−34%), better." in out


@pytest.mark.parametrize("width", [60, 80])
def test_since_last_is_one_short_line_with_the_date_in_words(width: int) -> None:
    valid = validate(_vignette("sciatica-ten-weeks-after-physio"))
    result = assess(valid)
    assert result["level"] == "specialist"
    result["since_last"] = {**_since(-2.7, "meaningful_improvement"), "date": "2026-11-12T12:00:00Z"}
    for text in (render_text(result, valid, width=width), render_markdown(result, valid)):
        row = [line for line in text.splitlines() if "Since last time" in line]
        assert len(row) == 1 and "12 Nov 2026" in row[0]
        assert "2026-11" not in text
        assert "level" not in row[0] and "specialist" not in row[0], "the level is the same: not repeated"
        assert row[0].count("2.7") == 0, "the change once, as a percentage"
        assert row[0].rstrip(" |").endswith("better."), "one line"
    result["since_last"]["level"] = "urgent"
    out = " ".join(render_text(result, valid, width=width).split())
    assert "better; the level was urgent." in out


def test_emergency_report_is_short_and_puts_the_action_first() -> None:
    result = assess_cli(["--format", "text"], json.dumps(_vignette("ces-bladder-saddle")))
    lines = [x for x in result.stdout.splitlines() if x.strip()]
    assert "EMERGENCY" in lines[1]
    assert "Go to an emergency department now" in lines[2]
    assert "Steps of care" not in result.stdout and "At a glance" not in result.stdout
    assert len(lines) < 40


def test_emergency_report_notes_the_other_reasons_in_words() -> None:
    answers = _vignette("ces-bladder-saddle")
    result = assess(validate(answers))
    later = [r["rule"] for r in result["reasons"] if r["level"] != "emergency"]
    assert later, "the vignette has other reasons besides the emergency"
    out = assess_cli(["--format", "text"], json.dumps(answers)).stdout
    noted = out[out.index("Also noted for the doctors") :].split("This is not a diagnosis")[0]
    assert "Also noted for the doctors: " not in out, "not a bare list of rule ids"
    rows = [line for line in noted.splitlines()[1:] if line.strip()]
    for rule in later:
        row = next(line for line in rows if line.rstrip().endswith(" " + rule))
        assert len(row.strip()) > len(rule) + 10, "the reason in words beside its id"
    assert "Over two weeks: getting worse" in noted
    assert "GP" not in noted and "physiotherapist" not in noted, "no advice competing with the emergency action"


def test_markdown_emergency_report_keeps_other_advice_out_as_the_text_report_does() -> None:
    answers = _vignette("ces-bladder-saddle")
    result = assess(validate(answers))
    later = [r for r in result["reasons"] if r["level"] != "emergency"]
    assert later and result.get("contributors"), "the vignette has other reasons and contributors"
    out = assess_cli(["--format", "markdown"], json.dumps(answers)).stdout
    why = out[out.index("## Why") : out.index("## What the doctors will check")]
    assert all(f"(rule {r['rule']})" not in why for r in later), "only the emergency reasons under Why"
    noted = out[out.index("## Also noted for the doctors") : out.index("## Your answers")]
    for reason in later:
        assert f"(rule {reason['rule']})" in noted
    assert "Over two weeks: getting worse" in noted
    before_answers = out[: out.index("## Your answers")]
    assert "GP" not in before_answers and "physiotherapist" not in before_answers
    for gone in ("contributing", "Likely contributors", "## At a glance", "## Steps of care", "## For you"):
        assert gone not in out
    text = assess_cli(["--format", "text"], json.dumps(answers)).stdout
    assert "Also noted for the doctors" in text and "What the doctors will check" in text


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_not_a_diagnosis_is_said_once(fmt: str) -> None:
    answers = _vignette("sciatica-ten-days-improving")
    assert assess(validate(answers)).get("contributors")
    out = assess_cli(["--format", fmt], json.dumps(answers)).stdout
    assert "What may be contributing" in out
    assert " ".join(out.split()).lower().count("not a diagnosis") == 1


def test_the_body_map_marks_pain_and_where_it_spreads() -> None:
    answers = {**_vignette("lifting-strain-three-days"), "pain_areas": ["neck"], "radiating_pain": ["arm"]}
    out = assess_cli(["--format", "text"], json.dumps(answers)).stdout
    assert "Pain: neck" in out and "Spreads to: arm" in out
    figure = out[out.index("Where it hurts") :]
    assert figure.count("█") == 1 + 1  # the neck, and the legend
    assert figure.count("▒") == sum(row.count("A") for row in BODY) + 1  # both arms, and the legend
