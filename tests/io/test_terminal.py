"""Terminal conventions: FORCE_COLOR forces colour even when piped (NO_COLOR still wins), and the questions' key
hints break between words at narrow widths."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from typing import Any

import pytest
from prompt_toolkit.data_structures import Size

from backpain_cli.faces.interactive import _CHECKBOX_NONE, _SELECT_HOW, Screen
from tests.conftest import VIGNETTES

COLOUR = re.compile(r"\x1b\[(?:[0-9]+;)*(?:3[0-8]|9[0-7])[;m]")


def report(**env: str) -> str:
    environ = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "FORCE_COLOR")} | env
    return subprocess.run(
        [sys.executable, "-m", "backpain_cli", "assess", "-f", "text"],
        input=json.dumps(VIGNETTES[0]["answers"]), capture_output=True, text=True, env=environ, check=True,
    ).stdout  # fmt: skip


def test_force_color_colours_a_piped_report() -> None:
    assert COLOUR.search(report(FORCE_COLOR="1"))
    assert "\x1b[" not in report()
    assert "\x1b[" not in report(FORCE_COLOR="")  # set but empty: not forced


def test_no_color_wins_over_force_color() -> None:
    assert not COLOUR.search(report(FORCE_COLOR="1", NO_COLOR="1"))


class _Output:
    def __init__(self, columns: int) -> None:
        self.columns = columns

    def get_size(self) -> Size:
        return Size(rows=24, columns=self.columns)


@pytest.mark.parametrize("width", range(24, 90, 3))
@pytest.mark.parametrize("how", [_SELECT_HOW, _CHECKBOX_NONE])
@pytest.mark.parametrize("message", ["Where is the pain?", "Do you have any of these right now? Choose every one."])
def test_key_hints_break_between_words(width: int, how: str, message: str) -> None:
    screen: Any = Screen.__new__(Screen)
    screen.output = _Output(width)
    shown, hint = screen.heading(message, how)
    drawn = f"? {shown} {hint}".split("\n")  # as questionary draws the question line
    assert all(len(line) < width for line in drawn)
    assert " ".join(w for line in hint.split("\n") for w in line.split()) == how  # every word, whole, in order
