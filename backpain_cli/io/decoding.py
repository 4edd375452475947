"""From one record's bytes to valid answers: a fast path, and the thorough path behind it.

The fast path decodes the bytes straight into a dict, typed by a `TypedDict` generated from
`questionnaire.QUESTIONS` (strict types, the allowed values as `Literal`s, ranges as `Meta`), then makes the few
checks a type cannot: no key unknown or given twice (the keys found, counted against the colons in the text),
list values given once, STarT Back psychosocial not above total. Whenever it fails, for whatever reason, the record
takes the thorough path: a plain decode, the duplicate-key check, and `validation.validate`, which collects every
problem with a message naming its key. The fast path only ever accepts what `validate` accepts, with the same
answers (tests/io/test_batch_fastpath.py checks this); so every error message comes from the thorough path.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, Literal, NotRequired, Required, TypedDict, Union

import msgspec

from backpain_cli.core.i18n import _
from backpain_cli.core.questionnaire import BY_KEY as QUESTIONS_BY_KEY
from backpain_cli.core.questionnaire import QUESTIONS, Question
from backpain_cli.core.validation import Answers, InvalidAnswers, Problem, check, unassessed_warning
from backpain_cli.io import fhir_io
from backpain_cli.io.json_text import GIVEN_TWICE, Rejected, Unreadable, _keys_in_text, decode_json, duplicate_keys

# ── the generated type ──


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
    return _typed_dict(q.key.capitalize(), q.fields)


def _typed_dict(name: str, questions: tuple[Question, ...]) -> Any:
    """The questions as a TypedDict: msgspec decodes straight into a dict, checking every type, value and range.
    A key it does not know it skips (so the keys it found are counted against the keys given)."""
    fields = {q.key: (Required if q.required else NotRequired)[_field_type(q)] for q in questions}
    return _typed_dict_of(name, fields)


_typed_dict_of: Any = TypedDict  # called with fields known at run time


AnswersDict = _typed_dict("AnswersDict", QUESTIONS)
#: The questions, in order: the order of the answers `validate` gives.
_ORDER = tuple(q.key for q in QUESTIONS)
#: The optional questions with a default (an empty list).
_DEFAULTED = tuple(q.key for q in QUESTIONS if not q.required and q.default is not None)
assert all(QUESTIONS_BY_KEY[key].default == () for key in _DEFAULTED), "a list answer's default is empty"
#: The list answers, present in every record decoded (required, or given their default).
_MULTI = tuple(q.key for q in QUESTIONS if q.kind == "multi")
assert all(q.required or q.default is not None for q in QUESTIONS if q.kind == "multi")
(_STARTBACK,) = (q for q in QUESTIONS if q.kind == "startback")  # the one answer that is an object
_STARTBACK_KEYS = tuple(q.key for q in _STARTBACK.fields)
_decode_dict: Callable[[bytes], dict[str, Any]] = msgspec.json.Decoder(AnswersDict).decode


def _disjoint(keys: tuple[str, ...]) -> list[list[str]]:
    """The list questions `keys`, in groups whose lists share no value (in the order given, each joining the first
    group it can)."""
    groups: list[tuple[list[str], set[str]]] = []
    for key in keys:
        values = set(QUESTIONS_BY_KEY[key].values)
        for group, seen in groups:
            if not seen & values:
                group.append(key)
                seen |= values
                break
        else:
            groups.append(([key], values))
    return [group for group, _ in groups]


def _completer() -> Callable[[dict[str, Any]], int | None]:
    """`_completed`, written out from the questionnaire, one question after another (no loops), as it runs for
    every record."""
    body = ["def _completed(out):", "    keys = len(out)"]
    for q in QUESTIONS:  # -0.0 as 0.0, as `validate` gives it (x + 0 is x for any other number, int or float)
        if q.kind == "number":
            body += (
                [f"    out[{q.key!r}] += 0"]
                if q.required
                else [f"    if {q.key!r} in out:", f"        out[{q.key!r}] += 0"]
            )
    for key in _DEFAULTED:
        body += [f"    if {key!r} not in out:", f"        out[{key!r}] = []"]
    ordered = ", ".join(f"{k!r}: startback[{k!r}]" for k in _STARTBACK_KEYS)
    body += [
        f"    startback = out.get({_STARTBACK.key!r})",
        "    if startback is not None:",
        "        keys += len(startback)",
        "        if startback['psychosocial'] > startback['total']:",
        "            return None",
        f"        out[{_STARTBACK.key!r}] = {{{ordered}}}",
    ]
    # A value given twice in a list: the lists whose values no other of them has are looked at together (all of
    # them, today), as one list of all their values, which has a value twice only if one of them has.
    for group in _disjoint(_MULTI):
        values = ", ".join(f"*out[{key!r}]" for key in group)
        body += [f"    v = [{values}]", "    if len(set(v)) != len(v):", "        return None"]
    body.append("    return keys")
    namespace: dict[str, Any] = {}
    exec(compile("\n".join(body), "<decoding: completed>", "exec"), namespace)
    completed: Callable[[dict[str, Any]], int | None] = namespace["_completed"]
    completed.__doc__ = """Check and complete the answers as decoded: the defaults (an empty list) put in, -0.0 made
    0.0, STarT Back's scores in their own order. How many keys were given, its object's included; None when it fails
    a check a type cannot make: a list value given twice, STarT Back psychosocial above total."""
    return completed


_completed = _completer()


def given_answers(raw: bytes) -> Answers | None:
    """The answers, when `raw` is a plainly valid record, in the order given (the defaults after them); None when
    the thorough path must decide. For the engine, which reads answers by key: `fast_answers` puts them in the
    questionnaire's order, as `validate` gives them."""
    try:
        out = _decode_dict(raw)
    except (msgspec.MsgspecError, ValueError, RecursionError):
        return None
    keys = _completed(out)
    # Colons in the text bound the number of keys given; if they match the keys found, none was given twice, and
    # none was unknown (skipped by the decoder).
    if keys is None or (raw.count(b":") != keys and _keys_in_text(raw) != keys):
        return None
    return out


def fast_answers(raw: bytes) -> Answers | None:
    """The answers, when `raw` is a plainly valid record, as `validate` gives them; None when the thorough path
    must decide."""
    out = given_answers(raw)
    return None if out is None else _in_order(out)


def _in_order(out: dict[str, Any]) -> Answers:
    return {key: out[key] for key in _ORDER if key in out}


def fast_value(obj: dict[str, Any]) -> Answers | None:
    """The answers, when `obj` (a spreadsheet row typed into the contract's object) is plainly valid; None when
    `validate` must decide. The same type and checks as `fast_answers`, without the text to decode."""
    try:
        out: dict[str, Any] = msgspec.convert(obj, AnswersDict)
    except (msgspec.MsgspecError, ValueError, TypeError, RecursionError):
        return None
    startback = obj.get(_STARTBACK.key)
    given = len(obj) + (len(startback) if isinstance(startback, dict) else 0)
    if _completed(out) != given:  # failed a check, or a key unknown (skipped)
        return None
    return _in_order(out)


# ── the thorough path ──


def answers(raw: bytes, fast: bool = True) -> Answers:
    """Valid answers from one record's bytes, or raise `Rejected` naming every problem. A record with a top-level
    `resourceType` is a FHIR QuestionnaireResponse, read by `fhir_io.response_answers`. `fast=False`: the caller
    has tried `given_answers` already, and it declined (so would `fast_answers`): straight to the thorough path."""
    out = None if fhir_io.ONLY or not fast else fast_answers(raw)
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
