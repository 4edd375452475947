from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).parent
VIGNETTES: list[dict[str, Any]] = [
    json.loads(line) for line in (HERE / "vignettes.jsonl").read_text().splitlines() if line.strip()
]


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
