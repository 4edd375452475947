"""The process environment the CLI works in, as one object tests can swap (after httpie's Environment)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import IO, Any

from backpain_cli.core.i18n import _
from backpain_cli.io.process import ExitStatus, Interrupted, command_started, stop_word


@dataclass
class Environment:
    stdin: IO[bytes]
    stdout: IO[bytes]
    stderr: IO[str]
    stdin_isatty: bool
    stdout_isatty: bool
    stderr_isatty: bool
    environ: dict[str, str] = field(default_factory=dict)

    @classmethod
    def from_sys(cls) -> Environment:
        """The real process environment, taken as a command begins (which also hands Ctrl-C back to the command:
        see `process.command_started`)."""
        command_started()
        return cls(
            stdin=sys.stdin.buffer if sys.stdin is not None else open(os.devnull, "rb"),
            stdout=sys.stdout.buffer,
            stderr=sys.stderr,
            stdin_isatty=sys.stdin is not None and sys.stdin.isatty(),
            stdout_isatty=sys.stdout.isatty(),
            stderr_isatty=sys.stderr.isatty(),
            environ=dict(os.environ),
        )

    def width(self) -> int:
        """The width to lay text out at, the one rule of the project: $COLUMNS if set, else the terminal's when
        stdout is one, else 80 (a file or a pipe)."""
        columns = self.environ.get("COLUMNS", "")
        if columns.isdigit() and int(columns) > 0:
            return int(columns)
        if self.stdout_isatty:
            import shutil

            return shutil.get_terminal_size((80, 24)).columns
        return 80

    def color(self, isatty: bool) -> bool:
        """Whether output to a stream gets styles: on a terminal, or wherever it goes when FORCE_COLOR is set and
        not empty (force-color.org, as rich reads it). NO_COLOR still wins: the faces then drop every colour."""
        return isatty or bool(self.environ.get("FORCE_COLOR"))

    def message(self, text: str) -> None:
        """A message for the person: always on stderr, never mixed into machine output."""
        self.stderr.write(f"backpain: {text}\n")
        self.stderr.flush()


def to_devnull(stream: IO[Any]) -> bool:
    """Point `stream`'s file descriptor at /dev/null, once its reader has gone or it has failed, so that what is
    left in its buffer goes nowhere at exit instead of failing again with a raw error. False if it cannot be."""
    try:
        fd = stream.fileno()
        devnull = os.open(os.devnull, os.O_WRONLY)
    except (OSError, ValueError, AttributeError):
        return False
    try:
        os.dup2(devnull, fd)
    except OSError:
        return False
    finally:
        os.close(devnull)
    return True


def stopped(env: Environment, exc: Interrupted) -> ExitStatus:
    """Say which signal stopped the command (in the region's words); its exit status."""
    word, status = stop_word(exc.signum)
    env.message(_(word))
    return status
