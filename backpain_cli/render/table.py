"""Results as a table: the fixed columns of `--format csv`, one row per input record. Pure: no I/O."""

from __future__ import annotations

from typing import Any

from backpain_cli.render.spreadsheet import csv_cell

#: The columns of `--format csv`, fixed whatever the input: one row per input record, in input order.
RESULT_HEADER = (
    "id",
    "line",
    "level",
    "within",
    "action",
    "rules",
    "pain_impact",
    "duration",
    "risk_group",
    "screen_total",
    "screen_psychosocial",
    "policy_version",
    "error",
    "warning",
)
_SCORES = ("pain_impact", "duration", "risk_group", "screen_total", "screen_psychosocial")


def result_cells(ok: bool, out: dict[str, Any], line: int | None) -> list[Any]:
    """One result (or rejection) as the cells of a `RESULT_HEADER` row; no cell can start a spreadsheet
    formula."""
    if ok:
        scores = out["scores"]
        cells: list[Any] = [out.get("id"), line, out["level"], out.get("within"), out["action"]]
        cells.append(" ".join(r["rule"] for r in out["reasons"]))
        cells += [scores.get(k) for k in _SCORES]
        cells += [out["policy_version"], None, None]
    else:
        cells = [out.get("id"), out.get("line", line), *[None] * 10, out["error"], out.get("warning")]
    return ["" if v is None else csv_cell(v) for v in cells]
