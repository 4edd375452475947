"""The entry point: a signal during start-up, and a closed stdout, each give one line and a documented status."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent

#: Sends the signal to itself while the CLI is being imported, as a Ctrl-C in the first tenth of a second does.
DURING_IMPORT = textwrap.dedent(
    """
    import os, signal, sys
    class Hook:
        def find_spec(self, name, path=None, target=None):
            if name == "{module}":
                os.kill(os.getpid(), {signum})
            return None
    sys.meta_path.insert(0, Hook())
    sys.argv = ["backpain", "assess"]
    from backpain_cli.cli.entry import main
    main()
    """
)


@pytest.mark.timeout(60)
@pytest.mark.parametrize(
    "module", ["backpain_cli.cli.app", "backpain_cli.io.env"]
)  # while importing; while typer parses
@pytest.mark.parametrize(
    ("signum", "status", "said"),
    [(signal.SIGINT, 130, "interrupted"), (signal.SIGTERM, 143, "terminated"), (signal.SIGHUP, 129, "hung up")],
)
def test_a_signal_during_start_up_says_one_line(module: str, signum: int, status: int, said: str) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", DURING_IMPORT.format(signum=int(signum), module=module)],
        input=b"{}\n",
        capture_output=True,
        cwd=ROOT,
        timeout=50,
    )
    assert (proc.returncode, proc.stderr.decode()) == (status, f"backpain: {said}\n")
    assert proc.stdout == b""


@pytest.mark.timeout(60)
def test_a_closed_stdout_is_a_usage_error_not_a_crash() -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "backpain_cli", "assess"],
        input=b"{}\n",
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        cwd=ROOT,
        timeout=50,
        preexec_fn=lambda: __import__("os").close(1),
    )
    err = proc.stderr.decode()
    assert proc.returncode == 2
    assert err.startswith("backpain: standard output is closed") and "Traceback" not in err and "internal" not in err
