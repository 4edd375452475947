"""The JSON face: records in, one result (or one rejection) out per record, in input order, as they are made.

`run()` streams: it reads a record, assesses it, writes its result, and holds nothing else, so memory stays flat
however long the input. One object in gives one object out; several give JSON Lines (only the first result waits
until it is known whether a second record follows). At the end, one summary line goes to stderr.
"""

from __future__ import annotations

import dataclasses
import os
import stat
import sys
import time
from collections.abc import Callable, Iterator
from itertools import chain
from typing import IO, Any, cast

from .decoding import Rejected, answers
from .engine import assess
from .env import Environment
from .exit_codes import ExitStatus
from .policy import LEVELS
from .reader import NoInput, Reader, Record
from .validation import record_id

Outcome = tuple[bool, dict[str, Any], dict[str, Any] | None]

#: Rejections also told on stderr, one line each, up to this many (all of them are in the output in place).
MAX_MESSAGES = 20
#: A progress bar appears (on a terminal only) once a batch has taken this long, in seconds.
PROGRESS_AFTER = 1.0


def rejection(record: Record, error: str, value: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {"line": record.line}
    rid = record_id(value)
    if rid is not None:
        out["id"] = rid
    out["error"] = error
    return out


def assess_one(record: Record) -> Outcome:
    """(True, result, answers) for a record assessed, (False, rejection, None) for one rejected."""
    if record.error is not None:
        return False, rejection(record, record.error), None
    try:
        valid = answers(record.raw)
    except Rejected as exc:
        return False, rejection(record, str(exc), exc.value), None
    return True, assess(valid), valid


NO_ANSWERS = (
    "no answers to assess. Pipe answers in as JSON (backpain assess < answers.json, or --answers PATH), "
    "or run 'backpain assess' in a terminal to answer the questions."
)


class Tally:
    """What the summary line reports."""

    def __init__(self) -> None:
        self.read = 0
        self.rejected = 0
        self.levels: dict[str, int] = dict.fromkeys(LEVELS, 0)

    def count(self, env: Environment, ok: bool, level: str | None, rejected: dict[str, Any] | None) -> None:
        self.read += 1
        if level is not None:
            self.levels[level] += 1
        if rejected is not None:
            self.rejected += 1
            if self.rejected <= MAX_MESSAGES:
                where = f"record {rejected['line']}" + (f" (id {rejected['id']!r})" if "id" in rejected else "")
                env.message(f"{where} rejected: {rejected['error']}")
            elif self.rejected == MAX_MESSAGES + 1:
                env.message("more records rejected; each is reported in place in the output")

    def line(self, blank: int) -> str:
        assessed = self.read - self.rejected
        levels = ", ".join(f"{level.replace('_', ' ')} {n}" for level, n in self.levels.items())
        text = f"{_n(self.read, 'record')} read: {assessed} assessed ({levels}), {self.rejected} rejected"
        if blank:
            text += f"; {_n(blank, 'blank line')} skipped"
        return text


def _n(count: int, noun: str) -> str:
    return f"{count} {noun}" + ("" if count == 1 else "s")


#: Called with each result and its answers before the result is written (saving to the history, say); it may
#: add to the result.
OnAssessed = Callable[[dict[str, Any], dict[str, Any]], None]


def run(
    env: Environment,
    stream: IO[bytes],
    fmt: str,
    input_format: str | None,
    jobs: int = 1,
    on_assessed: OnAssessed | None = None,
) -> ExitStatus:
    """Assess every record of `stream`, writing each result in `fmt` to stdout as it is made."""
    from .sinks import make_sink

    _say_if_waiting(env, stream)
    try:
        reader = Reader(stream, input_format)
    except NoInput:
        env.message(NO_ANSWERS)
        return ExitStatus.USAGE
    records: Iterator[Record] = iter(reader)
    if reader.kind == "jsonl":  # one line gives one object out, several give JSON Lines: look one record ahead
        ahead = [r for _, r in zip(range(2), records, strict=False)]
        batch = len(ahead) > 1
        records = chain(ahead, records)
    else:
        batch = reader.kind == "array"
    buffered = _Buffer(env.stdout)
    reader.on_wait = buffered.flush  # results go out before the input is waited for
    env = dataclasses.replace(env, stdout=cast(IO[bytes], buffered))
    sink = make_sink(fmt, env, batch)
    tally = Tally()
    progress = _Progress(env, reader) if batch and env.stderr_isatty else None
    try:
        if jobs > 1 and batch and fmt == "json" and on_assessed is None:
            write = env.stdout.write
            for ok, level, line, rejected in _parallel(records, jobs):
                tally.count(env, ok, level, rejected)
                write(line)
                if progress is not None and not tally.read & 255:
                    progress.update(tally.read)
            env.stdout.flush()
        else:
            for ok, out, valid in map(assess_one, records):
                tally.count(env, ok, out["level"] if ok else None, None if ok else out)
                if ok and on_assessed is not None:
                    on_assessed(out, cast(dict[str, Any], valid))
                sink.write(ok, out, valid)
                if progress is not None and not tally.read & 255:
                    progress.update(tally.read)
            sink.close()
    except BrokenPipeError:  # the reader of our output has gone (`| head -1`): stop, quietly
        _silence(buffered.out)
        return ExitStatus.REJECTED if tally.rejected else ExitStatus.OK
    finally:
        if progress is not None:
            progress.stop()
    if batch:
        env.message(tally.line(reader.blank))
    return ExitStatus.REJECTED if tally.rejected else ExitStatus.OK


#: Seconds of silence on a pipe before a person at the terminal is told what backpain is waiting for.
WAIT_HINT_AFTER = 2.0
WAITING = "waiting for answers as JSON on stdin; end the input with Ctrl-D, or cancel with Ctrl-C."


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

        ready, _, _ = select.select([fd], [], [], WAIT_HINT_AFTER)
        if not ready:
            env.message(WAITING)


class _Buffer:
    """Output gathered into large writes (even under PYTHONUNBUFFERED), flushed whenever input is awaited."""

    def __init__(self, out: IO[bytes], size: int = 1 << 16) -> None:
        self.out = out
        self.size = size
        self.buf = bytearray()

    def write(self, data: bytes) -> int:
        self.buf += data
        if len(self.buf) >= self.size:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self.buf:
            self.out.write(self.buf)
            self.buf.clear()
        self.out.flush()

    def fileno(self) -> int:
        return self.out.fileno()


def _silence(stdout: IO[bytes]) -> None:
    """Point stdout at /dev/null, so that the final flush at exit raises nothing more."""
    try:
        fd = stdout.fileno()
    except (OSError, ValueError, AttributeError):
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)
    if sys.stdout is not None and getattr(sys.stdout, "buffer", None) is stdout:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - lives until exit


class _Progress:
    """A progress bar on stderr, for a terminal only, once a batch has run for a while. rich is imported only
    then, so that piped runs never load it."""

    def __init__(self, env: Environment, reader: Reader) -> None:
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
            from rich.console import Console
            from rich.progress import Progress

            console = Console(file=self.env.stderr, force_terminal=True)
            self.bar = Progress(console=console, transient=True)
            self.bar.start()
            self.task = self.bar.add_task("Assessing", total=self.total)
        if self.total is not None:
            self.bar.update(self.task, completed=self.reader.consumed, description=f"Assessed {done}")
        else:
            self.bar.update(self.task, description=f"Assessed {done}")

    def stop(self) -> None:
        if self.bar is not None:
            self.bar.stop()


# -- several processes (--jobs N), batches with JSON output: workers assess and encode, the parent writes in order --

CHUNK_RECORDS = 1000
#: (ok, level or None, the JSON line, the rejection or None)
Encoded = tuple[bool, str | None, bytes, dict[str, Any] | None]


def _assess_chunk(chunk: list[Record]) -> list[Encoded]:
    import msgspec

    encode = msgspec.json.Encoder().encode
    done: list[Encoded] = []
    for record in chunk:
        ok, out, _ = assess_one(record)
        done.append((ok, out["level"] if ok else None, encode(out) + b"\n", None if ok else out))
    return done


def _chunks(records: Iterator[Record]) -> Iterator[list[Record]]:
    chunk: list[Record] = []
    for r in records:
        chunk.append(r)
        if len(chunk) == CHUNK_RECORDS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _parallel(records: Iterator[Record], jobs: int) -> Iterator[Encoded]:
    """Encoded outcomes made by `jobs` worker processes, chunk by chunk, in input order, with at most two chunks
    per worker in flight (so memory stays bounded however long the input)."""
    import multiprocessing
    from collections import deque

    with multiprocessing.get_context("fork").Pool(jobs) as pool:
        pending: deque[Any] = deque()
        for chunk in _chunks(records):
            pending.append(pool.apply_async(_assess_chunk, (chunk,)))
            if len(pending) >= 2 * jobs:
                yield from pending.popleft().get()
        while pending:
            yield from pending.popleft().get()
