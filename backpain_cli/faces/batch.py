"""The JSON face: records in, one result (or one rejection) out per record, in input order, as they are made.

`run()` streams: it reads a record, assesses it, writes its result, and holds nothing else, so memory stays flat
however long the input. One object in gives one object out; several give JSON Lines (only the first result waits
until it is known whether a second record follows). At the end, one summary line goes to stderr.

`--jobs N` hands chunks of records to N worker processes (`_Workers`), with no threads and no shared queue, so
that a closed pipe, Ctrl-C or SIGTERM always stops them at once. Output is written in whole results only and
never cut short by a signal (`Signals`, `_Buffer`): whatever stops a batch, its output is whole JSON Lines.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import signal
import stat
import sys
import time
from collections.abc import Callable, Iterator
from itertools import chain
from typing import IO, TYPE_CHECKING, Any, Protocol, cast

import msgspec

from backpain_cli.core.engine import assess
from backpain_cli.core.i18n import N_, _
from backpain_cli.core.i18n import current as current_region
from backpain_cli.core.policy import LEVELS
from backpain_cli.core.validation import record_id
from backpain_cli.io import fhir_io
from backpain_cli.io.csv_reader import CsvReader, open_reader
from backpain_cli.io.decoding import answers, given_answers
from backpain_cli.io.env import Environment, stopped, to_devnull
from backpain_cli.io.json_text import Rejected
from backpain_cli.io.process import ExitStatus, Interrupted, Signals, tune_for_a_batch
from backpain_cli.io.reader import NoInput, Reader, Record, lines_of, would_not_wait

if TYPE_CHECKING:
    from backpain_cli.faces.sinks import Sink

Outcome = tuple[bool, dict[str, Any], dict[str, Any] | None]

#: Rejections also told on stderr, one line each, up to this many (all of them are in the output in place).
MAX_MESSAGES = 20
#: Said once when --jobs cannot apply.
JOBS_JSON_ONLY = N_("--jobs applies to JSON and CSV output only; running in one process")
#: The output formats that --jobs workers make (the parent writes their bytes in input order).
PARALLEL_FORMATS = ("json", "csv")
#: A progress bar appears (on a terminal only) once a batch has taken this long, in seconds.
PROGRESS_AFTER = 1.0


class Rejection(dict[str, Any]):
    """A rejection as written in JSON; `where` (not written there) names the keys or linkIds at fault, for formats
    that carry them apart (FHIR's OperationOutcome)."""

    where: tuple[str, ...] = ()


def rejection(
    record: Record, error: str, value: Any = None, warning: str | None = None, where: tuple[str, ...] = ()
) -> dict[str, Any]:
    out = Rejection(line=record.line)
    out.where = where
    rid = record_id(value)
    if rid is not None:
        out["id"] = rid
    out["error"] = error
    if warning is not None:  # also at the end of `error`; here as data, so that nothing need parse it from text
        out["warning"] = warning
    return out


def assess_one(record: Record, fast: bool = True) -> Outcome:
    """(True, result, answers) for a record assessed, (False, rejection, None) for one rejected. `fast=False`:
    the fast path was tried already (`decoding.answers`)."""
    if record.error is not None:
        return False, rejection(record, record.error), None
    try:
        if record.row is not None:
            from backpain_cli.io.csv_rows import row_answers

            valid = row_answers(*record.row)
        else:
            valid = answers(record.raw, fast)
    except Rejected as exc:
        return False, rejection(record, str(exc), exc.value, exc.warning, exc.where), None
    return True, assess(valid), valid


NO_ANSWERS = N_(
    "no answers to assess. Pipe answers in as JSON (backpain assess < answers.json, or --answers PATH), "
    "or run 'backpain assess' in a terminal to answer the questions."
)


class Tally:
    """What the summary line reports, in the region's words (the levels as the batch table names them)."""

    def __init__(self) -> None:
        self.read = 0
        self.rejected = 0
        self.levels: dict[str, int] = dict.fromkeys(LEVELS, 0)

    def count(self, env: Environment, ok: bool, level: str | None, rejected: dict[str, Any] | None) -> None:
        self.read += 1
        if level is not None:
            self.levels[level] += 1
        if rejected is not None:
            self._rejected(env, rejected)

    def add(self, env: Environment, n: int, levels: dict[str, int], rejections: list[dict[str, Any]]) -> None:
        """Count `n` records at once: `levels` those assessed, `rejections` the rest (in input order)."""
        self.read += n
        for level, k in levels.items():
            self.levels[level] += k
        for rejected in rejections:
            self._rejected(env, rejected)

    def _rejected(self, env: Environment, rejected: dict[str, Any]) -> None:
        self.rejected += 1
        if self.rejected == MAX_MESSAGES + 1:
            env.message(
                _(
                    "more records rejected; each is reported in place in the output (and here, if it gives warning "
                    "signs)"
                )
            )
        if self.rejected <= MAX_MESSAGES or "warning" in rejected:  # warnings: always
            if "id" in rejected:
                where = _("record {line} (id {id})").format(line=rejected["line"], id=repr(_short(rejected["id"])))
            else:
                where = _("record {line}").format(line=rejected["line"])
            env.message(_("{record} rejected: {error}").format(record=where, error=rejected["error"]))

    def line(self, blank: int) -> str:
        from backpain_cli.render.words import LEVEL_NAMES  # at the end of a batch only

        assessed = self.read - self.rejected
        levels = ", ".join(f"{LEVEL_NAMES.get(level) or level} {n}" for level, n in self.levels.items())
        text = _("{records} read: {assessed} assessed ({levels}), {rejected} rejected").format(
            records=_records(self.read), assessed=assessed, levels=levels, rejected=self.rejected
        )
        if blank:
            text += "; " + (_("1 blank line skipped") if blank == 1 else _("{n} blank lines skipped").format(n=blank))
        return text


def _short(rid: Any, width: int = 40) -> Any:
    """An id as told in a message: a long one cut to `width` characters, with an ellipsis (the output keeps it
    whole)."""
    return rid[: width - 1] + "…" if isinstance(rid, str) and len(rid) > width else rid


def _records(count: int) -> str:
    return _("1 record") if count == 1 else _("{n} records").format(n=count)


class Keeper(Protocol):
    """What keeps the results of a batch (the history, for `assess --save`)."""

    def before_written(self, result: dict[str, Any], answers: dict[str, Any]) -> None:
        """Each result and its answers, before the result is written; it may add to the result."""

    def written(self) -> None:
        """Every result so far is out (called after each flush of stdout): they may be kept now."""


def run(
    env: Environment,
    stream: IO[bytes],
    fmt: str,
    input_format: str | None,
    jobs: int = 1,
    keeper: Keeper | None = None,
) -> ExitStatus:
    """Assess every record of `stream`, writing each result in `fmt` to stdout as it is made.

    Ctrl-C (SIGINT) or SIGTERM stops the batch: the results already made are written whole (never half a line),
    any worker processes are stopped, one line says so on stderr, and the status is 130 (SIGINT) or 143
    (SIGTERM). When the reader of the output goes away (`| head -1`), the batch stops at once and quietly: no
    summary, and the status of the records read so far."""
    env = dataclasses.replace(env, stderr=cast(IO[str], _Stderr(env.stderr)))
    if jobs > 1 and (fmt not in PARALLEL_FORMATS or keeper is not None):
        env.message(_(JOBS_JSON_ONLY))
        jobs = 1
    cpus = os.cpu_count() or 1
    if jobs > cpus:
        env.message(_("--jobs {jobs} is more than the {cpus} CPUs here; using {cpus}").format(jobs=jobs, cpus=cpus))
        jobs = cpus
    tune_for_a_batch()
    with Signals() as signals:
        try:
            return _run(env, stream, fmt, input_format, jobs, keeper, signals)
        except Interrupted as exc:
            return stopped(env, exc)


def _run(
    env: Environment,
    stream: IO[bytes],
    fmt: str,
    input_format: str | None,
    jobs: int,
    keeper: Keeper | None,
    signals: Signals,
) -> ExitStatus:
    """Read, assess and write every record; then the summary and the status. In three steps: open the input,
    assess it (in one process or in `jobs`), and end as whatever stopped it calls for."""
    from backpain_cli.faces.sinks import make_sink

    _say_if_waiting(env, stream)
    try:
        reader = open_reader(stream, input_format)
    except NoInput:
        env.message(_(NO_ANSWERS))
        return ExitStatus.USAGE
    # Decided once, before the look-ahead, which may find that what looked like one document is JSON Lines.
    bundles = not isinstance(reader, CsvReader) and _bundles(reader, input_format)
    records, batch = _look_ahead(reader, bundles)
    buffered = _Buffer(env.stdout, signals, after=keeper.written if keeper is not None else None)
    reader.on_wait = buffered.flush  # results go out before the input is waited for
    env = dataclasses.replace(env, stdout=cast(IO[bytes], buffered))
    tally = Tally()
    progress = _Progress(env, reader) if batch and env.stderr_isatty else None
    try:
        try:
            if jobs > 1 and batch and fmt in PARALLEL_FORMATS and keeper is None:
                if fmt == "csv":  # the workers make the rows; the header is the parent's
                    from backpain_cli.faces.csv_sink import encode_header

                    env.stdout.write(encode_header())
                blocks = isinstance(reader, Reader) and reader.kind == "jsonl" and not bundles
                _run_parallel(env, records, jobs, tally, progress, signals, reader, fmt, blocks)
            else:
                _run_serial(env, records, make_sink(fmt, env, batch), tally, progress, keeper)
        finally:
            if progress is not None:
                with signals.held():
                    progress.stop()
    except BrokenPipeError:  # the reader of our output has gone (`| head -1`): stop, quietly
        _silence(buffered.out)
        if signals.pending is not None:  # a signal held while stdout was blocked still decides the status
            signals.raised = True
            raise Interrupted(signals.pending) from None
        return ExitStatus.REJECTED if tally.rejected else ExitStatus.OK
    except WorkerKilled as exc:
        _flush_what_is_made(buffered, signals)
        text = (
            _(
                "a worker process was killed (signal {signal}), perhaps for lack of memory; {records} were written; "
                "the batch stopped there"
            )
            if exc.signum == signal.SIGKILL
            else _("a worker process was killed (signal {signal}); {records} were written; the batch stopped there")
        )
        env.message(text.format(signal=exc.signum, records=_records(tally.read)))
        return ExitStatus.WORKER_KILLED
    except Interrupted:
        _flush_what_is_made(buffered, signals)  # a second Ctrl-C waits for them
        raise
    if batch:
        env.message(tally.line(reader.blank))
    return ExitStatus.REJECTED if tally.rejected else ExitStatus.OK


def _look_ahead(reader: Reader | CsvReader, bundles: bool = False) -> tuple[Iterator[Record], bool]:
    """The records, and whether they are a batch: one record gives one object out, several give JSON Lines, so
    all but an array or a spreadsheet (a batch however many records it holds) is looked at one record ahead."""
    records: Iterator[Record] = iter(reader)
    if isinstance(reader, CsvReader):
        return records, True
    if bundles:  # the records may be FHIR Bundles (`_bundles`)
        from backpain_cli.io.fhir_io import expand  # a Bundle of QuestionnaireResponses: one record per entry

        records = expand(records, numbered=reader.kind == "document")
    if reader.kind == "array":
        return records, True
    ahead = [r for _, r in zip(range(2), records, strict=False)]
    return chain(ahead, records), len(ahead) > 1


def _bundles(reader: Reader, input_format: str | None) -> bool:
    """Whether the records may be FHIR Bundles, each taken apart into its entries (`fhir_io.expand`)."""
    return input_format == "fhir" or reader.kind == "document" or b'"resourceType"' in reader.first


def _run_serial(
    env: Environment,
    records: Iterator[Record],
    sink: Sink,
    tally: Tally,
    progress: _Progress | None,
    keeper: Keeper | None,
) -> None:
    """Assess and write the records one by one, in this process."""
    at = getattr(sink, "at", None)  # a sink that shows where each record was (CSV's `line`)
    encode_into = getattr(sink, "line_encoder", lambda: None)()
    fast = isinstance(env.stdout, _Buffer) and keeper is None and at is None and not fhir_io.ONLY
    if encode_into is not None and fast:
        _run_json_lines(env, records, sink, encode_into, tally, progress)
    else:
        for record in records:
            _serial_one(env, record, sink, tally, progress, keeper, at)
    sink.close()


def _run_json_lines(
    env: Environment,
    records: Iterator[Record],
    sink: Sink,
    encode_into: Callable[[Any, bytearray, int], None],
    tally: Tally,
    progress: _Progress | None,
) -> None:
    """`_run_serial` for JSON Lines out to the batch's buffer: a record of JSON that the fast path takes goes
    straight through, as `_serial_one` would take it, without its calls (`Tally.count`, the sink's `write`); any
    other record takes `_serial_one`'s way."""
    out = cast(_Buffer, env.stdout)  # the sink's output (`_run_serial` has checked)
    levels = tally.levels
    write = out.write_encoded  # called from here, not through the sink: a call the interpreter makes inline
    read = tally.read
    region = current_region()  # (the engine's default, worked out once)
    try:
        for record in records:
            if record.error is None and record.row is None:
                valid = given_answers(record.raw)  # the engine reads answers by key: in the order given
                if valid is not None:
                    result = assess(valid, region, as_json)
                    read += 1
                    levels[result["level"]] += 1
                    write(encode_into, result)
                    if progress is not None and not read & 255:
                        progress.update(read)
                    continue
            tally.read = read
            try:
                _serial_one(env, record, sink, tally, progress, None, None, fast=False)
            finally:
                read = tally.read  # as it counted, even if what it wrote failed
    finally:
        tally.read = read


def as_json(part: Any) -> msgspec.Raw:
    """A shared part of results as the JSON it is written as: the form in which the engine keeps each for the JSON
    Lines fast path (`assess`'s `form`: each reason, text, note...), so that a part is encoded once, when made, and
    written as it is by every result that gives it (msgspec writes a `Raw` as its bytes: the same bytes as encoding
    the part in place)."""
    return msgspec.Raw(_encode(part))


_encode = msgspec.json.Encoder().encode


def _serial_one(
    env: Environment,
    record: Record,
    sink: Sink,
    tally: Tally,
    progress: _Progress | None,
    keeper: Keeper | None,
    at: Callable[[int], None] | None,
    fast: bool = True,
) -> None:
    """One record: assessed or rejected, counted, kept (`keeper`), and written."""
    ok, out, valid = assess_one(record, fast)
    tally.count(env, ok, out["level"] if ok else None, None if ok else out)
    if ok and keeper is not None:
        keeper.before_written(out, cast(dict[str, Any], valid))
    if at is not None:
        at(record.line)
    sink.write(ok, out, valid)
    if progress is not None and not tally.read & 255:
        progress.update(tally.read)


def _flush_what_is_made(buffered: _Buffer, signals: Signals) -> None:
    """The whole results made so far go out, whatever stopped the batch (unless their reader has gone)."""
    with signals.held():
        try:
            buffered.flush()
        except BrokenPipeError:
            _silence(buffered.out)


#: Seconds of silence on a pipe before a person at the terminal is told what backpain is waiting for.
WAIT_HINT_AFTER = 2.0
WAITING = N_("waiting for answers as JSON on stdin; end the input with Ctrl-D, or cancel with Ctrl-C.")


def _say_if_waiting(env: Environment, stream: IO[bytes]) -> None:
    """Never wait on a silent pipe without a word: when stdin is a pipe and nothing has come after a moment,
    say on stderr (if a person is watching it) what is awaited and how to end or cancel it."""
    if not env.stderr_isatty:
        return
    try:
        fd = stream.fileno()
        mode = os.fstat(fd).st_mode
    except (OSError, ValueError, AttributeError):
        return
    if stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode) or stat.S_ISCHR(mode):
        import select

        ready = select.select([fd], [], [], WAIT_HINT_AFTER)[0]
        if not ready:
            env.message(_(WAITING))


class _Buffer:
    """Output gathered into large writes (even under PYTHONUNBUFFERED), flushed whenever input is awaited. It holds
    whole results only, and a flush is never cut short by Ctrl-C, so the output never ends in half a line.

    What it holds is copied into one bytearray of a fixed size, made once (`used` bytes of it hold output), and
    never grown: a bytearray grown a result at a time is moved in memory again and again (encoding into the end of
    one cost 20,000 instructions a result in reallocations, more than the rest of the output's way)."""

    def __init__(
        self,
        out: IO[bytes],
        signals: Signals | None = None,
        size: int = 1 << 16,
        after: Callable[[], None] | None = None,
    ) -> None:
        self.out = out
        self.held = signals.held if signals is not None else contextlib.nullcontext
        self.size = size
        self.buf = bytearray(size)
        self.used = 0
        self.scratch = bytearray()  #: one result, as encoded (kept, so that its memory is reused)
        self.after = after  #: called once each flush is out (Keeper.written)

    def write(self, data: bytes | bytearray | memoryview) -> int:
        n = len(data)
        end = self.used + n
        if end > self.size:  # what is held, then `data`, in one flush: `data` is out before `after` runs, and
            self.flush(data)  # before a signal that came meanwhile stops the batch
            return n
        self.buf[end - n : end] = data  # as long as the slice: copied in, nothing resized
        self.used = end
        return n

    def write_encoded(self, encode_into: Callable[[Any, bytearray, int], None], obj: Any) -> None:
        """Encode `obj` (with a msgspec encoder's `encode_into`) and hold it as one line. If encoding fails,
        nothing of it is held."""
        scratch = self.scratch
        encode_into(obj, scratch, 0)
        n = len(scratch) + 1
        end = self.used + n
        if end > self.size:  # as in `write`: what is held and this result, in one flush
            self.flush(scratch + b"\n")
            return
        buf = self.buf
        buf[end - n : end - 1] = scratch
        buf[end - 1] = 10  # b"\n"
        self.used = end

    def flush(self, more: bytes | bytearray | memoryview = b"") -> None:
        """Write what is held, then `more`."""
        with self.held():
            used, self.used = self.used, 0  # taken first: a write that fails never leaves it to go twice
            for data in (memoryview(self.buf)[:used], more):
                view = memoryview(data)
                while view:  # a signal can cut a write short: write on until all is out
                    written = self.out.write(view)
                    view = view[len(view) if written is None else written :]
            self.out.flush()
            if self.after is not None:
                self.after()

    def fileno(self) -> int:
        return self.out.fileno()


def _silence(stdout: IO[bytes]) -> None:
    """Point stdout at /dev/null, so that the final flush at exit raises nothing more."""
    if to_devnull(stdout) and sys.stdout is not None and getattr(sys.stdout, "buffer", None) is stdout:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


class _Stderr:
    """stderr for a batch. When its reader has gone (`2>&1 >results.jsonl | head -1`), later messages are dropped
    rather than stopping the batch: its results may be going elsewhere, and must not be cut short."""

    def __init__(self, err: IO[str]) -> None:
        self.err = err
        self.gone = False

    def write(self, text: str) -> int:
        if not self.gone:
            try:
                return self.err.write(text)
            except BrokenPipeError:
                self._gone()
        return len(text)

    def flush(self) -> None:
        if not self.gone:
            try:
                self.err.flush()
            except BrokenPipeError:
                self._gone()

    def _gone(self) -> None:
        self.gone = True
        to_devnull(self.err)  # what is left in its buffer goes nowhere at exit, without a word

    def __getattr__(self, name: str) -> Any:
        return getattr(self.err, name)


class _Progress:
    """A progress bar on stderr, for a terminal only, once a batch has run for a while. rich is imported only
    then, so that piped runs never load it."""

    def __init__(self, env: Environment, reader: Reader | CsvReader) -> None:
        self.env = env
        self.reader = reader
        self.start = time.monotonic()
        self.bar: Any = None
        self.task: Any = None
        self.total: int | None = None
        try:  # a file's size gives the bar an end; a pipe's progress is a count
            st = os.fstat(reader.stream.fileno())
            if stat.S_ISREG(st.st_mode) and st.st_size:
                self.total = st.st_size
        except (OSError, ValueError, AttributeError):
            self.total = None

    def update(self, done: int) -> None:
        if self.bar is None:
            if time.monotonic() - self.start < PROGRESS_AFTER:
                return
            from rich.progress import Progress

            from backpain_cli.render.report import make_console

            console = make_console(self.env.stderr, None, True, self.env.environ)
            self.bar = Progress(console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task(_("Assessing"), total=self.total)
        description = _("Assessed {n}").format(n=done)
        if self.total is not None:
            self.bar.update(self.task, completed=self.reader.consumed, description=description)
        else:
            self.bar.update(self.task, description=description)

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- several processes (--jobs N), batches with JSON output: workers assess and encode, the parent writes in order --

#: A chunk ends at this many records (a block of lines counts its lines): about a megabyte of JSON output, which
#: fits in its slot of shared memory (SLOT_SIZE), and small enough that at the end of the input no worker is left
#: with much to do alone.
CHUNK_RECORDS = 256
#: The chunks out with the workers or held for an earlier one's outcome, at most, for each worker.
WINDOW = 4
_GONE = 1 << 30  # the chunks out with a worker gone: more than any other's, so that it never takes one
#: The bytes of output a chunk's outcome may have in a slot of memory shared with the parent (`_Workers.slots`),
#: which writes them from there; more go through the pipe.
SLOT_SIZE = 2 << 20
#: A chunk also ends once its records hold this many bytes.
CHUNK_BYTES = 1 << 20
#: A chunk's outcome, from a worker: (records, count per level, the JSON Lines or CSV rows, the rejections, the
#: blank lines skipped in its blocks)
Done = tuple[int, dict[str, int], bytes | memoryview, list[dict[str, Any]], int]


class _Gathered:
    """Bytes gathered in one bytearray kept from chunk to chunk: grown when a chunk needs more, never made anew. (A
    new object of megabytes for each chunk cost a page fault for every 4 KB of it.)"""

    def __init__(self, size: int = 1 << 22) -> None:
        self.buf = bytearray(size)
        self.used = 0

    def add(self, data: bytes | bytearray, newline: bool = False) -> None:
        """Add `data`, and a newline after it if `newline`."""
        start = self.used
        end = start + len(data) + newline
        if end > len(self.buf):  # a larger one, what is gathered copied in (a view still held on it stays good)
            grown = bytearray(max(end, 2 * len(self.buf)))
            with memoryview(self.buf) as old:
                grown[:start] = old[:start]
            self.buf = grown
        self.buf[start : start + len(data)] = data  # as long as the slice: copied in, nothing resized
        if newline:
            self.buf[end - 1] = 10  # b"\n"
        self.used = end

    def take(self) -> memoryview:
        """What was gathered (valid until the next `add`), and a fresh start."""
        used, self.used = self.used, 0
        return memoryview(self.buf)[:used]


def _assess_chunk(chunk: list[Record], fmt: str = "json", out: _Gathered | None = None) -> Done:
    """Assess a chunk of records, blocks of lines among them taken apart (`Record.block`): (records, count per
    level, the JSON Lines or CSV rows, gathered in `out`, the rejections, the blank lines skipped)."""
    gathered = _Gathered(1 << 16) if out is None else out
    add = gathered.add
    write: Callable[[bool, dict[str, Any], int], None]
    form = None  # a CSV row reads the parts themselves
    if fmt == "csv":
        from backpain_cli.faces.csv_sink import encode_result

        def write(ok: bool, result: dict[str, Any], line: int) -> None:
            add(encode_result(ok, result, line))  # each row ends its own line

    else:
        form = as_json  # each part that results share as its JSON, encoded once
        encode_into = msgspec.json.Encoder().encode_into
        scratch = bytearray()

        def write(ok: bool, result: dict[str, Any], line: int) -> None:
            encode_into(result, scratch, 0)
            add(scratch, True)

    levels: dict[str, int] = {}
    rejections: list[dict[str, Any]] = []
    tried = not fhir_io.ONLY  # the fast path, tried here for each record it may take
    n, blank = 0, [0]
    for record in chain.from_iterable(lines_of(r, blank) if r.block else (r,) for r in chunk):
        n += 1
        valid = given_answers(record.raw) if tried and record.error is None and record.row is None else None
        if valid is not None:  # as assess_one would, without its calls
            ok, result = True, assess(valid, None, form)
        else:
            ok, result, _ = assess_one(record, fast=not tried)
        write(ok, result, record.line)
        if ok:
            levels[result["level"]] = levels.get(result["level"], 0) + 1
        else:
            rejections.append(result)
    return n, levels, gathered.take(), rejections, blank[0]


def _run_parallel(
    env: Environment,
    records: Iterator[Record],
    jobs: int,
    tally: Tally,
    progress: _Progress | None,
    signals: Signals,
    reader: Any = None,
    fmt: str = "json",
    blocks: bool = False,
) -> None:
    workers = _Workers(jobs, signals, fmt)
    dispatch = _Dispatch(env, workers, tally, progress)
    try:
        workers.start()
        if reader is not None:
            reader.on_wait = dispatch.on_wait
            dispatch.ready = would_not_wait(reader.stream)
            # JSON Lines held whole come as blocks, handed on as they are: the workers take them apart, and the
            # parent's share of the work, which bounds how well --jobs scales, is no longer a step per record.
            reader.in_blocks = blocks
        for record in records:
            dispatch.add(record)
        dispatch.finish()
        env.stdout.flush()
    finally:
        if reader is not None:
            reader.blank += dispatch.blank  # those the workers skipped in blocks
        dispatch.drop()
        with signals.held():
            workers.stop()


class _Dispatch:
    """Chunks of records to whichever worker is free, outcomes taken as they come and written in input order.

    A chunk goes to a worker with none out; failing that, to one with one out whose pipe holds it as well
    (`_Workers.room`), so that it finds its next chunk waiting when it is done with one, and a send never waits on a
    worker, which may be waiting to send its outcome. Outcomes are taken from any worker as soon as they are there
    (`_Workers.ready`), so that no worker waits for the parent to get round to it: taking them in turn held up a
    worker whose outcome did not fit in its pipe for as long as the other took (a tenth of their time), and tied the
    faster worker to the slower one's pace. Those that came before an earlier one are held until it is written; at
    most WINDOW chunks a worker are out or held (one slot each), which bounds the memory. When the input would make
    us wait (a live feed), the chunk begun is sent at once and every outcome is written before waiting, so that no
    result is held back by slow input."""

    def __init__(self, env: Environment, workers: _Workers, tally: Tally, progress: _Progress | None) -> None:
        from collections import deque

        self.env = env
        self.blank = 0  # the blank lines the workers skipped in blocks
        self.workers = workers
        self.tally = tally
        self.progress = progress
        self.out = [0] * workers.jobs  # the chunks out with each worker
        self.sent: list[deque[int]] = [deque() for _ in range(workers.jobs)]  # their numbers, oldest first
        self.held: dict[int, Done] = {}  # outcomes that came before an earlier one's
        #: The slots of shared memory free for an outcome: one for each chunk out or held, so that none free is the
        #: window full.
        self.slots = list(range(WINDOW * workers.jobs))
        self.slot: dict[int, int] = {}  # the slot of each chunk out or held
        self.numbered = 0  # the chunks sent
        self.written = 0  # the chunks whose outcome is written
        self.chunk: list[Record] = []
        self.size = 0
        self.records = 0  # in the chunk, counting a block's lines
        self.ready: Callable[[], bool] = lambda: True

    def add(self, record: Record) -> None:
        self.chunk.append(record)
        self.size += len(record.raw)
        self.records += record.block or 1
        if self.records >= CHUNK_RECORDS or self.size >= CHUNK_BYTES:
            self._send()

    def _free(self, size: int) -> int | None:
        """The worker to take a chunk of `size` bytes now: the one with the fewest out (the first of them), if it
        can take it without the send waiting; None if none can. WorkerLost if every worker is gone."""
        out = self.out
        i = out.index(min(out))
        if out[i] >= _GONE:
            raise self.workers._lost(i)
        if out[i] == 0 or (out[i] == 1 and size + 12 <= self.workers.room[i]):
            return i
        return None

    def _send(self) -> None:
        packed = self.workers.pack(self.chunk)
        self._take(wait=False)  # what is done, so that a worker done is known to be free
        while (i := self._free(len(packed))) is None or not self.slots:
            self._take(wait=True)
        slot = self.slots.pop()
        self.workers._send(i, packed, slot)
        self.slot[self.numbered] = slot
        self.out[i] += 1
        self.sent[i].append(self.numbered)
        self.numbered += 1
        self.chunk, self.size, self.records = [], 0, 0

    def _take(self, wait: bool) -> None:
        """Take the outcomes that are there (waiting for one, if `wait`), and write those next in input order.

        A worker found gone with a chunk out ends the batch (its error raised), once every outcome before that
        chunk is written, as it would have been had the outcomes been taken in turn. One found gone with nothing
        out (its pipe closed, with nothing asked of it) is done without: the others take the chunks."""
        for i in self.workers.ready(wait):
            if not self.sent[i]:
                self.workers.forget(i)
                self.out[i] = _GONE
                continue
            number = self.sent[i][0]
            try:
                done = self.workers._receive(i, self.slot[number])
            except WorkerLost:
                self.workers.forget(i)
                self.out[i] = _GONE
                self._write_before(number)
                raise
            self.sent[i].popleft()
            self.held[number] = done
            self.out[i] -= 1
        self._write_held()

    def _write_before(self, number: int) -> None:
        """Write every outcome before chunk `number`, taking those still out from the workers that have them."""
        self._write_held()
        while self.written < number and any(
            s and s[0] < number for i, s in enumerate(self.sent) if self.out[i] < _GONE
        ):
            self._take(wait=True)

    def _write_held(self) -> None:
        """Write the outcomes held that are next in input order."""
        while self.written in self.held:
            n, levels, lines, rejections, blank = self.held.pop(self.written)
            self.slots.append(self.slot.pop(self.written))
            self.written += 1
            self.tally.add(self.env, n, levels, rejections)
            self.blank += blank
            self.env.stdout.write(lines)
            self.workers.done_with(lines)
            if self.progress is not None:
                self.progress.update(self.tally.read)

    def finish(self) -> None:
        if self.chunk:
            self._send()
        while self.written < self.numbered:
            self._take(wait=True)

    def drop(self) -> None:
        """Give back what is held unwritten (the batch stopped): no view is left on the workers' memory."""
        for _n, _levels, lines, _rejections, _blank in self.held.values():
            self.workers.done_with(lines)
        self.held.clear()

    def on_wait(self) -> None:
        if not self.ready():
            self.finish()
        self.env.stdout.flush()


#: The pipe size asked for each worker's chunks (Linux allows up to 1 MB unprivileged, by default).
PIPE_SIZE = 1 << 20


def _pipe_room(fd: int) -> int:
    """What the pipe `fd` holds, in bytes, made PIPE_SIZE if the system allows; less a margin. 0 where the system
    cannot say (a second chunk then never goes out before the first's outcome)."""
    import fcntl

    set_size, get_size = getattr(fcntl, "F_SETPIPE_SZ", None), getattr(fcntl, "F_GETPIPE_SZ", None)
    if set_size is None or get_size is None:
        return 0
    with contextlib.suppress(OSError):
        fcntl.fcntl(fd, set_size, PIPE_SIZE)
    try:
        size = fcntl.fcntl(fd, get_size)
    except OSError:
        return 0
    # Less two pages, not only the header: a pipe holds whole pages, and a header written after a chunk smaller
    # than a page shares that chunk's last page.
    return max(0, size - 2 * os.sysconf("SC_PAGE_SIZE"))


class WorkerLost(Exception):
    """A worker process ended before its work was done."""


class WorkerKilled(WorkerLost):
    """A worker process killed by a signal from outside (the out-of-memory killer sends SIGKILL)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class _Workers:
    """`jobs` worker processes, each with a pipe for chunks of records and one for their outcomes. No threads and
    no shared queue: the parent sends a worker a chunk only when its pipe holds it (`_Dispatch`), so a send never
    waits on a worker that waits to send, and takes each outcome when `ready` says it is there. `stop()` closes
    the pipes and ends every worker, whatever state it is in; workers ignore Ctrl-C (the parent handles it), end
    when their pipe closes, and leave through os._exit, so they never print a traceback or flush the parent's
    buffered output a second time."""

    def __init__(self, jobs: int, signals: Signals | None = None, fmt: str = "json") -> None:
        self.jobs = jobs
        self.signals = signals
        self.fmt = fmt
        self.procs: list[Any] = []
        self.tasks: list[Any] = []  # the parent's end of each worker's pipe of chunks
        #: For each worker, the most bytes a chunk may take to be sent while it works on another: what its pipe
        #: holds (made larger where the system allows), so that such a send never waits. 0: one chunk at a time.
        self.room: list[int] = [0] * jobs
        self.free: list[bytearray] = []  #: buffers for the lines of chunks received, not in use (`_lines`)
        self.results: list[Any] = []  # the parent's end of each worker's pipe of outcomes
        self.poll: Any = None
        self.fds: dict[int, int] = {}  # each worker's pipe of outcomes, by its descriptor
        #: Memory shared with the workers, made before they are: WINDOW slots for each worker, of SLOT_SIZE bytes,
        #: one for each chunk out or held (`_Dispatch`). A worker puts a chunk's lines in its slot, and the parent
        #: writes them from there: they are not copied into a pipe and out of it again, which was a third of the
        #: parent's time, and the parent's share is what bounds how well --jobs scales. Pages are only taken as
        #: they are first written.
        self.slots: Any = None

    def start(self) -> None:
        import mmap
        import multiprocessing

        context = multiprocessing.get_context("fork")
        try:  # shared, not copied on write, in a fork; only reserved, its pages taken as they are written
            self.slots = mmap.mmap(-1, WINDOW * self.jobs * SLOT_SIZE)
        except (OSError, ValueError):  # not allowed so much (ulimit -v, strict overcommit): lines on the pipe
            self.slots = None
        # Signals stay blocked while forking, so that a Ctrl-C then never runs the parent's handler in a worker.
        blocked = signal.pthread_sigmask(signal.SIG_BLOCK, Signals.SIGNALS)
        try:
            for _ in range(self.jobs):
                task_out, task_in = context.Pipe(duplex=False)
                result_out, result_in = context.Pipe(duplex=False)
                inherited = [*self.tasks, *self.results, task_in, result_out]
                args = (task_out, result_in, inherited, self.fmt, self.slots)
                proc = context.Process(target=_worker, args=args, daemon=True)
                self.procs.append(proc)
                self.tasks.append(task_in)
                self.room[len(self.tasks) - 1] = _pipe_room(task_in.fileno())
                self.results.append(result_out)
                proc.start()
                task_out.close()
                result_in.close()
        finally:
            signal.pthread_sigmask(signal.SIG_SETMASK, blocked)
        import select

        self.poll = select.poll()
        for i, conn in enumerate(self.results):
            self.poll.register(conn.fileno(), select.POLLIN)
            self.fds[conn.fileno()] = i

    def forget(self, i: int) -> None:
        """Worker `i` found gone: no longer waited on."""
        with contextlib.suppress(KeyError, ValueError):
            self.poll.unregister(self.results[i].fileno())

    def ready(self, wait: bool) -> list[int]:
        """The workers with an outcome there to take (or gone: taking it says so), in the order they were made;
        if `wait`, once there is one."""
        events = self.poll.poll(None if wait else 0)
        return sorted(self.fds[fd] for fd, _ in events)

    @staticmethod
    def pack(chunk: list[Record]) -> bytes:
        """A chunk as it goes to a worker: pickled, as plain tuples, which pickle several times faster than the
        records themselves (the parent's share of the work is what bounds how well --jobs scales)."""
        import pickle

        return pickle.dumps([(r.line, r.raw, r.error, r.row, r.block) for r in chunk], pickle.HIGHEST_PROTOCOL)

    def _send(self, i: int, packed: bytes, slot: int) -> None:
        """A chunk to worker `i`, its lines to go in `slot`: its size in 8 bytes, the slot in 4, then the chunk
        (`_Inbox.next` reads them)."""
        try:
            fd = self.tasks[i].fileno()
            _write_all(fd, len(packed).to_bytes(8, "little"), slot.to_bytes(4, "little"), packed)
        except OSError:  # a broken pipe here is a worker gone, never the reader of our output
            raise self._lost(i) from None

    def _receive(self, i: int, slot: int) -> Done:
        """Worker `i`'s outcome for its oldest chunk out, whose lines were to go in `slot`."""
        try:
            message = self.results[i].recv()
            if isinstance(message, str):  # a bug in the worker, told rather than hidden
                raise WorkerLost(message)
            n, levels, rejections, size, blank = message
            if size <= SLOT_SIZE and self.slots is not None:
                lines = memoryview(self.slots)[slot * SLOT_SIZE : slot * SLOT_SIZE + size]
            else:  # too many for the slot, or no slots: they follow on the pipe
                lines = self._lines(self.results[i].fileno(), size)
        except (EOFError, OSError):
            raise self._lost(i) from None
        return n, levels, lines, rejections, blank

    def _lines(self, fd: int, size: int) -> memoryview:
        """A chunk's lines: the `size` bytes that follow its header on the pipe, as they came (no pickling of
        megabytes), read straight into a bytearray kept for such lines (`Connection.recv_bytes` made new objects
        of megabytes for each chunk, and a page fault for every 4 KB of them: a quarter of the parent's time).
        Valid until given back with `done_with`."""
        buf = self.free.pop() if self.free else bytearray()
        if len(buf) < size:
            buf = bytearray(size + (size >> 2))
        view = memoryview(buf)[:size]
        try:
            _read_into(fd, view)
        except BaseException:
            view.release()
            self.free.append(buf)
            raise
        return view

    def done_with(self, lines: bytes | memoryview) -> None:
        """The lines of a chunk received are written: their slot, or buffer (`_lines`), may take another's."""
        if isinstance(lines, memoryview):
            buf = lines.obj
            lines.release()
            if isinstance(buf, bytearray):
                self.free.append(buf)

    def _lost(self, i: int) -> BaseException:
        proc = self.procs[i]
        proc.join(1.0)
        if proc.exitcode is not None and -proc.exitcode in Signals.SIGNALS:
            signum = -proc.exitcode  # stopped from outside, with the rest of its group
            if self.signals is not None:  # as if the parent's own handler had raised it (it may yet run)
                self.signals.raised = True
                if self.signals.pending is not None:
                    signum = self.signals.pending
            return Interrupted(signum)
        if proc.exitcode is not None and proc.exitcode < 0:
            return WorkerKilled(-proc.exitcode)
        return WorkerLost(f"a worker process ended unexpectedly (exit status {proc.exitcode})")

    def stop(self) -> None:
        for conn in (*self.tasks, *self.results):
            conn.close()  # a worker waiting for a chunk sees the end; one sending its outcome, a broken pipe
        for proc in self.procs:
            if proc.pid is not None and proc.exitcode is None:
                proc.terminate()
        deadline = time.monotonic() + 5.0
        for proc in self.procs:
            if proc.pid is None:
                continue
            proc.join(max(0.0, deadline - time.monotonic()))
            if proc.exitcode is None:
                proc.kill()
                proc.join()
        if self.slots is not None:
            with contextlib.suppress(BufferError):  # a view still held: freed with it
                self.slots.close()


def _read_into(fd: int, view: memoryview) -> None:
    """Fill `view` from the pipe `fd`; EOFError if it ends first."""
    got, size = 0, len(view)
    while got < size:
        read = os.readv(fd, [view[got:]])
        if not read:
            raise EOFError
        got += read


def _write_all(fd: int, *parts: bytes | memoryview) -> None:
    """Write `parts` one after another, in one system call if the pipe has room for them all: a reader then wakes
    once, when all is there, rather than drain the pipe while the writer fills it, each waiting on the other."""
    views = [memoryview(part) for part in parts]
    while views:
        written = os.writev(fd, views)  # a pipe may take part of it at a time
        while views and written >= len(views[0]):
            written -= len(views.pop(0))
        if views:
            views[0] = views[0][written:]


class _Inbox:
    """The chunks from the parent (`_Workers._send`), each read into one bytearray kept from chunk to chunk (a
    larger one made when a chunk needs it)."""

    def __init__(self, fd: int) -> None:
        self.fd = fd
        self.buf = bytearray()

    def next(self) -> tuple[int, list[Record]]:
        """The next chunk: the slot for its lines, and its records. EOFError when the parent is done."""
        import pickle

        header = bytearray(12)
        _read_into(self.fd, memoryview(header))
        size, slot = int.from_bytes(header[:8], "little"), int.from_bytes(header[8:], "little")
        if len(self.buf) < size:
            self.buf = bytearray(size + (size >> 2))
        with memoryview(self.buf) as whole, whole[:size] as view:
            _read_into(self.fd, view)
            fields = pickle.loads(view)
        return slot, [tuple.__new__(Record, f) for f in fields]  # (Record's __new__, without a call)


def _framed(message: bytes) -> bytes:
    """The length of a message, as `multiprocessing.Connection` frames it."""
    size = len(message)
    return size.to_bytes(4, "big") if size < 0x7FFFFFFF else b"\xff\xff\xff\xff" + size.to_bytes(8, "big")


def _worker(tasks: Any, results: Any, inherited: list[Any], fmt: str = "json", slots: Any = None) -> None:
    """A worker process: assess each chunk that comes, send back its outcome; end when the parent's end closes."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the parent, which stops the workers
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGHUP, signal.SIG_DFL)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, Signals.SIGNALS)
    for conn in inherited:  # the parent's ends, so that a parent gone leaves no worker waiting
        conn.close()
    import pickle

    status = 0
    halfway = False  # an outcome's header sent, its lines not yet: nothing else may be sent then
    out = _Gathered()
    inbox = _Inbox(tasks.fileno())
    fd = results.fileno()
    shared = memoryview(slots) if slots is not None else None
    try:
        while True:
            slot, chunk = inbox.next()
            n, levels, lines, rejections, blank = _assess_chunk(chunk, fmt, out)
            in_slot = shared is not None and len(lines) <= SLOT_SIZE
            if shared is not None and in_slot:  # the lines in the slot, before the header says they are there
                shared[slot * SLOT_SIZE : slot * SLOT_SIZE + len(lines)] = lines
            # The header, framed as `Connection.send` frames it (which `_Workers._receive` reads with `recv`), then
            # the lines as they are if they did not go in the slot: in one write.
            header = pickle.dumps((n, levels, rejections, len(lines), blank), pickle.HIGHEST_PROTOCOL)
            frame: list[bytes | memoryview] = [_framed(header), header]
            if not in_slot:
                frame.append(lines)
            halfway = True
            _write_all(fd, *frame)
            del lines, frame  # no view left on `out`'s bytes, which the next chunk's overwrite
            halfway = False
    except (EOFError, OSError):  # the parent is done, or gone
        pass
    except BaseException as exc:
        status = 1  # the parent, waiting for lines, then finds the worker gone and says so
        if not halfway:
            with contextlib.suppress(BaseException):
                results.send(f"a worker process failed ({type(exc).__name__}: {exc})")
    finally:
        os._exit(status)
