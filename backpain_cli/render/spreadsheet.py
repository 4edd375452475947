"""Cells that a spreadsheet shows as text, never runs: shared by every CSV backpain writes (the history export,
results as CSV, the REDCap dictionary and the CSV template). Pure: no I/O, no third-party imports."""

from __future__ import annotations

from typing import Any

#: What a spreadsheet may read as the start of a formula (OWASP's list, their full-width forms, and a line
#: break), also after leading blanks: a cell starting so gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def csv_cell(value: Any) -> Any:
    """`value` as a CSV cell: booleans as true/false, lists joined with `;`, and text that a spreadsheet could
    take for a formula given a leading `'`, so that it is shown, never run."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        value = ";".join(map(str, value))
    if isinstance(value, str) and value.lstrip(" \u3000")[:1] in FORMULA_STARTS:
        return "'" + value  # never a formula in a spreadsheet
    return value
