"""Saving answers to a file: by `--output`'s rules (io.files.AtomicFile), so that a file is private (mode 0600) and
either whole or not there at all, a FIFO or a character device (`/dev/null`) is written to as it is, a symlink to
a file keeps the link, and a directory, a socket, a block device or a name ending with `/` is refused."""

from __future__ import annotations


def check_target(path: str) -> str | None:
    """Why answers could not be saved at `path` (checked before any question is asked), or None."""
    from backpain_cli.io.files import target_problem

    return target_problem(path)


def write_private(path: str, data: bytes) -> None:
    """Write `data` to `path` as `-o` writes its output (io.files.AtomicFile). An interruption at any point leaves
    the old file (or none), never a half-written one."""
    from backpain_cli.io.files import write_whole

    write_whole(path, data)
