from __future__ import annotations

import io
import json
import os
import signal
import stat
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

HERE = Path(__file__).parent

# The tests of Ctrl-C expect Python's own handling of SIGINT. A test run started in the background by a shell
# without job control (`pytest &`) inherits SIGINT ignored, and Python then leaves it ignored: restore it.
if signal.getsignal(signal.SIGINT) == signal.SIG_IGN:
    signal.signal(signal.SIGINT, signal.default_int_handler)

VIGNETTES: list[dict[str, Any]] = [
    json.loads(line) for line in (HERE / "vignettes.jsonl").read_text().splitlines() if line.strip()
]
#: The vignettes' answers: valid records, each with its own id.
GOOD: list[dict[str, Any]] = [v["answers"] for v in VIGNETTES]


def invoke(data: bytes | str, *args: str) -> Result:
    """`backpain assess --format json ARGS` through typer's CliRunner, with `data` on stdin. Whatever the input, it
    must end in an exit status, never a traceback."""
    from backpain_cli.cli.app import app

    result = CliRunner().invoke(app, ["assess", "--format", "json", *args], input=data)
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    return result


def outcome(result: Result) -> tuple[int, list[str], str]:
    """(exit status, stdout lines, stderr) of a CliRunner result."""
    return result.exit_code, result.stdout.splitlines(), result.stderr


def assess_cli(args: list[str], data: str, **env: str) -> Result:
    """`backpain assess ARGS` as a person at an 80-column terminal runs it, colour set aside (`env` overrides)."""
    from backpain_cli.cli.app import app

    return CliRunner().invoke(app, ["assess", *args], input=data, env={"NO_COLOR": None, "COLUMNS": "80", **env})


def run_batch(
    data: bytes, input_format: str | None = None, jobs: int = 1, stderr_isatty: bool = False
) -> tuple[int, bytes, str]:
    """The batch loop itself on in-memory streams (faster than the CLI, for fuzz tests): status, stdout, stderr."""
    from backpain_cli.faces.batch import run
    from backpain_cli.io.env import Environment

    out, err = io.BytesIO(), io.StringIO()
    env = Environment(io.BytesIO(data), out, err, False, False, stderr_isatty)
    return int(run(env, env.stdin, "json", input_format, jobs)), out.getvalue(), err.getvalue()


@pytest.fixture
def base_answers() -> dict[str, Any]:
    """A valid answer set that fires no rule (C0): a young adult, a few days of improving strain."""
    return {
        "age": 30,
        "pain_areas": ["low_back"],
        "duration_weeks": 1,
        "onset": "after_lifting_or_strain",
        "red_flags": [],
        "risk_factors": [],
        "weakness": "none",
        "numbness_tingling": False,
        "radiating_pain": [],
        "pain_intensity": 4,
        "enjoyment_interference": 3,
        "activity_interference": 3,
        "trend": "improving",
        "sleep_disturbed": False,
        "past_two_weeks": [],
        "bothersomeness": "moderately",
    }


@pytest.fixture
def guarded(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Refuse (rather than do) any rename onto or chmod of a device node: the test fails instead of replacing
    the machine's /dev/null when it runs as root against a backpain that would."""
    touched: list[str] = []
    real_replace, real_chmod = os.replace, os.chmod

    def is_special(path: Any) -> bool:
        try:
            return not stat.S_ISREG(os.stat(path).st_mode) and not stat.S_ISDIR(os.stat(path).st_mode)
        except (OSError, TypeError):
            return False

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if is_special(dst):
            touched.append(f"replace {dst}")
            raise PermissionError(1, "the test refuses to replace a device or FIFO")
        real_replace(src, dst, *args, **kwargs)

    def chmod(path: Any, *args: Any, **kwargs: Any) -> None:
        if is_special(path):
            touched.append(f"chmod {path}")
            raise PermissionError(1, "the test refuses to chmod a device or FIFO")
        real_chmod(path, *args, **kwargs)

    monkeypatch.setattr(os, "replace", replace)
    monkeypatch.setattr(os, "chmod", chmod)
    return touched


#: Tests that wait on real time: the questionnaire in a real pseudo-terminal, and saves that wait for a history
#: another process holds. They are marked `slow`, so that `pytest -m "not slow"` leaves them out while working;
#: the README's test command and .ci/run run everything.
SLOW_MODULES = ("test_interactive_pty.py",)
SLOW_WORDS = ("busy", "another_save", "waits_long")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.path.name in SLOW_MODULES or any(word in item.name for word in SLOW_WORDS):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(autouse=True)
def intl_region(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Every test starts in the `intl` wording, whatever the machine's locale, unless it chooses a region: the
    locale variables and $BACKPAIN_REGION are cleared (for subprocesses too) and the process's region reset."""
    from backpain_cli.core import i18n
    from backpain_cli.io import catalogs

    catalogs.install()  # as the command does: the package's catalogs for a region other than intl
    for name in ("BACKPAIN_REGION", "LC_ALL", "LC_MESSAGES", "LANG"):
        monkeypatch.delenv(name, raising=False)
    i18n.use("intl")
    yield
    i18n.use("intl")
