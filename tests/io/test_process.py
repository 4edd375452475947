"""The process-wide settings a batch makes: only in the command's own process, never in a program that imported
the package."""

from __future__ import annotations

import gc
import subprocess
import sys

import pytest

from backpain_cli.io import process


def test_a_program_that_imported_the_package_keeps_its_garbage_collector_as_it_was() -> None:
    before = gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()
    assert not process.OWN_PROCESS
    process.tune_for_a_batch()
    assert (gc.isenabled(), gc.get_threshold(), gc.get_freeze_count()) == before


def test_the_commands_own_process_tunes_it_for_a_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    assert gc.isenabled()
    monkeypatch.setattr(process, "OWN_PROCESS", True)
    at_exit: list[object] = []
    monkeypatch.setattr("atexit.register", at_exit.append)
    try:
        process.tune_for_a_batch()
        assert not gc.isenabled()
        assert gc.get_freeze_count() > 0
        assert at_exit == [gc.freeze]  # what the batch kept is left out of the collection made at the exit
    finally:
        gc.unfreeze()
        gc.enable()


def test_the_entry_point_says_it_is_the_commands_own_process() -> None:
    code = (
        "import sys\nfrom backpain_cli.cli import entry\nfrom backpain_cli.io import process\n"
        "sys.argv = ['backpain', '--help']\ntry:\n    entry.main()\nexcept SystemExit:\n    pass\n"
        "print(process.OWN_PROCESS, file=sys.stderr)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert out.stderr.strip().splitlines()[-1] == "True"
