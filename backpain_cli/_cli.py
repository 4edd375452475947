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
give JSON Lines, one result per record in input order, written as they are made; a rejected record is
reported in place as {{"line": N, "id": ..., "error": "..."}}. A batch ends with one summary line on stderr.

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
    jobs: Annotated[
        int,
        typer.Option("--jobs", "-j", min=1, help="Worker processes for large batches with JSON output."),
    ] = 1,
) -> None:
    from .env import Environment

    env = Environment.from_sys()
    try:
        status = _assess(env, answers, format, input_format, no_input, jobs)
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
    jobs: int = 1,
) -> ExitStatus:
    if answers is None and env.stdin_isatty:
        if no_input:
            from .batch import NO_ANSWERS

            env.message(NO_ANSWERS)
            return ExitStatus.USAGE
        from .interactive import run_interactive

        return run_interactive(env, fmt.value if fmt else None)
    from .batch import run

    chosen = fmt or (OutputFormat.text if env.stdout_isatty else OutputFormat.json)
    in_fmt = input_format.value if input_format else None
    if answers is None or answers == "-":
        return run(env, env.stdin, chosen.value, in_fmt, jobs)
    try:
        stream = Path(answers).open("rb")  # noqa: SIM115 - closed below, once it is known to be open
    except OSError as exc:
        env.message(f"cannot read answers from {answers}: {exc.strerror or exc}")
        return ExitStatus.USAGE
    with stream:
        return run(env, stream, chosen.value, in_fmt, jobs)


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
