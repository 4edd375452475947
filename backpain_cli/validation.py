"""Validation of one answers object against the questionnaire definition (answers contract, version 1).

`validate(obj)` returns the answers with the optional keys' defaults filled in, or raises `InvalidAnswers`
carrying every problem in the record at once, each naming its key and what was expected.
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .questionnaire import BY_KEY, QUESTIONS, Question

Answers = dict[str, Any]


@dataclass(frozen=True)
class Problem:
    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}"


class InvalidAnswers(ValueError):
    """Every problem of one record; `warning` when the unassessed record holds readable warning signs."""

    def __init__(self, problems: list[Problem], warning: str | None = None) -> None:
        self.problems = problems
        self.warning = warning
        super().__init__("; ".join(map(str, problems)) + (f". {warning}" if warning else ""))


def describe(value: Any) -> str:
    """A JSON value as the user wrote it, with its JSON type, for error messages."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a boolean)"
    if isinstance(value, (int, float)):
        return f"{value!r} (a number)"
    if isinstance(value, str):
        shown = value if len(value) <= 40 else value[:37] + "..."
        return f'"{shown}" (a string)'
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _check(q: Question, value: Any, key: str, problems: list[Problem]) -> Any:
    """Check one value; append problems; return the normalised value."""

    def bad(message: str) -> None:
        problems.append(Problem(key, message))

    kind = q.kind
    if kind in ("integer", "number"):
        if not _is_number(value) or (isinstance(value, float) and not math.isfinite(value)):
            bad(f"expected {q.expected()}, got {describe(value)}")
            return value
        if kind == "integer" and isinstance(value, float):
            if not value.is_integer():
                bad(f"expected {q.expected()}, got {describe(value)}")
                return value
            value = int(value)
        if q.refuse_below is not None and value < q.refuse_below:
            bad(f"{value} is under {_n(q.refuse_below)}: {q.refuse_message}")
        elif (q.minimum is not None and value < q.minimum) or (q.maximum is not None and value > q.maximum):
            bad(f"expected {q.expected()}, got {describe(value)}")
        return value
    if kind == "boolean":
        if not isinstance(value, bool):
            bad(f"expected true or false, got {describe(value)}")
        return value
    if kind == "choice":
        if not isinstance(value, str) or value not in q.values:
            bad(f"expected {q.expected()}, got {describe(value)}")
        return value
    if kind == "multi":
        if not isinstance(value, list):
            bad(f"expected {q.expected()}, got {describe(value)}")
            return value
        unknown = [v for v in value if not isinstance(v, str) or v not in q.values]
        if unknown:
            shown = ", ".join(describe(v) for v in unknown)
            bad(f"unknown value{'s' if len(unknown) > 1 else ''} {shown}; allowed: {', '.join(q.values)}")
        seen: set[Any] = set()
        repeated = [v for v in value if isinstance(v, str) and (v in seen or seen.add(v))]  # type: ignore[func-returns-value]
        if repeated:
            bad("repeated value " + ", ".join(f'"{v}"' for v in dict.fromkeys(repeated)) + "; list each once")
        if len(value) < q.min_items:
            bad(f"must not be empty; expected {q.expected()}")
        return value
    if kind == "id":
        if not (isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool))):
            bad(f"expected a string or a whole number, got {describe(value)}")
        return value
    # startback: an object of integer sub-fields, with its own rules.
    if not isinstance(value, dict):
        bad(f"expected {q.expected()}, got {describe(value)}")
        return value
    before = len(problems)
    out = _check_object(value, q.fields, problems, prefix=key + ".")
    if len(problems) == before and out["psychosocial"] > out["total"]:
        bad(f"psychosocial ({out['psychosocial']}) may not exceed total ({out['total']})")
    return out


def _n(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else str(x)


def _check_object(
    obj: Mapping[str, Any], questions: tuple[Question, ...], problems: list[Problem], prefix: str = ""
) -> Answers:
    known = {q.key: q for q in questions}
    out: Answers = {}
    for key in obj:
        if key not in known:
            problems.append(Problem(prefix + str(key), "unknown key" + _suggest(str(key), known)))
    for q in questions:
        if q.key in obj:
            out[q.key] = _check(q, obj[q.key], prefix + q.key, problems)
        elif q.required:
            problems.append(Problem(prefix + q.key, f"missing; expected {q.expected()}"))
        elif q.default is not None:
            out[q.key] = list(q.default)
    return out


def _suggest(key: str, known: Mapping[str, Question]) -> str:
    close = close_key(key, known)
    if close is None:
        # A red flag or other list value given as a key is a common slip: point to its list.
        for q in known.values():
            if key in q.values:
                return f' (did you mean to put "{key}" in {q.key}?)'
        return " (not in the answers contract)"
    return f" (did you mean {close}?)"


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
    if not isinstance(obj, dict):
        raise InvalidAnswers([Problem("(record)", f"expected a JSON object of answers, got {describe(obj)}")])
    problems: list[Problem] = []
    out = _check_object(obj, QUESTIONS, problems)
    if problems:
        raise InvalidAnswers(problems, unassessed_warning(obj))
    return out


#: Signs that send a person to an emergency department whatever else the record holds (E1, E2, E3).
EMERGENCY_SIGNS = (
    "NOT ASSESSED, but warning signs were given: {signs}. Get medical help today, and go to an emergency "
    "department now for bladder or bowel changes, numbness around the genitals or back passage, symptoms in both "
    "legs or weakness that is getting worse"
)
#: How a warning begins, wherever it is shown (the text table looks for it in a rejection's error).
WARNING_START = EMERGENCY_SIGNS[: EMERGENCY_SIGNS.index(":")]
#: The values of `weakness` that are a warning sign, least worrying first.
WEAK = ("stable", "worsening")


def unassessed_warning(obj: Mapping[Any, Any], more: Any = ()) -> str | None:
    """A rejected record is never assessed, so the warning signs it does state (when readable) would go
    unanswered: name them in the questionnaire's words, with the emergency advice. Under-triage is the worst
    error, so signs are read generously: a red flag in any top-level list (or alone, or as a key set to true),
    written in any case; `weakness` under its own key or one close to it (`Weakness`, `weaknes`). `more` gives
    further (key, value) pairs, such as the earlier copies of a key given twice."""
    flags = {_plain(v): v for v in BY_KEY["red_flags"].values}
    weak = {_plain(v): v for v in WEAK}
    found: dict[str, None] = {}
    weakness: set[str] = set()
    for key, value in [*obj.items(), *more]:
        if not isinstance(key, str) or key == "id":
            continue
        items = value if isinstance(value, list) else [value]
        found.update((flags[_plain(v)], None) for v in items if isinstance(v, str) and _plain(v) in flags)
        if value is True and _plain(key) in flags:
            found[flags[_plain(key)]] = None
        if isinstance(value, str) and _plain(value) in weak and (key == "weakness" or _is_close(key, "weakness")):
            weakness.add(weak[_plain(value)])
    red_flags = BY_KEY["red_flags"]
    signs = [f"{red_flags.label(f)} ({f})" for f in sorted(found, key=red_flags.values.index)]
    for w in WEAK[::-1]:
        if w in weakness:
            signs.append(f"weakness: {BY_KEY['weakness'].label(w).lower()} ({w})")
            break
    return EMERGENCY_SIGNS.format(signs="; ".join(signs)) if signs else None


def _is_close(key: str, target: str) -> bool:
    if key in BY_KEY:
        return False
    from difflib import SequenceMatcher

    a, b = _plain(key), _plain(target)
    return a == b or SequenceMatcher(None, a, b).ratio() >= 0.8


def warning_in(error: str) -> str | None:
    """The warning a rejection's error carries, if any."""
    at = error.find(WARNING_START)
    return error[at:] if at >= 0 else None


def record_id(obj: Any) -> str | int | None:
    """The record's `id` when it is readable (a string or a whole number), else None."""
    if isinstance(obj, dict):
        rid = obj.get("id")
        if isinstance(rid, str) or (isinstance(rid, int) and not isinstance(rid, bool)):
            return rid
    return None


__all__ = ["BY_KEY", "Answers", "InvalidAnswers", "Problem", "record_id", "validate"]
