"""The `backpain` command's entry point: signals are handled from its first moment, before the rest is imported.

A Ctrl-C or SIGTERM in the first tenth of a second (while typer and the core are still being imported) would
otherwise print a traceback, or end the process without a word. Here such a signal says one line and exits with
the documented status (`io.process.install_early`). Only the standard library and `io.process` are imported
first, so start-up stays as fast as it was.
"""

from __future__ import annotations

import contextlib
import os
import sys

from backpain_cli.io.process import install_early, own_process

STDOUT_CLOSED = (
    "backpain: standard output is closed, so no result could be written; run it with stdout open "
    "(redirect it to a file, or to /dev/null)\n"
)


def main() -> None:
    install_early()
    own_process()
    if sys.stdout is None:  # started with stdout closed (`>&-`): a file opened later could take its place
        with contextlib.suppress(OSError):
            os.write(2, STDOUT_CLOSED.encode())
        raise SystemExit(2)
    from backpain_cli.cli.app import main as cli_main

    # Ctrl-C goes back to Python's KeyboardInterrupt once a command has begun (`command_started`, called by
    # Environment.from_sys), as the commands handle it; until then (typer still parsing, which would swallow
    # it without a word) the early handler says it. SIGTERM and SIGHUP keep the early handler until a batch
    # installs its own (and restores this one after).
    cli_main()
