"""The `backpain` command's entry point: signals are handled from its first moment, before the rest is imported.

A Ctrl-C or SIGTERM in the first tenth of a second (while typer and the core are still being imported) would
otherwise print a traceback, or end the process without a word. Here such a signal says one line and exits with
the documented status. Only the standard library's `os`, `signal` and `sys` are imported first, so start-up
stays as fast as it was.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys

#: What each signal says, and the exit status (ExitStatus.INTERRUPTED, TERMINATED, HANGUP).
_SAID: dict[int, tuple[str, int]] = {
    signal.SIGINT: ("interrupted", 130),
    signal.SIGTERM: ("terminated", 143),
    signal.SIGHUP: ("hung up", 129),
}

STDOUT_CLOSED = (
    "backpain: standard output is closed, so no result could be written; run it with stdout open "
    "(redirect it to a file, or to /dev/null)\n"
)


def _early(signum: int, frame: object) -> None:
    word, status = _SAID[signum]
    with contextlib.suppress(OSError):
        os.write(2, f"backpain: {word}\n".encode())
    os._exit(status)


def main() -> None:
    previous = {signum: signal.signal(signum, _early) for signum in _SAID}
    if sys.stdout is None:  # started with stdout closed (`>&-`): a file opened later could take its place
        with contextlib.suppress(OSError):
            os.write(2, STDOUT_CLOSED.encode())
        raise SystemExit(2)
    global _sigint
    _sigint = previous[signal.SIGINT]
    from ._cli import main as cli_main

    # Ctrl-C goes back to Python's KeyboardInterrupt once a command has begun (`command_started`, called by
    # Environment.from_sys), as the commands handle it; until then (typer still parsing, which would swallow
    # it without a word) the early handler says it. SIGTERM and SIGHUP keep the early handler until a batch
    # installs its own (and restores this one after).
    cli_main()


_sigint: object = None


def command_started() -> None:
    """A command has begun and handles Ctrl-C itself: give SIGINT back to Python's KeyboardInterrupt."""
    if _sigint is not None and signal.getsignal(signal.SIGINT) is _early:
        with contextlib.suppress(ValueError, TypeError):  # not the main thread
            signal.signal(signal.SIGINT, _sigint)  # type: ignore[arg-type]
