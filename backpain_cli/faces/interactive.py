"""The interactive questionnaire: `backpain assess` in a terminal.

Every question, option, range and condition comes from `questionnaire.QUESTIONS` (through `flow`); this module
only puts them on the screen with questionary. The answers it builds are exactly the answers contract, and go
through the same `validate`, `assess` and sink as piped JSON, so the same answers give the same result.

Imported only on the interactive path: JSON mode never loads questionary or prompt_toolkit.
"""

from __future__ import annotations

import io
import sys
import textwrap
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any, Protocol

import questionary
from prompt_toolkit import print_formatted_text
from prompt_toolkit.formatted_text import FormattedText
from prompt_toolkit.input import Input, create_input
from prompt_toolkit.key_binding import KeyBindings, KeyBindingsBase, KeyPressEvent, merge_key_bindings
from prompt_toolkit.output import Output, create_output
from prompt_toolkit.styles import Style, merge_styles
from questionary.constants import DEFAULT_STYLE

from backpain_cli.core import durations, flow
from backpain_cli.core.i18n import N_, _
from backpain_cli.core.questionnaire import SHORT_NAMES, Question, number_text
from backpain_cli.io.env import Environment
from backpain_cli.io.process import ExitStatus

#: The value of the "skip" option of an optional single-choice question, and of "go on" in the review.
_SKIP = "\x00skip"
_DONE = "\x00done"
_YES, _NO = "yes", "no"

CANCELLED = N_("cancelled; nothing was saved.")
#: Said when the person stops at the emergency advice, just before the advice's action is repeated as the last line.
STOPPED = N_("You chose to stop here: no report was made and nothing was saved.")
#: Said when the questionnaire is not for the person (under 16), after any emergency advice.
NOT_FOR_YOU = N_("This questionnaire is for people aged 16 and over, so it gives no result here; nothing was saved.")
#: Then what to do instead (and last, the safety-net every report carries).
#: Never "the same day" for a sign the policy sends to an emergency department: the safety-net that follows says so.
INSTEAD = N_(
    "See a doctor or your GP about the pain: the same day after an injury, or with fever, or with numbness, "
    "tingling or steady weakness in an arm or a leg."
)
#: Before that, when a warning sign was ticked that did not already bring the emergency advice.
SIGNS_GIVEN = N_("You ticked warning signs: get medical advice today.")
#: True wherever the result went (the screen, stdout redirected to a file, or `-o FILE`): only the save is cancelled.
SAVE_CANCELLED = N_("cancelled; this result was not saved to your history.")

STYLE = merge_styles(
    [
        DEFAULT_STYLE,  # "?", the question and the answer as questionary shows them
        Style.from_dict(
            {
                "progress": "fg:ansibrightblack",
                "help": "italic",
                "alarm": "bold fg:ansired",
                "problem": "fg:ansiyellow",
                "heading": "bold",
            }
        ),
    ]
)

_CHECKBOX_HOW = N_("(arrow keys to move, space to tick, Enter when done)")
_CHECKBOX_NONE = N_("(arrow keys, space to tick, Enter when done; none ticked is fine)")
_SELECT_HOW = N_("(arrow keys to move, Enter to choose)")
#: What questionary draws before a choice's title: " » " (or three spaces), and for a tick box "● " or "○ ".
_SELECT_PREFIX, _CHECKBOX_PREFIX = 3, 5

# Ctrl-D cancels at every prompt, as Ctrl-C does (questionary's lists would otherwise swallow it).
_CANCEL_KEYS = KeyBindings()


@_CANCEL_KEYS.add("c-d", eager=True)
def _cancel(event: KeyPressEvent) -> None:
    event.app.exit(exception=EOFError, style="class:aborting")


def _share_default_key_bindings() -> None:
    """Build prompt_toolkit's default key bindings once, not once per Application.

    Every prompt_toolkit Application builds its ~1800 default key bindings afresh (about 4 ms), and questionary
    makes three Applications for each list question: most of the time before the first question shows (without
    this, time to the first question is about 1.2x the floor of bench/startup_prompt.py; with it, about 1.07x).
    The defaults never change and hold no per-application state (their handlers reach the app through the
    event), so one set serves every prompt. Only this process, only the interactive path, is affected.

    It replaces a name inside prompt_toolkit (`application.load_key_bindings`, which `Application.__init__`
    calls). Should a prompt_toolkit release rename or move it, nothing is replaced: prompts are then only a
    little slower, never broken."""
    try:
        from prompt_toolkit.application import application
        from prompt_toolkit.key_binding import defaults
    except ImportError:  # pragma: no cover - modules of prompt_toolkit 3.0 moved: leave it as it is
        return
    name = "load_key_bindings"
    original = getattr(application, name, None)
    build = getattr(defaults, name, None)
    if not callable(original) or not callable(build) or getattr(original, "_backpain_shared", False):
        return  # not the prompt_toolkit this was written for (only slower), or done already
    try:
        shared = build()
    except Exception:  # a changed signature, say: only slower
        return
    if not isinstance(shared, KeyBindingsBase):
        return

    def load_key_bindings() -> KeyBindingsBase:
        return shared

    load_key_bindings._backpain_shared = True  # type: ignore[attr-defined]
    setattr(application, name, load_key_bindings)


class Stopped(Exception):
    """The person chose to stop after the emergency advice."""


class NotForYou(Exception):
    """The questionnaire is not for the person (an age under 16, confirmed): it ends with advice instead."""


class Screen:
    """The terminal: one prompt_toolkit input and output shared by every prompt (so typed-ahead keys carry over)."""

    def __init__(self, input: Input, output: Output) -> None:
        _share_default_key_bindings()
        self.input = input
        self.output = output
        self.pending: list[tuple[str, str]] = []

    def say(self, text: str, style: str = "") -> None:
        """A line for the person, wrapped at word boundaries to the terminal's width; lines are shown together,
        just before the next question (or at `flush`)."""
        try:
            width = max(40, self.output.get_size().columns - 1)
        except Exception:  # an output that cannot tell its size
            width = 79
        lead = len(text) - len(text.lstrip("\n"))
        wrapped = "\n".join(
            textwrap.fill(line, width, subsequent_indent=" " * (len(line) - len(line.lstrip())), break_on_hyphens=False)
            for line in text[lead:].split("\n")
        )
        self.pending += [(style, text[:lead] + wrapped), ("", "\n")]

    def flush(self) -> None:
        if self.pending:
            text, self.pending = FormattedText(self.pending), []
            print_formatted_text(text, style=STYLE, output=self.output, end="")

    def _ask(self, question: questionary.Question) -> Any:
        self.flush()
        app = question.application
        app.key_bindings = merge_key_bindings([app.key_bindings or KeyBindings(), _CANCEL_KEYS])
        return question.unsafe_ask()

    def text(self, message: str, default: str = "", erase: bool = False) -> str:
        """A typed answer. `erase`: questionary's answered line is erased, for the caller to say (`answered`)
        what it understood."""
        shown, _how = self.heading(message)
        question = questionary.text(shown, default=default, input=self.input, output=self.output)
        question.application.erase_when_done = erase
        answer: str = self._ask(question)
        return answer

    def width(self) -> int:
        """The terminal's width in columns (80 for an output that cannot tell)."""
        try:
            return max(20, self.output.get_size().columns)
        except Exception:  # an output that cannot tell its size
            return 80

    def fit(self, title: str, prefix: int) -> str:
        """A choice's title wrapped at word boundaries to the terminal, each continuation line indented under
        the title's first word. questionary does not wrap choice titles (a long one is cut at the terminal's
        edge); a newline in a title is drawn as a line break, with the pointer still on the first line.
        `prefix` is the width of what questionary draws before the title (pointer, tick box)."""
        room = self.width() - prefix - 1
        if len(title) <= room:
            return title
        return ("\n" + " " * prefix).join(textwrap.wrap(title, max(10, room), break_on_hyphens=False))

    def heading(self, message: str, instruction: str = "") -> tuple[str, str]:
        """The question and its instruction as questionary draws them ("? question instruction"), with line breaks
        at word boundaries to fit the terminal: the terminal itself would break the line mid-word."""
        room = self.width() - 1
        lines = textwrap.wrap("? " + message, room, break_on_hyphens=False) or ["?"]
        message = "\n".join(lines)[2:]
        if not instruction:
            return message, instruction
        column = len(lines[-1]) + 1  # questionary puts a space between the question and the instruction
        if column + 1 + len(instruction.split(" ", 1)[0]) > room:  # not even its first word fits: a line of its own
            return message, "\n" + "\n".join(textwrap.wrap(instruction, room, break_on_hyphens=False))
        held = "\x00" * column  # stands for the question's last line: a word no wrap breaks
        wrapped = textwrap.wrap(held + instruction, room, break_on_hyphens=False)
        return message, "\n".join([wrapped[0][column:], *wrapped[1:]])

    def select(self, message: str, choices: Sequence[tuple[str, str]], default: str | None = None) -> str:
        shown, how = self.heading(message, _(_SELECT_HOW))
        question = questionary.select(
            shown,
            [questionary.Choice(self.fit(title, _SELECT_PREFIX), value) for title, value in choices],
            default=default,
            instruction=how,
            input=self.input,
            output=self.output,
        )
        # questionary's answered line repeats the title as drawn (line breaks and all): ours says it on one line.
        question.application.erase_when_done = True
        answer: str = self._ask(question)
        self.answered(message, next(title for title, value in choices if value == answer))
        return answer

    def checkbox(self, message: str, choices: Sequence[tuple[str, str]], checked: Sequence[str], how: str) -> list[str]:
        shown, how = self.heading(message, _(how))
        question = questionary.checkbox(
            shown,
            [
                questionary.Choice(self.fit(title, _CHECKBOX_PREFIX), value, checked=value in checked)
                for title, value in choices
            ],
            instruction=how,
            input=self.input,
            output=self.output,
        )
        # questionary's own answered line says "done" (or "done (3 selections)"): it is erased and ours, naming
        # what was ticked, takes its place.
        question.application.erase_when_done = True
        answer: list[str] = self._ask(question)
        self.answered(message, flow.ticked_text([title for title, value in choices if value in answer]))
        return answer

    def answered(self, message: str, answer: str) -> None:
        """The answered question, as questionary shows it: "? question answer" (broken at word boundaries)."""
        message, answer = self.heading(message, answer)
        self.pending += [("class:qmark", "?"), ("class:question", f" {message} "), ("class:answer", answer), ("", "\n")]


class Questionnaire:
    """Asks the questions of the one definition in order, warns at once on an emergency, then offers a review."""

    def __init__(self, screen: Screen) -> None:
        self.screen = screen
        self.answers: dict[str, Any] = {}
        #: Keys whose every screen has been answered (or had nothing to offer): what the early warning may read.
        self.decided: set[str] = set()
        #: Screens (`flow.Step.id`) answered, or passed over for having nothing to offer.
        self.asked: set[str] = set()
        self.offered: dict[str, tuple[str, ...]] = {}
        self.warned: set[str] = set()

    def run(self) -> dict[str, Any]:
        """The answers-contract object. Raises Stopped, KeyboardInterrupt (Ctrl-C) or EOFError (Ctrl-D)."""
        total = len(flow.STEPS)
        for number, step in enumerate(flow.STEPS, 1):
            if step.choices and not step.offered(self.answers):
                self._done(step)
                continue
            self.screen.say(
                "\n"
                + _("{section} · question {number} of {total}").format(
                    section=_(step.question.section), number=number, total=total
                ),
                "class:progress",
            )
            self.ask(step)
            if step.key in self.decided:  # the last screen of its question: its answer may decide a rule
                self.check_emergency()
        self.review()
        return dict(self.answers)

    def _done(self, step: flow.Step) -> None:
        self.asked.add(step.id)
        if all(s.id in self.asked for s in flow.steps_of(step.key)):
            self.decided.add(step.key)

    def ask(self, step: flow.Step) -> None:
        """Ask one screen (its current answer, if any, as the default) and record the answer."""
        q = step.question
        if step.help:
            self.screen.say(_(step.help), "class:help")
        current = self.answers.get(q.key)
        options = step.offered(self.answers)
        if q.key in durations.DURATION_KEYS:
            self.answers[q.key] = self.ask_duration(_(step.prompt), current)
        elif q.kind in ("integer", "number"):
            # Checked after Enter, not as typed: the message stays on the screen above the question asked again.
            text = self.screen.text(_(step.prompt), default=number_text(current))
            while True:
                try:
                    value = flow.read_number(q, text)
                    break
                except flow.Refused as exc:  # not a slip of the keyboard, unless the person says it was
                    self.screen.say(str(exc), "class:problem")
                    asked = _("Is your {name} {answer}?").format(
                        name=_(SHORT_NAMES.get(q.key, q.key)), answer=text.strip()
                    )
                    if self.screen.select(asked, self._refused_choices(q), "change") == "stop":
                        raise NotForYou from None
                except ValueError as exc:
                    self.screen.say(str(exc), "class:problem")
                text = self.screen.text(_(step.prompt))
            self.answers[q.key] = value
        elif q.kind == "boolean":
            default = None if current is None else (_YES if current else _NO)
            self.answers[q.key] = (
                self.screen.select(_(step.prompt), [(_("Yes"), _YES), (_("No"), _NO)], default) == _YES
            )
        elif q.kind == "choice":
            choices = [(_(c.label), c.value) for c in options]
            if not q.required:
                choices.append((_("Skip this question"), _SKIP))
            skipped = step.id in self.asked and current is None and not q.required
            picked = self.screen.select(_(step.prompt), choices, _SKIP if skipped else current)
            if picked == _SKIP:
                self.answers.pop(q.key, None)
            else:
                self.answers[q.key] = picked
        elif q.kind == "multi":
            choices = [(_(c.label), c.value) for c in options]
            how = _CHECKBOX_HOW if q.min_items else _CHECKBOX_NONE
            ticked = self.screen.checkbox(_(step.prompt), choices, step.own(current or ()), how)
            # Every screen of the question fills the one list, in the definition's order.
            while (problem := flow.check_list(q, step.merged(current or (), ticked))) is not None:
                self.screen.say(_(problem), "class:problem")
                ticked = self.screen.checkbox(_(step.prompt), choices, ticked, how)
            self.answers[q.key] = step.merged(current or (), ticked)
        else:  # pragma: no cover - only JSON-only kinds are left, and they are never asked
            raise AssertionError(f"{q.key} ({q.kind}) cannot be asked")
        self._done(step)
        self.offered[step.id] = tuple(c.value for c in options)

    def ask_duration(self, prompt: str, current: Any) -> float:
        """A duration as people say it (`3 days`, `6 months`; a plain number is weeks), in weeks; the answered
        line says what was understood: `3 days (0.4 weeks)`. Anything else is asked again, with examples."""
        text = self.screen.text(prompt, default=number_text(current), erase=True)
        while True:
            try:
                weeks, understood = durations.parse(text)
            except ValueError as exc:
                self.screen.say(str(exc), "class:problem")
                text = self.screen.text(prompt, erase=True)
                continue
            self.screen.answered(prompt, understood)
            return weeks

    @staticmethod
    def _refused_choices(q: Question) -> list[tuple[str, str]]:
        return [
            (_("No: change my {name} (a typo)").format(name=_(SHORT_NAMES.get(q.key, q.key))), "change"),
            (_("Yes: stop here"), "stop"),
        ]

    def check_emergency(self) -> None:
        """Show the emergency advice as soon as the answers so far fire an emergency rule; then stop or go on."""
        from backpain_cli.core import early
        from backpain_cli.core.explain import ACTION
        from backpain_cli.core.policy import EMERGENCY

        new = [r for r in early.emergencies(self.answers, self.decided) if r.id not in self.warned]
        if not new:
            return
        self.warned.update(r.id for r in new)
        self.screen.say("")
        self.screen.say(_("EMERGENCY: {action}").format(action=_(ACTION[EMERGENCY])), "class:alarm")
        for r in new:
            self.screen.say("  " + _(r.why), "class:alarm")
        choice = self.screen.select(
            _("What would you like to do?"),
            [
                (_("Stop here and get help now"), "stop"),
                (_("Go on with the questions for the full report"), "go"),
            ],
            default="stop",
        )
        if choice == "stop":
            raise Stopped

    def review(self) -> None:
        """Show every answer, one line per screen (numbered as the questions were); let the person change any
        screen, as often as they like, then go on. A question asked on two screens (the red flags) is changed
        one screen at a time: the other screen's ticks stay as they were."""
        while True:
            self.screen.say("\n" + _("Your answers"), "class:heading")
            lines = flow.summary(self.answers)
            for n, (_key, line) in enumerate(lines, 1):
                self.screen.say(f"{n:>3}. {line}")
            choices = [(_("They are right: show my result"), _DONE)]
            choices += [
                (_("Change {n}: {name}").format(n=n, name=_(flow.BY_ID[sid].short_name)), sid)
                for n, (sid, _line) in enumerate(lines, 1)
            ]
            picked = self.screen.select(_("Are these right?"), choices, default=_DONE)
            if picked == _DONE:
                return
            self.ask(flow.BY_ID[picked])
            self.refresh_conditional()
            self.check_emergency()

    def refresh_conditional(self) -> None:
        """After a change, keep conditional options in step with the answers: drop ticks on options no longer
        offered, and ask again when new options are now offered."""
        for step in flow.STEPS:
            if not flow.has_conditions(step.question) or step.id not in self.offered:
                continue
            now = tuple(c.value for c in step.offered(self.answers))
            before = self.offered[step.id]
            if now == before:
                continue
            if isinstance(self.answers.get(step.key), list):
                dropped = set(step.own(self.answers[step.key])) - set(now)
                self.answers[step.key] = [v for v in self.answers[step.key] if v not in dropped]
            if set(now) - set(before):
                self.screen.say("\n" + _("Your change brings new options to this question:"), "class:progress")
                self.ask(step)
            else:
                self.offered[step.id] = now


class ReportFile(Protocol):
    """Where `--output PATH` writes (sinks.AtomicFile): the report goes to `file`; `commit()` puts it in place."""

    file: IO[bytes]

    def commit(self) -> None: ...


def run_interactive(
    env: Environment,
    fmt: str | None,
    save_answers: str | None = None,
    *,
    history: Callable[[], Path] | None = None,
    save: bool = False,
    input: Input | None = None,
    output: Output | None = None,
    report_file: tuple[str, ReportFile] | None = None,
) -> ExitStatus:
    """Ask the questionnaire in the terminal, then show the result through the same sink as JSON mode.

    With `history` (giving the history database's path), the result is saved there once it is shown: at once
    when `save` is set (`--save`), or when the person says yes to "save this result?" (default no).

    With `report_file` (`--output PATH`: the path and the file to write), the report is shown on the screen as
    well, and written to the file (in `fmt`) and committed as soon as it is made, before any question about
    saving it; when the questionnaire ends without a result, nothing is written and the file is never committed.
    """
    if output is None and not (env.stdout_isatty or env.stderr_isatty):
        from backpain_cli.faces.batch import (
            NO_ANSWERS,  # one wording for "no answers and no terminal", whichever face meets it
        )

        env.message(_(NO_ANSWERS))
        return ExitStatus.USAGE
    if save_answers is not None:
        from backpain_cli.io.answers_file import check_target

        problem = check_target(save_answers)
        if problem:
            env.message(_("cannot save answers to {path}: {why}").format(path=save_answers, why=problem))
            return ExitStatus.USAGE
    if output is None:
        # Questions go to the terminal; with stdout redirected they go to stderr, leaving stdout for the result.
        output = create_output(stdout=sys.stdout if env.stdout_isatty else sys.stderr)
    screen = Screen(input or create_input(), output)
    questionnaire = Questionnaire(screen)
    try:
        screen.say(
            _("{count} questions, a few minutes. Ctrl-C stops at any time. Your answers stay on this computer.").format(
                count=len(flow.STEPS)
            ),
            "class:progress",
        )
        answers = questionnaire.run()
    except Stopped:  # the person did what the advice says: not an interruption
        screen.say("")
        screen.say(_(STOPPED), "class:progress")
        _end_with_emergency(screen)
        return ExitStatus.OK
    except NotForYou:
        end_not_for_you(screen, questionnaire)
        return ExitStatus.OK
    except (KeyboardInterrupt, EOFError):
        screen.pending.clear()
        env.message(_(CANCELLED))
        if questionnaire.warned:  # the advice shown stays the last word, however the questionnaire ends
            _end_with_emergency(screen)
        return ExitStatus.INTERRUPTED
    screen.say("")  # a blank line between the questions and the result
    screen.flush()
    return finish(
        env,
        answers,
        fmt,
        save_answers,
        history,
        ask=None if save else screen,
        screen=screen,
        report_file=report_file,
    )


def _end_with_emergency(screen: Screen) -> None:
    """The emergency action, as the last line on the screen: what to do now."""
    from backpain_cli.core.explain import ACTION
    from backpain_cli.core.policy import EMERGENCY

    screen.say(_(ACTION[EMERGENCY]), "class:alarm")
    screen.flush()


def end_not_for_you(screen: Screen, questionnaire: Questionnaire) -> None:
    """The end for a person the questionnaire is not for: what to do instead and the safety-net; after an
    emergency warning, the emergency action last (never only the "same day" advice for an emergency sign)."""
    from backpain_cli.core.explain import SAFETY_NET

    screen.say("")
    if not questionnaire.warned and questionnaire.answers.get("red_flags"):
        screen.say(_(SIGNS_GIVEN), "class:alarm")
    screen.say(_(NOT_FOR_YOU), "class:progress")
    screen.say(_(INSTEAD))
    screen.say(_(SAFETY_NET))
    if questionnaire.warned:
        screen.say("")
        _end_with_emergency(screen)
    screen.flush()


SAVE_QUESTION = N_("Save this result in your history, on this computer only?")
SAVE_HELP = N_("Saved results let you follow how the pain changes (see them with: backpain history).")


def finish(
    env: Environment,
    answers: dict[str, Any],
    fmt: str | None,
    save_answers: str | None,
    history: Callable[[], Path] | None = None,
    *,
    ask: Screen | None = None,
    screen: Screen | None = None,
    report_file: tuple[str, ReportFile] | None = None,
) -> ExitStatus:
    """Validate and assess the answers as JSON mode does, and show the result; then, with `history` (the history
    database's path), save it there: at once (`--save`), or, with a screen to `ask` on, if the person says so.

    The result is always shown first, whatever happens to the history: a save that fails (or waits on a busy
    database) never holds it back. A failed save is reported after it, on one line, and the exit status is 3
    (NOT_SAVED, as for `assess --save`). A busy history is waited for (said on stderr); Ctrl-C then cancels only
    the save (said, exit 130). After anything said below an emergency or urgent result, its action is repeated
    as the last line. With `report_file`, see `run_interactive`.

    In four steps: assess, keep the answers (`--save-answers`), deliver the result, offer to save it."""
    from backpain_cli.core.engine import assess
    from backpain_cli.core.validation import InvalidAnswers, validate

    try:
        valid = validate(answers)
    except InvalidAnswers as exc:  # a bug: the questionnaire only offers valid answers
        env.message(
            _("internal error: the questionnaire built answers that are not valid ({error}); please report it").format(
                error=exc
            )
        )
        return ExitStatus.INTERNAL
    ending = _Ending(env, screen or ask, assess(valid), valid)
    if save_answers is not None:
        ending.keep_answers(answers, save_answers)
    if report_file is None:
        ending.deliver(fmt)
    else:
        ending.status = _report_to_file(env, ending.result, valid, fmt, report_file, ending.screen) or ending.status
    if history is not None:
        cancelled = ending.offer_to_save(history, ask)
        if cancelled is not None:
            return cancelled
    return ending.close()


class _Ending:
    """The end of the questionnaire: the result, what has been said below it, and the exit status so far."""

    def __init__(self, env: Environment, screen: Screen | None, result: dict[str, Any], valid: dict[str, Any]):
        self.env, self.screen, self.result, self.valid = env, screen, result, valid
        self.status = ExitStatus.OK
        self.said_after = False  # something was said below the result: its action is repeated last

    def tell(self, text: str) -> None:
        """A message on stderr, in its place below what the screen has shown."""
        if self.screen is not None:
            self.screen.flush()
        self.env.message(text)

    def keep_answers(self, answers: dict[str, Any], path: str) -> None:
        """`--save-answers PATH`: the answers, privately, so that `assess --answers PATH` gives the result again."""
        import json
        from shlex import quote

        from backpain_cli.io.answers_file import write_private

        data = (json.dumps(answers, indent=2, ensure_ascii=False) + "\n").encode()
        try:
            write_private(path, data)
        except OSError as exc:
            self.tell(_("could not save answers to {path}: {why}").format(path=path, why=exc.strerror or exc))
            self.status = ExitStatus.USAGE
        else:
            self.tell(
                _("answers saved; assess them again with: backpain assess --answers {path}").format(path=quote(path))
            )

    def deliver(self, fmt: str | None) -> None:
        """The result on stdout; if stdout cannot be written (`> /dev/full`), on the screen all the same."""
        from backpain_cli.faces.sinks import OutputError, make_sink

        sink = make_sink(fmt or ("text" if self.env.stdout_isatty else "json"), self.env, batch=False)
        try:
            sink.write(True, self.result, self.valid)
            sink.close()
        except OutputError as exc:  # the person must still see it
            from backpain_cli.io.env import to_devnull

            to_devnull(self.env.stdout)
            if not self.env.stdout_isatty:
                _show_on_screen(self.env, self.result, self.valid)
            self.tell(_("cannot write the output to stdout: {why}").format(why=exc.error.strerror or exc.error))
            self.status = ExitStatus.USAGE
            self.said_after = True

    def offer_to_save(self, history: Callable[[], Path], ask: Screen | None) -> ExitStatus | None:
        """Save the result to the history: at once with `--save` (no `ask`: only now, so that a busy database
        cannot hold the result back), else if the person says yes. The status if the question was cancelled."""
        if ask is not None:
            self.said_after = True
            ask.say("")
            ask.say(_(SAVE_HELP), "class:help")
            try:
                yes = (
                    ask.select(_(SAVE_QUESTION), [(_("No, do not save it"), _NO), (_("Yes, save it"), _YES)], _NO)
                    == _YES
                )
            except (KeyboardInterrupt, EOFError):
                ask.pending.clear()
                self.tell(_(SAVE_CANCELLED))
                _repeat_action(ask, self.result)
                return ExitStatus.INTERRUPTED
            if not yes:
                return None
        self.say_saved(*_save(history, self.valid, self.result, self.tell))
        return None

    def say_saved(self, outcome: ExitStatus, message: str) -> None:
        """What became of the save; once saved, the change since last time, which the report could not show."""
        self.said_after = True
        self.tell(message)
        if outcome == ExitStatus.OK and "since_last" in self.result:
            line = _since_last_line(self.result)
            if self.screen is not None:
                self.screen.say(line)
            else:
                self.env.message(line)
        if outcome != ExitStatus.OK:
            self.status = outcome

    def close(self) -> ExitStatus:
        """After anything said below an emergency or urgent result, its action is the last line."""
        if self.screen is not None:
            if self.said_after:
                _repeat_action(self.screen, self.result)
            self.screen.flush()
        return self.status


def _show_on_screen(env: Environment, result: dict[str, Any], valid: dict[str, Any]) -> None:
    """The text report on the terminal: on stdout when it is one, else on stderr, where the questions are."""
    import dataclasses

    from backpain_cli.faces.sinks import TextSink

    if env.stdout_isatty:
        shown = env
    else:
        onto_stderr = io.BufferedWriter(_TextOut(env.stderr))
        shown = dataclasses.replace(env, stdout=onto_stderr, stdout_isatty=env.stderr_isatty)
    on_screen = TextSink(shown, batch=False)
    on_screen.write(True, result, valid)
    on_screen.close()


def _repeat_action(screen: Screen, result: dict[str, Any]) -> None:
    """For an emergency or urgent result, its action once more as the last line, below whatever was said after
    the report (a question about saving, a database problem)."""
    from backpain_cli.core.policy import EMERGENCY, URGENT

    if result["level"] in (EMERGENCY, URGENT):
        screen.say("")
        screen.say(str(result["action"]), "class:alarm")
    screen.flush()


class _TextOut(io.RawIOBase):
    """A bytes stream onto a text one (stderr), for a report shown on the screen when stdout is redirected."""

    def __init__(self, text: IO[str]) -> None:
        self.text = text

    def writable(self) -> bool:
        return True

    def write(self, data: Any) -> int:
        self.text.write(bytes(data).decode("utf-8", "replace"))
        return len(data)

    def flush(self) -> None:
        self.text.flush()


def _report_to_file(
    env: Environment,
    result: dict[str, Any],
    valid: dict[str, Any],
    fmt: str | None,
    report_file: tuple[str, ReportFile],
    screen: Screen | None,
) -> ExitStatus | None:
    """`--output PATH` at the questions: the report on the screen (the terminal's, in colour) and in `fmt` to
    the file, committed at once, and said so on one line. USAGE (said on stderr) if the file cannot be written."""
    import dataclasses

    from backpain_cli.faces.sinks import make_sink

    path, target = report_file
    _show_on_screen(env, result, valid)
    try:
        file_env = dataclasses.replace(env, stdout=target.file, stdout_isatty=False)
        to_file = make_sink(fmt or "json", file_env, batch=False)
        to_file.write(True, result, valid)
        to_file.close()
        target.commit()
    except OSError as exc:  # a full disk, say: the file is left as it was (the caller discards the temporary one)
        if screen is not None:
            screen.flush()
        env.message(_("cannot write to {path}: {why}").format(path=path, why=exc.strerror or exc))
        return ExitStatus.USAGE
    if screen is not None:
        screen.say(_("Report written to {path}.").format(path=path))
    else:
        env.message(_("report written to {path}").format(path=path))
    return None


def _since_last_line(result: dict[str, Any]) -> str:
    """The change since the assessment saved before this one, in one line, in the words of the report's
    "Since last time" row."""
    from backpain_cli.render.words import since_last_text

    since = result["since_last"]
    return _("Since last time: ") + since_last_text(since, float(result["scores"]["pain_impact"]), result["level"])


def _save(
    history: Callable[[], Path], answers: dict[str, Any], result: dict[str, Any], tell: Callable[[str], None]
) -> tuple[ExitStatus, str]:
    """Save to the history: (OK, where it went), (NOT_SAVED, the one line that says why not), or (INTERRUPTED,
    that it was not saved) for Ctrl-C while waiting for a busy history, which is said (by `tell`) at once."""
    from backpain_cli.faces.history import SAVE_WAITING, save_result
    from backpain_cli.storage.store import StoreError

    try:
        path = history()
        record = save_result(path, answers, result, on_wait=lambda: tell(_(SAVE_WAITING)))
    except (StoreError, OSError) as exc:
        reason = str(exc)
        if isinstance(exc, OSError) and exc.strerror:
            reason = f"{exc.filename}: {exc.strerror}" if exc.filename else exc.strerror
        return ExitStatus.NOT_SAVED, _("not saved to your history: {reason}").format(reason=reason)
    except KeyboardInterrupt:  # Ctrl-C while the history is busy: cancels the save, nothing else
        return ExitStatus.INTERRUPTED, _(SAVE_CANCELLED)
    return ExitStatus.OK, _("saved as assessment {id} in {path} (see them with: backpain history)").format(
        id=record.id, path=path
    )
