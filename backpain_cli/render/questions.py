"""`backpain questions`: every question of the one definition, its key, allowed answers and when it is asked."""

from __future__ import annotations

import textwrap
from typing import Any

from backpain_cli.core.questionnaire import QUESTIONS, Question


def _when(q: Question) -> str:
    if not q.interactive:
        return "not asked; given in JSON by a clinic or clinician"
    conditional = {c.asked_when.text for c in q.choices if c.asked_when}
    if conditional:
        return "always; some options only when " + " / ".join(sorted(conditional))
    return "always"


def questions_json() -> list[dict[str, Any]]:
    out = []
    for q in QUESTIONS:
        item: dict[str, Any] = {
            "key": q.key,
            "section": q.section,
            "question": q.prompt,
            "help": q.help,
            "required": q.required,
            "type": q.kind,
            "expected": q.expected(),
            "asked": _when(q),
        }
        if q.choices:
            item["choices"] = [
                {"value": c.value, "label": c.label, **({"asked_when": c.asked_when.text} if c.asked_when else {})}
                for c in q.choices
            ]
        if q.fields:
            item["fields"] = [{"key": f.key, "expected": f.expected()} for f in q.fields]
        out.append(item)
    return out


def questions_text() -> str:
    lines: list[str] = []
    section = None
    for n, q in enumerate(QUESTIONS, 1):
        if q.section != section:
            section = q.section
            lines += ["", f"== {section} =="]
        need = "required" if q.required else "optional"
        lines.append(f"{n}. {q.key} ({need}): {q.prompt}")
        if q.help:
            lines += textwrap.wrap(q.help, 76, initial_indent="   ", subsequent_indent="   ")
        lines.append(f"   asked: {_when(q)}")
        if q.choices:
            for c in q.choices:
                extra = f"  [only when {c.asked_when.text}]" if c.asked_when else ""
                lines.append(f"   - {c.value}: {c.label}{extra}")
        else:
            lines.append(f"   answer: {q.expected()}")
    return "\n".join(lines[1:]) + "\n"
