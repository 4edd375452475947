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

from backpain_cli.core.explain import ACTION
from backpain_cli.core.policy import RANK
from backpain_cli.core.questionnaire import BY_KEY, QUESTIONS, Question

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


#: Every warning about a record not assessed begins so, wherever it is shown.
WARNING_START = "NOT ASSESSED"
#: The values of `weakness` that are a warning sign, least worrying first.
WEAK = ("stable", "worsening")
#: What each warning sign alone would call for (triage policy E1-E3, U1, U5-U7, P6): the advice follows the most
#: urgent sign found.
SIGN_LEVEL = {
    "bladder_or_bowel_change": "emergency",
    "saddle_numbness": "emergency",
    "new_symptoms_both_legs": "emergency",
    "worsening": "emergency",
    "fever_or_chills": "urgent",
    "unexplained_weight_loss": "urgent",
    "hand_clumsiness_or_unsteady_walking": "urgent",
    "stable": "urgent",
    "constant_night_pain": "primary_care",
    "chest_pain_or_breathlessness": "emergency",
    "fainting_or_collapse": "emergency",
    "severe_headache_or_stiff_neck": "emergency",
    "stroke_like_symptoms": "emergency",
    "abdominal_pain_or_pulsing": "urgent",
    "urinary_pain_or_blood": "urgent",
}
#: The advice for the level the most urgent sign calls for: the result's own action for that level.
ADVICE = {level: ACTION[level][:1].lower() + ACTION[level][1:].rstrip(".") for level in SIGN_LEVEL.values()}
_YES = frozenset({"yes", "y", "true", "1", "present", "x"})


@dataclass(frozen=True)
class Warning:
    """The warning signs a rejected record states: `given` under a key that holds them (red_flags or a key like
    it, a flag as a key, weakness or a key like it, a list of the contract), `mentioned` only somewhere in its
    text. Each sign is a red flag value, or `stable`/`worsening` for weakness."""

    given: tuple[str, ...]
    mentioned: tuple[str, ...] = ()

    def __str__(self) -> str:
        if self.given:
            level = _most_urgent(self.given)
            text = f"{WARNING_START}, but warning signs were given: {_names(self.given)}. {_cap(ADVICE[level])}"
            if self.mentioned:
                also = _most_urgent(self.mentioned)
                text += f". It also mentions {_names(self.mentioned)}: check it"
                if RANK[also] < RANK[level]:  # a mention more urgent than what was given: its own advice
                    text += f", and if {_this_is(self.mentioned)} present, {ADVICE[also]}"
            return text
        return (
            f"{WARNING_START}: this record mentions {_names(self.mentioned)}; it was not assessed: check it, and if "
            f"{_this_is(self.mentioned)} present, {ADVICE[_most_urgent(self.mentioned)]}"
        )


def _most_urgent(signs: tuple[str, ...]) -> str:
    levels = {SIGN_LEVEL[s] for s in signs}
    return min(levels, key=RANK.__getitem__)


def _this_is(signs: tuple[str, ...]) -> str:
    return "this is" if len(signs) == 1 else "these are"


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(signs: tuple[str, ...]) -> str:
    red_flags = BY_KEY["red_flags"]
    out = [f"{red_flags.label(s)} ({s})" for s in signs if s in red_flags.values]
    out += [f"weakness: {BY_KEY['weakness'].label(s).lower()} ({s})" for s in signs if s in WEAK]
    return "; ".join(out)


def _flag_tables() -> tuple[dict[str, str], ...]:
    red_flags = BY_KEY["red_flags"]
    by_value = {_plain(v): v for v in red_flags.values}
    by_label = {_plain(red_flags.label(v)): v for v in red_flags.values}
    return by_value, by_label


def _as_flag(text: str) -> str | None:
    """The red flag `text` names: its value or label, in any case, with any separators, a plural s or a small
    slip (`saddle_numbnes`, `bladder_or_bowel_changes`)."""
    if len(text) > 200:  # longer than any flag's value or label, with room to spare
        return None
    by_value, by_label = _flag_tables()
    plain = _plain(text)
    if not plain:
        return None
    for table in (by_value, by_label):
        if plain in table:
            return table[plain]
        if plain.endswith("s") and plain[:-1] in table:
            return table[plain[:-1]]
    from difflib import get_close_matches

    close = get_close_matches(plain, list(by_value), n=1, cutoff=0.85)
    return by_value[close[0]] if close else None


def _as_weakness(value: Any) -> str | None:
    """`worsening` or `stable` when `value` says weakness is there (in the contract's words or near them)."""
    if value is True or (_is_number(value) and value == 1):
        return "stable"
    if isinstance(value, list):
        found = {_as_weakness(v) for v in value}
        return next((w for w in WEAK[::-1] if w in found), None)
    if not isinstance(value, str):
        return None
    plain = _plain(value)
    if not plain or plain in _NO_WEAKNESS:
        return None
    if any(stem in plain for stem in _WORSE) and "not" not in plain:
        return "worsening"
    from difflib import SequenceMatcher

    if SequenceMatcher(None, plain, "worsening").ratio() >= 0.8:
        return "worsening"
    return "stable"  # any other answer that is not a no says weakness is there, in some form


#: Answers under a weakness key that say there is none, or nothing.
_NO_WEAKNESS = frozenset({"none", "no", "n", "false", "0", "nil", "na", "absent", "notatall", "unknown", "unsure"})
#: Words that say weakness is getting worse: worse, weaker, deteriorating, increasing, progressive, spreading.
_WORSE = ("worse", "weaker", "deteriorat", "increas", "progress", "spread")


def _flags_in(value: Any, depth: int = 0) -> list[str]:
    """The red flags a value under a red_flags-like key holds: a list (nested too), a string (several may be
    separated by commas), an object of flags set to true or "yes"."""
    if depth > 3:
        return []
    if isinstance(value, str):
        import re

        parts = [value, *re.split(r"[,;/|\n]+", value)]
        return [f for p in parts if (f := _as_flag(p)) is not None]
    if isinstance(value, list):
        return [f for v in value for f in _flags_in(v, depth + 1)]
    if isinstance(value, dict):
        return [f for k, v in value.items() if _truthy(v) and (f := _as_flag(str(k))) is not None]
    return []


def _truthy(value: Any) -> bool:
    if value is True:
        return True
    if _is_number(value):
        return bool(value == 1)
    return isinstance(value, str) and _plain(value) in _YES


def _is_red_flags_key(key: str) -> bool:
    from difflib import SequenceMatcher

    a = _plain(key)
    return any(a == b or SequenceMatcher(None, a, b).ratio() >= 0.8 for b in ("redflags", "warningsigns", "redflag"))


def signs_given(obj: Mapping[Any, Any], more: Any = (), depth: int = 0) -> tuple[list[str], list[str]]:
    """(red flags, weakness values) stated under keys that hold them, in `obj` and one level of objects in it."""
    flags: list[str] = []
    weakness: list[str] = []
    for key, value in [*obj.items(), *more]:
        if not isinstance(key, str) or key == "id":
            continue
        if key == "red_flags" or key in BY_KEY or _is_red_flags_key(key):
            flags += _flags_in(value) if key not in BY_KEY or key == "red_flags" else _exact_flags(value)
        elif (flag := _as_flag(key)) is not None and _truthy(value):
            flags.append(flag)
        if key == "weakness" or _is_close(key, "weakness"):
            w = _as_weakness(value)
            if w is not None:
                weakness.append(w)
        if isinstance(value, dict) and depth == 0:
            more_flags, more_weak = signs_given(value, depth=1)
            flags += more_flags
            weakness += more_weak
    return flags, weakness


def _exact_flags(value: Any) -> list[str]:
    """A red flag in another list of the contract (`pain_areas`), as written but for case and separators."""
    by_value, _ = _flag_tables()
    items = value if isinstance(value, list) else [value]
    return [by_value[_plain(v)] for v in items if isinstance(v, str) and _plain(v) in by_value]


def signs_mentioned(raw: bytes | str) -> tuple[list[str], list[str]]:
    """(red flags, weakness values) anywhere in a record's text, read loosely: in any case, with any separators,
    a plural s or a small slip; used when the record cannot be read as answers, or says more than its keys."""
    import re

    text = raw.decode("utf-8", errors="replace") if isinstance(raw, bytes) else raw
    text = text.casefold()
    compact = re.sub(r"[\W_]+", "", text)  # as `_plain` does, at C speed: a record may be megabytes long
    by_value, by_label = _flag_tables()
    flags = [flag for table in (by_value, by_label) for plain, flag in table.items() if plain in compact]
    if len(text) <= 1 << 16:  # small slips: runs of words within one phrase, each word near the flag's own
        for phrase in re.split(r"[\"',:;{}\[\]\n]+", text):  # never across two answers ("stable", "numbness…")
            words = re.findall(r"[^\W_]+", phrase)
            for flag in by_value.values():
                parts = flag.split("_")
                n = len(parts)
                for i in range(len(words) - n + 1):
                    if flag in flags:
                        break
                    if all(_near(w, p) for w, p in zip(words[i : i + n], parts, strict=True)):
                        flags.append(flag)
    weakness = []
    # "weak…" then, within a few words and without crossing to another answer (a comma or bracket), how it goes;
    # "weakened immunity" is a risk factor, not weakness.
    gap = r"[^\w,;{}\[\]]+"
    for m in re.finditer(
        rf"weak(?!ened{gap}immun)\w*{gap}(?:\w+{gap}){{0,6}}?(worsening|worse|progress\w*|stable)", text
    ):
        weakness.append("stable" if m.group(1) == "stable" else "worsening")
    return flags, weakness


def _near(word: str, part: str) -> bool:
    """`word` is `part` of a flag's value, or a slip of it (`numbnes`, `bowels`); short words must be exact."""
    from difflib import SequenceMatcher

    if len(part) <= 3:
        return word == part
    return abs(len(word) - len(part)) <= 2 and SequenceMatcher(None, word, part).ratio() >= 0.8


def unassessed_warning(obj: Any, more: Any = (), raw: bytes | str | None = None) -> Warning | None:
    """A rejected record is never assessed, so the warning signs it states would go unanswered: name them in the
    questionnaire's words, with the advice the most urgent of them calls for. Under-triage is the worst error, so
    signs are read generously (see `signs_given`); with `raw`, its text is also searched (`signs_mentioned`), and
    what is found only there is worded as a mention to check, not as a sign given."""
    flags, weakness = signs_given(obj, more) if isinstance(obj, Mapping) else ([], [])
    given = _ordered(flags, weakness)
    mentioned: tuple[str, ...] = ()
    if raw is not None:
        loose = _ordered(*signs_mentioned(raw))
        mentioned = tuple(s for s in loose if s not in given and not (s == "stable" and "worsening" in given))
        if "worsening" in mentioned and "stable" in given:
            given = tuple(s for s in given if s != "stable")
    if not given and not mentioned:
        return None
    return Warning(given, mentioned)


def _ordered(flags: list[str], weakness: list[str]) -> tuple[str, ...]:
    values = BY_KEY["red_flags"].values
    out = sorted(set(flags), key=values.index)
    for w in WEAK[::-1]:
        if w in weakness:
            out.append(w)
            break
    return tuple(out)


def _is_close(key: str, target: str) -> bool:
    """`key` is likely a slip for `target` (`weaknes`), or names it with more words (`muscle_weakness`). Stricter
    than the "did you mean" suggestion: a sign read from a key that is not one (`sickness`) would be over-triage."""
    if key in BY_KEY:
        return False
    from difflib import SequenceMatcher

    a, b = _plain(key), _plain(target)
    return a == b or b in a or SequenceMatcher(None, a, b).ratio() >= 0.8 or (a.startswith(b[:4]) and len(a) <= len(b))


def record_id(obj: Any) -> str | int | None:
    """The record's `id` when it is readable (a string or a whole number), else None."""
    if isinstance(obj, dict):
        rid = obj.get("id")
        if isinstance(rid, str) or (isinstance(rid, int) and not isinstance(rid, bool)):
            return rid
    return None


__all__ = ["BY_KEY", "Answers", "InvalidAnswers", "Problem", "record_id", "validate"]
