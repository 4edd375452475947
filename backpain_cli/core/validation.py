"""Validation of one answers object against the questionnaire definition (answers contract, version 2).

`validate(obj)` returns the answers with the optional keys' defaults filled in, or raises `InvalidAnswers`
carrying every problem in the record at once, each naming its key and what was expected (past `MAX_NAMED` unknown
keys or values of one list, the rest are counted, so that a record of a million unknown keys costs a bounded
time per key and a bounded message). The warning signs of a record rejected are found by `warning_signs`.
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from backpain_cli.core import i18n
from backpain_cli.core.i18n import _
from backpain_cli.core.questionnaire import BY_KEY, QUESTIONS, Question, number_text
from backpain_cli.core.warning_signs import (
    SIGN_LEVEL,
    WARNING_START,
    Warning,
    signs_given,
    signs_mentioned,
    unassessed_warning,
)

Answers = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class InvalidAnswers(ValueError):
    """Every problem of one record; `warning` when the unassessed record holds readable warning signs."""

    def __init__(self, problems: list[Problem], warning: Any = None) -> None:
        self.problems = problems
        self.warning: str | None = None if warning is None else str(warning)
        super().__init__("; ".join(map(str, problems)) + (f". {self.warning}" if warning else ""))


def describe(value: Any) -> str:
    """A JSON value as the user wrote it, with its JSON type (in the region's words), for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return _("{value} (a boolean)").format(value=str(value).lower())
    if isinstance(value, (int, float)):
        return _("{value} (a number)").format(value=repr(value))
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return _("{value} (a string)").format(value=f'"{shown}"')
    if isinstance(value, list):
        return _("a list")
    if isinstance(value, dict):
        return _("an object")
    return type(value).__name__


def _got(q: Question, value: Any) -> str:
    return _("expected {expected}, got {value}").format(expected=q.expected(), value=describe(value))


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


#: Appends one problem about the value being checked.
Bad = Callable[[str], None]


def _check(q: Question, value: Any, key: str, problems: list[Problem]) -> Any:
    """Check one value by its question's kind; append problems; return the normalised value."""

    def bad(message: str) -> None:
        problems.append(Problem(key, message))

    if q.kind == "startback":
        return _check_startback(q, value, key, problems, bad)
    return _CHECKS[q.kind](q, value, bad)


def _check_number(q: Question, value: Any, bad: Bad) -> Any:
    """An integer or number question: a finite JSON number (a whole one for an integer), within range."""
    if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
        bad(_got(q, value))
        return value
    if q.kind == "integer" and isinstance(value, float):
        if not value.is_integer():
            bad(_got(q, value))
            return value
        value = int(value)
    elif isinstance(value, float):
        value += 0.0  # -0.0 is 0.0: equal, and read alike, but written differently (and cached reasons share it)
    if q.refuse_below is not None and value < q.refuse_below:
        bad(
            _("{value} is under {limit}: {why}").format(
                value=value, limit=number_text(q.refuse_below), why=_(q.refuse_message)
            )
        )
    elif (q.minimum is not None and value < q.minimum) or (q.maximum is not None and value > q.maximum):
        bad(_got(q, value))
    return value


def _check_boolean(q: Question, value: Any, bad: Bad) -> Any:
    if not isinstance(value, bool):
        bad(_got(q, value))
    return value


def _check_choice(q: Question, value: Any, bad: Bad) -> Any:
    if not isinstance(value, str) or value not in q.values:
        bad(_got(q, value))
    return value


def _check_list(q: Question, value: Any, bad: Bad) -> Any:
    """A list question: a list of its values, each once, not empty when it must not be."""
    if not isinstance(value, list):
        bad(_got(q, value))
        return value
    allowed = _VALUES[id(q)]
    unknown = [v for v in value if not isinstance(v, str) or v not in allowed]
    if unknown:
        shown = ", ".join(describe(v) for v in unknown[:MAX_NAMED]) + _more(len(unknown))
        text = (
            _("unknown values {values}; allowed: {allowed}")
            if len(unknown) > 1
            else _("unknown value {values}; allowed: {allowed}")
        )
        bad(text.format(values=shown, allowed=", ".join(q.values)))
    seen: set[Any] = set()
    repeated = [v for v in value if isinstance(v, str) and (v in seen or seen.add(v))]  # type: ignore[func-returns-value]
    if repeated:
        shown = ", ".join(f'"{v}"' for v in dict.fromkeys(repeated))
        bad(_("repeated value {values}; list each once").format(values=shown))
    if len(value) < q.min_items:
        bad(_("must not be empty; expected {expected}").format(expected=q.expected()))
    return value


def _check_id(q: Question, value: Any, bad: Bad) -> Any:
    if not (isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))):
        bad(_got(q, value))
    return value


def _check_startback(q: Question, value: Any, key: str, problems: list[Problem], bad: Bad) -> Any:
    """An object of integer sub-fields (STarT Back), whose psychosocial score may not exceed its total."""
    if not isinstance(value, dict):
        bad(_got(q, value))
        return value
    before = len(problems)
    out = _check_object(value, q.fields, problems, prefix=key + ".")
    if len(problems) == before and out["psychosocial"] > out["total"]:
        bad(
            _("psychosocial ({psychosocial}) may not exceed total ({total})").format(
                psychosocial=out["psychosocial"], total=out["total"]
            )
        )
    return out


_CHECKS: dict[str, Callable[[Question, Any, Bad], Any]] = {
    "integer": _check_number,
    "number": _check_number,
    "boolean": _check_boolean,
    "choice": _check_choice,
    "multi": _check_list,
    "id": _check_id,
}


def _check_object(
    obj: Mapping[str, Any], questions: tuple[Question, ...], problems: list[Problem], prefix: str = ""
) -> Answers:
    known = _KNOWN[id(questions)]
    out: Answers = {}
    unknown = [key for key in obj if key not in known]
    for key in unknown[:MAX_NAMED]:
        problems.append(Problem(prefix + str(key), _("unknown key") + _suggest(str(key), known)))
    if len(unknown) > MAX_NAMED:
        more = len(unknown) - MAX_NAMED
        text = _("{n} more unknown keys, not named here") if more > 1 else _("{n} more unknown key, not named here")
        problems.append(Problem("(more keys)", text.format(n=f"{more:,}")))
    for q in questions:
        if q.key in obj:
            out[q.key] = _check(q, obj[q.key], prefix + q.key, problems)
        elif q.required:
            problems.append(Problem(prefix + q.key, _("missing; expected {expected}").format(expected=q.expected())))
        elif q.default is not None:
            out[q.key] = list(q.default)
    return out


#: Unknown keys, or unknown values of one list, named in a record's error; the rest are counted.
MAX_NAMED = 20
_VALUES: dict[int, frozenset[str]] = {}
_KNOWN: dict[int, dict[str, Question]] = {}
_NAMES: dict[int, tuple[str, ...]] = {}
_BY_NAMES: dict[tuple[str, ...], dict[str, Question]] = {}


def _tables(questions: tuple[Question, ...]) -> None:
    """Built once: each question set's keys, and each list's allowed values (`Question.values` is rebuilt on each
    call)."""
    known = _KNOWN[id(questions)] = {q.key: q for q in questions}
    _NAMES[id(known)] = names = tuple(known)
    _BY_NAMES[names] = known
    for q in questions:
        _VALUES[id(q)] = frozenset(q.values)
        if q.fields:
            _tables(q.fields)


_tables(QUESTIONS)


def _more(count: int) -> str:
    """How many unknown values of a list are left unnamed."""
    more = count - MAX_NAMED
    if more <= 0:
        return ""
    text = _(" and {n} more unknown values") if more > 1 else _(" and {n} more unknown value")
    return text.format(n=f"{more:,}")


def _suggest(key: str, known: Mapping[str, Question]) -> str:
    if len(key) > 200:
        return _(" (not in the answers contract)")
    names = _NAMES.get(id(known))
    return _suggestion(key, names, i18n.current()) if names is not None else _suggestion_in(key, known)


@lru_cache(maxsize=4096)
def _suggestion(key: str, names: tuple[str, ...], region: str) -> str:
    """The suggestion for an unknown key, made once per key (and region: its words): a batch with the same slip
    in every record pays for difflib once."""
    return _suggestion_in(key, _BY_NAMES[names])


def _suggestion_in(key: str, known: Mapping[str, Question]) -> str:
    close = close_key(key, known)
    if close is None:
        # A red flag or other list value given as a key is a common slip: point to its list.
        for q in known.values():
            if key in q.values:
                return _(' (did you mean to put "{value}" in {key}?)').format(value=key, key=q.key)
        return _(" (not in the answers contract)")
    return _(" (did you mean {key}?)").format(key=close)


def _plain(text: str) -> str:
    """A key or value with case, `_`, `-` and spaces set aside: `Red_Flags`, `red-flags` and `redflags` agree."""
    return "".join(c for c in text.casefold() if c.isalnum())


def close_key(key: str, known: Mapping[str, Any] | tuple[str, ...]) -> str | None:
    """The known key that `key` was most likely meant to be (same letters but for case and separators, else the
    closest by difflib), or None."""
    from difflib import get_close_matches  # only on the error path

    plain = _plain(key)
    for k in known:
        if _plain(k) == plain:
            return k
    close = get_close_matches(key, list(known), n=1)
    if close:
        return close[0]
    by_plain = {_plain(k): k for k in known}
    close = get_close_matches(plain, list(by_plain), n=1, cutoff=0.8)
    return by_plain[close[0]] if close else None


def validate(obj: Any) -> Answers:
    """Validate one answers object; return it normalised (optional lists defaulted) or raise InvalidAnswers."""
    out, problems = check(obj)
    if problems:
        raise InvalidAnswers(problems, unassessed_warning(obj))
    return out


def check(obj: Any) -> tuple[Answers, list[Problem]]:
    """The answers normalised, and every problem (none: valid); unlike `validate`, no warning signs are looked
    for (a caller with the record's text looks for them once, in both)."""
    if not isinstance(obj, dict):
        return {}, [
            Problem("(record)", _("expected a JSON object of answers, got {value}").format(value=describe(obj)))
        ]
    problems: list[Problem] = []
    out = _check_object(obj, QUESTIONS, problems)
    return out, problems


def record_id(obj: Any) -> str | int | None:
    """The record's `id` when it is readable (a string or a whole number), else None."""
    if isinstance(obj, dict):
        rid = obj.get("id")
        if isinstance(rid, str) or (isinstance(rid, int) and not isinstance(rid, bool)):
            return rid
    return None


__all__ = [
    "BY_KEY",
    "SIGN_LEVEL",
    "WARNING_START",
    "Answers",
    "InvalidAnswers",
    "Problem",
    "Warning",
    "check",
    "record_id",
    "signs_given",
    "signs_mentioned",
    "unassessed_warning",
    "validate",
]
