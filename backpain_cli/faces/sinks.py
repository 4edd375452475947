"""Where results go: one sink per output format. The batch loop hands each result (or rejection) to a sink.

`--output PATH` swaps stdout for an `AtomicFile`: the sinks write to a private temporary file beside PATH,
which replaces PATH only once everything is written, so PATH is never left half-written. A device or a FIFO
at PATH (`-o /dev/null`) is written to directly, never replaced. `--save-answers PATH` writes through the same
`AtomicFile` (io.files), by the same rules (`target_problem`).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from backpain_cli.io.env import Environment
from backpain_cli.io.files import AtomicFile as AtomicFile

if TYPE_CHECKING:
    from backpain_cli.render.report import BatchTable


class Sink(Protocol):
    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        """One result (ok) or one rejection (not ok); `answers` are the validated answers behind a result."""
        ...

    def close(self) -> None: ...


class JsonSink:
    """One JSON object for a single document; JSON Lines, one line per record, for a batch."""

    def __init__(self, env: Environment, batch: bool) -> None:
        import msgspec

        self.out = env.stdout
        self.batch = batch
        encoder = msgspec.json.Encoder()
        self.encode = encoder.encode
        self.encode_into = encoder.encode_into
        self.format = msgspec.json.format
        #: An output that takes a result to encode straight into what it holds (the batch's buffer), or None.
        self.write_encoded = getattr(self.out, "write_encoded", None)

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        if self.batch and self.write_encoded is not None:
            self.write_encoded(self.encode_into, out)
        elif self.batch:
            self.out.write(self.encode(out) + b"\n")
        else:
            self.out.write(self.format(self.encode(out), indent=2) + b"\n")

    def line_encoder(self) -> Callable[[Any, bytearray, int], None] | None:
        """For a batch written to the batch's buffer: the encoder's `encode_into`, with which the serial loop's fast
        path writes each result as one JSON line, as `write` does, without `write`'s tests of each record. Else
        None."""
        if self.batch and self.write_encoded is not None:
            return self.encode_into
        return None

    def close(self) -> None:
        self.out.flush()


class TextSink:
    """The report for one result: in colour in a terminal (unless NO_COLOR), plain text with no escape codes
    otherwise. For a batch of two or more records, a compact table (id, level, decisive rule, pain impact), one
    row per record as it comes, and a count per level. A batch of one record (one line of JSON Lines) gets the
    report, as one object does."""

    def __init__(self, env: Environment, batch: bool) -> None:
        self.out = env.stdout
        self.batch = batch
        self.color = env.color(env.stdout_isatty)
        self.environ = env.environ
        self.width = env.width()
        self.table: BatchTable | None = None
        self.first: tuple[bool, dict[str, Any], dict[str, Any] | None] | None = None

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        if not self.batch:
            self._report(ok, out, answers)
        elif self.table is None and self.first is None:
            self.first = (ok, out, answers)
        else:
            if self.table is None:
                from backpain_cli.render.report import BatchTable

                self.table = BatchTable(self.width, self.color, self.environ)
            if self.first is not None:
                self.out.write(self.table.row(*self.first[:2]).encode())
                self.first = None
            self.out.write(self.table.row(ok, out).encode())

    def _report(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None) -> None:
        if ok:
            from backpain_cli.render.report import render_text

            text = render_text(out, answers, width=self.width, color=self.color, environ=self.environ)
            self.out.write(text.encode())
        elif "warning" in out:  # not assessed, but warning signs were given: in the output too, not on stderr only
            self.out.write(f"{out['warning']}.\n".encode())
        # Any other rejected record on its own: the message on stderr says it all.

    def close(self) -> None:
        if self.first is not None:
            self._report(*self.first)
            self.first = None
        if self.table is not None:
            self.out.write(self.table.summary().encode())
        self.out.flush()


class MarkdownSink:
    """The Markdown report of each result; a rejected record in a batch as a short section in its place."""

    def __init__(self, env: Environment, batch: bool) -> None:
        self.out = env.stdout
        self.batch = batch
        self.first = True

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        from backpain_cli.render.markdown import code, fenced, render_markdown

        if ok:
            text = render_markdown(out, answers)
        elif self.batch or "warning" in out:  # on its own, a rejection needs no report unless it gives warnings
            rid = f" ({code(str(out['id']))})" if "id" in out else ""
            text = f"# Record {out['line']}{rid}: rejected\n\n{fenced(str(out['error']))}\n"
        else:
            return
        self.out.write(("" if self.first else "\n").encode() + text.encode())
        self.first = False

    def close(self) -> None:
        self.out.flush()


def make_sink(fmt: str, env: Environment, batch: bool) -> Sink:
    if fmt == "text":
        return TextSink(env, batch)
    if fmt == "markdown":
        return MarkdownSink(env, batch)
    if fmt == "fhir":
        from backpain_cli.io.fhir_io import FhirSink

        return FhirSink(env, batch)
    if fmt == "csv":
        from backpain_cli.faces.csv_sink import CsvSink

        return CsvSink(env, batch)
    return JsonSink(env, batch)


def format_for_path(path: str) -> str:
    """The output format a file name suggests: .md/.markdown Markdown, .txt text, .csv CSV, anything else JSON."""
    suffix = Path(path).suffix.lower()
    return {".md": "markdown", ".markdown": "markdown", ".txt": "text", ".csv": "csv"}.get(suffix, "json")


class OutputError(Exception):
    """The output could not be written (a full disk, an I/O error): not a bug, and said as such (exit 2)."""

    def __init__(self, where: str, error: OSError) -> None:
        super().__init__(f"cannot write to {where}: {error.strerror or error}")
        self.where = where
        self.error = error


class GuardedOutput:
    """stdout or an `--output` file whose write errors are raised as `OutputError`, naming `where`, so that they
    are told as what they are rather than taken for a bug. A closed pipe (BrokenPipeError) is left as it is: the
    batch stops quietly on it. Everything else is the stream's own."""

    def __init__(self, out: IO[bytes], where: str) -> None:
        self.out = out
        self.where = where

    def write(self, data: Any) -> int:
        try:
            return self.out.write(data)
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(self.where, exc) from None

    def flush(self) -> None:
        try:
            self.out.flush()
        except BrokenPipeError:
            raise
        except OSError as exc:
            raise OutputError(self.where, exc) from None

    def fileno(self) -> int:
        return self.out.fileno()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.out, name)
