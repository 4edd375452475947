"""The interactive questionnaire, driven through prompt_toolkit pipe input: keys in, what the person sees out."""

from __future__ import annotations

import io
import json
import os
import re
import stat
import threading
import time
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size
from prompt_toolkit.input import PipeInput, create_pipe_input
from prompt_toolkit.output.vt100 import Vt100_Output
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core import early, flow
from backpain_cli.core.engine import assess
from backpain_cli.core.explain import ACTION, SAFETY_NET
from backpain_cli.core.policy import RULES_BY_ID
from backpain_cli.core.questionnaire import BY_KEY, asked_choices
from backpain_cli.core.validation import validate
from backpain_cli.faces.history import SAVE_WAITING
from backpain_cli.faces.history import since as history_since
from backpain_cli.faces.interactive import (
    INSTEAD,
    NOT_FOR_YOU,
    SAVE_CANCELLED,
    SAVE_QUESTION,
    SIGNS_GIVEN,
    STOPPED,
    Questionnaire,
    Screen,
    run_interactive,
)
from backpain_cli.faces.sinks import AtomicFile
from backpain_cli.io.env import Environment
from backpain_cli.io.process import ExitStatus
from backpain_cli.render.words import since_last_text
from backpain_cli.storage.store import open_store
from tests.conftest import VIGNETTES

ENTER, DOWN, UP, SPACE = "\r", "\x1b[B", "\x1b[A", " "
CTRL_C, CTRL_D, CTRL_U = "\x03", "\x04", "\x15"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


# ───────────────────────── keys for answers, from the one definition ─────────────────────────


def keys_for(step: flow.Step, value: Any, so_far: Mapping[str, Any]) -> str:
    """The keys that give `value` to a freshly asked screen `step` (no default), given the answers so far; for a
    screen of a grouped list question, its own options in `value`."""
    q = step.question
    if q.kind in ("integer", "number"):
        return f"{value}{ENTER}"
    if q.kind == "boolean":
        return ENTER if value else DOWN + ENTER
    options = [c.value for c in step.offered(so_far)]
    if q.kind == "choice":
        return DOWN * (options.index(value) if value is not None else len(options)) + ENTER
    return "".join((SPACE if o in value else "") + DOWN for o in options) + ENTER


def reachable(answers: Mapping[str, Any]) -> dict[str, Any]:
    """The answers as the questionnaire can give them: asked keys only, list options only where offered."""
    out: dict[str, Any] = {}
    for q in flow.ASKED:
        if q.key not in answers:
            if q.kind == "multi":
                out[q.key] = []
            continue
        value = answers[q.key]
        if q.kind == "multi":
            offered = {c.value for c in asked_choices(q, out)}
            value = [v for v in q.values if v in value and v in offered]
        out[q.key] = value
    return out


def script_parts(answers: Mapping[str, Any], *, on_warning: str = "go") -> list[tuple[str, str]]:
    """(screen id, keys) answering every screen with `answers` (as `reachable` gives them); after the screen that
    completes an answer firing an emergency rule, ("!warning", keys) that go on or stop."""
    answers = reachable(answers)
    so_far: dict[str, Any] = {}
    decided: set[str] = set()
    warned: set[str] = set()
    parts = []
    for step in flow.STEPS:
        value = answers.get(step.key)
        parts.append((step.id, keys_for(step, value, so_far)))
        if value is not None:
            so_far[step.key] = value
        if step == flow.steps_of(step.key)[-1]:  # a question's last screen: its answer is given
            decided.add(step.key)
        new = {r.id for r in early.emergencies(so_far, decided)} - warned
        if new:
            warned |= new
            parts.append(("!warning", ENTER if on_warning == "stop" else DOWN + ENTER))
            if on_warning == "stop":
                break
    return parts


def script(answers: Mapping[str, Any], *, on_warning: str = "go", review: str = ENTER, **instead: str) -> str:
    """Keys for the whole questionnaire (see `script_parts`), with `instead[key]` typed at question `key`, then
    `review` keys."""
    parts = script_parts(answers, on_warning=on_warning)
    keys = "".join(instead.get(key, typed) for key, typed in parts)
    return keys if on_warning == "stop" and parts[-1][0] == "!warning" else keys + review


def keys_until(answers: Mapping[str, Any], key: str) -> str:
    """The keys that answer every screen before the screen `key` (a `flow.Step.id`)."""
    parts = script_parts(answers)
    return "".join(typed for k, typed in parts[: [k for k, _ in parts].index(key)])


# ───────────────────────── harness ─────────────────────────


class Run:
    def __init__(self, status: ExitStatus, env: Environment, screen: io.StringIO) -> None:
        self.status = status
        self.stdout = env.stdout.getvalue().decode()  # type: ignore[attr-defined]
        self.stderr = env.stderr.getvalue()  # type: ignore[attr-defined]
        self.screen = ANSI.sub("", screen.getvalue())

    def json(self) -> dict[str, Any]:
        out: dict[str, Any] = json.loads(self.stdout)
        return out


def _output(buf: io.StringIO) -> Vt100_Output:
    return Vt100_Output(buf, lambda: Size(rows=50, columns=200), term="xterm")


def env_for(stdout_isatty: bool = False) -> Environment:
    return Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), True, stdout_isatty, False)


def drive(
    keys: str,
    fmt: str = "json",
    save: str | None = None,
    history: Path | None = None,
    save_flag: bool = False,
    output: Path | None = None,
    stdout_isatty: bool = False,
) -> Run:
    """Type `keys` at the questionnaire. With `history`, results may be saved there: at the question (asked once
    the result is shown), or at once with `save_flag` (--save). With `output`, as `-o output`."""
    env, buf = env_for(stdout_isatty), io.StringIO()
    db = (lambda: history) if history is not None else None
    target = AtomicFile(str(output)) if output is not None else None
    with create_pipe_input() as inp:
        inp.send_text(keys)
        inp.close()  # no more keys: a prompt left waiting ends (EOF, as Ctrl-D) instead of hanging the test
        try:
            status = run_interactive(
                env,
                fmt,
                save,
                history=db,
                save=save_flag,
                input=inp,
                output=_output(buf),
                **({} if target is None else {"report_file": (str(output), target)}),
            )
        finally:
            if target is not None:
                target.discard()  # as _cli does
    return Run(status, env, buf)


Step = tuple[str | None, str]


def converse(steps: list[Step], fmt: str = "json", save: str | None = None, timeout: float = 15) -> Run:
    """Like a person: wait until each step's text is on the screen (after the last one found), then type its
    keys. The questionnaire runs in this thread; the typing in another. A text that never shows fails the test
    (after Ctrl-C, so nothing hangs)."""
    env, buf = env_for(), io.StringIO()
    missing: list[str] = []
    with create_pipe_input() as inp:

        def person() -> None:
            pos = 0
            for expect, keys in steps:
                deadline = time.monotonic() + timeout
                while expect is not None:
                    found = plain(buf).find(expect, pos)
                    if found >= 0:
                        pos = found + len(expect)
                        break
                    if time.monotonic() > deadline:
                        missing.append(expect)
                        inp.send_text(CTRL_C * 3)
                        return
                    time.sleep(0.01)
                inp.send_text(keys)
            inp.close()  # no more keys: a prompt left waiting ends instead of hanging the test

        typing = threading.Thread(target=person, daemon=True)
        typing.start()
        status = run_interactive(env, fmt, save, input=inp, output=_output(buf))
        typing.join(timeout)
    assert not missing, f"never shown: {missing}\n{plain(buf)[-2000:]}"
    return Run(status, env, buf)


@pytest.fixture
def pipe() -> Iterator[tuple[PipeInput, io.StringIO, Screen]]:
    buf = io.StringIO()
    with create_pipe_input() as inp:
        yield inp, buf, Screen(inp, _output(buf))


def type_all(inp: PipeInput, keys: str) -> None:
    """Type every key at once, then no more: a prompt left waiting ends (EOF) instead of hanging the test."""
    inp.send_text(keys)
    inp.close()


def plain(buf: io.StringIO) -> str:
    return ANSI.sub("", buf.getvalue())


# ───────────────────────── a whole questionnaire ─────────────────────────


def test_whole_questionnaire_gives_the_json_mode_result(base_answers: dict[str, Any]) -> None:
    run = drive(script(base_answers))
    assert run.status == ExitStatus.OK, run.stderr
    assert run.stderr == ""
    assert run.json() == assess(validate(reachable(base_answers)))
    assert run.json()["level"] == "self_care"
    total = len(flow.STEPS)
    assert total == len(flow.ASKED) + 1  # the red flags on two screens
    assert f"{total} questions, a few minutes." in run.screen
    for n, step in enumerate(flow.STEPS, 1):
        assert f"{step.question.section} · question {n} of {total}" in run.screen
        assert step.prompt in run.screen
    assert f"question {total + 1} of" not in run.screen


@pytest.mark.parametrize("vignette", VIGNETTES, ids=[v["name"] for v in VIGNETTES])
def test_every_vignette_through_the_prompts(vignette: dict[str, Any]) -> None:
    answers = reachable(vignette["answers"])
    run = drive(script(answers))
    assert run.status == ExitStatus.OK, run.stderr
    assert run.json() == assess(validate(answers))


def test_text_format_uses_the_text_sink(base_answers: dict[str, Any]) -> None:
    from backpain_cli.faces.sinks import make_sink

    run = drive(script(base_answers), fmt="text")
    assert run.status == ExitStatus.OK
    expected_env = env_for()
    valid = validate(reachable(base_answers))
    sink = make_sink("text", expected_env, batch=False)
    sink.write(True, assess(valid), valid)
    assert run.stdout == expected_env.stdout.getvalue().decode()  # type: ignore[attr-defined]


def _last_answer(shown: str, prompt: str) -> str:
    """What the answered question `prompt` shows last (where its line ends up on the screen)."""
    after = shown.rsplit(f"? {prompt} ", 1)[1]
    return after.split("\r\n", 1)[0]


def test_answered_list_questions_show_what_was_ticked(base_answers: dict[str, Any]) -> None:
    answers = {**base_answers, "pain_areas": ["low_back", "neck"], "radiating_pain": ["arm"]}
    run = drive(script(answers))
    assert run.status == ExitStatus.OK, run.stderr
    for key in ("red_flags:spine", "red_flags:other", "risk_factors", "past_two_weeks"):  # nothing ticked
        assert _last_answer(run.screen, flow.BY_ID[key].prompt) == "none"
    assert _last_answer(run.screen, BY_KEY["pain_areas"].prompt) == "Lower back; Neck"
    assert _last_answer(run.screen, BY_KEY["radiating_pain"].prompt) == "Into an arm"


def test_nothing_ticked_is_never_answered_done(pipe: Any) -> None:
    """Enter at a list question, as a person presses it: the answered line says "none", never questionary's
    "done"."""
    inp, buf, screen = pipe
    type_all(inp, ENTER)
    assert screen.checkbox("Any of these?", [("A", "a"), ("B", "b")], [], "(how)") == []
    screen.flush()
    assert "done" not in plain(buf)
    assert plain(buf).endswith("? Any of these? none\r\n")


# ───────────────────────── skip logic, both ways ─────────────────────────

PATTERN = BY_KEY["pattern"]
CONDITIONAL = [c for c in PATTERN.choices if c.asked_when is not None]


def _pattern_screen(answers: dict[str, Any]) -> tuple[Run, str]:
    """Answer everything, waiting at the pattern question until its options are all on the screen; return the run
    and what the pattern question showed."""
    last = PATTERN.choices[-1].label  # an option always offered, shown last
    steps: list[Step] = [(None, keys_until(answers, "pattern"))]
    steps.append((last, dict(script_parts(answers))["pattern"] + ENTER))
    run = converse(steps)
    total = len(flow.STEPS)
    shown = run.screen[run.screen.index(f"question {total} of {total}") : run.screen.index("Your answers\r\n")]
    return run, shown


def test_pattern_options_asked_when_long_and_early(base_answers: dict[str, Any]) -> None:
    answers = {**base_answers, "age": 30, "duration_weeks": 20, "pattern": ["better_with_exercise"]}
    long_and_early = {c.value for c in CONDITIONAL if c.asked_when and c.asked_when.test(answers)}
    assert long_and_early == {
        "better_with_exercise",
        "not_better_with_rest",
        "night_pain_eases_on_getting_up",
        "morning_stiffness_over_30_min",
    }
    run, shown = _pattern_screen(answers)
    assert run.status == ExitStatus.OK
    for c in PATTERN.choices:
        assert (c.label in shown) == (c.asked_when is None or c.value in long_and_early), c.value
    assert run.json() == assess(validate(answers))


def test_pattern_options_not_asked_when_short_and_late(base_answers: dict[str, Any]) -> None:
    answers = {**base_answers, "age": 60, "duration_weeks": 3, "radiating_pain": ["buttock_or_thigh"]}
    answers["pattern"] = ["leg_pain_walking_eased_by_sitting", "worse_leaning_back"]
    run, shown = _pattern_screen(answers)
    assert run.status == ExitStatus.OK
    for c in PATTERN.choices:
        offered = c.asked_when is None or c.value == "leg_pain_walking_eased_by_sitting"
        assert (c.label in shown) == offered, c.value
    assert run.json() == assess(validate(answers))


def test_unconditional_options_only_for_young_short_pain(base_answers: dict[str, Any]) -> None:
    _, shown = _pattern_screen(base_answers)
    assert not any(c.label in shown for c in CONDITIONAL)
    assert all(c.label in shown for c in PATTERN.choices if c.asked_when is None)


# ───────────────────────── checks at the prompt ─────────────────────────


def test_out_of_range_number_is_asked_again(base_answers: dict[str, Any], tmp_path: Path) -> None:
    age = BY_KEY["age"]
    save = tmp_path / "a.json"
    steps: list[Step] = [
        (None, keys_until(base_answers, "age")),
        (age.prompt, "12" + ENTER),
        ("Is your age 12?", ENTER),  # "No: change my age", the default
        (age.prompt, "200" + ENTER),
        (f"Please type {age.expected()}.", "old" + ENTER),
        (f"Please type {age.expected()}.", "30.5" + ENTER),
        (f"Please type {age.expected()}.", "41" + ENTER + script(base_answers).split(f"30{ENTER}", 1)[1]),
    ]
    run = converse(steps, save=str(save))
    assert run.status == ExitStatus.OK
    assert "This questionnaire is for people aged 16 and over" in run.screen
    assert json.loads(save.read_text())["age"] == 41


def test_duration_accepts_fractions_and_a_decimal_comma(pipe: Any, base_answers: dict[str, Any]) -> None:
    inp, _, screen = pipe
    type_all(inp, script(base_answers, duration_weeks=f"0,4{ENTER}"))
    assert Questionnaire(screen).run()["duration_weeks"] == 0.4


def test_no_pain_area_is_asked_again(base_answers: dict[str, Any], tmp_path: Path) -> None:
    save = tmp_path / "a.json"
    areas = dict(script_parts(base_answers))["pain_areas"]
    steps: list[Step] = [
        (None, keys_until(base_answers, "pain_areas")),
        (BY_KEY["pain_areas"].choices[-1].label, ENTER),  # Enter with nothing ticked
        ("Please tick at least one.", areas + script(base_answers).split(areas, 1)[1]),
    ]
    run = converse(steps, save=str(save))
    assert run.status == ExitStatus.OK
    assert json.loads(save.read_text())["pain_areas"] == base_answers["pain_areas"]


# ───────────────────────── review and change ─────────────────────────


def _review_pick(key: str) -> str:
    """Keys that choose 'Change n: <key>' in the review list (the first entry is 'they are right')."""
    return DOWN * (1 + [s.id for s in flow.STEPS].index(key)) + ENTER


def test_review_shows_every_answer_and_changes_one(pipe: Any, base_answers: dict[str, Any]) -> None:
    inp, buf, screen = pipe
    change_age = _review_pick("age") + CTRL_U + "55" + ENTER
    # then change the trend: the current answer is the default, so move from it
    change_trend = _review_pick("trend") + DOWN + DOWN + ENTER
    type_all(inp, script(base_answers, review=change_age + change_trend + ENTER))
    answers = Questionnaire(screen).run()
    assert answers == {**reachable(base_answers), "age": 55, "trend": "worsening"}
    shown = plain(buf)
    assert shown.count("Your answers") == 3
    for _, line in flow.summary(reachable(base_answers)):
        assert line in shown
    assert "Age: 55" in shown


def test_review_change_brings_new_pattern_options(pipe: Any, base_answers: dict[str, Any]) -> None:
    inp, buf, screen = pipe
    # Short pain at first: the inflammatory-pattern options are not offered. Changed to 20 weeks at 30,
    # they are, and the pattern question is asked again (ticking the first of them).
    change = _review_pick("duration_weeks") + CTRL_U + "20" + ENTER + SPACE + ENTER + ENTER
    type_all(inp, script(base_answers, review=change))
    answers = Questionnaire(screen).run()
    assert answers["duration_weeks"] == 20
    assert answers["pattern"] == ["better_with_exercise"]
    assert "Your change brings new options" in plain(buf)


def test_review_change_drops_options_no_longer_asked(pipe: Any, base_answers: dict[str, Any]) -> None:
    inp, _, screen = pipe
    answers = {**base_answers, "duration_weeks": 20, "pattern": ["better_with_exercise", "worse_leaning_back"]}
    change = _review_pick("duration_weeks") + CTRL_U + "2" + ENTER + ENTER
    type_all(inp, script(answers, review=change))
    out = Questionnaire(screen).run()
    assert out["duration_weeks"] == 2
    assert out["pattern"] == ["worse_leaning_back"]


def test_optional_choice_can_be_skipped(pipe: Any, base_answers: dict[str, Any]) -> None:
    inp, _, screen = pipe
    type_all(inp, script({k: v for k, v in base_answers.items() if k != "activity_level"}))
    answers = Questionnaire(screen).run()
    assert "activity_level" not in answers
    assert validate(answers)


# ───────────────────────── emergency at once ─────────────────────────

EMERGENCY = ACTION["emergency"]


def flat(text: str) -> str:
    """Spaces and line breaks as one space: a text as found whatever the width it was wrapped to."""
    return " ".join(text.split())


def test_emergency_red_flag_warns_after_both_warning_screens(base_answers: dict[str, Any]) -> None:
    """A spine sign ticked on the first screen: the other symptoms are asked first, then the advice (one warning
    for everything ticked on the two screens), before the next question."""
    answers = {**base_answers, "red_flags": ["saddle_numbness"]}
    run = drive(script(answers, on_warning="stop"))
    shown = flat(run.screen)
    warning = shown.index(EMERGENCY)
    assert (
        shown.index(flow.BY_ID["red_flags:spine"].prompt) < shown.index(flow.BY_ID["red_flags:other"].prompt) < warning
    )
    assert BY_KEY["age"].prompt not in shown
    assert flat(RULES_BY_ID["E1"].why) in shown[warning:]  # as wrapped to the screen


def test_stopping_at_the_emergency_advice_ends_with_the_advice(base_answers: dict[str, Any]) -> None:
    """Stopping is doing what the advice says, not an interruption: exit 0, and the last line says what to do."""
    answers = {**base_answers, "red_flags": ["saddle_numbness"]}
    run = drive(script(answers, on_warning="stop"))
    assert (run.status, run.stdout, run.stderr) == (ExitStatus.OK, "", "")
    lines = [line for line in run.screen.splitlines() if line.strip()]
    assert lines[-2:] == [STOPPED, EMERGENCY]


def test_going_on_after_the_warning_gives_the_full_report(base_answers: dict[str, Any]) -> None:
    answers = {**base_answers, "red_flags": ["new_symptoms_both_legs"]}
    run = drive(script(answers, on_warning="go"))
    assert run.status == ExitStatus.OK
    assert run.json()["level"] == "emergency"
    assert run.json() == assess(validate(answers))
    assert RULES_BY_ID["E2"].why in run.screen
    assert run.screen.count(EMERGENCY) == 1


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
@pytest.mark.parametrize("at", ["!warning", "age", "trend", "review"])
def test_cancelling_after_the_emergency_advice_ends_with_the_advice(
    base_answers: dict[str, Any], key: str, at: str
) -> None:
    """However the questionnaire ends once the emergency advice was shown, its action is the last line."""
    answers = {**base_answers, "red_flags": ["saddle_numbness"]}
    keys = script(answers) if at == "review" else keys_until(answers, at)
    run = drive(keys[: -len(ENTER)] + key if at == "review" else keys + key)
    assert run.status == ExitStatus.INTERRUPTED
    assert run.stderr == "backpain: cancelled; nothing was saved.\n"
    lines = [line for line in run.screen.splitlines() if line.strip()]
    assert lines[-1] == EMERGENCY


def test_cancelling_without_an_emergency_does_not_give_its_advice(base_answers: dict[str, Any]) -> None:
    run = drive(keys_until(base_answers, "trend") + CTRL_C)
    assert run.status == ExitStatus.INTERRUPTED
    assert EMERGENCY not in run.screen


@pytest.mark.parametrize(
    ("change", "rule", "after", "before"),
    [
        # right after the two warning-sign screens
        ({"red_flags": ["chest_pain_or_breathlessness"]}, "E7", "red_flags:other", "age"),
        ({"red_flags": ["fainting_or_collapse"]}, "E7", "red_flags:other", "age"),
        ({"red_flags": ["severe_headache_or_stiff_neck"]}, "E9", "red_flags:other", "age"),
        ({"red_flags": ["stroke_like_symptoms"]}, "E9", "red_flags:other", "age"),
        # as soon as every answer the rule reads is given, and not before
        ({"weakness": "worsening"}, "E3", "weakness", "numbness_tingling"),
        ({"red_flags": ["fever_or_chills"], "risk_factors": ["diabetes"]}, "E4", "numbness_tingling", "radiating_pain"),
        ({"red_flags": ["fever_or_chills"], "weakness": "stable"}, "E4", "numbness_tingling", "radiating_pain"),
        ({"onset": "after_major_injury", "duration_weeks": 1}, "E6", "onset", "weakness"),
        ({"risk_factors": ["cancer_history"], "numbness_tingling": True}, "E5", "radiating_pain", "pain_intensity"),
        ({"risk_factors": ["cancer_history"], "radiating_pain": ["arm"]}, "E5", "radiating_pain", "pain_intensity"),
        ({"red_flags": ["abdominal_pain_or_pulsing"], "age": 55}, "E8", "onset", "weakness"),
        ({"risk_factors": ["aortic_aneurysm"], "duration_weeks": 3}, "E8", "onset", "weakness"),
        (
            {"onset": "sudden", "duration_weeks": 0.5, "pain_intensity": 9, "age": 60},
            "E10",
            "pain_intensity",
            "enjoyment_interference",
        ),
        (
            {"pain_areas": ["neck"], "onset": "after_minor_injury", "duration_weeks": 0.5, "age": 65},
            "E11",
            "numbness_tingling",
            "radiating_pain",
        ),
        (
            {"pain_areas": ["neck"], "onset": "after_minor_injury", "duration_weeks": 0.5, "numbness_tingling": True},
            "E11",
            "numbness_tingling",
            "radiating_pain",
        ),
    ],
)
def test_emergency_warned_once_its_answers_are_given(
    base_answers: dict[str, Any], change: dict[str, Any], rule: str, after: str, before: str
) -> None:
    """The advice shows after the screen `after` (never before it: the answers so far do not decide the rule yet)
    and before the screen `before` (stopping there, nothing after it is asked)."""
    run = drive(script({**base_answers, **change}, on_warning="stop"))
    assert run.status == ExitStatus.OK
    shown = flat(run.screen)
    warning = shown.index(flat(RULES_BY_ID[rule].why))
    assert shown.index(flat(flow.BY_ID[after].prompt)) < shown.index(EMERGENCY) < warning
    assert shown.count(EMERGENCY) == 2  # the warning, and the action as the last line
    assert flat(flow.BY_ID[before].prompt) not in shown
    assert run.screen.rstrip().splitlines()[-1] == EMERGENCY


def test_no_warning_without_an_emergency(base_answers: dict[str, Any]) -> None:
    """Warning signs and other symptoms that only make the result urgent never bring the emergency advice: a
    fever without a risk or nerve symptom (weakness examined before does not count), belly pain under 50, pain
    passing urine."""
    answers = {
        **base_answers,
        "red_flags": [
            "fever_or_chills",
            "unexplained_weight_loss",
            "abdominal_pain_or_pulsing",
            "urinary_pain_or_blood",
        ],
        "weakness": "known_stable",
    }
    run = drive(script(answers))
    assert run.status == ExitStatus.OK
    assert EMERGENCY not in run.screen
    assert run.json()["level"] == "urgent"
    assert run.json() == assess(validate(answers))


# ───────────────────────── the warning signs on two screens ─────────────────────────

SPINE, OTHER = flow.BY_ID["red_flags:spine"], flow.BY_ID["red_flags:other"]


def _between(shown: str, start: str, end: str) -> str:
    return shown[shown.index(start) : shown.index(end)]


def test_warning_signs_on_two_screens_fill_one_list(base_answers: dict[str, Any], tmp_path: Path) -> None:
    """The spine's signs on the first screen, the other symptoms on the second, each with its own prompt and
    help, both under "Warning signs"; what is ticked on both is one list, in the definition's order."""
    answers = {**base_answers, "red_flags": ["unexplained_weight_loss", "urinary_pain_or_blood"]}
    parts = script_parts(answers)
    assert [key for key, _ in parts[:3]] == ["red_flags:spine", "red_flags:other", "age"]
    save = tmp_path / "answers.json"
    steps: list[Step] = [
        (SPINE.choices[-1].label, parts[0][1]),  # once the whole list is on the screen
        (OTHER.choices[-1].label, "".join(keys for _, keys in parts[1:]) + ENTER),
    ]
    run = converse(steps, save=str(save))
    assert run.status == ExitStatus.OK, run.stderr
    assert json.loads(save.read_text())["red_flags"] == ["unexplained_weight_loss", "urinary_pain_or_blood"]
    assert run.json() == assess(validate(reachable(answers)))
    total = len(flow.STEPS)
    first = _between(run.screen, f"Warning signs · question 1 of {total}", f"Warning signs · question 2 of {total}")
    second = _between(run.screen, f"Warning signs · question 2 of {total}", f"About you · question 3 of {total}")
    spine_labels = [c.label for c in SPINE.choices]
    other_labels = [c.label for c in OTHER.choices]
    assert len(spine_labels) == 7 and len(other_labels) == 6
    assert set(spine_labels + other_labels) == {c.label for c in BY_KEY["red_flags"].choices}
    assert all(label in first for label in spine_labels) and not any(label in first for label in other_labels)
    assert all(label in second for label in other_labels) and not any(label in second for label in spine_labels)
    assert flat(SPINE.help) in flat(first) and flat(OTHER.help) in flat(second)
    assert _last_answer(run.screen, SPINE.prompt) == "Losing weight without trying"
    assert _last_answer(run.screen, OTHER.prompt) == "Pain or burning when passing urine, or blood in the urine"


def test_the_review_changes_each_warning_screen_on_its_own(pipe: Any, base_answers: dict[str, Any]) -> None:
    """The review has a line for each screen, numbered as the questions were; changing one screen asks that
    screen again (with its ticks) and keeps the other's."""
    inp, buf, screen = pipe
    answers = {**base_answers, "red_flags": ["unexplained_weight_loss"]}
    other = [c.value for c in OTHER.choices]
    tick_urine = _review_pick("red_flags:other") + DOWN * other.index("urinary_pain_or_blood") + SPACE + ENTER
    spine = [c.value for c in SPINE.choices]
    untick_weight = _review_pick("red_flags:spine") + DOWN * spine.index("unexplained_weight_loss") + SPACE + ENTER
    type_all(inp, script(answers, review=tick_urine + untick_weight + ENTER))
    got = Questionnaire(screen).run()
    assert got["red_flags"] == ["urinary_pain_or_blood"]
    shown = plain(buf)
    reviews = shown.split("Your answers\r\n")[1:]
    assert len(reviews) == 3
    assert "  1. Warning signs: losing weight without trying\r\n" in reviews[0]
    assert "  2. Other symptoms with the pain: none\r\n" in reviews[0]
    assert "Change 2: other symptoms with the pain" in reviews[0]
    assert "  3. Age: 30\r\n" in reviews[0]
    assert "  1. Warning signs: losing weight without trying\r\n" in reviews[1]
    assert "  2. Other symptoms with the pain: pain or burning when passing urine, or blood in the urine" in reviews[1]
    assert "  1. Warning signs: none\r\n" in reviews[2]
    assert "  2. Other symptoms with the pain: pain or burning when passing urine" in reviews[2]
    # each change asked its own screen again, not the other
    assert OTHER.prompt in reviews[0] and SPINE.prompt not in reviews[0]
    assert SPINE.prompt in reviews[1] and OTHER.prompt not in reviews[1]


def test_an_emergency_ticked_at_the_review_gives_the_advice(base_answers: dict[str, Any]) -> None:
    fainting = [c.value for c in OTHER.choices].index("fainting_or_collapse")
    change = _review_pick("red_flags:other") + DOWN * fainting + SPACE + ENTER
    run = drive(script(base_answers, review=change + ENTER))  # then "stop here"
    assert (run.status, run.stdout, run.stderr) == (ExitStatus.OK, "", "")
    shown = flat(run.screen)
    assert shown.index("Your answers") < shown.index(flat(RULES_BY_ID["E7"].why))
    lines = [line for line in run.screen.splitlines() if line.strip()]
    assert lines[-2:] == [STOPPED, EMERGENCY]


# ───────────────────────── under 16 ─────────────────────────


def _say_under_16(answers: dict[str, Any], choice: str) -> str:
    """Keys up to the age question, then an age of 12, then the choice at "is your age 12?"; nothing after (the
    drive fails if a question after the age is asked)."""
    return keys_until(answers, "age") + "12" + ENTER + choice


def _under_16_ending(run: Run, *, emergency: bool = False) -> str:
    """Checks the end for someone under 16 (after an emergency warning, the emergency action last); returns the
    words shown before it (spaces and line breaks as one space)."""
    assert run.status == ExitStatus.OK, run.stderr
    assert run.stdout == "" and run.stderr == ""
    shown = " ".join(run.screen.split())
    ending = " ".join([NOT_FOR_YOU, INSTEAD, SAFETY_NET, *([EMERGENCY] if emergency else [])])
    assert shown.endswith(ending)  # the last line: the safety-net, or the emergency action
    lines = [line for line in run.screen.splitlines() if line.strip()]
    assert (lines[-1] == EMERGENCY) == emergency
    return shown[: -len(ending)].strip()


def test_under_16_ends_with_what_to_do_instead(base_answers: dict[str, Any], tmp_path: Path) -> None:
    save = tmp_path / "a.json"
    env, buf = env_for(), io.StringIO()
    with create_pipe_input() as inp:
        type_all(inp, _say_under_16(base_answers, DOWN + ENTER))  # "Yes: stop here"
        run = Run(run_interactive(env, "json", str(save), input=inp, output=_output(buf)), env, buf)
    before = _under_16_ending(run)
    assert "Is your age 12?" in run.screen
    assert EMERGENCY not in run.screen
    assert not before.endswith(SIGNS_GIVEN)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("flag", ["bladder_or_bowel_change", "saddle_numbness", "new_symptoms_both_legs"])
def test_under_16_with_an_emergency_ends_with_the_emergency_action(base_answers: dict[str, Any], flag: str) -> None:
    """An emergency sign is never downgraded: no "same day" for it anywhere, and the emergency action last."""
    answers = {**base_answers, "red_flags": [flag]}
    run = drive(_say_under_16(answers, DOWN + ENTER))
    before = _under_16_ending(run, emergency=True)
    assert "EMERGENCY: " + EMERGENCY in before  # the warning, when the sign was ticked
    words = " ".join(run.screen.split()).lower()
    for sign in ("bladder", "bowel", "genitals", "both legs", "getting worse"):
        for sentence in re.split(r"(?<=[.;])\s", words):
            assert not (sign in sentence and "same day" in sentence and "emergency" not in sentence), sentence


def test_under_16_at_the_review_with_worsening_weakness_ends_with_the_emergency_action(
    base_answers: dict[str, Any],
) -> None:
    answers = {**base_answers, "weakness": "worsening"}
    change_age = _review_pick("age") + CTRL_U + "15" + ENTER + DOWN + ENTER
    _under_16_ending(drive(script(answers, review=change_age)), emergency=True)


def test_under_16_with_other_warning_signs_says_so_first(base_answers: dict[str, Any]) -> None:
    answers = {**base_answers, "red_flags": ["fever_or_chills"]}
    before = _under_16_ending(drive(_say_under_16(answers, DOWN + ENTER)))
    assert before.endswith(SIGNS_GIVEN)


def test_an_age_typed_wrong_can_be_changed(base_answers: dict[str, Any]) -> None:
    rest = script(base_answers).split(f"30{ENTER}", 1)[1]
    run = drive(_say_under_16(base_answers, ENTER) + f"30{ENTER}" + rest)  # "No: change my age", then 30
    assert run.status == ExitStatus.OK, run.stderr
    assert run.json() == assess(validate(reachable(base_answers)))
    assert NOT_FOR_YOU not in run.screen


@pytest.mark.parametrize("typed", ["-5", "0", "1e1", "1_2", "12.0"])
def test_an_odd_age_is_asked_again_not_taken_for_under_16(base_answers: dict[str, Any], typed: str) -> None:
    rest = script(base_answers).split(f"30{ENTER}", 1)[1]
    run = drive(keys_until(base_answers, "age") + typed + ENTER + f"30{ENTER}" + rest)
    assert run.status == ExitStatus.OK, run.stderr
    assert "Is your age" not in run.screen
    assert "Please type a whole number from 16 to 120." in run.screen
    assert run.json() == assess(validate(reachable(base_answers)))


def test_under_16_given_at_the_review_ends_the_same_way(base_answers: dict[str, Any]) -> None:
    change_age = _review_pick("age") + CTRL_U + "15" + ENTER + DOWN + ENTER
    _under_16_ending(drive(script(base_answers, review=change_age)))


# ───────────────────────── cancelling ─────────────────────────


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
@pytest.mark.parametrize("at", ["age", "pain_areas", "trend"])
def test_ctrl_c_or_d_mid_way_cancels(base_answers: dict[str, Any], tmp_path: Path, key: str, at: str) -> None:
    save = tmp_path / "answers.json"
    run = drive(keys_until(base_answers, at) + "1" + key, save=str(save))
    assert run.status == ExitStatus.INTERRUPTED
    assert run.stderr == "backpain: cancelled; nothing was saved.\n"
    assert run.stdout == ""
    assert list(tmp_path.iterdir()) == []


# ───────────────────────── saving the answers ─────────────────────────


def test_save_answers_replays_to_the_same_result(base_answers: dict[str, Any], tmp_path: Path) -> None:
    answers = {**base_answers, "weakness": "stable", "treatments_tried": ["rest"], "goals": ["less_pain"]}
    save = tmp_path / "saved.json"
    run = drive(script(answers), save=str(save))
    assert run.status == ExitStatus.OK, run.stderr
    assert stat.S_IMODE(save.stat().st_mode) == 0o600
    assert json.loads(save.read_text()) == reachable(answers)
    assert [p.name for p in tmp_path.iterdir()] == ["saved.json"]
    replay = CliRunner().invoke(app, ["assess", "--answers", str(save), "--format", "json"])
    assert replay.exit_code == 0
    assert json.loads(replay.stdout) == run.json()


def test_save_answers_replaces_an_old_file_and_makes_it_private(base_answers: dict[str, Any], tmp_path: Path) -> None:
    save = tmp_path / "saved.json"
    save.write_text("old")
    save.chmod(0o644)
    run = drive(script(base_answers), save=str(save))
    assert run.status == ExitStatus.OK
    assert stat.S_IMODE(save.stat().st_mode) == 0o600
    assert json.loads(save.read_text())["age"] == base_answers["age"]


def test_save_answers_to_a_missing_folder_fails_before_any_question(tmp_path: Path) -> None:
    run = drive("", save=str(tmp_path / "nowhere" / "a.json"))
    assert run.status == ExitStatus.USAGE
    assert "does not exist" in run.stderr
    assert run.screen == ""


def test_an_interrupted_save_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from backpain_cli.io import answers_file

    target = tmp_path / "a.json"
    target.write_text("before")

    def interrupted(src: str, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        answers_file.write_private(str(target), b"{}")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert target.read_text() == "before"


def test_save_answers_needs_the_questions() -> None:
    result = CliRunner().invoke(app, ["assess", "--save-answers", os.devnull], input="{}")
    assert result.exit_code == ExitStatus.USAGE
    assert "--save-answers" in result.stderr


# ───────────────────────── saving the result to the history ─────────────────────────

SAVE_YES = DOWN + ENTER  # at "save this result?", whose default is no


class _Tee(io.BytesIO):
    """stdout that also goes to the screen's buffer, to see the order of the result and the questions."""

    def __init__(self, screen: io.StringIO) -> None:
        super().__init__()
        self.screen = screen

    def write(self, data: Any) -> int:
        self.screen.write(bytes(data).decode())
        return super().write(data)


def _not_a_database(tmp_path: Path) -> Path:
    db = tmp_path / "history.sqlite3"
    db.write_bytes(b"this is not a backpain history\n" * 200)
    return db


def test_the_result_is_shown_before_asking_to_save_it(base_answers: dict[str, Any], tmp_path: Path) -> None:
    env, buf = env_for(), io.StringIO()
    env.stdout = _Tee(buf)
    db = tmp_path / "history.sqlite3"
    with create_pipe_input() as inp:
        type_all(inp, script(base_answers) + SAVE_YES)
        status = run_interactive(env, "json", history=lambda: db, input=inp, output=_output(buf))
    shown = plain(buf)
    assert status == ExitStatus.OK, env.stderr.getvalue()  # type: ignore[attr-defined]
    assert shown.index('"policy_version"') < shown.index(SAVE_QUESTION)
    assert db.exists()
    assert env.stderr.getvalue().startswith("backpain: saved as assessment 1 in ")  # type: ignore[attr-defined]


def test_saying_no_saves_nothing(base_answers: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    run = drive(script(base_answers) + ENTER, history=db)
    assert run.status == ExitStatus.OK
    assert SAVE_QUESTION in run.screen
    assert run.stderr == ""
    assert not db.exists()


def test_a_save_that_fails_at_the_question_after_the_result(base_answers: dict[str, Any], tmp_path: Path) -> None:
    db = _not_a_database(tmp_path)
    before = db.read_bytes()
    run = drive(script(base_answers) + SAVE_YES, history=db)
    assert run.status == ExitStatus.NOT_SAVED == 3
    assert run.json() == assess(validate(reachable(base_answers)))  # the result, whole
    assert run.stderr.startswith("backpain: not saved to your history: ")
    assert run.stderr.count("\n") == 1
    assert db.read_bytes() == before


def test_save_flag_that_fails_still_shows_the_result(base_answers: dict[str, Any], tmp_path: Path) -> None:
    """--save: saved before the result is shown (so it can show the change since last time); a failure is said
    after the result."""
    db = _not_a_database(tmp_path)
    run = drive(script(base_answers), history=db, save_flag=True)
    assert run.status == ExitStatus.NOT_SAVED
    assert run.json() == assess(validate(reachable(base_answers)))
    assert SAVE_QUESTION not in run.screen
    assert run.stderr.startswith("backpain: not saved to your history: ")
    assert run.stderr.count("\n") == 1


def test_a_history_folder_that_cannot_be_made(base_answers: dict[str, Any], tmp_path: Path) -> None:
    (tmp_path / "a-file").write_text("")
    run = drive(script(base_answers) + SAVE_YES, history=tmp_path / "a-file" / "history.sqlite3")
    assert run.status == ExitStatus.NOT_SAVED
    assert run.json()["level"] == "self_care"
    assert run.stderr.startswith("backpain: not saved to your history: ")
    assert run.stderr.count("\n") == 1
    assert "Traceback" not in run.stderr


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
def test_cancelling_at_the_save_question(base_answers: dict[str, Any], tmp_path: Path, key: str) -> None:
    db = tmp_path / "history.sqlite3"
    run = drive(script(base_answers) + key, history=db)
    assert run.status == ExitStatus.INTERRUPTED
    assert run.json()["level"] == "self_care"  # already shown
    assert run.stderr == f"backpain: {SAVE_CANCELLED}\n"
    assert not db.exists()


def test_saving_at_the_question_says_the_change_since_last_time(base_answers: dict[str, Any], tmp_path: Path) -> None:
    db = tmp_path / "history.sqlite3"
    assert drive(script(base_answers) + SAVE_YES, history=db).status == ExitStatus.OK
    worse = {**base_answers, "pain_intensity": 9}
    run = drive(script(worse) + SAVE_YES, history=db)
    assert run.status == ExitStatus.OK
    assert "since_last" not in run.json()  # shown before it was saved
    after = run.screen[run.screen.index(SAVE_QUESTION) :]
    # In the words of the report's "Since last time" row (one wording, from one function).
    store = open_store(db, create=False)
    assert store is not None
    with store:
        first = store.records()[0]
    result = assess(validate(reachable(worse)))
    since = since_last_text(history_since(first, result["scores"]["pain_impact"]), 5.0, result["level"])
    assert f"Since last time: {since}" in after
    assert "3.3 → 5.0 (+52%), worse" in after
    assert "saved as assessment 2" in run.stderr


def _lines(run: Run) -> list[str]:
    return [line for line in run.screen.splitlines() if line.strip()]


@pytest.mark.parametrize("at_question", ["no", "yes", "cancel"])
@pytest.mark.parametrize(
    ("change", "within", "says"),
    [
        ({"red_flags": ["saddle_numbness"]}, "now", "Go to an emergency department now"),
        ({"weakness": "stable"}, "today", "See a doctor today"),  # U5, marked today
        ({"red_flags": ["unexplained_weight_loss"]}, "48h", "See a doctor within 48 hours"),  # U7
    ],
)
def test_an_emergency_or_urgent_result_ends_with_its_action(
    base_answers: dict[str, Any], tmp_path: Path, change: dict[str, Any], within: str, says: str, at_question: str
) -> None:
    """Whatever happens at "save this result?" (no, yes, Ctrl-C), the result's action is the last line below it:
    for an urgent result, today or within 48 hours, as the result says."""
    answers = {**base_answers, **change}
    keys = {"no": ENTER, "yes": SAVE_YES, "cancel": CTRL_C}[at_question]
    run = drive(script(answers) + keys, history=tmp_path / "history.sqlite3")
    assert run.json()["within"] == within
    assert run.status == (ExitStatus.INTERRUPTED if at_question == "cancel" else ExitStatus.OK), run.stderr
    action = run.json()["action"]
    assert action.startswith(says)
    lines = _lines(run)
    assert lines[-1] == action
    assert run.screen.rindex(SAVE_QUESTION) < run.screen.rindex(action)


def test_a_self_care_result_is_not_followed_by_an_action(base_answers: dict[str, Any], tmp_path: Path) -> None:
    run = drive(script(base_answers) + ENTER, history=tmp_path / "history.sqlite3")
    assert run.json()["level"] == "self_care"
    assert ACTION["self_care"] not in run.screen


def test_a_busy_history_never_holds_the_result_back(
    base_answers: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--save with the history locked by another connection: the result is shown at once, before the save
    waits on the lock. Here the lock is let go when the result shows; saving first would wait out the (short)
    timeout and fail as busy."""
    import sqlite3

    from backpain_cli.faces.history import save_result
    from backpain_cli.storage import store

    db = tmp_path / "history.sqlite3"
    save_result(db, validate(reachable(base_answers)), assess(validate(reachable(base_answers))))
    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.2)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")

    class LetGoWhenShown(io.BytesIO):
        def write(self, data: Any) -> int:
            if other.in_transaction:
                other.execute("COMMIT")
            return super().write(data)

    env, buf = env_for(), io.StringIO()
    env.stdout = LetGoWhenShown()
    answers = {**base_answers, "red_flags": ["saddle_numbness"]}
    with create_pipe_input() as inp:
        type_all(inp, script(answers))
        status = run_interactive(env, "json", history=lambda: db, save=True, input=inp, output=_output(buf))
    other.close()
    run = Run(status, env, buf)
    assert run.status == ExitStatus.OK, run.stderr
    assert run.json()["level"] == "emergency"
    assert "saved as assessment 2" in run.stderr
    assert _lines(run)[-1] == EMERGENCY
    assert "Since last time: " in run.screen  # said after the save, on one line


def test_a_busy_history_is_said_after_the_result(
    base_answers: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import sqlite3

    from backpain_cli.faces.history import save_result
    from backpain_cli.storage import store

    db = tmp_path / "history.sqlite3"
    save_result(db, validate(reachable(base_answers)), assess(validate(reachable(base_answers))))
    monkeypatch.setattr(store, "BUSY_TIMEOUT", 0.2)
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        run = drive(script(base_answers), history=db, save_flag=True)
    finally:
        other.close()
    assert run.status == ExitStatus.NOT_SAVED
    assert run.json() == assess(validate(reachable(base_answers)))
    assert run.stderr.startswith("backpain: not saved to your history: ")
    assert "busy" in run.stderr


@pytest.mark.timeout(60)
@pytest.mark.parametrize("asked", [False, True])
def test_ctrl_c_while_waiting_for_a_busy_history_cancels_only_the_save(
    base_answers: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, asked: bool
) -> None:
    """--save (or "yes" at the save question) with the history held by another connection: stderr says the save
    waits for it; Ctrl-C then cancels the save only (said so, exit 130), and the emergency action is still the
    last line."""
    import signal
    import sqlite3

    from backpain_cli.faces.history import save_result
    from backpain_cli.storage import store

    db = tmp_path / "history.sqlite3"
    save_result(db, validate(reachable(base_answers)), assess(validate(reachable(base_answers))))
    # Only a bound: the Ctrl-C comes as soon as the wait is said, and the save waits for nothing else.
    monkeypatch.setattr(store, "BUSY_TIMEOUT", 45.0)

    # The person presses Ctrl-C once the waiting message is on the screen, never before: the message is recorded
    # first, then `shown` is set, and the "person" (a thread) sends SIGINT only then. (A timer started before
    # the message was recorded could fire first on a loaded machine, and the message went missing.)
    shown, over = threading.Event(), threading.Event()

    class SaysWhenWaiting(io.StringIO):
        def write(self, text: str) -> int:
            written = super().write(text)
            if "waiting for another backpain" in text:
                shown.set()
            return written

    def person() -> None:
        if shown.wait(60) and not over.is_set():
            os.kill(os.getpid(), signal.SIGINT)

    env, buf = env_for(), io.StringIO()
    env.stderr = SaysWhenWaiting()
    answers = {**base_answers, "red_flags": ["saddle_numbness"]}
    other = sqlite3.connect(db, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    presser = threading.Thread(target=person, daemon=True)
    presser.start()
    try:
        with create_pipe_input() as inp:
            type_all(inp, script(answers) + (SAVE_YES if asked else ""))
            status = run_interactive(env, "json", history=lambda: db, save=not asked, input=inp, output=_output(buf))
    finally:
        over.set()
        shown.set()
        presser.join(60)
        other.rollback()
        other.close()
    run = Run(status, env, buf)
    assert run.status == ExitStatus.INTERRUPTED, run.stderr
    assert run.json()["level"] == "emergency"
    said = run.stderr.splitlines()
    assert said == ["backpain: " + SAVE_WAITING, "backpain: " + SAVE_CANCELLED]
    assert _lines(run)[-1] == EMERGENCY
    with open_store(db) as saved:
        assert saved is not None and saved.count() == 1


# ───────────────────────── -o FILE at the questions ─────────────────────────


def test_output_file_stays_as_it_was_when_stopping_at_the_advice(base_answers: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("an earlier report\n")
    run = drive(script({**base_answers, "red_flags": ["saddle_numbness"]}, on_warning="stop"), output=out)
    assert run.status == ExitStatus.OK
    assert out.read_text() == "an earlier report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


def test_output_file_stays_as_it_was_at_the_under_16_ending(base_answers: dict[str, Any], tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    out.write_text("an earlier report\n")
    run = drive(_say_under_16(base_answers, DOWN + ENTER), output=out)
    assert run.status == ExitStatus.OK
    assert out.read_text() == "an earlier report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


@pytest.mark.parametrize("key", [CTRL_C, CTRL_D])
def test_output_file_shown_written_and_kept_when_the_save_question_is_cancelled(
    base_answers: dict[str, Any], tmp_path: Path, key: str
) -> None:
    """In a terminal with -o FILE: the report is on the screen and in FILE, said so, before "save this result?";
    cancelling that question cancels only the save to the history."""
    out, db = tmp_path / "report.json", tmp_path / "history.sqlite3"
    answers = {**base_answers, "weakness": "stable"}
    run = drive(script(answers) + key, history=db, output=out, stdout_isatty=True)
    assert run.status == ExitStatus.INTERRUPTED
    assert json.loads(out.read_text()) == assess(validate(reachable(answers)))
    assert "URGENT" in ANSI.sub("", run.stdout)  # the report, on the screen, in colour
    assert "\x1b[" in run.stdout
    assert run.screen.index(f"Report written to {out}.") < run.screen.index(SAVE_QUESTION)
    assert run.stderr == f"backpain: {SAVE_CANCELLED}\n"
    assert "not saved to your history" in SAVE_CANCELLED
    assert not db.exists()


def test_output_file_in_markdown_with_the_text_report_on_the_screen(
    base_answers: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "report.md"
    run = drive(
        script(base_answers) + ENTER, "markdown", history=tmp_path / "h.sqlite3", output=out, stdout_isatty=True
    )
    assert run.status == ExitStatus.OK
    assert out.read_text().startswith("# Back and neck pain")
    assert not run.stdout.startswith("# Back and neck pain")
    assert ACTION["self_care"].split(":")[0] in ANSI.sub("", run.stdout)


def test_output_file_with_stdout_redirected_shows_the_report_where_the_questions_are(
    base_answers: dict[str, Any], tmp_path: Path
) -> None:
    """Questions on stderr (stdout redirected) and -o FILE: the report is shown there too; stdout stays empty."""
    out = tmp_path / "report.json"
    run = drive(script(base_answers) + ENTER, history=tmp_path / "h.sqlite3", output=out)
    assert run.status == ExitStatus.OK
    assert json.loads(out.read_text())["level"] == "self_care"
    assert run.stdout == ""
    assert "SELF-CARE" in run.stderr.upper() and "\x1b[" not in run.stderr  # the text report, plain (no colour)


def test_output_file_that_cannot_be_written_is_said_and_the_result_still_shown(
    base_answers: dict[str, Any], tmp_path: Path
) -> None:
    out = tmp_path / "report.json"
    out.write_text("an earlier report\n")

    class Full(io.BytesIO):
        def write(self, data: Any) -> int:
            raise OSError(28, "No space left on device")

    target = AtomicFile(str(out))
    target.file.close()
    target.file = Full()
    env, buf = env_for(), io.StringIO()
    with create_pipe_input() as inp:
        type_all(inp, script(base_answers) + ENTER)
        try:
            status = run_interactive(env, "json", input=inp, output=_output(buf), report_file=(str(out), target))
        finally:
            target.discard()
    run = Run(status, env, buf)
    assert run.status == ExitStatus.USAGE
    assert f"backpain: cannot write to {out}: No space left on device" in run.stderr
    assert "SELF-CARE" in run.stderr.upper()  # the report was shown all the same
    assert out.read_text() == "an earlier report\n"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]


# ───────────────────────── never prompting without a terminal ─────────────────────────


def test_no_terminal_at_all_never_prompts() -> None:
    env = Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), True, False, False)
    status = run_interactive(env, None)
    assert status == ExitStatus.USAGE
    assert "Pipe answers in as JSON" in env.stderr.getvalue()  # type: ignore[attr-defined]


def test_no_terminal_says_what_no_piped_answers_says() -> None:
    """One wording for "no answers, and nowhere to ask": the interactive face and the JSON face agree."""
    env = Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), True, False, False)
    run_interactive(env, None)
    piped = CliRunner().invoke(app, ["assess"], input="")
    assert env.stderr.getvalue() == piped.stderr  # type: ignore[attr-defined]


def test_stdin_not_a_terminal_and_no_answers_exits_2() -> None:
    result = CliRunner().invoke(app, ["assess"], input="")
    assert result.exit_code == ExitStatus.USAGE
    assert "backpain assess < answers.json" in result.stderr
    assert "Traceback" not in result.output


# ───────────────────────── JSON mode stays light ─────────────────────────

_PROBE = """
import json, sys
from backpain_cli.cli.app import main
try:
    main()
except SystemExit as exc:
    code = exc.code
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"questionary", "prompt_toolkit", "rich"})
interactive = "backpain_cli.faces.interactive" in sys.modules
print(json.dumps({"code": code, "heavy": heavy, "interactive": interactive}), file=sys.stderr)
"""


def test_json_mode_never_imports_the_prompt_libraries(base_answers: dict[str, Any]) -> None:
    import subprocess
    import sys

    done = subprocess.run(
        [sys.executable, "-c", _PROBE, "assess", "--format", "json"],
        input=json.dumps(base_answers),
        capture_output=True,
        text=True,
        timeout=60,
    )
    probe = json.loads(done.stderr.strip().splitlines()[-1])
    assert probe == {"code": 0, "heavy": [], "interactive": False}
    assert json.loads(done.stdout)["level"] == "self_care"


def test_prompts_share_one_set_of_default_key_bindings(pipe: Any) -> None:
    import questionary

    _, _, screen = pipe
    first = questionary.checkbox("a", ["x"], input=screen.input, output=screen.output).application
    second = questionary.select("b", ["y"], input=screen.input, output=screen.output).application
    assert first._default_bindings is second._default_bindings


@pytest.mark.parametrize("missing", ["application", "defaults"])
def test_sharing_key_bindings_falls_back_silently(pipe: Any, monkeypatch: pytest.MonkeyPatch, missing: str) -> None:
    """A prompt_toolkit without the name the start-up speed-up replaces: nothing is replaced, and the prompts
    still work (each application with its own default key bindings, as prompt_toolkit makes them)."""
    import questionary
    from prompt_toolkit.application import application
    from prompt_toolkit.key_binding import defaults

    from backpain_cli.faces import interactive

    monkeypatch.setattr(application, "load_key_bindings", defaults.load_key_bindings)  # as prompt_toolkit has it
    monkeypatch.delattr(application if missing == "application" else defaults, "load_key_bindings")
    interactive._share_default_key_bindings()
    assert not getattr(getattr(application, "load_key_bindings", None), "_backpain_shared", False)
    if missing == "defaults":
        inp, buf, _ = pipe
        screen = Screen(inp, _output(buf))  # calls it again
        first = questionary.checkbox("a", ["x"], input=inp, output=screen.output).application
        second = questionary.select("b", ["y"], input=inp, output=screen.output).application
        assert first._default_bindings is not second._default_bindings
        type_all(inp, "41" + ENTER)
        assert screen.text("How old?") == "41"


class _FullDisk(io.BytesIO):
    def write(self, data: Any) -> int:
        raise OSError(28, "No space left on device")


def test_a_result_that_cannot_be_written_to_stdout_is_still_shown(base_answers: dict[str, Any]) -> None:
    """`backpain assess > /dev/full` at the questions: the report reaches the screen, the failure is said, and an
    emergency's action is the last line."""
    from backpain_cli.faces.sinks import GuardedOutput

    answers = {**base_answers, "red_flags": ["saddle_numbness"]}
    env = Environment(io.BytesIO(), GuardedOutput(_FullDisk(), "stdout"), io.StringIO(), True, False, False)  # type: ignore[arg-type]
    buf = io.StringIO()
    with create_pipe_input() as inp:
        inp.send_text(script(answers, on_warning="go"))
        inp.close()
        status = run_interactive(env, "json", None, input=inp, output=_output(buf))
    assert status == ExitStatus.USAGE
    err = env.stderr.getvalue()  # type: ignore[attr-defined]
    assert "EMERGENCY" in err  # the text report, on the screen's stream
    assert "cannot write the output to stdout: No space left on device" in err
    assert plain(buf).rstrip().splitlines()[-1] == ACTION["emergency"]
