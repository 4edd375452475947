"""The words of the report, shared by every face of it (terminal, plain text, Markdown, the batch table).

Pure: no I/O, no third-party imports. `report.py` lays these out with rich; `markdown.py` as Markdown.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backpain_cli.core.i18n import N_, Words, _
from backpain_cli.core.questionnaire import BY_KEY, QUESTIONS, SECTIONS, SHORT_NAMES, number_text

#: The headline's title; the action (one sentence) follows it.
LEVEL_TITLES = Words(
    {
        "emergency": N_("EMERGENCY"),
        "urgent": N_("URGENT"),
        "specialist": N_("SPECIALIST"),
        "primary_care": N_("GP OR PHYSIOTHERAPIST"),
        "self_care": N_("SELF-CARE"),
    }
)

#: The level as a heading (Markdown).
LEVEL_HEADINGS = Words(
    {
        "emergency": N_("Emergency: act now"),
        "urgent": N_("Urgent: see a doctor within 48 hours"),
        "specialist": N_("See a specialist"),
        "primary_care": N_("See a GP or physiotherapist"),
        "self_care": N_("Look after it at home for now"),
    }
)

#: How soon (`within`), where the level alone does not say it: urgent is today or within 48 hours.
WITHIN_WORDS = Words({"today": N_("today"), "48h": N_("within 48 hours")})
WITHIN_SHORT = Words({"today": N_("today"), "48h": N_("48h")})


def level_title(level: str, within: str | None = None) -> str:
    """The headline's title: `URGENT: TODAY`, `URGENT: WITHIN 48 HOURS`, `EMERGENCY`."""
    title = LEVEL_TITLES.get(level) or level
    if level == "urgent" and within is not None and within in WITHIN_WORDS:
        return _("{level}: {within}").format(level=title, within=WITHIN_WORDS[within].upper())
    return title


def level_heading(level: str, within: str | None = None) -> str:
    """The level as a heading: `Urgent: see a doctor today`."""
    if level == "urgent" and within is not None and within in WITHIN_WORDS:
        return _("Urgent: see a doctor {within}").format(within=WITHIN_WORDS[within])
    return LEVEL_HEADINGS.get(level) or level


def level_name(level: str, within: str | None = None) -> str:
    """The level in a word or two, with how soon for urgent: `urgent today`, `urgent 48h` (the batch table)."""
    name = LEVEL_NAMES.get(level) or level
    return (
        f"{name} {WITHIN_SHORT[within]}"
        if level == "urgent" and within is not None and within in WITHIN_SHORT
        else name
    )


#: The level in a word or two (the batch table, counts, "level then").
LEVEL_NAMES = Words(
    {
        "emergency": N_("emergency"),
        "urgent": N_("urgent"),
        "specialist": N_("specialist"),
        "primary_care": N_("GP or physio"),
        "self_care": N_("self-care"),
    }
)

DURATION_WORDS = Words(
    {
        "acute": N_("under 6 weeks (acute)"),
        "subacute": N_("6 to 12 weeks (subacute)"),
        "chronic": N_("12 weeks or more (chronic)"),
    }
)

#: What the risk group says: the chance that the pain lasts and limits, and what helps (Keele's strata).
RISK_WORDS = Words(
    {
        "low": N_("a low chance of the pain lasting and limiting you"),
        "medium": N_("some chance of the pain lasting; physiotherapy usually helps"),
        "high": N_("a higher chance of the pain lasting; physiotherapy that also eases worry and low mood helps most"),
    }
)

#: The risk group's name (the score keeps the code).
RISK_GROUPS = Words({"low": N_("low"), "medium": N_("medium"), "high": N_("high")})

SINCE_LAST_WORDS = Words(
    {
        "substantial_improvement": N_("much better"),
        "meaningful_improvement": N_("better"),
        "no_meaningful_change": N_("about the same"),
        "worse": N_("worse"),
    }
)

#: Body map regions: where it hurts (`pain_areas`) and where it spreads (`radiating_pain`), top to bottom.
PAIN_AREAS = ("neck", "mid_back", "low_back")
SPREAD_AREAS = ("arm", "buttock_or_thigh", "below_knee")
AREA_WORDS = Words(
    {
        "neck": N_("neck"),
        "mid_back": N_("mid back"),
        "low_back": N_("low back"),
        "arm": N_("arm"),
        "buttock_or_thigh": N_("buttock or thigh"),
        "below_knee": N_("below the knee"),
    }
)

_CONTROL_NAMES = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def shown(value: Any) -> str:
    """Text from the input (the `id`) as typed, with control and invisible format characters made visible
    (`\\x1b`), so that it can neither move the cursor nor colour the terminal."""
    text = str(value)
    if text.isprintable():
        return text
    return "".join(
        c if c.isprintable() else _CONTROL_NAMES.get(c, f"\\x{ord(c):02x}" if ord(c) < 256 else f"\\u{ord(c):04x}")
        for c in text
    )


def split_reason(because: str) -> tuple[str, str]:
    """A reason's two parts: why the rule matters, and the answers behind it (empty if not given)."""
    between = _("{why} Your answers: {answers}.").partition("{why}")[2].partition("{answers}")[0]
    why, sep, answers = because.partition(between)
    return (why, answers.rstrip(".")) if sep else (because, "")


def weeks(x: float) -> str:
    if x < 1:
        days = round(x * 7)
        return _("under a day") if days == 0 else _("1 day") if days == 1 else _("{n} days").format(n=days)
    return _("1 week") if x == 1 else _("{n} weeks").format(n=number_text(round(x, 1), 1))


def since_last_text(
    since: Mapping[str, Any], pain_now: float, level_now: str | None = None, policy_now: str | None = None
) -> str:
    """`since_last` (added by the history feature) in one short line for the "Since last time" row, which
    follows the pain impact it compares: `12 Nov 2026: 7.0 → 3.3 (−53%), much better.` The level then is added
    only when it differs from `level_now`, and the policy version of the earlier result only when it differs
    from `policy_now` (default: this backpain's policy). The earlier pain impact is worked out from the change,
    so that the line is right whichever value the key `pain_impact` holds."""
    change = round(float(since.get("change", 0.0)), 1)
    before = round(pain_now - change, 1)
    sign = "+" if change > 0 else "−"
    pct = since.get("change_pct")
    if not change:
        moved = ""
    elif isinstance(pct, (int, float)):
        moved = f" ({sign}{abs(pct):.0f}%)"
    else:
        moved = f" ({sign}{number_text(abs(change), 1)})"  # from no pain at all there is no percentage
    category = SINCE_LAST_WORDS.get(str(since.get("category"))) or str(since.get("category", "")).replace("_", " ")
    text = f"{date_words(str(since.get('date', '')))}: {impact(before)} → {impact(pain_now)}{moved}, {category}"
    text += policy_note(since.get("policy_version"), policy_now)
    level = str(since.get("level", ""))
    if level and level != level_now:
        text += _("; the level was {level}").format(level=shown(LEVEL_NAMES.get(level) or level))
    return text + "."


def policy_note(earlier: Any, now: str | None = None) -> str:
    """` (earlier result under policy 2026.1)` when an earlier result was made under another version of the
    triage policy than `now` (default: this backpain's), so that a change of level is not taken for a change in
    the person; nothing when they are the same or the earlier version is not known."""
    if now is None:
        from backpain_cli.core.policy import POLICY_VERSION as now
    if not earlier or str(earlier) == now:
        return ""
    return " ({})".format(_("earlier result under policy {version}").format(version=shown(str(earlier))))


def date_words(iso: str, with_time: bool = False) -> str:
    """A stored timestamp as a date in plain words, in local time, the one date formatter of the project:
    `7 Nov 2026`, or `7 Nov 2026 09:30` (as typed, made printable, if it is not a date)."""
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return shown(iso)
    return f"{moment.day} {moment:%b %Y %H:%M}" if with_time else f"{moment.day} {moment:%b %Y}"


def day_month(iso: str) -> str:
    """A stored timestamp as its day and month, for a chart's axis: `7 Nov`."""
    return " ".join(date_words(iso).split()[:2])


def impact(x: float) -> str:
    """Pain impact, always with its one decimal."""
    return f"{float(x):.1f}"


def _lower_first(label: str) -> str:
    if label[:2] == "I " or label[1:2].isupper():
        return label
    return label[:1].lower() + label[1:]


def evidence_text(evidence: Mapping[str, Any]) -> str:
    """The answers behind a rule or a contributor: `Weeks since it began: 10. Over two weeks: about the same`."""
    parts = []
    for key, value in evidence.items():
        name = _(SHORT_NAMES.get(key, key))
        words = answer_words(key, value, lower=True)
        parts.append(f"{name[:1].upper()}{name[1:]}: {words}")
    return ". ".join(parts)


def answer_words(key: str, value: Any, lower: bool = False) -> str:
    """One answer in plain words, with the questionnaire's own labels (`lower`: as part of a sentence)."""
    q = BY_KEY.get(key)
    if isinstance(value, bool):
        return _("yes") if value else _("no")
    if isinstance(value, list):
        return "; ".join(answer_words(key, v, lower) for v in value) if value else _("none")
    if isinstance(value, dict):
        return ", ".join(f"{k} {number_text(v, 1) if isinstance(v, (int, float)) else v}" for k, v in value.items())
    if isinstance(value, str) and q is not None and q.choices:
        return _lower_first(_(q.label(value))) if lower else _(q.label(value))
    if isinstance(value, (int, float)):
        return number_text(value, 1)
    return shown(value)


def answers_summary(answers: Mapping[str, Any]) -> list[tuple[str, list[tuple[str, str]]]]:
    """The answers in plain words, by questionnaire section: [(section, [(name, answer words), ...]), ...].
    The `id` is left out (it heads the report)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for q in QUESTIONS:
        if q.key == "id" or q.key not in answers:
            continue
        name = _(SHORT_NAMES.get(q.key, q.key))
        out.setdefault(q.section, []).append((name[:1].upper() + name[1:], answer_words(q.key, answers[q.key])))
    order = [*SECTIONS, *(s for s in out if s not in SECTIONS)]
    return [(_(s), out[s]) for s in order if s in out]
