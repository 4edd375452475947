"""Where results go: one sink per output format. The batch loop hands each result (or rejection) to a sink.

`--output PATH` swaps stdout for an `AtomicFile`: the sinks write to a private temporary file beside PATH,
which replaces PATH only once everything is written, so PATH is never left half-written. A device or a FIFO
at PATH (`-o /dev/null`) is written to directly, never replaced. `--save-answers PATH` writes through the same
`AtomicFile`, by the same rules (`target_problem`).
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from backpain_cli.io.env import Environment

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
        self.encode = msgspec.json.Encoder().encode
        self.format = msgspec.json.format

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        if self.batch:
            self.out.write(self.encode(out) + b"\n")
        else:
            self.out.write(self.format(self.encode(out), indent=2) + b"\n")

    def close(self) -> None:
        self.out.flush()


def terminal_width(env: Environment) -> int:
    """The width to lay text out at: $COLUMNS if set, else the terminal's, else 80 (a file or a pipe)."""
    columns = env.environ.get("COLUMNS", "")
    if columns.isdigit() and int(columns) > 0:
        return int(columns)
    if env.stdout_isatty:
        return shutil.get_terminal_size((80, 24)).columns
    return 80


class TextSink:
    """The report for one result: in colour in a terminal (unless NO_COLOR), plain text with no escape codes
    otherwise. For a batch of two or more records, a compact table (id, level, decisive rule, pain impact), one
    row per record as it comes, and a count per level. A batch of one record (one line of JSON Lines) gets the
    report, as one object does."""

    def __init__(self, env: Environment, batch: bool) -> None:
        self.out = env.stdout
        self.batch = batch
        self.color = env.stdout_isatty
        self.environ = env.environ
        self.width = terminal_width(env)
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
    return JsonSink(env, batch)


def format_for_path(path: str) -> str:
    """The output format a file name suggests: .md/.markdown Markdown, .txt text, anything else JSON."""
    suffix = Path(path).suffix.lower()
    return {".md": "markdown", ".markdown": "markdown", ".txt": "text"}.get(suffix, "json")


def target_problem(path: str) -> str | None:
    """Why `path` cannot be written by `AtomicFile`, in words, or None. The rules `--output` and
    `--save-answers` share, checked before anything is written (and before any question is asked):

    - a regular file, or a new one, is written through a temporary file in its folder, which must exist and
      be writable; a symlink leads to what it names (the link is kept, its target replaced);
    - a character device (`/dev/null`, a terminal) or a FIFO is written to directly, as the shell's `>` would;
    - anything else that exists (a directory, a socket, a block device) is refused, and so is a name that ends
      with `/` (or is `.` or `..`), which names a folder however it is spelt: `-o name/` never creates `name`."""
    if os.path.basename(path) in ("", ".", ".."):
        if os.path.isdir(path):
            return "is a directory"
        return "is not a file name (it ends with /)" if path.endswith("/") else "is not a file name"
    try:
        st = os.stat(path)  # follows symlinks: what the name leads to is what counts
    except FileNotFoundError:
        st = None
    except OSError as exc:  # a file where a folder should be (`file/name`), a symlink loop, no permission
        return exc.strerror or str(exc)
    if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
        return None if os.access(path, os.W_OK) else os.strerror(errno.EACCES)
    if st is not None and not stat.S_ISREG(st.st_mode):
        return _kind(st.st_mode)
    folder = Path(os.path.realpath(path)).parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in the folder {folder}"
    return None


class AtomicFile:
    """Where `--output PATH` and `--save-answers PATH` write, by the rules of `target_problem`. A regular file
    (or a new one) is written in full or not at all: a temporary file beside it, created with mode 0600,
    replaces it on `commit()`; `discard()` removes the temporary file. The temporary file's name starts with a
    dot; a symlink to a file keeps the link and replaces its target.

    A character device (`/dev/null`, a terminal) or a FIFO is written to directly, as the shell's `>` would:
    never replaced, never chmod-ed (written as it comes, so "not at all" cannot hold there). Anything else is
    refused with an OSError whose `strerror` says why."""

    def __init__(self, path: str) -> None:
        problem = target_problem(path)
        if problem is not None:
            raise OSError(errno.EINVAL, problem)
        self.path = Path(path)
        self.tmp: str | None = None
        try:
            st = os.stat(self.path)
        except FileNotFoundError:
            st = None
        if st is not None and (stat.S_ISCHR(st.st_mode) or stat.S_ISFIFO(st.st_mode)):
            self.file: IO[bytes] = open(self.path, "wb")  # noqa: SIM115 - closed by commit() or discard()
            return
        if st is not None and not stat.S_ISREG(st.st_mode):  # changed since it was checked
            raise OSError(errno.EINVAL, _kind(st.st_mode))
        self.path = Path(os.path.realpath(self.path))  # a symlink: replace its target, keep the link
        fd, self.tmp = tempfile.mkstemp(prefix=f".{self.path.name}.", suffix=".tmp", dir=self.path.parent)
        self.file = os.fdopen(fd, "wb")

    def commit(self) -> None:
        if self.tmp is None:
            self.file.close()  # a device or a FIFO: it has had everything already
            return
        try:
            self.file.flush()
            os.fsync(self.file.fileno())
            self.file.close()
            os.replace(self.tmp, self.path)
        except BaseException:
            self.discard()
            raise
        try:
            dir_fd = os.open(self.path.parent, os.O_RDONLY)
        except OSError:
            return
        try:
            os.fsync(dir_fd)
        except OSError:
            pass
        finally:
            os.close(dir_fd)

    def discard(self) -> None:
        with contextlib.suppress(OSError):  # a FIFO whose reader has gone: closing flushes, and fails
            self.file.close()
        if self.tmp is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.tmp)


def write_whole(path: str, data: bytes) -> None:
    """Write `data` to `path` through an `AtomicFile`: a file in full or not at all (mode 0600), a FIFO or a
    character device directly. Raises OSError (its `strerror` says why) and leaves `path` as it was."""
    target = AtomicFile(path)
    try:
        target.file.write(data)
        target.commit()
    except BaseException:
        target.discard()
        raise


def _kind(mode: int) -> str:
    """Why a path that exists cannot take the output, in words."""
    if stat.S_ISDIR(mode):
        return "is a directory"
    if stat.S_ISSOCK(mode):
        return "is a socket; only a file, a FIFO or a character device is written to"
    if stat.S_ISBLK(mode):
        return "is a block device (a disk); only a file, a FIFO or a character device is written to"
    return "is not a file; only a file, a FIFO or a character device is written to"


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
