"""A plain-text rendering of one result (no colour, no markup): the fallback face for `--format text`."""

from __future__ import annotations

import textwrap
from typing import Any

LEVEL_TITLES = {
    "emergency": "EMERGENCY",
    "urgent": "URGENT: see a doctor within 24-48 hours",
    "specialist": "See a specialist",
    "primary_care": "See a GP or physiotherapist",
    "self_care": "Self-care",
}


def _wrap(text: str, indent: str = "") -> list[str]:
    return textwrap.wrap(text, width=78, initial_indent=indent, subsequent_indent=indent + "  ") or [indent]


def render(result: dict[str, Any]) -> str:
    lines: list[str] = []
    if "id" in result:
        lines.append(f"Record: {result['id']}")
    lines.append(f"Suggested next step: {LEVEL_TITLES[result['level']]}")
    lines += _wrap(result["action"], "  ")
    lines.append("")
    lines.append("Why:")
    for reason in result["reasons"]:
        lines += _wrap(f"[{reason['rule']}] {reason['because']}", "  - ")
    s = result["scores"]
    lines.append("")
    lines.append(
        f"Pain impact {s['pain_impact']}/10; duration {s['duration']}; "
        f"risk group {s['risk_group']} (screen {s['screen_total']}/9, psychosocial {s['screen_psychosocial']}/5)"
    )
    if result.get("safety_net"):
        lines.append("")
        lines += _wrap("Safety-net: " + result["safety_net"])
    lines.append("")
    lines += _wrap(result["disclaimer"])
    return "\n".join(lines) + "\n"
