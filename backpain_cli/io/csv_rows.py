"""Spreadsheet rows to answers: a CSV header read against the questionnaire, each row typed into the answers
contract's object, then validated and checked for warning signs exactly as a JSON record is.

Two dialects, both read from the one questionnaire definition:

- `csv`, a plain spreadsheet: a header of contract keys (`id`, `age`, ...); a list as one cell `a;b`, `none` for
  the empty list, or REDCap's wide layout below; booleans `true`/`false`/`yes`/`no` in any case; numbers as
  numbers; the STarT Back scores as `startback_total` and `startback_psychosocial`.
- `redcap`, a REDCap export of raw codes: `record_id` is the `id`; each option of a list is a column of its own,
  `key___code`, holding 1 (ticked) or 0, with an explicit `none` option for the lists that may be empty; a yes/no
  question is 1 or 0; REDCap's own columns (`redcap_*`, `*_complete`, `*_timestamp`) are skipped.

In both an empty cell is a missing answer, and a list with nothing ticked, not even `none`, is unanswered (never
"none of these": in REDCap an all-zero row cannot be told from a question left blank).

A row that cannot be typed is rejected like a JSON record that fails validation: every problem at once, each
naming its column, and the warning signs it gives (a `red_flags___saddle_numbness` of 1 counts even when the row
is rejected) named with the advice they call for. Pure: no I/O, no third-party imports beyond `decoding`'s.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from typing import Any

from backpain_cli.core.columns import NONE, SEP, startback_columns, wide_codes
from backpain_cli.core.i18n import N_, _
from backpain_cli.core.questionnaire import QUESTIONS, Question
from backpain_cli.core.validation import Answers, InvalidAnswers, Problem, check, close_key, unassessed_warning
from backpain_cli.io.decoding import fast_value
from backpain_cli.io.json_text import Rejected

DIALECTS = ("csv", "redcap")
#: The column of the record's reference, by dialect.
ID_COLUMN = {"csv": "id", "redcap": "record_id"}

RAW_EXPORT_HINT = N_(
    'export the raw data instead: in REDCap, "Data Exports, Reports, and Stats", "Export Data", format '
    '"CSV / Microsoft Excel (raw data)" (through the API: rawOrLabel=raw, rawOrLabelHeaders=raw)'
)
LABEL_EXPORT = N_("this is a REDCap export of labels, not of raw codes; {hint}")
COMMAS = N_('save the spreadsheet as comma-separated values (in Excel: "CSV UTF-8 (Comma delimited)")')


def _label_export() -> str:
    return _(LABEL_EXPORT).format(hint=_(RAW_EXPORT_HINT))


_NAME = re.compile(r"[a-z][a-z0-9_]*", re.ASCII)
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_BY_KEY = {q.key: q for q in QUESTIONS}
_VALUES = {q.key: frozenset(q.values) for q in QUESTIONS}
#: What a cell of a wide list column may hold: ticked, not ticked, or empty (not ticked, as a spreadsheet leaves it).
_TICK_CELLS = frozenset({"1", "0", ""})
_TRUE = frozenset({"true", "yes"})
_FALSE = frozenset({"false", "no"})
#: What a REDCap export of labels holds where raw data holds 1 and 0.
_LABEL_TICKS = frozenset({"checked", "unchecked"})
_LABEL_YESNO = frozenset({"yes", "no"})


def _skipped(name: str, dialect: str) -> bool:
    """REDCap's own columns, in an export of the instrument: events, repeats, groups, survey fields, status."""
    return dialect == "redcap" and (
        name.startswith("redcap_") or name.endswith("_complete") or name.endswith("_timestamp")
    )


class Layout:
    """A header read against the questionnaire: which column feeds which answer, and what is wrong with the
    header itself (an unknown column, one given twice, a required answer with no column, an option column
    missing, a header of labels). A header's problems reject every row, each still read for warning signs."""

    def __init__(self, header: Sequence[str], dialect: str) -> None:
        self.dialect = dialect
        self.names = [h.strip() for h in header]
        self.width = len(header)
        self.problems: list[tuple[str, Problem]] = []  # (contract key, problem)
        self.ids: list[int] = []
        self.scalars: list[tuple[int, str, Question]] = []  # (index, column, question)
        self.lists: list[tuple[int, str, Question]] = []  # `a;b` cells (csv only)
        self.wide: dict[str, list[tuple[int, str]]] = {}  # key -> [(index, code)]
        self.startback: dict[str, list[tuple[int, str, str]]] = {}  # key -> [(index, column, sub-field)]
        self.unknown: list[tuple[int, str]] = []
        self.nameless: list[int] = []  # columns with an empty header cell (a spreadsheet's trailing columns)
        self._read()

    def __reduce__(self) -> tuple[type[Layout], tuple[list[str], str]]:
        """Sent to a `--jobs` worker as its header, and read again there."""
        return Layout, (self.names, self.dialect)

    def _problem(self, key: str, column: str, message: str) -> None:
        self.problems.append((key, Problem(column, message)))

    def _read(self) -> None:
        by_key = {q.key: q for q in QUESTIONS}
        id_column = ID_COLUMN[self.dialect]
        sub = {col: (q, field) for q in QUESTIONS if q.fields for col, field in startback_columns(q)}
        seen: set[str] = set()
        for i, name in enumerate(self.names):
            if name in seen and name:
                self._problem(name, name, "column given twice; give each column once, so that no answer hides another")
                continue
            seen.add(name)
            if not name:
                self.nameless.append(i)
                continue
            if _skipped(name, self.dialect):
                continue
            q = by_key.get(name)
            if name == id_column:
                self.ids.append(i)
            elif q is not None and q.kind in ("integer", "number", "boolean", "choice"):
                self.scalars.append((i, name, q))
            elif q is not None and q.kind == "multi" and self.dialect == "csv":
                self.lists.append((i, name, q))
            elif name in sub:
                q, field = sub[name]
                self.startback.setdefault(q.key, []).append((i, name, field))
            elif SEP in name and (base := name.split(SEP, 1)[0]) in by_key and by_key[base].kind == "multi":
                code = name.split(SEP, 1)[1]
                if code in wide_codes(by_key[base]):
                    self.wide.setdefault(base, []).append((i, code))
                else:
                    allowed = ", ".join(wide_codes(by_key[base]))
                    self._problem(
                        base,
                        name,
                        _("unknown column: {code} is not an option of {key} ({allowed})").format(
                            code=repr(code), key=base, allowed=allowed
                        ),
                    )
            else:
                self.unknown.append((i, name))
        self._check()

    def _check(self) -> None:
        if self.width == 1 and self.unknown and any(sep in self.names[0] for sep in (";", "\t")):
            sep = "';'" if ";" in self.names[0] else _("tabs")
            message = _("the header is one cell: the columns are separated by {sep}, not commas; {hint}").format(
                sep=sep, hint=_(COMMAS)
            )
            self.problems = [("(header)", Problem("(header)", message))]
            return
        for i, name in self.unknown:
            self._problem(name, name or f"(column {i + 1})", _("unknown column") + self._suggest(name))
        if self.unknown and self._labels():
            self.problems = [("(header)", Problem("(header)", _label_export()))]
            return
        for key in {k for _i, _c, q in self.lists for k in [q.key]} & self.wide.keys():
            self._problem(
                key,
                key,
                _("given twice: as the column {key} and as {key}{sep}... columns; keep one").format(key=key, sep=SEP),
            )
        for key, columns in self.wide.items():
            q = next(q for q in QUESTIONS if q.key == key)
            missing = [c for c in wide_codes(q) if c not in {code for _i, code in columns}]
            if missing:
                names = ", ".join(f"{key}{SEP}{c}" for c in missing)
                self._problem(
                    key,
                    key,
                    _("no column for {names}: every option needs one, so that none goes unseen").format(names=names),
                )
        for key, parts in self.startback.items():
            q = next(q for q in QUESTIONS if q.key == key)
            have = {field for _i, _c, field in parts}
            for col, field in startback_columns(q):
                if field not in have:
                    self._problem(key, col, _("no column; {key} needs every one of its columns").format(key=key))
        given = (
            {q.key for _i, _c, q in self.scalars} | {q.key for _i, _c, q in self.lists} | self.wide.keys()
        ) | self.startback.keys()
        for q in QUESTIONS:
            if q.required and q.key not in given:
                if q.kind == "multi" and self.dialect == "redcap":
                    text = _("no column ({key}{sep}<option> columns) in the header; expected {expected}")
                else:
                    text = _("no column in the header; expected {expected}")
                self._problem(q.key, q.key, text.format(key=q.key, sep=SEP, expected=q.expected()))

    def _labels(self) -> bool:
        """A header of field labels rather than names ("Record ID", "... (choice=...)", "Complete?")."""
        odd = [n for _i, n in self.unknown if not _NAME.fullmatch(n)]
        return bool(odd) and (
            any("(choice=" in n or n.endswith("Complete?") or n == "Record ID" for n in odd)
            or len(odd) * 2 > self.width
        )

    def _suggest(self, name: str) -> str:
        if self.dialect == "csv" and (name == "record_id" or name.startswith("redcap_") or name.endswith("_complete")):
            return _(" (is this a REDCap export? then use --input-format redcap)")
        if self.dialect == "redcap" and name == "id":
            return _(" (in a REDCap export the reference is record_id; for a plain spreadsheet use --input-format csv)")
        known = [ID_COLUMN[self.dialect]]
        for q in QUESTIONS:
            if q.kind == "multi":
                known += [q.key] if self.dialect == "csv" else []
                known += [f"{q.key}{SEP}{c}" for c in wide_codes(q)]
            elif q.fields:
                known += [col for col, _f in startback_columns(q)]
            elif q.kind != "id":
                known.append(q.key)
        close = close_key(name, tuple(known))
        return _(" (did you mean {key}?)").format(key=close) if close else _(" (not in the answers contract)")


def _number(cell: str) -> int | float | None:
    if _INT.fullmatch(cell):
        return int(cell)
    if _FLOAT.fullmatch(cell):
        value = float(cell)
        return value if math.isfinite(value) else None
    return None


def _shown(cell: str) -> str:
    return f'"{cell}"' if len(cell) <= 40 else f'"{cell[:37]}..."'


def _under(cell: str, column: str) -> str:
    """A cell of a REDCap export of labels, named by its column."""
    return _("{value} under {column}").format(value=_shown(cell), column=column)


def _expected_got() -> str:
    """validation's wording of "expected ..., got ...", said of a cell."""
    return _("expected {expected}, got {value}")


class _Row:
    """One row being typed: the answers object, the problems (with the contract key each is about), whether it
    holds labels, and what it says loosely (for the warning scan of a rejected row)."""

    def __init__(self, layout: Layout, cells: Sequence[str]) -> None:
        self.layout = layout
        self.cells = cells
        self.obj: dict[str, Any] = {}
        self.problems: list[tuple[str, Problem]] = list(layout.problems)
        self.loose: dict[str, Any] = {}
        self.label: str | None = None

    def bad(self, key: str, column: str, message: str) -> None:
        self.problems.append((key, Problem(column, message)))

    def type(self) -> None:
        cells, layout = self.cells, self.layout
        redcap = layout.dialect == "redcap"
        for i in layout.ids:
            if cells[i] != "":
                self.obj["id"] = cells[i]
        for i in layout.nameless:  # empty, as a spreadsheet saves columns once used: nothing lost
            if cells[i].strip():
                self.bad(
                    f"(column {i + 1})",
                    f"(column {i + 1})",
                    _("{value} under no column name").format(value=_shown(cells[i])),
                )
        for i, col, q in layout.scalars:
            cell = cells[i].strip()
            if cell == "":
                if q.required:
                    self.bad(q.key, col, _("empty; expected {expected}").format(expected=q.expected()))
                continue
            self.obj[q.key] = self.scalar(q, col, cell, redcap)
        for i, col, q in layout.lists:
            self.split(q, col, cells[i].strip())
        for key, columns in layout.wide.items():
            self.ticks(key, columns)
        for key, parts in layout.startback.items():
            self.scores(key, parts)

    def scalar(self, q: Question, col: str, cell: str, redcap: bool) -> Any:
        kind = q.kind
        if kind in ("integer", "number"):
            value = _number(cell)
            if value is None:
                self.bad(q.key, col, _expected_got().format(expected=q.expected(), value=_shown(cell)))
                return cell
            return value
        if kind == "boolean":
            low = cell.casefold()
            if redcap:
                if cell in ("1", "0"):
                    return cell == "1"
                if low in _LABEL_YESNO:
                    self.label = _under(cell, col)
                self.bad(q.key, col, _("expected 1 (yes) or 0 (no), got {value}").format(value=_shown(cell)))
                return cell
            if low in _TRUE:
                return True
            if low in _FALSE:
                return False
            self.bad(q.key, col, _("expected true or false (or yes or no), got {value}").format(value=_shown(cell)))
            return cell
        # choice: the code as it is; validation says when it is not one
        if cell not in _VALUES[q.key]:
            code = next((c.value for c in q.choices if c.label.casefold() == cell.casefold()), None)
            if code is not None:
                if redcap:
                    self.label = _under(cell, col)
                self.bad(
                    q.key,
                    col,
                    _("{value} is the label of {code}; write the code {code}").format(value=_shown(cell), code=code),
                )
                if q.key == "weakness":
                    self.loose[q.key] = code
        return cell

    def split(self, q: Question, col: str, cell: str) -> None:
        if cell == "":
            if q.required:
                text = (
                    _("empty; expected {expected}")
                    if q.min_items
                    else _("empty; expected {expected}, or none if none apply")
                )
                self.bad(q.key, col, text.format(expected=q.expected()))
            return
        items = [p.strip() for p in cell.split(";")]
        if items == [NONE]:
            self.obj[q.key] = []
            return
        self.loose[q.key] = [p for p in items if p != NONE]
        if NONE in items:
            self.bad(
                q.key,
                col,
                _("none given with other values ({values}); give none alone, or only the others").format(values=cell),
            )
        elif "" in items:
            self.bad(q.key, col, _('an empty value between ";" in {value}').format(value=_shown(cell)))
        else:
            self.obj[q.key] = items

    def ticks(self, key: str, columns: list[tuple[int, str]]) -> None:
        cells = self.cells
        odd = [(i, code) for i, code in columns if cells[i] not in _TICK_CELLS]  # none, in a raw export
        bad = False
        for i, code in odd:
            cell = cells[i].strip()
            if cell not in _TICK_CELLS:
                bad = True
                if cell.casefold() in _LABEL_TICKS:
                    self.label = _under(cell, f"{key}{SEP}{code}")
                self.bad(
                    key, f"{key}{SEP}{code}", _("expected 1 (ticked) or 0, got {value}").format(value=_shown(cell))
                )
        if odd:
            ticked = [code for i, code in columns if cells[i].strip() == "1"]
        else:
            ticked = [code for i, code in columns if cells[i] == "1"]
        chosen = [c for c in ticked if c != NONE] if NONE in ticked else ticked
        self.loose[key] = chosen
        if bad:
            return
        if NONE in ticked and chosen:
            self.bad(
                key,
                f"{key}{SEP}{NONE}",
                _("none is ticked with other options ({values}); tick none alone, or only the others").format(
                    values=", ".join(chosen)
                ),
            )
        elif ticked:
            self.obj[key] = chosen
        elif (q := _BY_KEY[key]).required:
            if q.min_items:
                text = _("nothing ticked: not answered")
            else:
                text = _("nothing ticked: not answered; tick {column} if none apply").format(column=f"{key}{SEP}{NONE}")
            self.bad(key, f"{key}{SEP}*", text)

    def scores(self, key: str, columns: list[tuple[int, str, str]]) -> None:
        values: dict[str, Any] = {}
        empty: list[str] = []
        for i, col, field in columns:
            cell = self.cells[i].strip()
            if cell == "":
                empty.append(col)
                continue
            value = _number(cell)
            if value is None:
                q = next(f for q in QUESTIONS if q.key == key for f in q.fields if f.key == field)
                self.bad(key, col, _expected_got().format(expected=q.expected(), value=_shown(cell)))
            values[field] = cell if value is None else value
        if values and empty:
            self.bad(
                key, empty[0], _("empty; give every one of {key}'s columns, or leave them all empty").format(key=key)
            )
        elif values:
            self.obj[key] = values

    def column(self, key: str) -> str:
        """The column that a validation problem about `key` (`startback.total`, `id`) is about."""
        if key == "id":
            return ID_COLUMN[self.layout.dialect]
        return key.replace(".", "_")


def row_answers(layout: Layout, cells: Sequence[str], error: str | None = None) -> Answers:
    """Valid answers from one row's cells, or raise `Rejected` naming every problem by its column, with the
    warning signs the row gives. `error`: the row could not be read whole (not UTF-8, say), and is rejected for
    it, though still read for warning signs."""
    row = _Row(layout, cells)
    first = [Problem("(row)", error)] if error is not None else []
    if len(cells) != layout.width:
        _reject(row, first or [Problem("(row)", _ragged(len(cells), layout.width))], ragged=True)
    row.type()
    if first:
        _reject(row, first)
    if row.label is not None and layout.dialect == "redcap":
        _reject(row, [Problem("(row)", f"{_label_export()} ({row.label})")])
    if not row.problems:
        fast = fast_value(row.obj)
        if fast is not None:
            return fast
    out, invalid = check(row.obj)
    if not row.problems and not invalid:
        return out
    said = {key for key, _p in row.problems}  # what the typing said already is not said again
    more = [Problem(row.column(p.key), p.message) for p in invalid if p.key.split(".")[0] not in said]
    _reject(row, [p for _k, p in row.problems] + more)
    raise AssertionError("unreachable")  # pragma: no cover


def _ragged(n: int, width: int) -> str:
    if n == 1:
        text = _(
            "{n} cell where the header has {width}: a cell is missing, or a cell holding a comma or a line break is "
            "not in double quotes"
        )
    else:
        text = _(
            "{n} cells where the header has {width}: a cell is missing, or a cell holding a comma or a line break is "
            "not in double quotes"
        )
    return text.format(n=n, width=width)


def _reject(row: _Row, problems: list[Problem], ragged: bool = False) -> None:
    layout, cells = row.layout, row.cells
    # Everything the row says (but for its noes), to be searched for warning signs mentioned anywhere in it.
    text = "\n".join(
        f"{name}: {cell}" for name, cell in zip(layout.names, cells, strict=False) if cell.strip().casefold() not in _NO
    )
    if ragged:  # the cells cannot be trusted to be under their columns: what they say is only mentioned
        given: dict[str, Any] = {}
        value: Any = {"id": cells[layout.ids[0]]} if layout.ids and layout.ids[0] < len(cells) else None
    else:
        given = {**row.obj, **row.loose}
        for i, name in layout.unknown:  # a misspelt column (`red_flag___saddle_numbness`) still gives its sign
            if cells[i].strip().casefold() not in _NO:
                base, _sep, code = name.partition(SEP)
                if code:
                    given.setdefault(base, []).append(code)
                else:
                    given[name] = cells[i]
        value = row.obj
    found = unassessed_warning(given, raw=text)
    error = InvalidAnswers(problems, found)
    raise Rejected(str(error), value, error.warning)


#: Cells that say no, or nothing.
_NO = frozenset({"", "0", "no", "false", "unchecked", "none"})
