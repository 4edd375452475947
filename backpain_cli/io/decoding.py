"""From one record's bytes to valid answers: a fast path, and the thorough path behind it.

The fast path decodes the bytes straight into a `msgspec.Struct` generated from `questionnaire.QUESTIONS`
(strict types, the allowed values as `Literal`s, ranges as `Meta`, unknown keys forbidden), then makes the few
checks a struct cannot: list values given once, STarT Back psychosocial not above total, no key given twice.
Whenever it fails, for whatever reason, the record takes the thorough path: a plain decode, the duplicate-key
check, and `validation.validate`, which collects every problem with a message naming its key. The fast path
only ever accepts what `validate` accepts, with the same answers (tests/io/test_batch_fastpath.py checks this);
so every error message comes from the thorough path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, Union

import msgspec

from backpain_cli.core.i18n import _
from backpain_cli.core.questionnaire import QUESTIONS, Question
from backpain_cli.core.validation import Answers, InvalidAnswers, Problem, check, unassessed_warning
from backpain_cli.io import fhir_io
from backpain_cli.io.json_text import GIVEN_TWICE, Rejected, Unreadable, _keys_in_text, decode_json, duplicate_keys

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
    fields = [(q.key, _field_type(q)) if q.required else (q.key, _field_type(q), _default(q)) for q in questions]
    return msgspec.defstruct(name, fields, forbid_unknown_fields=True, kw_only=True)


def _default(q: Question) -> Any:
    """What an optional key left out decodes to: the empty tuple for a list answer with a default (never what a
    JSON array decodes to, so it tells a key left out from one given; `_to_builtins` puts the default in its
    place), else UNSET (left out of the answers)."""
    if q.default is None:
        return msgspec.UNSET
    assert q.default == (), "a list answer's default is empty"
    return msgspec.field(default_factory=tuple)  # the one empty tuple: no new object per record


AnswersStruct = _struct("AnswersStruct", QUESTIONS)
#: The optional questions with a default (an empty list).
_DEFAULTED = tuple(q.key for q in QUESTIONS if not q.required and q.default is not None)
#: The list answers, present in every record decoded (required, or given their default).
_MULTI = tuple(q.key for q in QUESTIONS if q.kind == "multi")
assert all(q.required or q.default is not None for q in QUESTIONS if q.kind == "multi")
(_STARTBACK,) = (q.key for q in QUESTIONS if q.kind == "startback")  # the one answer that is an object
#: The optional keys with no default: left out of the answers when not given.
_UNSET = tuple(q.key for q in QUESTIONS if not q.required and q.default is None)
assert all(q.kind in ("choice", "id", "startback") for q in QUESTIONS if q.key in _UNSET)  # no list to copy
_decode_struct: Callable[[bytes], Any] = msgspec.json.Decoder(AnswersStruct).decode
_asdict: Callable[[Any], dict[str, Any]] = msgspec.structs.asdict


def _to_builtins(s: Any) -> tuple[dict[str, Any], int] | None:
    """The struct as the answers dict (what validate gives): its fields in order, those not given left out or
    given their default (an empty list), STarT Back as a dict; made in half the time of msgspec.to_builtins, as
    the lists are the decoder's own, not copies. With it, how many keys were given, its objects' included. None
    when it fails a check a struct cannot make: a list value given twice, STarT Back psychosocial above total."""
    out = _asdict(s)
    keys = len(out)
    for key in _DEFAULTED:
        if out[key] is _EMPTY:
            out[key] = []
            keys -= 1
    for key in _UNSET:
        if out[key] is msgspec.UNSET:
            del out[key]
            keys -= 1
    startback = out.get(_STARTBACK)
    if startback is not None:
        startback = out[_STARTBACK] = _asdict(startback)
        keys += len(startback)
        if startback["psychosocial"] > startback["total"]:
            return None
    for key in _MULTI:
        values = out[key]
        if len(values) > 1 and len(set(values)) != len(values):  # a value given twice
            return None
    return out, keys


_EMPTY = ()


def fast_answers(raw: bytes) -> Answers | None:
    """The answers, when `raw` is a plainly valid record; None when the thorough path must decide."""
    try:
        s = _decode_struct(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    made = _to_builtins(s)
    if made is None:
        return None
    out, keys = made
    # Colons in the text bound the number of keys given; if they match the keys found, none was given twice.
    if raw.count(b":") != keys and _keys_in_text(raw) != keys:
        return None
    return out


def fast_value(obj: dict[str, Any]) -> Answers | None:
    """The answers, when `obj` (a spreadsheet row typed into the contract's object) is plainly valid; None when
    `validate` must decide. The same struct and checks as `fast_answers`, without the text to decode."""
    try:
        s = msgspec.convert(obj, AnswersStruct)
    except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
        return None
    made = _to_builtins(s)
    return None if made is None else made[0]


# ── the thorough path ──


def answers(raw: bytes) -> Answers:
    """Valid answers from one record's bytes, or raise `Rejected` naming every problem. A record with a top-level
    `resourceType` is a FHIR QuestionnaireResponse, read by `fhir_io.response_answers`."""
    out = None if fhir_io.ONLY else fast_answers(raw)
    if out is not None:
        return out
    try:
        value = decode_json(raw)
    except Unreadable as exc:  # unreadable as a whole: its text may still state warning signs
        found = unassessed_warning(None, raw=raw)
        if found is None:
            raise
        raise Unreadable(f"{exc}. {found}", warning=str(found)) from None
    if isinstance(value, dict) and (fhir_io.ONLY or "resourceType" in value):
        return fhir_io.response_answers(raw, value)
    given: list[tuple[str, Any]] = []
    repeated = duplicate_keys(raw, value, given)
    problems = [Problem(key, _(GIVEN_TWICE)) for key in repeated]
    out, invalid = check(value)
    problems.extend(invalid)
    if problems:
        # Every copy of a key given twice counts: a red flag in the first of two `red_flags` must not go unsaid.
        found = unassessed_warning(value, more=given if repeated else (), raw=raw)
        error = InvalidAnswers(problems, found)
        raise Rejected(str(error), value, error.warning, tuple(p.key for p in problems))
    return out
