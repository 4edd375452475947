"""The JSON face: records in, one result (or one rejection) out per record, in input order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .engine import assess
from .reader import Record
from .validation import InvalidAnswers, record_id, validate


def rejection(record: Record, error: str) -> dict[str, Any]:
    out: dict[str, Any] = {"line": record.line}
    rid = record_id(record.value)
    if rid is not None:
        out["id"] = rid
    out["error"] = error
    return out


def assess_records(records: Iterable[Record]) -> Iterator[tuple[bool, dict[str, Any]]]:
    """(True, result) for each assessed record, (False, rejection) for each rejected one, in order."""
    for record in records:
        if record.error is not None:
            yield False, rejection(record, record.error)
            continue
        try:
            yield True, assess(validate(record.value))
        except InvalidAnswers as exc:
            yield False, rejection(record, str(exc))
