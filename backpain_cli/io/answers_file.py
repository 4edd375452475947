"""Saving answers to a file: private (mode 0600) and atomic, so a file is either whole or not there at all."""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path


def check_target(path: str) -> str | None:
    """Why answers could not be saved at `path` (checked before any question is asked), or None."""
    target = Path(path)
    if target.is_dir():
        return f"{path} is a folder, not a file"
    folder = target.parent
    if not folder.is_dir():
        return f"the folder {folder} does not exist"
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"cannot write in the folder {folder}"
    return None


def write_private(path: str, data: bytes) -> None:
    """Write `data` to `path` with mode 0600: into a temporary file in the same folder, then renamed over `path`.
    An interruption at any point leaves the old file (or none), never a half-written one."""
    target = Path(path)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
