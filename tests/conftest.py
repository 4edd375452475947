from __future__ import annotations

import json
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
