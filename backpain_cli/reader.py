"""Reading answers: one JSON object, a JSON array of objects, or JSON Lines, told apart from the input's start.

Every record comes out as a `Record`: its line (for JSON Lines, the line number in the input; for an array,
the element's position; for a single document, 1) and either its decoded value or why it could not be read.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import msgspec

BOM = b"\xef\xbb\xbf"


class NoInput(Exception):
    """The input held nothing but white space."""


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    value: Any = None
    error: str | None = None


def _decode(data: bytes) -> Any:
    return msgspec.json.decode(data)


def _error(exc: Exception) -> str:
    return f"invalid JSON: {exc}"


def read_records(data: bytes, input_format: str | None = None) -> tuple[bool, Iterator[Record]]:
    """Split `data` into records. Returns (batch, records): batch is False for a single JSON document."""
    if data.startswith(BOM):
        data = data[len(BOM) :]
    stripped = data.lstrip()
    if not stripped:
        raise NoInput
    if input_format is None:
        if stripped[:1] == b"[":
            input_format = "array"
        else:
            first = stripped.split(b"\n", 1)[0]
            try:
                _decode(first)
                input_format = "jsonl"
            except (msgspec.DecodeError, ValueError):
                input_format = "json"
    if input_format == "jsonl":
        return True, _lines(data)
    try:
        value = _decode(data)
    except (msgspec.DecodeError, ValueError) as exc:
        return False, iter([Record(1, error=_error(exc))])
    if isinstance(value, list):
        return True, (Record(i, v) for i, v in enumerate(value, 1))
    return False, iter([Record(1, value)])


def _lines(data: bytes) -> Iterator[Record]:
    for number, line in enumerate(data.split(b"\n"), 1):
        if not line.strip():
            continue
        try:
            yield Record(number, _decode(line))
        except (msgspec.DecodeError, ValueError) as exc:
            yield Record(number, error=_error(exc))
