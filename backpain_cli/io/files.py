"""Writing a file the user names (`--output PATH`, `--save-answers PATH`), by one set of rules, in one place.

`target_problem` says what is refused; `AtomicFile` writes: a regular file in full or not at all (mode 0600),
a FIFO or a character device (`/dev/null`) directly, as the shell's `>` would.
"""

from __future__ import annotations

import contextlib
import errno
import os
import stat
import tempfile
from pathlib import Path
from typing import IO

from backpain_cli.core.i18n import _


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
            return _("is a directory")
        return _("is not a file name (it ends with /)") if path.endswith("/") else _("is not a file name")
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
        return _("the folder {folder} does not exist").format(folder=folder)
    if not os.access(folder, os.W_OK | os.X_OK):
        return _("cannot write in the folder {folder}").format(folder=folder)
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
        return _("is a directory")
    if stat.S_ISSOCK(mode):
        return _("is a socket; only a file, a FIFO or a character device is written to")
    if stat.S_ISBLK(mode):
        return _("is a block device (a disk); only a file, a FIFO or a character device is written to")
    return _("is not a file; only a file, a FIFO or a character device is written to")
