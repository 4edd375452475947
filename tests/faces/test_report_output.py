"""`--output PATH` when PATH is not a plain file: a device or a FIFO is written to as it is (never replaced by a
regular file, never chmod-ed); a directory, a socket or a block device is refused with exit 2."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from pathlib import Path

import pytest

from tests.conftest import VIGNETTES, assess_cli

ONE = json.dumps(VIGNETTES[0]["answers"])


def test_output_to_dev_null_writes_to_it_and_leaves_it_a_device(guarded: list[str]) -> None:
    before = os.stat("/dev/null")
    result = assess_cli(["-f", "json", "-o", "/dev/null"], ONE)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)
    assert guarded == []


@pytest.mark.parametrize("fmt", ["markdown", "text"])
@pytest.mark.parametrize("named", ["itself", "through a symlink"])
def test_output_to_a_character_device_keeps_it(tmp_path: Path, guarded: list[str], fmt: str, named: str) -> None:
    """Runs without privilege: writing to /dev/null needs none. A backpain that replaced the device with a file
    would need a temporary file beside it (in /dev: refused without privilege, and with it the rename onto the
    device is refused by `guarded`); one that did not follow the symlink would leave a file in tmp_path."""
    path = "/dev/null"
    if named == "through a symlink":
        path = str(tmp_path / "null")
        os.symlink("/dev/null", path)
    before = os.stat("/dev/null")
    result = assess_cli(["-f", fmt, "-o", path], ONE)
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    after = os.stat("/dev/null")
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)
    assert guarded == []
    assert [p.name for p in tmp_path.iterdir()] == (["null"] if named == "through a symlink" else [])
    if named == "through a symlink":
        assert os.readlink(path) == "/dev/null"
    assert not [p for p in Path("/dev").iterdir() if p.name.startswith(".null.")], "no temporary file in /dev"


def test_output_to_a_fifo_streams_into_it(tmp_path: Path, guarded: list[str]) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o640)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    result = assess_cli(["-f", "json", "-o", str(fifo)], ONE)
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert got and json.loads(got[0])["level"] == "emergency"
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_IMODE(fifo.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"], "no temporary file left behind"
    assert guarded == []


def test_output_through_a_symlink_to_a_directory_is_refused(tmp_path: Path) -> None:
    (tmp_path / "dir").mkdir()
    (tmp_path / "link").symlink_to(tmp_path / "dir")
    result = assess_cli(["-o", str(tmp_path / "link")], ONE)
    assert result.exit_code == 2
    assert "cannot write to" in result.stderr and "is a directory" in result.stderr
    assert list((tmp_path / "dir").iterdir()) == []
    assert (tmp_path / "link").is_symlink()


def test_output_to_a_socket_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        result = assess_cli(["-o", str(path)], ONE)
    assert result.exit_code == 2
    assert "cannot write to" in result.stderr and "socket" in result.stderr
    assert stat.S_ISSOCK(path.stat().st_mode)


def test_output_through_a_symlink_to_a_file_replaces_the_file_not_the_link(tmp_path: Path) -> None:
    target = tmp_path / "real.md"
    target.write_text("old")
    (tmp_path / "link.md").symlink_to(target)
    result = assess_cli(["-o", str(tmp_path / "link.md")], ONE)
    assert result.exit_code == 0, result.output
    assert (tmp_path / "link.md").is_symlink()
    assert target.read_text().startswith("# Back and neck pain")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


FULL = pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")


@FULL
@pytest.mark.parametrize("fmt", ["json", "text", "markdown"])
def test_output_to_a_full_device_is_told_plainly(fmt: str, guarded: list[str]) -> None:
    result = assess_cli(["-f", fmt, "-o", "/dev/full"], ONE)
    assert result.exit_code == 2, result.output
    assert result.stderr == "backpain: cannot write to /dev/full: No space left on device\n"
    assert guarded == []


@FULL
@pytest.mark.parametrize(
    "args",
    [["assess"], ["assess", "-f", "text"], ["assess", "--save", "--db", "{db}"], ["history", "--db", "{db}"]],
)
def test_stdout_on_a_full_device_is_told_plainly(tmp_path: Path, args: list[str]) -> None:
    import subprocess
    import sys

    args = [a.replace("{db}", str(tmp_path / "h.sqlite3")) for a in args]
    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "backpain_cli", *args],
            input=ONE.encode(),
            stdout=full,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
    err = proc.stderr.decode()
    assert proc.returncode == 2, err
    assert err.splitlines()[-1] == "backpain: cannot write the output to stdout: No space left on device"
    assert "internal error" not in err and "Exception" not in err


@FULL
@pytest.mark.parametrize("args", [["schema"], ["questions"], ["questions", "-f", "json"], ["--version"]])
def test_other_commands_on_a_full_device_say_so_and_exit_2(args: list[str]) -> None:
    import subprocess
    import sys

    with open("/dev/full", "wb") as full:
        proc = subprocess.run(
            [sys.executable, "-m", "backpain_cli", *args], stdout=full, stderr=subprocess.PIPE, timeout=60, check=False
        )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.decode() == "backpain: cannot write the output: No space left on device\n"
