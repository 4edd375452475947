"""End to end in a real pseudo-terminal (pexpect): what a person at a keyboard sees and gets."""

from __future__ import annotations

import io
import json
import os
import re
import shlex
import stat
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pexpect
import pytest

from backpain_cli.core import flow
from backpain_cli.core.engine import assess
from backpain_cli.core.explain import ACTION
from backpain_cli.core.policy import EMERGENCY
from backpain_cli.core.questionnaire import BY_KEY
from backpain_cli.core.validation import validate
from tests.faces.test_interactive import ANSI, CTRL_C, DOWN, ENTER, reachable, script_parts

TIMEOUT = 30  # seconds for any one thing to show; the machine may be busy
TOTAL = len(flow.STEPS)


@pytest.fixture(autouse=True)
def private_history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Every spawned backpain keeps its history (if asked to save) under tmp_path, never in the real one."""
    home = tmp_path / "home"
    monkeypatch.setenv("BACKPAIN_HOME", str(home))
    return home


def spawn(*args: str, size: tuple[int, int] = (50, 200)) -> pexpect.spawn:
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1", "NO_COLOR": "1"}
    return pexpect.spawn(
        sys.executable,
        ["-m", "backpain_cli", "assess", *args],
        env=env,
        encoding="utf-8",
        timeout=TIMEOUT,
        dimensions=size,
    )


def answer_questions(child: pexpect.spawn, answers: dict[str, Any]) -> None:
    """Answer each question when its progress line shows, and confirm the review."""
    n = 0
    for key, keys in script_parts(answers):
        if key != "!warning":
            n += 1
            child.expect_exact(f"question {n} of {TOTAL}")
        child.send(keys)
    child.expect_exact("Are these right?")
    child.send(ENTER)


def answer_everything(child: pexpect.spawn, answers: dict[str, Any], save: bool = False) -> str:
    """Answer the questions and the review (`answer_questions`), then "save this result?" (no, its default, unless
    `save`); return all that was shown."""
    seen = io.StringIO()
    child.logfile_read = seen
    answer_questions(child, answers)
    child.expect_exact("Save this result in your history")
    child.send(DOWN + ENTER if save else ENTER)
    child.expect(pexpect.EOF)
    child.close()
    return ANSI.sub("", seen.getvalue()).replace("\r\n", "\n")


def result_json(shown: str) -> dict[str, Any]:
    found = re.search(r'^\{\n  "level".*^\}$', shown, re.MULTILINE | re.DOTALL)
    assert found, shown[-2000:]
    out: dict[str, Any] = json.loads(found.group(0))
    return out


@pytest.fixture
def urgent_answers(base_answers: dict[str, Any]) -> dict[str, Any]:
    return {**base_answers, "weakness": "stable", "goals": ["less_pain"]}


def test_whole_questionnaire_prints_the_level(urgent_answers: dict[str, Any]) -> None:
    child = spawn("--format", "json")
    shown = answer_everything(child, urgent_answers)
    assert child.exitstatus == 0, shown[-2000:]
    result = result_json(shown)
    assert result["level"] == "urgent"
    assert [r["rule"] for r in result["reasons"]] == ["U5"]
    assert "Traceback" not in shown


def test_a_whole_questionnaire_at_80_columns(urgent_answers: dict[str, Any]) -> None:
    """A person at an ordinary 80x24 terminal answers everything and gets the text report, and only then is asked
    whether to save it."""
    action = assess(validate(reachable(urgent_answers)))["action"]
    assert action.startswith("See a doctor today:")
    child = spawn(size=(24, 80))
    answer_questions(child, urgent_answers)
    first = child.expect_exact([action.split(":")[0], "Save this result in your history"])
    assert first == 0, "asked to save before the result was shown"
    child.expect_exact("Save this result in your history")
    child.send(ENTER)  # no, the default
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert "Traceback" not in child.before


def stop_at_the_advice(base_answers: dict[str, Any], *args: str) -> pexpect.spawn:
    """At 80x24: tick saddle numbness (and nothing on the second screen), then choose to stop at the emergency
    advice; the ended child."""
    child = spawn(*args, size=(24, 80))
    parts = script_parts({**base_answers, "red_flags": ["saddle_numbness"]}, on_warning="stop")
    assert [key for key, _ in parts] == ["red_flags:spine", "red_flags:other", "!warning"]
    child.expect_exact(f"question 1 of {TOTAL}")
    child.send(parts[0][1])
    child.expect_exact(f"question 2 of {TOTAL}")
    child.send(parts[1][1])
    child.expect_exact("What would you like to do?")
    child.send(parts[2][1])  # stop here
    child.expect(pexpect.EOF)
    child.close()
    return child


def test_stopping_at_the_emergency_advice_in_a_terminal(base_answers: dict[str, Any]) -> None:
    child = stop_at_the_advice(base_answers)
    assert child.exitstatus == 0
    lines = [line.strip() for line in ANSI.sub("", child.before).splitlines() if line.strip()]
    assert " ".join(lines[-2:]).endswith(ACTION[EMERGENCY])  # 80 columns: the sentence may take two lines
    assert "stopped" not in " ".join(lines[-2:]).lower()


def test_ctrl_c_cancels_with_130_and_no_traceback(tmp_path: Path) -> None:
    save = tmp_path / "a.json"
    child = spawn("--save-answers", str(save))
    child.expect_exact(f"question 1 of {TOTAL}")
    child.send(ENTER)  # no warning signs
    child.expect_exact(f"question 2 of {TOTAL}")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    shown = ANSI.sub("", child.before)
    assert child.exitstatus == 130, shown
    assert "backpain: cancelled; nothing was saved." in shown
    assert "Traceback" not in shown
    assert not save.exists()
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_at_the_first_question(tmp_path: Path) -> None:
    child = spawn()
    child.expect_exact(f"question 1 of {TOTAL}")
    child.expect_exact(flow.STEPS[0].prompt)
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert "Traceback" not in child.before


def test_save_answers_replays_to_the_same_json(urgent_answers: dict[str, Any], tmp_path: Path) -> None:
    save = tmp_path / "saved.json"
    child = spawn("--format", "json", "--save-answers", str(save))
    shown = answer_everything(child, urgent_answers)
    assert child.exitstatus == 0, shown[-2000:]
    assert stat.S_IMODE(save.stat().st_mode) == 0o600
    replay = subprocess.run(
        [sys.executable, "-m", "backpain_cli", "assess", "--answers", str(save), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert replay.returncode == 0, replay.stderr
    assert json.loads(replay.stdout) == result_json(shown)


def test_no_input_in_a_terminal_never_prompts() -> None:
    child = spawn("--no-input")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 2
    assert "Pipe answers in as JSON" in child.before
    assert "question 1" not in child.before


def test_questions_on_the_terminal_result_clean_on_redirected_stdout(
    urgent_answers: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "result.json"
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    command = f"exec {shlex.quote(sys.executable)} -m backpain_cli assess > {shlex.quote(str(out))}"
    child = pexpect.spawn("/bin/sh", ["-c", command], env=env, encoding="utf-8", timeout=TIMEOUT, dimensions=(50, 200))
    shown = answer_everything(child, urgent_answers)
    assert child.exitstatus == 0, shown[-2000:]
    assert json.loads(out.read_text())["level"] == "urgent"  # only the JSON result: no prompts in it


def test_saving_at_the_question_keeps_the_result_and_the_next_shows_the_change(
    urgent_answers: dict[str, Any], private_history: Path
) -> None:
    database = private_history / "history.sqlite3"
    first = spawn("--format", "json")
    answer_everything(first, urgent_answers)  # the default answer: not saved
    assert not database.exists()
    second = spawn("--format", "json")
    answer_everything(second, urgent_answers, save=True)
    assert second.exitstatus == 0
    assert database.exists() and stat.S_IMODE(database.stat().st_mode) == 0o600
    third = spawn("--format", "json")
    shown = answer_everything(third, {**urgent_answers, "pain_intensity": 8}, save=True)
    assert "since_last" not in result_json(shown)  # shown before the person chose to save it
    since = r"Since last time: [0-9]+ [A-Z][a-z]+ [0-9]{4}: [0-9.]+ → [0-9.]+ \(\+[0-9]+%\), worse"
    assert re.search(since, shown)
    listed = subprocess.run(
        [sys.executable, "-m", "backpain_cli", "history", "--format", "json"],
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        stdin=subprocess.DEVNULL,
    )
    assert len(json.loads(listed.stdout)["assessments"]) == 2


def test_a_silent_pipe_is_never_waited_on_without_a_word() -> None:
    """stdin is a pipe that stays open and says nothing; stderr is a terminal a person is watching."""
    import pty
    import select
    import signal

    watcher, terminal = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=terminal,
    )
    os.close(terminal)
    seen = b""
    try:
        deadline = time.monotonic() + TIMEOUT
        while b"waiting for answers" not in seen and time.monotonic() < deadline:
            if select.select([watcher], [], [], 0.5)[0]:
                seen += os.read(watcher, 4096)
        assert b"waiting for answers as JSON on stdin" in seen
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=TIMEOUT) == 130
        while select.select([watcher], [], [], 0.5)[0]:
            try:
                seen += os.read(watcher, 4096)
            except OSError:  # the terminal's other end is closed
                break
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.close()
        proc.stdout.close()
        os.close(watcher)
    assert b"Traceback" not in seen


def test_output_file_left_as_it_was_when_no_result_is_made(base_answers: dict[str, Any], tmp_path: Path) -> None:
    """-o FILE, then stopping at the emergency advice: no report was made, so FILE is not touched."""
    out = tmp_path / "report.json"
    out.write_text("an earlier report\n")
    child = stop_at_the_advice(base_answers, "-o", str(out))
    assert child.exitstatus == 0
    assert out.read_text() == "an earlier report\n"
    assert [p.name for p in tmp_path.iterdir() if p.name != "home"] == ["report.json"]  # no temporary file left


def test_output_file_at_the_questions_is_shown_written_and_kept(urgent_answers: dict[str, Any], tmp_path: Path) -> None:
    """-o FILE in a terminal: the report on the screen and in FILE, said so; Ctrl-C at "save this result?" keeps
    FILE (only the save to the history is cancelled), and the action is the last line."""
    out = tmp_path / "report.md"
    child = spawn("-o", str(out), size=(40, 100))
    answer_questions(child, urgent_answers)
    child.expect_exact("URGENT")  # the report, on the screen
    child.expect_exact(f"Report written to {out}.")
    child.expect_exact("Save this result in your history")
    assert out.read_text().startswith("# Back and neck pain")  # written before the question
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 130
    assert out.read_text().startswith("# Back and neck pain")
    shown = ANSI.sub("", child.before).replace("\r\n", "\n")
    assert "not saved to your history" in shown
    lines = [line.strip() for line in shown.splitlines() if line.strip()]
    action = assess(validate(reachable(urgent_answers)))["action"]
    assert action.startswith("See a doctor today:")
    assert " ".join(lines[-2:]).endswith(action)


def drawn(child: pexpect.spawn, last: str) -> str:
    """What the child draws until `last` is on the screen and the drawing stops: plain text, lines as drawn."""
    child.expect_exact(last)
    seen = child.before + last
    child.expect(pexpect.TIMEOUT, timeout=1)  # the rest of the list and the cursor
    return ANSI.sub("", seen + (child.before or "")).replace("\r", "")


def options_as_drawn(shown: str, labels: list[str]) -> dict[str, list[str]]:
    """For each label, the screen lines it is drawn on: the line with its tick box, then the lines under it that
    are indented as far as its first word."""
    lines = shown.split("\n")
    out: dict[str, list[str]] = {}
    for label in labels:
        opening = re.escape(" ".join(label.split()[:2]))
        start = next(i for i, line in enumerate(lines) if re.match(rf"^ [ »] [○●] {opening}(\s|$)", line))
        block = [lines[start]]
        for line in lines[start + 1 :]:
            if not re.match(r"^ {5}\S", line):
                break
            block.append(line)
        out[label] = block
    return out


@pytest.mark.parametrize("columns", [60, 100])
def test_every_warning_sign_and_background_option_is_shown_whole(columns: int) -> None:
    """questionary cuts a choice title at the terminal's edge: a long one is wrapped at word boundaries, the rest
    under its first word. Both warning-sign screens and the background question, at 60 and 100 columns; the
    question lines too break between words."""
    child = spawn(size=(40, columns))
    spine, other = flow.STEPS[0], flow.STEPS[1]
    screens = [
        (spine, ENTER, "question 2 of"),
        (other, ENTER, "question 3 of"),
        (flow.BY_ID["age"], "40" + ENTER, "question 4 of"),
        (flow.BY_ID["risk_factors"], "", ""),
    ]
    wrapped = 0
    for step, keys, next_one in screens:
        labels = [c.label for c in step.choices]
        shown = drawn(child, step.prompt.split()[-1] if not labels else labels[-1].split()[-1])
        if labels:
            for label, block in options_as_drawn(shown, labels).items():
                assert all(len(line) <= columns - 1 for line in block), block
                assert " ".join(line[5:] for line in block) == label, block  # after the pointer and tick box
                wrapped += len(block) > 1
            question = [line for line in shown.split("\n") if line.startswith("? ")][-1]
            at = shown.split("\n").index(question)
            heading = " ".join(shown.split("\n")[at : at + 4])
            assert " ".join(step.prompt.split()) in " ".join(heading.split()), heading  # no word cut in two
        if keys:
            child.send(keys)
            child.expect_exact(next_one)
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    child.close()
    if columns == 60:
        assert wrapped >= 10  # most options take two lines at 60 columns
    else:
        assert wrapped == 0


def test_the_second_warning_screen_at_60_columns() -> None:
    """At 60 columns a person reaches the other symptoms (question 2), sees every option whole, each long one
    wrapped under its first word, ticks chest pain and gets the emergency advice before the next question."""
    child = spawn(size=(30, 60))
    child.expect_exact(f"Warning signs · question 1 of {TOTAL}")
    child.send(ENTER)  # none of the spine's signs
    child.expect_exact(f"Warning signs · question 2 of {TOTAL}")
    labels = [c.label for c in BY_KEY["red_flags"].choices if c.group == "other"]
    shown = drawn(child, labels[-1].split()[-1])
    blocks = options_as_drawn(shown, labels)
    chest = blocks["New chest pain or tightness in the last 12 hours, or new breathlessness"]
    assert chest == [" » ○ New chest pain or tightness in the last 12 hours, or", "     new breathlessness"]
    assert blocks["Fainting or collapsing in the last week"] == ["   ○ Fainting or collapsing in the last week"]
    for label, block in blocks.items():
        assert " ".join(line[5:] for line in block) == label
        assert all(len(line) <= 59 for line in block)
    child.send(" " + ENTER)  # tick the first, chest pain
    child.expect_exact("What would you like to do?")
    advice = ANSI.sub("", child.before)
    assert "EMERGENCY" in advice and "About you" not in advice
    child.send(ENTER)  # stop here
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    lines = [line.strip() for line in ANSI.sub("", child.before).splitlines() if line.strip()]
    assert " ".join(lines[-2:]).endswith(ACTION[EMERGENCY])
