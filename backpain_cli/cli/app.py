"""The command line: a thin face over the core. Imports stay lazy so that start-up stays quick."""

from __future__ import annotations

import enum
import errno
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, TYPE_CHECKING, Annotated, Any, Optional, cast

import typer
from typer.core import TyperCommand, TyperGroup

from backpain_cli import __version__
from backpain_cli.core.i18n import N_, _
from backpain_cli.io.process import EXIT_HELP, HISTORY_EXIT_HELP, TOP_EXIT_HELP, ExitStatus

if TYPE_CHECKING:
    from backpain_cli.io.env import Environment


class OutputFormat(enum.StrEnum):
    json = "json"
    text = "text"
    markdown = "markdown"
    fhir = "fhir"
    csv = "csv"


class ListFormat(enum.StrEnum):
    """`backpain questions` and `backpain history` print text or JSON (Markdown is a report format)."""

    json = "json"
    text = "text"


class InputFormat(enum.StrEnum):
    json = "json"
    jsonl = "jsonl"
    fhir = "fhir"
    csv = "csv"
    redcap = "redcap"


class QuestionsFormat(enum.StrEnum):
    """`backpain questions`: text or JSON, or the questionnaire as an HL7 FHIR R4 Questionnaire, a REDCap data
    dictionary or a CSV template."""

    json = "json"
    text = "text"
    fhir = "fhir"
    redcap = "redcap"
    csv_template = "csv-template"


def _fhir_base(value: Optional[str]) -> Optional[str]:
    """--fhir-base URL: an absolute URL, the base of every canonical URL (docs/fhir.md)."""
    if value is not None:
        scheme, sep, rest = value.partition("://")
        if not (sep and scheme.isalpha() and rest.strip("/")) or any(c.isspace() or c in "|#?" for c in value):
            raise typer.BadParameter(
                _said("expected an absolute URL such as https://fhir.example.org, got {value}.").format(
                    value=repr(value)
                )
            )
    return value


FHIR_BASE_HELP = N_("The base of the FHIR canonical URLs (default: see docs/fhir.md).")


def _plain_flags(params: list[Any]) -> list[Any]:
    """A flag takes no value: show it in the help as a plain flag, without a `<bool>` type beside it."""
    for param in params:
        if getattr(param, "is_flag", False) and param.metavar is None:
            param.metavar = ""
    return params


def _help_region() -> None:
    """The region of a help text or of an error found while the options are read, before `--region` is known:
    $BACKPAIN_REGION, else the locale, else intl (an unknown code gives intl here; the command itself says so).
    Called only on those paths, so that a command that runs reads no catalog for its help."""
    import os

    from backpain_cli.core import i18n
    from backpain_cli.core.regions import INTL, UnknownRegion, choose
    from backpain_cli.io.catalogs import available, install

    try:
        region = choose(None, os.environ, available)
    except UnknownRegion:
        region = INTL
    if region != INTL:
        install()
    i18n.use(region)


def _said(message: str) -> str:
    """`message` in the words of the region of the environment, for an error found while the options are read."""
    _help_region()
    return _(message)


#: Each command's help as typer has it (the intl words), with the message and parts it was made of (`_help`).
_HELP_SOURCES: dict[str, tuple[str, tuple[str, ...]]] = {}


def _help(message: str, *parts: str) -> str:
    """A command's help as typer is given it, in the intl words: `message` (marked with N_) with its paragraphs
    each on one line and `parts` (messages too) in its `{}`s, remembered so that `--help` can say it in the
    region's words."""
    text = _paragraphs(message).format(*parts)
    _HELP_SOURCES[text] = (message, parts)
    return text


def _in_region(text: str | None) -> str | None:
    """A help text (as typer has it) in the words of this process's region."""
    if not text:
        return text
    source = _HELP_SOURCES.get(text)
    if source is None:
        return _(text)
    message, parts = source
    return _paragraphs(_(message)).format(*(_(p) for p in parts))


def _translate_help(command: Any) -> None:
    """Put a command's help, epilog and options' help in the region's words, just before the help is shown:
    only then, so that running a command costs nothing for it. Always from the intl words, kept on the command
    the first time, so that a later help in another region (in the same process) is not made from this one."""
    params = [p for p in command.params if getattr(p, "help", None)]
    if not hasattr(command, "_intl_help"):
        command._intl_help = (command.help, command.short_help, command.epilog, [p.help for p in params])
    helps, short, epilog, param_helps = command._intl_help
    command.help, command.short_help, command.epilog = _in_region(helps), _in_region(short), _in_region(epilog)
    for param, text in zip(params, param_helps, strict=True):
        param.help = _in_region(text)


class _Command(TyperCommand):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_flags(super().get_params(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _help_region()
        _translate_help(self)
        super().format_help(ctx, formatter)


class _Group(TyperGroup):
    def get_params(self, ctx: Any) -> list[Any]:
        return _plain_flags(super().get_params(ctx))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        _help_region()
        _translate_help(self)
        for command in self.commands.values():  # their short help, in the list of commands
            _translate_help(command)
        super().format_help(ctx, formatter)


app = typer.Typer(
    cls=_Group,
    add_completion=False,
    pretty_exceptions_enable=False,
    no_args_is_help=True,
    help=N_(
        "A back and neck pain questionnaire that suggests a next step, with its reasons. "
        "Not a diagnosis. Nothing leaves your machine."
    ),
    epilog=TOP_EXIT_HELP,
)


def _version(value: bool) -> None:
    if value:
        print(f"backpain {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help=N_("Show the version and exit."))
    ] = False,
) -> None:
    pass


def _at_least_one(value: int) -> int:
    """--jobs N: checked here rather than with `min=1`, which would print a range beside the N in the help."""
    if value < 1:
        raise typer.BadParameter(_said("expected 1 or more, got {value}.").format(value=value))
    return value


DB_HELP = N_(
    "The history database, in a folder that exists (default: history.sqlite3 in $BACKPAIN_HOME, else in your "
    "user data folder). It and its folder must be yours alone (0600, 0700; a sticky folder such as /tmp will do)."
)


REGION_HELP = N_(
    "Words, spelling and emergency number of a region: us, gb, ie, ca, au, nz, or intl (default: "
    "$BACKPAIN_REGION, else your locale, else intl)."
)


def _use_region(env: Environment, option: str | None) -> bool:
    """Choose the region of this command (`--region`, else $BACKPAIN_REGION, else the locale, else intl) and
    use it; False, said on stderr, for an unknown code. The catalog itself is read only when a message needs it."""
    from backpain_cli.core import i18n
    from backpain_cli.core.regions import UnknownRegion, choose

    def locales() -> tuple[str, ...]:
        from backpain_cli.io.catalogs import available

        return available()

    try:
        region = choose(option, env.environ, locales)
        if region != "intl":
            from backpain_cli.io.catalogs import install

            install()
        i18n.use(region)
    except UnknownRegion as exc:
        env.message(str(exc))
        return False
    return True


def _paragraphs(text: str) -> str:
    """Help text with each paragraph on one line, so that the help formatter wraps it to the terminal."""
    return "\n\n".join(" ".join(p.split()) for p in text.split("\n\n"))


ASSESS_HELP = N_("""Answer the questionnaire, or assess answers given as JSON.

In a terminal, asks the questions. When stdin is not a terminal, or with --answers, reads answers instead:
one JSON object, a JSON array of objects, or JSON Lines; or, with --input-format csv or redcap, a spreadsheet or
a REDCap export, one row per assessment. One object in gives one JSON object out; several
give JSON Lines, one result per record in input order, written as they are made; a rejected record is
reported in place as {{"line": N, "id": ..., "error": "..."}}. A batch ends with one summary line on stderr.

HL7 FHIR: a QuestionnaireResponse, a Bundle of them or NDJSON (one a line) is read as well (told by its
"resourceType", or --input-format fhir), and --format fhir writes each result as a Bundle (GuidanceResponse,
Parameters, Observation), each rejection as an OperationOutcome. See docs/fhir.md.

{}""")


@app.command(cls=_Command, help=_help(ASSESS_HELP, EXIT_HELP))
def assess(
    answers: Annotated[
        Optional[str],
        typer.Option("--answers", "-a", metavar="PATH", help=N_("Read answers from PATH ('-' for stdin).")),
    ] = None,
    format: Annotated[
        Optional[OutputFormat],
        typer.Option("--format", "-f", help=N_("Output format (default: text in a terminal, json otherwise).")),
    ] = None,
    input_format: Annotated[
        Optional[InputFormat],
        typer.Option(
            "--input-format",
            help=N_(
                "Say what the input is instead of telling it from its start: csv is a spreadsheet with a header "
                "of answer keys, redcap a REDCap export of raw data (an --answers name ending .csv means csv)."
            ),
        ),
    ] = None,
    no_input: Annotated[bool, typer.Option("--no-input", help=N_("Never ask questions; fail if no answers."))] = False,
    output: Annotated[
        Optional[str],
        typer.Option(
            "--output",
            "-o",
            metavar="PATH",
            help=N_(
                "Write the output to PATH (mode 0600; written in full or not at all) instead of stdout. "
                "Without --format, the name chooses: .md Markdown, .txt text, .csv CSV, anything else JSON."
            ),
        ),
    ] = None,
    save: Annotated[
        bool,
        typer.Option("--save", help=N_("Keep the answers and result in your history on this machine (see: history).")),
    ] = False,
    db: Annotated[Optional[Path], typer.Option("--db", metavar="PATH", help=DB_HELP)] = None,
    jobs: Annotated[
        int,
        typer.Option(
            "--jobs",
            "-j",
            callback=_at_least_one,
            metavar="N",
            help=N_("Worker processes for large batches with JSON output (default 1)."),
        ),
    ] = 1,
    save_answers: Annotated[
        Optional[str],
        typer.Option(
            "--save-answers",
            metavar="PATH",
            help=N_("After the questions, save your answers to PATH (private to you) to assess again with --answers."),
        ),
    ] = None,
    fhir_base: Annotated[
        Optional[str], typer.Option("--fhir-base", metavar="URL", callback=_fhir_base, help=FHIR_BASE_HELP)
    ] = None,
    region: Annotated[Optional[str], typer.Option("--region", metavar="CODE", help=REGION_HELP)] = None,
) -> None:

    from backpain_cli.io.env import Environment

    env = Environment.from_sys()
    fhir = format is OutputFormat.fhir or input_format is InputFormat.fhir or fhir_base is not None
    if fhir:  # for this command only: restored as it ends, so that nothing outlives it in this process
        from backpain_cli.io.fhir_io import configured

        with configured(fhir_base, only=input_format is InputFormat.fhir):
            _assess_command(env, answers, format, input_format, no_input, save, db, jobs, save_answers, output, region)
    else:
        _assess_command(env, answers, format, input_format, no_input, save, db, jobs, save_answers, output, region)


def _assess_command(
    env: Environment,
    answers: str | None,
    format: OutputFormat | None,
    input_format: InputFormat | None,
    no_input: bool,
    save: bool,
    db: Path | None,
    jobs: int,
    save_answers: str | None,
    output: str | None,
    region: str | None,
) -> None:
    if not _use_region(env, region):  # first, so that every message after it is in the region's words
        raise typer.Exit(int(ExitStatus.USAGE))
    if db is not None and not _db_folder_exists(env, db):
        raise typer.Exit(int(ExitStatus.USAGE))
    if not _not_the_history(env, db, (("--output", output), ("--save-answers", save_answers))):
        raise typer.Exit(int(ExitStatus.USAGE))
    opts = AssessOptions(answers, format, input_format, no_input, save, db, jobs, save_answers)
    try:
        if output is not None and output != "-":
            status = _assess_to_file(env, output, opts)
        else:
            status = _to_stdout(env, lambda guarded: _assess(guarded, opts))
    except KeyboardInterrupt:
        env.message(_("interrupted"))
        status = ExitStatus.INTERRUPTED
    raise typer.Exit(int(status))


def _to_stdout(env: Environment, command: Callable[[Environment], ExitStatus]) -> ExitStatus:
    """Run `command` with stdout guarded: an output that cannot be written (a full disk: `> /dev/full`) is
    told plainly, exit 2, not taken for a bug."""
    import dataclasses

    from backpain_cli.faces.sinks import GuardedOutput, OutputError
    from backpain_cli.io.env import to_devnull

    try:
        return command(dataclasses.replace(env, stdout=cast(IO[bytes], GuardedOutput(env.stdout, "stdout"))))
    except OutputError as exc:
        to_devnull(env.stdout)
        env.message(_("cannot write the output to stdout: {why}").format(why=exc.error.strerror or exc.error))
        return ExitStatus.USAGE


@dataclass(frozen=True)
class AssessOptions:
    """What `backpain assess` was asked to do, as one value the faces pass along."""

    answers: str | None = None
    fmt: OutputFormat | None = None
    input_format: InputFormat | None = None
    no_input: bool = False
    save: bool = False
    db: Path | None = None
    jobs: int = 1
    save_answers: str | None = None


def _db_folder_exists(env: Environment, db: Path) -> bool:
    """An explicit `--db PATH` must be a file path (not a folder: `--db ""` is `.`) in a folder that exists: a
    mistyped path is refused, never created. (Only the default location's folder is made, with mode 0700.)"""
    if db.expanduser().is_dir():
        env.message(_("--db must be a file path, not a folder ({path} is a folder).").format(path=str(db) or "."))
        return False
    folder = db.expanduser().parent
    if folder.is_dir():
        return True
    if folder.exists():
        text = _("--db {path}: {folder} is not a folder. Create the folder first, or give another path.")
    else:
        text = _("--db {path}: {folder} does not exist. Create the folder first, or give another path.")
    env.message(text.format(path=db, folder=folder))
    return False


def _not_the_history(env: Environment, db: Path | None, outputs: tuple[tuple[str, str | None], ...]) -> bool:
    """No file that `assess` writes may be the history database (`-o same.db --save --db same.db` would replace
    the history with the report): checked by real path and by file identity, before anything is assessed."""
    given = [(option, path) for option, path in outputs if path and path != "-"]
    if not given:
        return True
    from backpain_cli.storage.paths import is_same_file, resolve_path

    history = resolve_path(db, env.environ)
    for option, path in given:
        if is_same_file(path, history):
            env.message(
                _(
                    "{option} {path} is your history database ({history}): it would be replaced. Use another path."
                ).format(option=option, path=path, history=history)
            )
            return False
    return True


def _assess_to_file(env: Environment, path: str, opts: AssessOptions) -> ExitStatus:
    """`--output PATH`: the output goes to a temporary file that replaces PATH only when all is written; on a
    usage error or an interruption PATH is left as it was."""
    import dataclasses

    from backpain_cli.faces.sinks import AtomicFile, GuardedOutput, OutputError, format_for_path

    if not path:
        env.message(_("--output needs a file path."))
        return ExitStatus.USAGE
    try:
        target = AtomicFile(path)
    except OSError as exc:
        env.message(_("cannot write to {path}: {why}").format(path=path, why=exc.strerror or exc))
        return ExitStatus.USAGE
    opts = dataclasses.replace(opts, fmt=opts.fmt or OutputFormat(format_for_path(path)))
    if _asks(env, opts):
        # The questionnaire commits the file itself, once the report is made (before asking whether to save it
        # to the history); ended without a result, it never does, and PATH is left as it was.
        try:
            return _interactive(env, opts, report_file=(path, target))
        finally:
            target.discard()  # only the temporary file, if it is still there
    status = ExitStatus.INTERRUPTED
    try:
        out = cast(IO[bytes], GuardedOutput(target.file, path))
        status = _assess(dataclasses.replace(env, stdout=out, stdout_isatty=False), opts)
    except OutputError as exc:  # a full disk on a device written to directly (-o /dev/full)
        env.message(str(exc))
        status = ExitStatus.USAGE
    finally:
        if status in (ExitStatus.OK, ExitStatus.REJECTED, ExitStatus.NOT_SAVED):
            try:
                target.commit()
            except OSError as exc:
                env.message(_("cannot write to {path}: {why}").format(path=path, why=exc.strerror or exc))
                status = ExitStatus.USAGE
        else:
            target.discard()
    return status


def _asks(env: Environment, opts: AssessOptions) -> bool:
    """Whether `assess` asks the questions (a terminal, no answers given), rather than reading answers."""
    return opts.answers is None and env.stdin_isatty and not opts.no_input


def _interactive(env: Environment, opts: AssessOptions, report_file: Any = None) -> ExitStatus:
    from backpain_cli.faces.interactive import run_interactive

    def history() -> Path:  # resolved only when a result is saved: the store stays off the start-up path
        from backpain_cli.storage.store import resolve_path

        return resolve_path(opts.db, env.environ)

    fmt = opts.fmt.value if opts.fmt else None
    return run_interactive(env, fmt, opts.save_answers, history=history, save=opts.save, report_file=report_file)


def _assess(env: Environment, opts: AssessOptions) -> ExitStatus:
    if opts.answers is None and env.stdin_isatty:
        if opts.no_input:
            from backpain_cli.faces.batch import NO_ANSWERS

            env.message(_(NO_ANSWERS))
            return ExitStatus.USAGE
        return _interactive(env, opts)
    if opts.save_answers is not None:
        env.message(
            _(
                "--save-answers saves answers given at the questions; with --answers or piped input there are none "
                "to save."
            )
        )
        return ExitStatus.USAGE
    if opts.answers is None or opts.answers == "-":
        return _run(env, env.stdin, opts)
    try:
        stream = Path(opts.answers).open("rb")  # noqa: SIM115 - closed below, once it is known to be open
    except OSError as exc:
        env.message(_("cannot read answers from {path}: {why}").format(path=opts.answers, why=exc.strerror or exc))
        return ExitStatus.USAGE
    with stream:
        return _run(env, stream, opts)


def _run(env: Environment, stream: IO[bytes], opts: AssessOptions) -> ExitStatus:
    from backpain_cli.faces.batch import run

    fmt = (opts.fmt or (OutputFormat.text if env.stdout_isatty else OutputFormat.json)).value
    input_format = opts.input_format.value if opts.input_format else None
    if input_format is None and opts.answers is not None and opts.answers.lower().endswith(".csv"):
        input_format = InputFormat.csv.value  # a spreadsheet, told by its name
    if opts.save:
        from backpain_cli.faces.history import run_save

        if opts.jobs > 1:
            from backpain_cli.faces.batch import JOBS_JSON_ONLY

            env.message(_(JOBS_JSON_ONLY))
        from backpain_cli.storage.store import resolve_path

        return run_save(env, stream, fmt, input_format, resolve_path(opts.db, env.environ))
    if opts.db is not None:
        env.message(_("nothing saved: --db says where to save, --save asks to save."))
    return run(env, stream, fmt, input_format, opts.jobs)


class ExportFormat(enum.StrEnum):
    json = "json"
    csv = "csv"
    answers = "answers"


HISTORY_HELP = N_("""Show your saved assessments: a table, a chart of pain impact and its three 0-10 items over time,
and the change since the first and the previous one. A drop in pain impact of 30% or more is a meaningful
improvement, 50% or more a substantial one (IMMPACT, Dworkin et al. 2008).

--export writes every saved assessment to stdout: json (JSON Lines of date, answers and result), csv (one row
an assessment) or answers (JSON Lines of answers, ready for 'backpain assess', each with its own id, else the
assessment's number); --format does not apply to it. --delete and --delete-all remove data for good (they ask
first unless --yes).

{}""")


@app.command(
    cls=_Command,
    help=_help(HISTORY_HELP, HISTORY_EXIT_HELP),
    short_help=N_("Show your saved assessments and how the pain has changed over time."),
)
def history(
    format: Annotated[
        Optional[ListFormat],
        typer.Option("--format", "-f", help=N_("Output format (default: text in a terminal, json otherwise).")),
    ] = None,
    export: Annotated[
        Optional[ExportFormat], typer.Option("--export", help=N_("Export every saved assessment."))
    ] = None,
    delete: Annotated[
        Optional[int], typer.Option("--delete", metavar="ID", help=N_("Delete the saved assessment numbered ID."))
    ] = None,
    delete_all: Annotated[bool, typer.Option("--delete-all", help=N_("Delete every saved assessment."))] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help=N_("Delete without asking first."))] = False,
    db: Annotated[Optional[Path], typer.Option("--db", metavar="PATH", help=DB_HELP)] = None,
    region: Annotated[Optional[str], typer.Option("--region", metavar="CODE", help=REGION_HELP)] = None,
) -> None:
    from backpain_cli.faces.history import run_history
    from backpain_cli.io.env import Environment
    from backpain_cli.storage.store import resolve_path

    env = Environment.from_sys()
    if not _use_region(env, region):  # first, so that every message after it is in the region's words
        raise typer.Exit(int(ExitStatus.USAGE))
    if db is not None and not _db_folder_exists(env, db):
        raise typer.Exit(int(ExitStatus.USAGE))
    chosen = sum(x is not None and x is not False for x in (export, delete, delete_all))
    if chosen > 1:
        env.message(_("choose one of --export, --delete and --delete-all."))
        raise typer.Exit(int(ExitStatus.USAGE))
    if format is not None and chosen:
        env.message(
            _(
                "--format chooses how the history is shown; --export has formats of its own (json, csv, answers) "
                "and --delete shows nothing."
            )
        )
        raise typer.Exit(int(ExitStatus.USAGE))
    if yes and delete is None and not delete_all:
        env.message(_("--yes answers the question before a deletion; it goes with --delete ID or --delete-all."))
        raise typer.Exit(int(ExitStatus.USAGE))
    fmt = format or (ListFormat.text if env.stdout_isatty else ListFormat.json)
    try:
        status = _to_stdout(
            env,
            lambda guarded: run_history(
                guarded,
                resolve_path(db, env.environ),
                fmt.value,
                export.value if export else None,
                delete,
                delete_all,
                yes,
            ),
        )
    except KeyboardInterrupt:
        env.message(_("interrupted"))
        status = ExitStatus.INTERRUPTED
    raise typer.Exit(int(status))


def _region_only(region: str | None) -> None:
    """A command with nothing else to check: choose its region, or end with a usage error (exit 2)."""
    from backpain_cli.io.env import Environment

    if not _use_region(Environment.from_sys(), region):
        raise typer.Exit(int(ExitStatus.USAGE))


@app.command(
    cls=_Command,
    help=N_(
        "Print the JSON Schema (draft 2020-12) of the answers. Its descriptions are in the region's words; its "
        "keys and values are the same in every region."
    ),
    short_help=N_("Print the JSON Schema (draft 2020-12) of the answers."),
)
def schema(
    region: Annotated[Optional[str], typer.Option("--region", metavar="CODE", help=REGION_HELP)] = None,
) -> None:
    import json

    from backpain_cli.render.schema import answers_schema

    _region_only(region)
    print(json.dumps(answers_schema(), indent=2, ensure_ascii=False))


@app.command(cls=_Command, help=N_("List every question: its key, the allowed answers and when it is asked."))
def questions(
    format: Annotated[
        QuestionsFormat,
        typer.Option(
            "--format",
            "-f",
            help=N_(
                "Output format: text, json, fhir (an HL7 FHIR R4 Questionnaire), redcap (a REDCap data dictionary "
                "to upload) or csv-template (an empty spreadsheet for --input-format csv: the header and one example "
                "row)."
            ),
        ),
    ] = QuestionsFormat.text,
    fhir_base: Annotated[
        Optional[str], typer.Option("--fhir-base", metavar="URL", callback=_fhir_base, help=FHIR_BASE_HELP)
    ] = None,
    region: Annotated[Optional[str], typer.Option("--region", metavar="CODE", help=REGION_HELP)] = None,
) -> None:
    from backpain_cli.render.questions import questions_json, questions_text

    _region_only(region)

    if format is QuestionsFormat.fhir:
        import json

        from backpain_cli.core.fhir import DEFAULT_BASE, questionnaire

        print(json.dumps(questionnaire((fhir_base or DEFAULT_BASE).rstrip("/")), indent=2, ensure_ascii=False))
    elif format is QuestionsFormat.json:
        import json

        print(json.dumps(questions_json(), indent=2, ensure_ascii=False))
    elif format in (QuestionsFormat.redcap, QuestionsFormat.csv_template):
        import sys

        from backpain_cli.render.redcap import csv_template, data_dictionary

        sys.stdout.buffer.write((data_dictionary if format is QuestionsFormat.redcap else csv_template)())
        sys.stdout.flush()
    else:
        print(questions_text(), end="")


def main() -> None:
    import sys

    try:
        app(prog_name="backpain")
    except KeyboardInterrupt:
        sys.stderr.write(f"backpain: {_('interrupted')}\n")
        raise SystemExit(ExitStatus.INTERRUPTED) from None
    except Exception as exc:
        if isinstance(exc, OSError) and exc.errno in _OUTPUT_FAILED:
            # The output could not be written (`backpain schema > /dev/full`): the machine's state, not a bug.
            from backpain_cli.io.env import to_devnull

            sys.stderr.write("backpain: " + _("cannot write the output: {why}").format(why=exc.strerror) + "\n")
            to_devnull(sys.stdout.buffer)
            raise SystemExit(ExitStatus.USAGE) from None
        said = _("internal error ({error}); please report it").format(error=f"{type(exc).__name__}: {exc}")
        sys.stderr.write(f"backpain: {said}\n")  # a bug
        raise SystemExit(ExitStatus.INTERNAL) from None


#: What a write that failed for want of room or a sound device says (full disk, quota, file too large, I/O error).
_OUTPUT_FAILED = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EIO})
