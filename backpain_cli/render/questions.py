"""`backpain questions`: every question of the one definition, its key, allowed answers and when it is asked."""

from __future__ import annotations

import textwrap
from typing import Any

from backpain_cli.core.i18n import _
from backpain_cli.core.questionnaire import QUESTIONS, Question


def _when(q: Question) -> str:
    if not q.interactive:
        return _("not asked; given in JSON by a clinic or clinician")
    conditional = {_(c.asked_when.text) for c in q.choices if c.asked_when}
    if conditional:
        return _("always; some options only when {conditions}").format(conditions=" / ".join(sorted(conditional)))
    return _("always")


def _said(text: str) -> str:
    """A text of the questionnaire in the region's words (an empty one stays empty: gettext would give the
    catalog's header for it)."""
    return _(text) if text else text


def questions_json() -> list[dict[str, Any]]:
    """Every question as JSON: its words (question, help, labels, expected, asked) in the region's words; its
    keys, values, types and the rest the same in every region."""
    out = []
    for q in QUESTIONS:
        item: dict[str, Any] = {
            "key": q.key,
            "section": _said(q.section),
            "question": _said(q.prompt),
            "help": _said(q.help),
            "required": q.required,
            "type": q.kind,
            "expected": q.expected(),
            "asked": _when(q),
        }
        if q.choices:
            item["choices"] = [
                {
                    "value": c.value,
                    "label": _said(c.label),
                    **({"asked_when": _said(c.asked_when.text)} if c.asked_when else {}),
                }
                for c in q.choices
            ]
        if q.fields:
            item["fields"] = [{"key": f.key, "expected": f.expected()} for f in q.fields]
        out.append(item)
    return out


def questions_text() -> str:
    """Every question as text, in the region's words; keys and values as they are in JSON."""
    lines: list[str] = []
    section = None
    for n, q in enumerate(QUESTIONS, 1):
        if q.section != section:
            section = q.section
            lines += ["", f"== {_said(section)} =="]
        need = _("required") if q.required else _("optional")
        lines.append(f"{n}. {q.key} ({need}): {_said(q.prompt)}")
        if q.help:
            lines += textwrap.wrap(_said(q.help), 76, initial_indent="   ", subsequent_indent="   ")
        lines.append("   " + _("asked: {when}").format(when=_when(q)))
        if q.choices:
            for c in q.choices:
                extra = (
                    "  " + _("[only when {condition}]").format(condition=_(c.asked_when.text)) if c.asked_when else ""
                )
                lines.append(f"   - {c.value}: {_said(c.label)}{extra}")
        else:
            lines.append("   " + _("answer: {expected}").format(expected=q.expected()))
    return "\n".join(lines[1:]) + "\n"
