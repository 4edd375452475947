"""`-o PATH` and `--save-answers PATH` share one set of rules for what PATH may be (io.files.target_problem, one
AtomicFile): a symlink to a file keeps the link and replaces its target; a FIFO or a character device is written
to directly and left as it is; a directory, a socket or a name ending with `/` is refused (exit 2), untouched."""

from __future__ import annotations

import json
import os
import socket
import stat
import threading
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from tests.conftest import VIGNETTES
from tests.faces.test_interactive import drive, reachable, script

ONE = json.dumps(VIGNETTES[0]["answers"])
OPTIONS = ["--output", "--save-answers"]


def write(option: str, path: str, answers: dict[str, Any]) -> tuple[int, str]:
    """(exit status, stderr) of writing to `path` with `option`: `-o` from piped answers, `--save-answers` at the
    end of the questionnaire (typed in full)."""
    if option == "--output":
        result = CliRunner().invoke(app, ["assess", "-f", "json", "-o", path], input=ONE)
        return result.exit_code, result.stderr
    run = drive(script(answers), save=path)
    return int(run.status), run.stderr


def written(option: str, data: bytes, answers: dict[str, Any]) -> bool:
    """Whether `data` is what `option` writes: the result of ONE, or the answers typed."""
    value = json.loads(data)
    return value["id"] == VIGNETTES[0]["answers"]["id"] if option == "--output" else value == reachable(answers)


def refused(option: str, path: str, status: int, stderr: str) -> None:
    assert status == 2, stderr
    said = f"cannot write to {path}: " if option == "--output" else f"cannot save answers to {path}: "
    assert stderr.startswith("backpain: " + said), stderr
    assert len(stderr.splitlines()) == 1


@pytest.mark.parametrize("option", OPTIONS)
def test_a_symlink_to_a_file_keeps_the_link_and_replaces_the_file(
    option: str, tmp_path: Path, base_answers: dict[str, Any]
) -> None:
    target, link = tmp_path / "real.json", tmp_path / "link.json"
    target.write_text("old")
    target.chmod(0o644)
    link.symlink_to(target)
    status, stderr = write(option, str(link), base_answers)
    assert status == 0, stderr
    assert link.is_symlink() and os.readlink(link) == str(target)
    assert written(option, target.read_bytes(), base_answers)
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


@pytest.mark.parametrize("option", OPTIONS)
def test_a_fifo_is_written_to_directly_and_left_a_fifo(
    option: str, tmp_path: Path, base_answers: dict[str, Any], guarded: list[str]
) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo, 0o640)
    got: list[bytes] = []

    def read() -> None:
        with open(fifo, "rb") as f:
            got.append(f.read())

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    status, stderr = write(option, str(fifo), base_answers)
    reader.join(timeout=60)
    assert status == 0, stderr
    assert got and written(option, got[0], base_answers)
    assert stat.S_ISFIFO(fifo.stat().st_mode) and stat.S_IMODE(fifo.stat().st_mode) == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["pipe"], "no temporary file left behind"
    assert guarded == []


@pytest.mark.parametrize("option", OPTIONS)
def test_dev_null_is_written_to_and_left_a_device(
    option: str, tmp_path: Path, base_answers: dict[str, Any], guarded: list[str]
) -> None:
    """Needs no privilege: anyone may write to /dev/null. Replacing it would need a temporary file in /dev
    (refused without privilege) and a rename onto the device (refused by `guarded`)."""
    before = os.stat(os.devnull)
    status, stderr = write(option, os.devnull, base_answers)
    assert status == 0, stderr
    after = os.stat(os.devnull)
    assert stat.S_ISCHR(after.st_mode) and after.st_rdev == before.st_rdev
    assert stat.S_IMODE(after.st_mode) == stat.S_IMODE(before.st_mode)
    assert guarded == []


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("how", ["a directory", "a symlink to a directory"])
def test_a_directory_is_refused_untouched(option: str, how: str, tmp_path: Path, base_answers: dict[str, Any]) -> None:
    folder = tmp_path / "dir"
    folder.mkdir()
    path = folder
    if how == "a symlink to a directory":
        path = tmp_path / "link"
        path.symlink_to(folder)
    status, stderr = write(option, str(path), base_answers)
    refused(option, str(path), status, stderr)
    assert "is a directory" in stderr
    assert list(folder.iterdir()) == []
    assert path.is_symlink() == (how == "a symlink to a directory")


@pytest.mark.parametrize("option", OPTIONS)
def test_a_socket_is_refused_untouched(option: str, tmp_path: Path, base_answers: dict[str, Any]) -> None:
    path = tmp_path / "sock"
    with socket.socket(socket.AF_UNIX) as server:
        server.bind(str(path))
        status, stderr = write(option, str(path), base_answers)
    refused(option, str(path), status, stderr)
    assert "is a socket" in stderr
    assert stat.S_ISSOCK(path.stat().st_mode)


@pytest.mark.parametrize("option", OPTIONS)
@pytest.mark.parametrize("name", ["name/", "name//", "name/.", "dir/", "dir/.."])
def test_a_name_ending_with_a_slash_is_refused_and_creates_nothing(
    option: str, name: str, tmp_path: Path, base_answers: dict[str, Any]
) -> None:
    """`-o name/` names a folder: it must not create a file called `name` (pathlib drops the slash)."""
    (tmp_path / "dir").mkdir()
    path = f"{tmp_path}/{name}"
    status, stderr = write(option, path, base_answers)
    refused(option, path, status, stderr)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dir"]
    assert list((tmp_path / "dir").iterdir()) == []


@pytest.mark.parametrize("option", OPTIONS)
def test_a_block_device_is_refused_untouched(
    option: str, tmp_path: Path, base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Making a block device needs privilege: PATH is made to look like one through os.stat, the one thing
    that tells what a path is (a seam rather than a skip)."""
    path = tmp_path / "disk"
    path.write_bytes(b"data")
    real_stat = os.stat

    def fake_stat(p: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        st = real_stat(p, *args, **kwargs)
        if os.fspath(p) == str(path):
            return os.stat_result((stat.S_IFBLK | 0o660, *tuple(st)[1:]))
        return st

    monkeypatch.setattr(os, "stat", fake_stat)
    status, stderr = write(option, str(path), base_answers)
    monkeypatch.undo()
    refused(option, str(path), status, stderr)
    assert "is a block device" in stderr
    assert path.read_bytes() == b"data"
    assert [p.name for p in tmp_path.iterdir()] == ["disk"]
