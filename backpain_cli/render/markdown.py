"""The report as Markdown: to print, or to bring to an appointment. It says what the terminal report says, and
adds the answers themselves in plain words, by questionnaire section, with the questionnaire's own labels.

Pure: no I/O, no third-party imports. Text from the input (the `id`) goes in a code span, so it cannot add
links, HTML or formatting.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from backpain_cli.core.explain import LADDER
from backpain_cli.core.i18n import _
from backpain_cli.render.words import (
    AREA_WORDS,
    DURATION_WORDS,
    PAIN_AREAS,
    RISK_GROUPS,
    RISK_WORDS,
    SPREAD_AREAS,
    answers_summary,
    evidence_text,
    impact,
    level_heading,
    shown,
    since_last_text,
    split_reason,
    weeks,
)


def code(text: str) -> str:
    """Input text as a Markdown code span: shown literally, never read as formatting, a link or HTML."""
    text = shown(text)
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def fenced(text: str) -> str:
    """Longer input-bearing text (a rejection message) as a fenced block, shown literally."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}text\n{shown(text)}\n{fence}"


def render_markdown(result: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> str:
    level = result["level"]
    out: list[str] = ["# " + _("Back and neck pain: assessment"), ""]
    if "id" in result:
        out += [_("Record: {id}").format(id=code(str(result["id"]))), ""]
    heading = _("Suggested next step: {level}").format(level=level_heading(level, result.get("within")))
    out += [f"## {heading}", "", f"**{result['action']}**", ""]

    if level == "emergency":
        return "\n".join(out + _emergency(result, answers) + _footer(result))

    out += _why(result["reasons"])
    out += _rule_out(result, _("What a doctor will want to rule out"))

    s = result["scores"]
    source = _("STarT Back scores") if s.get("screen_source") == "startback" else _("two-week screen")
    duration = DURATION_WORDS.get(s["duration"]) or str(s["duration"])
    if answers is not None and "duration_weeks" in answers:
        duration += _("; {weeks} so far").format(weeks=weeks(answers["duration_weeks"]))
    group = RISK_GROUPS.get(str(s["risk_group"])) or str(s["risk_group"])
    risk = f"{group} " + _("({source} {total}/9, worry and mood {psychosocial}/5)").format(
        source=source, total=s["screen_total"], psychosocial=s["screen_psychosocial"]
    )
    if s["risk_group"] in RISK_WORDS:
        risk += f": {RISK_WORDS[s['risk_group']]}"
    out += [
        "## " + _("At a glance"),
        "",
        "| {} | {} |".format(_("Measure"), _("Result")),
        "|---|---|",
        "| {} | {} |".format(
            _("Pain impact"),
            _(
                "{impact} / 10 (average of pain, and how much it gets in the way of enjoying life and of activities)"
            ).format(impact=impact(s["pain_impact"])),
        ),
    ]
    since = result.get("since_last")
    if isinstance(since, Mapping):  # right under the pain impact it compares
        text = since_last_text(since, float(s["pain_impact"]), level, result.get("policy_version"))
        out.append(f"| {_('Since last time')} | {text} |")
    out += [f"| {_('Risk group')} | {risk} |", f"| {_('Duration')} | {duration} |", ""]
    if s.get("screen_note"):
        out += [f"_{s['screen_note']}_", ""]

    if answers is not None:
        pain = [AREA_WORDS[a] for a in PAIN_AREAS if a in answers.get("pain_areas", ())]
        spread = [AREA_WORDS[a] for a in SPREAD_AREAS if a in answers.get("radiating_pain", ())]
        out += [
            "## " + _("Where it hurts"),
            "",
            "- " + _("Pain: {areas}").format(areas=", ".join(pain) or _("none given")),
            "- " + _("Spreads to: {areas}").format(areas=", ".join(spread) or _("nowhere else")),
            "",
        ]

    if result.get("contributors"):
        out += ["## " + _("What may be contributing"), ""]
        for c in result["contributors"]:
            label = str(c["label"])
            out.append(f"- {label[:1].upper()}{label[1:]}")
            if c.get("answers"):
                out.append("  - " + _("Pointing to it: {answers}.").format(answers=evidence_text(c["answers"])))
        out.append("")

    if level != "emergency":
        current = result["care_ladder"]["current"]
        out += ["## " + _("Steps of care"), ""]
        for i, step in enumerate(LADDER, 1):
            here = " " + _("(you are here)") if step["step"] == current else ""
            out.append(f"{i}. **{_(step['name'])}{here}**: {_(step['what'])}")
        out += ["", _("What usually comes next: ") + str(result["care_ladder"]["next"]), ""]

    if result.get("notes"):
        out += ["## " + _("For you"), ""]
        out += [f"- {n['note']}" for n in result["notes"]]
        out.append("")

    out += _answers(answers)

    if result.get("safety_net"):
        out += ["## " + _("If things change"), "", f"> {result['safety_net']}", ""]
    return "\n".join(out + _footer(result))


def _why(reasons: list[Mapping[str, Any]]) -> list[str]:
    out = ["## " + _("Why"), ""]
    for reason in reasons:
        why, said = split_reason(reason["because"])
        if isinstance(reason.get("answers"), Mapping):
            said = evidence_text(reason["answers"])
        out.append("- " + _("{why} (rule {rule})").format(why=why, rule=reason["rule"]))
        if said:
            out.append("  - " + _("Your answers: {answers}.").format(answers=said))
    return [*out, ""]


def _rule_out(result: Mapping[str, Any], title: str) -> list[str]:
    if not result.get("rule_out"):
        return []
    out = [f"## {title}", ""]
    out += [f"- {r['what'][:1].upper()}{r['what'][1:]} ({', '.join(r['rules'])})" for r in result["rule_out"]]
    return [*out, ""]


def _answers(answers: Mapping[str, Any] | None) -> list[str]:
    if answers is None:
        return []
    out = ["## " + _("Your answers"), ""]
    for section, items in answers_summary(answers):
        out += [f"### {section}", ""]
        out += [f"- {name}: {words}" for name, words in items]
        out.append("")
    return out


def _emergency(result: Mapping[str, Any], answers: Mapping[str, Any] | None) -> list[str]:
    """As the text report: the emergency reasons, what the doctors will check, and the other rules that fired
    only as answers in words, without their own advice (a GP, a physiotherapist) or the contributors, which must
    not compete with the emergency action. The answers themselves follow, for the doctors."""
    urgent = [r for r in result["reasons"] if r["level"] == "emergency"]
    later = [r for r in result["reasons"] if r["level"] != "emergency"]
    out = _why(urgent) + _rule_out(result, _("What the doctors will check"))
    if later:
        out += ["## " + _("Also noted for the doctors"), ""]
        for reason in later:
            why, said = split_reason(reason["because"])
            if isinstance(reason.get("answers"), Mapping):
                said = evidence_text(reason["answers"])
            out.append("- " + _("{why} (rule {rule})").format(why=f"{said}." if said else why, rule=reason["rule"]))
        out.append("")
    return out + _answers(answers)


def _footer(result: Mapping[str, Any]) -> list[str]:
    return [
        "---",
        "",
        f"_{result['disclaimer']}_",
        "",
        _("Triage policy {policy}, answers contract version {contract}.").format(
            policy=result.get("policy_version", "?"), contract=result.get("contract_version", "?")
        ),
        "",
    ]
