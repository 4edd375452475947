"""The command line: a thin face over the core. Imports stay lazy so that start-up stays quick."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Optional

import typer

from . import __version__
from .exit_codes import EXIT_HELP, ExitStatus

if TYPE_CHECKING:
    from .env import Environment


class OutputFormat(enum.StrEnum):
    json = "json"
    text = "text"


class InputFormat(enum.StrEnum):
    json = "json"
    jsonl = "jsonl"


app = typer.Typer(
    add_completion=False,
    no_args_is_help=True,
    help="A back and neck pain questionnaire that suggests a next step, with its reasons. "
    "Not a diagnosis. Nothing leaves your machine.",
    epilog=EXIT_HELP,
)


def _version(value: bool) -> None:
    if value:
        print(f"backpain {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version and exit.")
    ] = False,
) -> None:
    pass


ASSESS_HELP = f"""Answer the questionnaire, or assess answers given as JSON.

In a terminal, asks the questions. When stdin is not a terminal, or with --answers, reads answers instead:
one JSON object, a JSON array of objects, or JSON Lines. One object in gives one JSON object out; several
give JSON Lines, one result per record in input order; a rejected record is reported in place as
{{"line": N, "id": ..., "error": "..."}}.

{EXIT_HELP}"""


@app.command(help=ASSESS_HELP, epilog=EXIT_HELP)
def assess(
    answers: Annotated[
        Optional[str],
        typer.Option("--answers", "-a", metavar="PATH", help="Read answers from PATH ('-' for stdin)."),
    ] = None,
    format: Annotated[
        Optional[OutputFormat],
        typer.Option("--format", "-f", help="Output format [default: text in a terminal, json otherwise]."),
    ] = None,
    input_format: Annotated[
        Optional[InputFormat],
        typer.Option("--input-format", help="Say what the input is instead of telling it from its start."),
    ] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help="Never ask questions; fail if no answers.")] = False,
    save_answers: Annotated[
        Optional[str],
        typer.Option(
            "--save-answers",
            metavar="PATH",
            help="After the questions, save your answers to PATH (private to you) to assess again with --answers.",
        ),
    ] = None,
) -> None:
    from .env import Environment

    env = Environment.from_sys()
    try:
        status = _assess(env, answers, format, input_format, no_input, save_answers)
    except KeyboardInterrupt:
        env.message("interrupted")
        status = ExitStatus.INTERRUPTED
    raise typer.Exit(int(status))


def _assess(
    env: Environment,
    answers: str | None,
    fmt: OutputFormat | None,
    input_format: InputFormat | None,
    no_input: bool,
    save_answers: str | None = None,
) -> ExitStatus:
    if answers is None and env.stdin_isatty:
        if no_input:
            from .batch import NO_ANSWERS

            env.message(NO_ANSWERS)
            return ExitStatus.USAGE
        from .interactive import run_interactive

        return run_interactive(env, fmt.value if fmt else None, save_answers)
    if save_answers is not None:
        env.message(
            "--save-answers saves answers given at the questions; with --answers or piped input there are none to save."
        )
        return ExitStatus.USAGE
    if answers is None or answers == "-":
        data = env.stdin.read()
    else:
        try:
            data = Path(answers).read_bytes()
        except OSError as exc:
            env.message(f"cannot read answers from {answers}: {exc.strerror or exc}")
            return ExitStatus.USAGE
    from .batch import run

    chosen = fmt or (OutputFormat.text if env.stdout_isatty else OutputFormat.json)
    return run(env, data, chosen.value, input_format.value if input_format else None)


@app.command()
def schema() -> None:
    """Print the JSON Schema (draft 2020-12) of the answers."""
    import json

    from .schema import answers_schema

    print(json.dumps(answers_schema(), indent=2, ensure_ascii=False))


@app.command()
def questions(
    format: Annotated[OutputFormat, typer.Option("--format", "-f", help="Output format.")] = OutputFormat.text,
) -> None:
    """List every question: its key, the allowed answers and when it is asked."""
    from .questions_doc import questions_json, questions_text

    if format is OutputFormat.json:
        import json

        print(json.dumps(questions_json(), indent=2, ensure_ascii=False))
    else:
        print(questions_text(), end="")


def main() -> None:
    app(prog_name="backpain")
