"""The questionnaire's columns in a spreadsheet: how a list is spread over one column per option (REDCap's
checkbox export, `key___code`), with `none` for the lists that may be empty, and how an object answer becomes
columns (`startback_total`, `startback_psychosocial`). Read by the spreadsheet reader (io) and by the REDCap
dictionary and CSV template (render), so that what is collected is what is read. Pure: no I/O.
"""

from __future__ import annotations

from backpain_cli.core.questionnaire import Question

#: Between a list's key and an option's code in a wide column name, as REDCap exports checkboxes.
SEP = "___"
#: The option that says "none of these" in a wide layout (and in a `a;b` cell, the empty list).
NONE = "none"


def wide_codes(q: Question) -> tuple[str, ...]:
    """The option codes of a list question in the wide layout: its values, and `none` when the list may be empty
    (a list that needs one option ticked has no `none`)."""
    return q.values if q.min_items else (*q.values, NONE)


def startback_columns(q: Question) -> tuple[tuple[str, str], ...]:
    """(column, sub-field) of an object answer: `startback_total`, `startback_psychosocial`."""
    return tuple((f"{q.key}_{f.key}", f.key) for f in q.fields)
