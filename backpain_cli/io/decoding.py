"""From one record's bytes to valid answers: a fast path, and the thorough path behind it.

The fast path decodes the bytes straight into a `msgspec.Struct` generated from `questionnaire.QUESTIONS`
(strict types, the allowed values as `Literal`s, ranges as `Meta`, unknown keys forbidden), then makes the few
checks a struct cannot: list values given once, STarT Back psychosocial not above total, no key given twice.
Whenever it fails, for whatever reason, the record takes the thorough path: a plain decode, the duplicate-key
check, and `validation.validate`, which collects every problem with a message naming its key. The fast path
only ever accepts what `validate` accepts, with the same answers (tests/test_batch_fastpath.py checks this);
so every error message comes from the thorough path.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Annotated, Any, Literal, Union

import msgspec

from backpain_cli.core.questionnaire import QUESTIONS, Question
from backpain_cli.core.validation import Answers, InvalidAnswers, Problem, check, unassessed_warning


class Rejected(ValueError):
    """A record that cannot be assessed: why, in words, and its decoded value when it could be read."""

    def __init__(self, message: str, value: Any = None, warning: str | None = None) -> None:
        super().__init__(message)
        self.value = value
        self.warning = warning  #: the warning signs of a record not assessed, as data (also at the end of message)


class Unreadable(Rejected):
    """The bytes are not one JSON value (malformed, not UTF-8, nested too deeply, a number out of range)."""


# ── the generated struct ──


def _number(q: Question, base: type) -> Any:
    low = q.minimum if q.refuse_below is None or q.minimum is None else max(q.minimum, q.refuse_below)
    return Annotated[base, msgspec.Meta(ge=base(low), le=base(q.maximum))]


_literal: Any = Literal  # built at run time from the questionnaire's values


def _field_type(q: Question) -> Any:
    if q.kind == "integer":
        return _number(q, int)
    if q.kind == "number":
        return Union[_number(q, int), _number(q, float)]  # ints stay ints, as `validate` keeps them
    if q.kind == "boolean":
        return bool
    if q.kind == "choice":
        return _literal[q.values]
    if q.kind == "multi":
        items = list.__class_getitem__(_literal[q.values])
        return Annotated[items, msgspec.Meta(min_length=q.min_items)] if q.min_items else items
    if q.kind == "id":
        return Union[str, int]
    return _struct(q.key.capitalize(), q.fields)


def _struct(name: str, questions: tuple[Question, ...]) -> type[msgspec.Struct]:
    fields = [(q.key, _field_type(q)) if q.required else (q.key, _field_type(q), msgspec.UNSET) for q in questions]
    return msgspec.defstruct(name, fields, forbid_unknown_fields=True, kw_only=True)


AnswersStruct = _struct("AnswersStruct", QUESTIONS)
_ORDER = tuple(q.key for q in QUESTIONS)
_DEFAULTS = {q.key: q.default for q in QUESTIONS if not q.required and q.default is not None}
_MULTI = tuple(q.key for q in QUESTIONS if q.kind == "multi")
_STARTBACK = tuple(q.key for q in QUESTIONS if q.kind == "startback")
_decode_struct: Callable[[bytes], Any] = msgspec.json.Decoder(AnswersStruct).decode
_decode_any: Callable[[bytes], Any] = msgspec.json.Decoder().decode

#: A JSON string, escapes included.
_STRING = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"', re.S)


def _keys_in_text(raw: bytes) -> int:
    """How many object keys the JSON text `raw` holds: each member has one colon outside strings."""
    return _STRING.sub(b"", raw).count(b":")


def fast_answers(raw: bytes) -> Answers | None:
    """The answers, when `raw` is a plainly valid record; None when the thorough path must decide."""
    try:
        s = _decode_struct(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    out: dict[str, Any] = msgspec.to_builtins(s)
    keys = _checked(out)
    # Colons in the text bound the number of keys given; if they match the keys found, none was given twice.
    if keys is None or (raw.count(b":") != keys and _keys_in_text(raw) != keys):
        return None
    return _with_defaults(out)


def fast_value(obj: dict[str, Any]) -> Answers | None:
    """The answers, when `obj` (a spreadsheet row typed into the contract's object) is plainly valid; None when
    `validate` must decide. The same struct and checks as `fast_answers`, without the text to decode."""
    try:
        s = msgspec.convert(obj, AnswersStruct)
    except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
        return None
    out: dict[str, Any] = msgspec.to_builtins(s)
    return None if _checked(out) is None else _with_defaults(out)


def _checked(out: dict[str, Any]) -> int | None:
    """How many keys `out` holds, its objects' included, when it passes the checks a struct cannot make (list
    values given once, STarT Back psychosocial not above total); None when it does not."""
    keys = len(out)
    for key in _STARTBACK:
        sb = out.get(key)
        if sb is not None:
            keys += len(sb)
            if sb["psychosocial"] > sb["total"]:
                return None
    for key in _MULTI:
        values = out.get(key)
        if values and len(values) > 1 and len(set(values)) != len(values):
            return None
    return keys


def _with_defaults(out: dict[str, Any]) -> Answers:
    if len(out) != len(_ORDER) and any(k not in out for k in _DEFAULTS):
        out = {k: out[k] if k in out else list(_DEFAULTS[k]) for k in _ORDER if k in out or k in _DEFAULTS}
    return out


# ── the thorough path ──


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
            raise Unreadable("invalid JSON: nested too deeply") from None
        if isinstance(exc, msgspec.ValidationError):  # the only check a plain decode makes
            raise Unreadable("invalid JSON: a number too large to read") from None
        message = str(exc).removeprefix("JSON is malformed: ")
        raise Unreadable(f"invalid JSON: {_lower(_from_1(message))}") from None


def _not_utf8(raw: bytes) -> str | None:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return f"not valid UTF-8 at byte {exc.start + 1} ({raw[exc.start]:#04x}); save the answers as UTF-8 text"
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
        for key, _ in items:
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


def answers(raw: bytes) -> Answers:
    """Valid answers from one record's bytes, or raise `Rejected` naming every problem."""
    out = fast_answers(raw)
    if out is not None:
        return out
    try:
        value = decode_json(raw)
    except Unreadable as exc:  # unreadable as a whole: its text may still state warning signs
        found = unassessed_warning(None, raw=raw)
        if found is None:
            raise
        raise Unreadable(f"{exc}. {found}", warning=str(found)) from None
    given: list[tuple[str, Any]] = []
    repeated = duplicate_keys(raw, value, given)
    problems = [
        Problem(key, "given more than once; give each key once, so that no answer hides another") for key in repeated
    ]
    out, invalid = check(value)
    problems.extend(invalid)
    if problems:
        # Every copy of a key given twice counts: a red flag in the first of two `red_flags` must not go unsaid.
        found = unassessed_warning(value, more=given if repeated else (), raw=raw)
        error = InvalidAnswers(problems, found)
        raise Rejected(str(error), value, error.warning)
    return out
