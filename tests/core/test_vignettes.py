"""Every worked case of the clinical vignettes, through the engine and through the CLI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core.engine import assess_record
from tests.conftest import VIGNETTES

IDS = [v["name"] for v in VIGNETTES]


def expected_within(vignette: dict[str, Any]) -> str | None:
    """`within` as the vignette gives it; absent for the levels below urgent (the contract)."""
    if vignette["expected_level"] in ("emergency", "urgent"):
        return str(vignette["expected_within"])
    assert "expected_within" not in vignette
    return None


def test_every_urgent_or_emergency_vignette_says_how_soon() -> None:
    assert len(VIGNETTES) >= 36
    assert {v.get("expected_within") for v in VIGNETTES} == {"now", "today", "48h", None}


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_engine(vignette: dict[str, Any]) -> None:
    result = assess_record(vignette["answers"])
    assert result["level"] == vignette["expected_level"]
    assert sorted(r["rule"] for r in result["reasons"]) == sorted(vignette["expected_rules"])
    assert result.get("within") == expected_within(vignette)


@pytest.mark.parametrize("vignette", VIGNETTES, ids=IDS)
def test_cli_one_object(vignette: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["assess", "--format", "json"], input=json.dumps(vignette["answers"], indent=2))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["level"] == vignette["expected_level"]
    assert sorted(r["rule"] for r in out["reasons"]) == sorted(vignette["expected_rules"])
    assert out.get("within") == expected_within(vignette)
    assert out["id"] == vignette["answers"]["id"]


def test_cli_all_vignettes_as_json_lines() -> None:
    data = "".join(json.dumps(v["answers"]) + "\n" for v in VIGNETTES)
    result = CliRunner().invoke(app, ["assess"], input=data)
    assert result.exit_code == 0
    lines = [json.loads(x) for x in result.stdout.splitlines()]
    assert [x["id"] for x in lines] == IDS
    assert [x["level"] for x in lines] == [v["expected_level"] for v in VIGNETTES]
    assert [x.get("within") for x in lines] == [expected_within(v) for v in VIGNETTES]
