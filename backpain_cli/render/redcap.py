"""The questionnaire as a REDCap data dictionary, and as an empty spreadsheet to fill in: both generated from
`questionnaire.QUESTIONS`, so that what a clinic collects is what `--input-format redcap` and `csv` read.

The dictionary keeps to REDCap's documented rules: its 18 standard columns; `record_id` first; field names in
lowercase letters, digits and underscores, starting with a letter; `radio` for a single choice and `checkbox` for
a list, with the contract's values as the raw codes (`code, label | code, label`); `yesno` for a boolean; `text`
with `integer` or `number` validation and the contract's range for a number. Every list that may be empty gets an
explicit `none` option marked `@NONEOFTHEABOVE`, because in REDCap a checkbox with nothing ticked cannot be told
from a question left blank. `startback` becomes `startback_total` and `startback_psychosocial`, shown to staff
only (`@HIDDEN-SURVEY`), the second only once the first is given. As at the terminal, the emergency advice shows
as soon as a warning sign that calls for it is ticked, and the age limit's advice when an age under 16 is typed
(descriptive fields: they hold no data, so exports have no column for them).

Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any

from backpain_cli.core.columns import NONE, startback_columns, wide_codes
from backpain_cli.core.explain import ACTION
from backpain_cli.core.questionnaire import QUESTIONS, Question
from backpain_cli.core.validation import SIGN_LEVEL
from backpain_cli.render.spreadsheet import csv_cell

#: REDCap's data dictionary columns, in order, as REDCap names them.
COLUMNS = (
    "Variable / Field Name",
    "Form Name",
    "Section Header",
    "Field Type",
    "Field Label",
    "Choices, Calculations, OR Slider Labels",
    "Field Note",
    "Text Validation Type OR Show Slider Number",
    "Text Validation Min",
    "Text Validation Max",
    "Identifier?",
    "Branching Logic (Show field only if...)",
    "Required Field?",
    "Custom Alignment",
    "Question Number (surveys only)",
    "Matrix Group Name",
    "Matrix Ranking?",
    "Field Annotation",
)
FORM = "back_and_neck_pain"
NONE_LABEL = "None of these"
#: The annotation of a field given by a clinician (no cell starts with `@`: a spreadsheet would take it for a
#: formula, and REDCap finds an action tag anywhere in the annotation).
STAFF_ONLY = "Given by a clinician: @HIDDEN-SURVEY"
#: The questions whose answers can call for emergency care on their own (`validation.SIGN_LEVEL`: the red flags,
#: and weakness that is getting worse).
_SIGNS = ("red_flags", "weakness")


def _row(name: str, kind: str, label: str, **more: str) -> dict[str, str]:
    row = dict.fromkeys(COLUMNS, "")
    row.update({"Variable / Field Name": name, "Form Name": FORM, "Field Type": kind, "Field Label": label})
    for key, value in more.items():
        row[_MORE[key]] = value
    return row


_MORE = {
    "section": "Section Header",
    "choices": "Choices, Calculations, OR Slider Labels",
    "note": "Field Note",
    "validation": "Text Validation Type OR Show Slider Number",
    "low": "Text Validation Min",
    "high": "Text Validation Max",
    "logic": "Branching Logic (Show field only if...)",
    "required": "Required Field?",
    "annotation": "Field Annotation",
}


def _num(x: float | None) -> str:
    return "" if x is None else (str(int(x)) if float(x).is_integer() else str(x))


def _choices(pairs: Iterable[tuple[str, str]]) -> str:
    return " | ".join(f"{code}, {label}" for code, label in pairs)


def _note(q: Question) -> str:
    """The field note: the question's help (and its screens'), and which options apply only sometimes (a REDCap
    checkbox cannot hide one option by logic; the policy reads such an option only when its condition holds)."""
    parts = [q.help] if q.help else []
    parts += [g.help for g in q.groups if g.help and g.help not in parts]  # the screens' help ("as above")
    conditions: dict[str, list[str]] = {}
    for c in q.choices:
        if c.asked_when is not None:
            conditions.setdefault(c.asked_when.text, []).append(f'"{c.label}"')
    for text, labels in conditions.items():
        parts.append(f"{' and '.join(labels) if len(labels) < 3 else ', '.join(labels)}: only when {text}.")
    return " ".join(parts)


def _number_row(q: Question, name: str, label: str, **more: str) -> dict[str, str]:
    low = q.minimum if q.refuse_below is None or q.minimum is None else max(q.minimum, q.refuse_below)
    validation = "integer" if q.kind == "integer" else "number"
    return _row(name, "text", label, validation=validation, low=_num(low), high=_num(q.maximum), **more)


def _fields(q: Question, section: str) -> list[dict[str, str]]:
    need = "y" if q.required else ""
    common: dict[str, Any] = {"section": section, "note": _note(q), "required": need}
    if q.kind in ("integer", "number"):
        return [_number_row(q, q.key, q.prompt, **common)]
    if q.kind == "boolean":
        return [_row(q.key, "yesno", q.prompt, **common)]
    if q.kind == "choice":
        return [_row(q.key, "radio", q.prompt, choices=_choices((c.value, c.label) for c in q.choices), **common)]
    if q.kind == "multi":
        pairs = [(c.value, c.label) for c in q.choices]
        annotation = ""
        if NONE in wide_codes(q):
            pairs.append((NONE, NONE_LABEL))
            annotation = f"{NONE_LABEL} excludes the other options: @NONEOFTHEABOVE='{NONE}'"
        return [_row(q.key, "checkbox", q.prompt, choices=_choices(pairs), annotation=annotation, **common)]
    if q.kind == "startback":  # given by a clinician: on the data entry form, not in the survey
        out = []
        first = ""
        for (name, _), f in zip(startback_columns(q), q.fields, strict=True):
            logic = f"[{first}] <> ''" if first else ""
            label = f"{q.prompt.rstrip('.')}: {f.prompt[:1].lower()}{f.prompt[1:]}"
            extra = {"section": section if not first else "", "note": q.help if not first else ""}
            # Both or neither: the second is required once the first is given (REDCap requires only fields shown).
            out.append(
                _number_row(f, name, label, logic=logic, required="y" if first else "", annotation=STAFF_ONLY, **extra)
            )
            first = first or name
        return out
    return []  # id: REDCap's own record_id


def _advice(q: Question) -> list[dict[str, str]]:
    """Descriptive fields shown at once, as at the terminal: the emergency advice after a warning sign that calls
    for it, and what to do instead for an age under 16."""
    if q.key in _SIGNS:
        signs = [v for v in q.values if SIGN_LEVEL.get(v) == "emergency"]
        if q.kind == "multi":
            logic = " or ".join(f"[{q.key}({v})] = '1'" for v in signs)
        else:
            logic = " or ".join(f"[{q.key}] = '{v}'" for v in signs)
        text = f"<b>{ACTION['emergency']}</b> Your answer is a warning sign that needs care now."
        return [_row(f"{q.key}_emergency_advice", "descriptive", text, logic=logic)] if signs else []
    if q.refuse_below is not None and q.refuse_message:
        message = q.refuse_message[:1].upper() + q.refuse_message[1:].rstrip(".") + "."
        logic = f"[{q.key}] <> '' and [{q.key}] < {_num(q.refuse_below)}"
        return [_row(f"{q.key}_advice", "descriptive", message, logic=logic)]
    return []


def dictionary_rows() -> list[dict[str, str]]:
    """The data dictionary, one dict per field, `record_id` first."""
    rows = [_row("record_id", "text", "Record ID")]
    section = None
    for q in QUESTIONS:
        fields = _fields(q, q.section if q.section != section else "")
        if fields:
            section = q.section
        rows += fields
        rows += _advice(q)
    return rows


def _csv(rows: Iterable[Iterable[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buffer.getvalue().encode()


def data_dictionary() -> bytes:
    """`backpain questions --format redcap`: the data dictionary as CSV, ready to upload to REDCap."""
    return _csv([COLUMNS, *([row[c] for c in COLUMNS] for row in dictionary_rows())])


# -- the plain spreadsheet -----------------------------------------------------------------------------------

#: Answers of the template's example row where the first allowed value would be an odd example; any key not
#: in the questionnaire is left out, any key of it not here takes its first value (or none, for a list).
_EXAMPLE = {
    "age": 42,
    "pain_areas": ["low_back"],
    "duration_weeks": 3,
    "onset": "after_lifting_or_strain",
    "radiating_pain": ["buttock_or_thigh"],
    "pain_intensity": 5,
    "enjoyment_interference": 4,
    "activity_interference": 5,
    "trend": "same",
    "bothersomeness": "moderately",
    "treatments_tried": ["heat_or_ice", "otc_painkillers"],
    "activity_level": "moderate",
    "goals": ["return_to_work"],
}


def template_columns() -> list[str]:
    """The plain spreadsheet's header: `id`, then every answer key in the questionnaire's order."""
    columns = ["id"]
    for q in QUESTIONS:
        if q.kind == "startback":
            columns += [name for name, _ in startback_columns(q)]
        elif q.kind != "id":
            columns.append(q.key)
    return columns


def _example(q: Question) -> list[Any]:
    if q.kind == "id":
        return []
    if q.kind == "startback":
        return ["" for _ in q.fields]  # given by a clinician only: left empty
    value: Any = _EXAMPLE.get(q.key)
    if value is None:
        if q.kind == "multi":
            value = list(q.values[: q.min_items])
        elif q.kind == "boolean":
            value = False
        elif q.kind == "choice":
            value = q.values[0]
        else:
            value = int(q.minimum or 0)
    if isinstance(value, list):
        return [";".join(value) or NONE]
    if isinstance(value, bool):
        return ["true" if value else "false"]
    return [value]


def csv_template() -> bytes:
    """`backpain questions --format csv-template`: the header of `--input-format csv` and one example row."""
    return _csv([template_columns(), ["example-1", *(v for q in QUESTIONS for v in _example(q))]])
