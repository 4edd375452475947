"""Durations as people say them: `3 days`, `3d`, `2 weeks`, `6 months`, `1 year`, `1.5y`; a plain number is weeks.

The questionnaire asks how long since the pain began; the answers contract keeps `duration_weeks`, so a typed
duration is read here into weeks, and said back as it was understood: `3 days (0.4 weeks)`. Pure: no I/O, no
third-party imports.
"""

from __future__ import annotations

import re

from backpain_cli.core.i18n import N_, _

#: The interactive questions whose answer is a duration in weeks.
DURATION_KEYS = frozenset({"duration_weeks"})

REFUSED = N_(
    "“{typed}” is not a duration I can read. Type a number and a unit, for example 3 days, 2 weeks, 6 months "
    "or 1 year (or 3d, 2w, 6m, 1.5y); a plain number means weeks."
)
TOO_LONG = N_("“{typed}” is longer than 100 years: please type a shorter duration.")

#: Weeks in one unit. A year is 52 weeks and a month a twelfth of it, as the policy counts (onset age is age
#: minus weeks / 52).
WEEKS_PER = {"day": 1 / 7, "week": 1.0, "month": 52 / 12, "year": 52.0}

_UNITS = {
    "d": "day", "day": "day", "days": "day",
    "w": "week", "wk": "week", "wks": "week", "week": "week", "weeks": "week",
    "m": "month", "mo": "month", "mos": "month", "month": "month", "months": "month",
    "y": "year", "yr": "year", "yrs": "year", "year": "year", "years": "year",
}  # fmt: skip

#: Digits with one decimal point or comma, then an optional unit: no sign, exponent, "nan" or other digits.
_DURATION = re.compile(r"(?P<n>[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)\s*(?P<unit>[a-z]*)\.?", re.ASCII)

UNIT_WORDS = {
    "day": (N_("1 day"), N_("{n} days")),
    "week": (N_("1 week"), N_("{n} weeks")),
    "month": (N_("1 month"), N_("{n} months")),
    "year": (N_("1 year"), N_("{n} years")),
}

MAX_WEEKS = 5200.0


def _number(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def amount(n: float, unit: str) -> str:
    """`3 days`, `1 year`, `1.5 years`."""
    one, many = UNIT_WORDS[unit]
    return _(one) if n == 1 else _(many).format(n=_number(n))


def weeks_text(weeks: float) -> str:
    """Weeks to one decimal: `0.4 weeks`, `1 week`, `26 weeks`."""
    shown = round(weeks, 1)
    return amount(shown, "week")


def parse(text: str) -> tuple[float, str]:
    """(weeks, what was understood) for a typed duration; ValueError with a message for the person otherwise.
    `3 days` is (0.43, "3 days (0.4 weeks)"); a plain number is weeks: `2` is (2, "2 weeks")."""
    typed = text.strip()
    match = _DURATION.fullmatch(typed.lower())
    unit = _UNITS.get(match["unit"]) if match and match["unit"] else "week" if match else None
    if match is None or unit is None:
        raise ValueError(_(REFUSED).format(typed=typed))
    n = float(match["n"].replace(",", "."))
    weeks = n * WEEKS_PER[unit]
    if weeks > MAX_WEEKS:
        raise ValueError(_(TOO_LONG).format(typed=typed))
    weeks = round(weeks, 2)
    value = int(weeks) if weeks.is_integer() else weeks
    said = amount(n, unit)
    if unit == "week":
        return value, said
    return value, _("{duration} ({weeks})").format(duration=said, weeks=weeks_text(n * WEEKS_PER[unit]))
