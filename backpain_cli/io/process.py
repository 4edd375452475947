"""The process: its exit statuses and its signals, in one place.

`ExitStatus` is every status `backpain` exits with (documented in the README and in each command's `--help`).
Signals are handled in two stages. From the process's first moment (`install_early`, called by the entry point
before anything else is imported) SIGINT, SIGTERM and SIGHUP say one line and exit with their status, so that a
signal during start-up never prints a traceback. Once a command has begun (`command_started`), Ctrl-C goes back
to Python's KeyboardInterrupt, which the commands handle; and while a batch runs, `Signals` turns each of them
into `Interrupted`, held back while output is written so that no output line is ever cut in half.

Imports only the standard library: the entry point loads it first.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
from collections.abc import Iterator
from enum import IntEnum
from typing import Any


class ExitStatus(IntEnum):
    OK = 0  #: every record assessed
    REJECTED = 1  #: one or more records rejected (the rest still assessed and printed)
    USAGE = 2  #: usage error: bad option, unreadable file, no input; or the output could not be written
    NOT_SAVED = 3  #: assessed and shown, but not saved to the history as asked (--save, or "yes" at the question)
    INTERNAL = 70  #: a bug in backpain (EX_SOFTWARE); please report it
    WORKER_KILLED = 71  #: a --jobs worker killed from outside, as by the out-of-memory killer (EX_OSERR)
    HANGUP = 129  #: stopped by SIGHUP, its terminal closed (128 + 1)
    INTERRUPTED = 130  #: interrupted (Ctrl-C), or the questionnaire was cancelled
    TERMINATED = 143  #: stopped by SIGTERM (128 + 15, as a shell reports a process it ended)


def N_(message: str) -> str:
    """Marks a message for the catalogs (as `core.i18n.N_` does), without importing anything on this, the first
    module of every start-up: `--help` puts it in the region's words."""
    return message


EXIT_HELP = N_(
    "Exit status: 0 every record assessed, or the questionnaire ended with advice instead of a result; 1 one or "
    "more records rejected (the rest still assessed and printed); 2 usage error (bad option, unreadable file, no "
    "input) or output that could not be written; 3 assessed and printed, but not saved to the history as asked "
    "(--save, or yes at the save question); 70 internal error (a bug: please report it); 71 a --jobs worker "
    "process was killed (out of memory, say); 129 hung up (SIGHUP); 130 interrupted or cancelled; 143 stopped "
    "by SIGTERM."
)

#: The top-level help: the codes every command shares; each command's --help says what its own mean.
TOP_EXIT_HELP = N_(
    "Exit status: 0 done; 2 usage error; 70 internal error (a bug: please report it); 130 interrupted or "
    "cancelled; 129 and 143 stopped by SIGHUP or SIGTERM. assess also exits 1 (records rejected), 3 (not saved "
    "to the history) and 71 (a worker killed): see backpain assess --help, and backpain history --help."
)

HISTORY_EXIT_HELP = N_(
    "Exit status: 0 done; 2 usage error, output that could not be written, or a database that is not a sound "
    "backpain history or not private to you (it is left untouched); 70 internal error (a bug: please report "
    "it); 130 interrupted (Ctrl-C), also at the question before a deletion (nothing is deleted); 129 and 143 "
    "stopped by SIGHUP or SIGTERM."
)


#: What each signal says, and its exit status.
STOPS: dict[int, tuple[str, ExitStatus]] = {
    signal.SIGINT: (N_("interrupted"), ExitStatus.INTERRUPTED),
    signal.SIGTERM: (N_("terminated"), ExitStatus.TERMINATED),
    signal.SIGHUP: (N_("hung up"), ExitStatus.HANGUP),
}


def stop_word(signum: int) -> tuple[str, ExitStatus]:
    """What to say when `signum` stopped a command, and the exit status."""
    return STOPS.get(signum, STOPS[signal.SIGINT])


# ── from the first moment: one line and the status, never a traceback ──


def _early(signum: int, frame: object) -> None:
    word, status = stop_word(signum)
    with contextlib.suppress(OSError):
        os.write(2, f"backpain: {word}\n".encode())
    os._exit(status)


_sigint: Any = None


def install_early() -> None:
    """Handle SIGINT, SIGTERM and SIGHUP with `_early` until a command takes them over."""
    global _sigint
    previous = {signum: signal.signal(signum, _early) for signum in STOPS}
    _sigint = previous[signal.SIGINT]


#: Whether this is the `backpain` command's own process (the entry point says so), not a program that imported the
#: package: only then are process-wide settings, such as the garbage collector's, tuned for a command.
OWN_PROCESS = False


def own_process() -> None:
    global OWN_PROCESS
    OWN_PROCESS = True


def tune_for_a_batch() -> None:
    """Before a batch, in the command's own process: the cyclic garbage collector is stopped. A batch makes and
    drops many small containers, and none of them in a cycle (tests/faces/test_batch.py checks this for every
    kind of record and input), so reference counting frees them all and the collector's passes find nothing: they
    only walked the reasons the engine keeps, again and again. Counted under callgrind over 20,000 records,
    stopping it rather than running it less often saves 500 instructions a record (and running it less often saved
    1,200 before that); memory stays flat (bench/memory.py).

    Python still makes one collection as it exits, over every object not frozen: the objects made so far (the
    modules, the questionnaire, the compiled rules) are frozen now, and those the batch made and kept (the reasons,
    the texts) as the process exits, before that collection. It took 65 ms at the end of 50,000 records, a twentieth
    of the batch's own time, to find nothing."""
    if OWN_PROCESS:
        import atexit
        import gc

        gc.freeze()
        gc.disable()
        atexit.register(gc.freeze)


def command_started() -> None:
    """A command has begun and handles Ctrl-C itself: give SIGINT back to Python's KeyboardInterrupt."""
    if _sigint is not None and signal.getsignal(signal.SIGINT) is _early:
        with contextlib.suppress(ValueError, TypeError):  # not the main thread
            signal.signal(signal.SIGINT, _sigint)


# ── while a batch runs: signals raised between output lines, never inside one ──


class Interrupted(KeyboardInterrupt):
    """SIGINT, SIGTERM or SIGHUP, raised in the main thread by `Signals`."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


class Signals:
    """While a batch runs, SIGINT, SIGTERM and SIGHUP (a closed terminal) raise `Interrupted`, except inside
    `held()` (while output is written, or while workers are stopped): there the signal waits until the block
    ends, so that no output line is ever cut in half. Once one signal has been raised, later ones are noted and
    ignored, so that stopping cleanly is not itself cut short."""

    SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)

    def __init__(self) -> None:
        self.holding = 0
        self.pending: int | None = None
        self.raised = False
        self.saved: dict[int, Any] = {}

    def __enter__(self) -> Signals:
        if threading.current_thread() is threading.main_thread():
            for signum in self.SIGNALS:
                self.saved[signum] = signal.signal(signum, self._on_signal)
        return self

    def __exit__(self, *exc: object) -> None:
        for signum, handler in self.saved.items():
            signal.signal(signum, handler)

    def _on_signal(self, signum: int, frame: object) -> None:
        if self.pending is None:
            self.pending = signum
        if not self.holding and not self.raised:
            self.raised = True
            raise Interrupted(signum)

    @contextlib.contextmanager
    def held(self) -> Iterator[None]:
        self.holding += 1
        try:
            yield
        finally:
            self.holding -= 1
        if not self.holding and self.pending is not None and not self.raised:
            self.raised = True
            raise Interrupted(self.pending)
