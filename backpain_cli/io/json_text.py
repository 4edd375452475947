"""JSON text, read strictly: one record's bytes decoded with plain-words errors ("invalid JSON: … at byte N",
"not valid UTF-8 at byte N"), keys given twice found, and what a record that cannot be assessed carries.

The lowest rung of reading records: `decoding` (answers) and `fhir_io` (FHIR resources) both build on it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import msgspec

from backpain_cli.core.i18n import N_, _

_decode_any: Callable[[bytes], Any] = msgspec.json.Decoder().decode


#: A key given twice in one object (JSON or FHIR).
GIVEN_TWICE = N_("given more than once; give each key once, so that no answer hides another")


class Rejected(ValueError):
    """A record that cannot be assessed: why, in words, and its decoded value when it could be read."""

    def __init__(
        self, message: str, value: Any = None, warning: str | None = None, where: tuple[str, ...] = ()
    ) -> None:
        super().__init__(message)
        self.value = value
        self.warning = warning  #: the warning signs of a record not assessed, as data (also at the end of message)
        self.where = where  #: the keys (linkIds) at fault, for formats that carry them apart from the message


class Unreadable(Rejected):
    """The bytes are not one JSON value (malformed, not UTF-8, nested too deeply, a number out of range)."""


#: A JSON string, escapes included.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def _keys_in_text(raw: bytes) -> int:
    """How many object keys the JSON text `raw` holds: each member has one colon outside strings."""
    return _STRING.sub(b"", raw).count(b":")


def decode_json(raw: bytes) -> Any:
    """Decode any JSON value, or raise `Unreadable` saying why in plain words. A place in the record is given as
    "at byte N", counted from 1 at the record's first byte (of its line, array element or document)."""
    try:
        return _decode_any(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError) as exc:
        not_utf8 = _not_utf8(raw)  # said first, whatever else is wrong: the text itself cannot be read
        if not_utf8 is not None:
            raise Unreadable(not_utf8) from None
        if isinstance(exc, RecursionError):
            raise Unreadable(_("invalid JSON: nested too deeply")) from None
        if isinstance(exc, msgspec.ValidationError):  # the only check a plain decode makes
            raise Unreadable(_("invalid JSON: a number too large to read")) from None
        message = str(exc).removeprefix("JSON is malformed: ")  # msgspec's own words, in English
        raise Unreadable(_("invalid JSON: {detail}").format(detail=_lower(_from_1(message)))) from None


def _not_utf8(raw: bytes) -> str | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return _("not valid UTF-8 at byte {n} ({byte}); save the answers as UTF-8 text").format(
            n=exc.start + 1, byte=f"{raw[exc.start]:#04x}"
        )
    return None


_AT_BYTE = re.compile(r" \(byte (\d+)\)$")


def _from_1(message: str) -> str:
    """msgspec's "(byte N)" counts from 0 (except for trailing characters, where it names the byte after the
    first one, which is the same number counted from 1): say "at byte N", counted from 1."""
    m = _AT_BYTE.search(message)
    if m is None:
        return message
    number = int(m.group(1)) + (0 if message.startswith("trailing characters") else 1)
    return f"{message[: m.start()]} at byte {number}"


def _lower(text: str) -> str:
    return text[:1].lower() + text[1:]


def _count_keys(value: Any) -> int:
    count = 0
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, dict):
            count += len(v)
            stack.extend(v.values())
        elif isinstance(v, list):
            stack.extend(v)
    return count


def duplicate_keys(raw: bytes, value: Any, given: list[tuple[str, Any]] | None = None) -> list[str]:
    """The keys given more than once in any object of `raw` (whose decoded value is `value`). With `given`, every
    (key, value) pair of every object is collected there, repeats included, so that a rejection can still name
    the warning signs of a copy that another hides."""
    if raw.count(b":") == _count_keys(value) or _keys_in_text(raw) == _count_keys(value):
        return []
    import json  # only on this rare path: its object_pairs_hook sees every key, repeats included

    repeated: dict[str, None] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        seen: set[str] = set()
        for key, _value in items:
            if key in seen:
                repeated[key] = None
            seen.add(key)
        if given is not None:
            given.extend(items)
        return dict(items)

    try:
        json.loads(raw, object_pairs_hook=pairs)
    except (ValueError, RecursionError):  # pragma: no cover - msgspec read it, so json can
        return ["(a key)"]
    return [_path_of(key, value) for key in repeated] or ["(a key)"]


def _path_of(key: str, value: Any) -> str:
    """`key` with the path of the object it is in (`startback.total`), found in `value`, shallowest first."""
    level: list[tuple[str, Any]] = [("", value)]
    while level:
        nxt: list[tuple[str, Any]] = []
        for prefix, v in level:
            if isinstance(v, dict):
                if key in v:
                    return prefix + key
                nxt.extend((f"{prefix}{k}.", sub) for k, sub in v.items() if isinstance(sub, (dict, list)))
            elif isinstance(v, list):
                nxt.extend((prefix, sub) for sub in v if isinstance(sub, (dict, list)))
        level = nxt
    return key
