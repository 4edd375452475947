"""The terminal report of one result, laid out with rich: the next step first, then why, the scores at a
glance, a body map, likely contributors, the care ladder, notes, the safety-net and the not-a-diagnosis line.

Imported only when text is printed (never in JSON mode). Everything from the input is put in `Text` objects,
never parsed as markup, and passed through `plain.shown` first: an `id` cannot style, link or move the cursor.
Colour is never the only signal: levels also differ in words and box style, the body map in glyphs.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import IO, Any

from rich import box
from rich.console import Console, Group, RenderableType
from rich.padding import Padding
from rich.panel import Panel
from rich.rule import Rule
from rich.table import Table
from rich.text import Text

from backpain_cli.core.explain import LADDER
from backpain_cli.core.i18n import N_, _
from backpain_cli.render.words import (
    AREA_WORDS,
    DURATION_WORDS,
    LEVEL_NAMES,
    PAIN_AREAS,
    RISK_GROUPS,
    RISK_WORDS,
    SPREAD_AREAS,
    evidence_text,
    impact,
    level_name,
    level_title,
    shown,
    since_last_text,
    split_reason,
    weeks,
)

#: The widest the report grows: longer lines are harder to read.
MAX_WIDTH = 100

LEVEL_STYLES = {
    "emergency": "bold red",
    "urgent": "dark_orange",
    "specialist": "gold3",
    "primary_care": "dodger_blue2",
    "self_care": "green",
}
TITLE_STYLES = {"emergency": "bold white on red"}
LEVEL_BOXES = {
    "emergency": box.DOUBLE,
    "urgent": box.HEAVY,
}
RULE_LEVEL = {"E": "emergency", "U": "urgent", "S": "specialist", "P": "primary_care", "C": "self_care"}

PAIN_STYLE = "bold red"
SPREAD_STYLE = "dark_orange"
CALM_STYLE = "dim"
DIM = "dim"

PAIN_GLYPH = "█"
SPREAD_GLYPH = "▒"
CALM_GLYPH = "░"

# A figure seen from behind. Letters are regions, filled according to the answers; the rest is outline.
BODY = (
    "    .-.    ",
    "   (   )   ",
    "    )N(    ",
    " AAMMMMMAA ",
    " A MMMMM A ",
    " A LLLLL A ",
    " A LLLLL A ",
    " ' BBBBB ' ",
    "   BB BB   ",
    "   KK KK   ",
    "   KK KK   ",
    "   KK KK   ",
)
REGION_OF = {"N": "neck", "M": "mid_back", "L": "low_back", "A": "arm", "B": "buttock_or_thigh", "K": "below_knee"}


def _heading(title: str) -> Rule:
    return Rule(Text(title, style="bold"), align="left", style=DIM, characters="─")


def _bullets(items: list[RenderableType], marker: str = "•", style: str = "") -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True, style=style)
    grid.add_column(ratio=1)
    for item in items:
        grid.add_row(marker, item)
    return grid


def _record_line(result: Mapping[str, Any]) -> Text | None:
    if "id" not in result:
        return None
    return Text.assemble((_("Record: "), DIM), Text(shown(result["id"]), overflow="fold"))


def _headline(result: Mapping[str, Any]) -> Panel:
    level = result["level"]
    style = LEVEL_STYLES.get(level, "")
    body = Text(result["action"], style="bold" if level in ("emergency", "urgent") else "")
    return Panel(
        body,
        title=Text(level_title(level, result.get("within")), style=TITLE_STYLES.get(level, f"bold {style}".strip())),
        title_align="left",
        box=LEVEL_BOXES.get(level, box.ROUNDED),
        border_style=style,
        padding=(0, 1),
    )


def _reasons(reasons: list[Mapping[str, Any]], with_answers: bool = True) -> Table:
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_column(no_wrap=True, justify="right")
    for i, reason in enumerate(reasons):
        if i:
            grid.add_row("", "", "")
        why, answers = split_reason(reason["because"])
        if isinstance(reason.get("answers"), Mapping):
            answers = evidence_text(reason["answers"])
        text = Text(why)
        if with_answers and answers:
            text.append("\n" + _("Your answers: {answers}.").format(answers=answers), style=DIM)
        rule = str(reason["rule"])
        marker_style = LEVEL_STYLES.get(reason.get("level") or RULE_LEVEL.get(rule[:1], ""), "")
        grid.add_row(Text("●", style=marker_style), text, Text(rule, style=DIM))
    return grid


def _noted(reasons: list[Mapping[str, Any]]) -> Table:
    """The other rules that fired beside an emergency, short: the answers behind each, in words, with its rule id
    small. Their advice (a GP, a physiotherapist) is left out: it must not compete with the emergency action."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    grid.add_column(no_wrap=True, justify="right")
    for reason in reasons:
        why, said = split_reason(reason["because"])
        if isinstance(reason.get("answers"), Mapping):
            said = evidence_text(reason["answers"])
        grid.add_row(Text("•", style=DIM), Text(f"{said}." if said else why), Text(str(reason["rule"]), style=DIM))
    return grid


def pain_bar(value: float, cells: int = 10) -> Text:
    """A 0–10 bar, one cell a point, eighths for the remainder."""
    value = max(0.0, min(float(value), 10.0))
    eighths = round(value * cells / 10 * 8)
    full, part = divmod(eighths, 8)
    bar = "█" * full + ("▏▎▍▌▋▊▉"[part - 1] if part else "")
    style = "red" if value >= 7 else "dark_orange" if value >= 4 else "green"
    return Text.assemble((bar, style), ("·" * (cells - len(bar)), DIM))


def _glance(result: Mapping[str, Any], answers: Mapping[str, Any] | None) -> RenderableType:
    s = result["scores"]
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    pain = float(s["pain_impact"])
    grid.add_row(
        _("Pain impact"),
        Text.assemble(pain_bar(pain), (f" {impact(pain)}", "bold"), (" / 10", DIM)),
    )
    since = result.get("since_last")
    if isinstance(since, Mapping):  # right under the pain impact it compares
        worse = since.get("category") == "worse"
        grid.add_row(
            _("Since last time"),
            Text(
                since_last_text(since, pain, result["level"], result.get("policy_version")),
                style="bold red" if worse else "",
            ),
        )
    source = "STarT Back" if s.get("screen_source") == "startback" else _("screen")
    risk = Text.assemble(
        (RISK_GROUPS.get(str(s["risk_group"])) or str(s["risk_group"]), "bold"),
        (
            " "
            + _("({source} {total}/9, worry and mood {psychosocial}/5)").format(
                source=source, total=s["screen_total"], psychosocial=s["screen_psychosocial"]
            ),
            DIM,
        ),
    )
    if s["risk_group"] in RISK_WORDS:
        risk.append(f"\n{RISK_WORDS[s['risk_group']]}")
    grid.add_row(_("Risk group"), risk)
    duration = Text(DURATION_WORDS.get(s["duration"]) or str(s["duration"]))
    if answers is not None and "duration_weeks" in answers:
        duration.append(_("; {weeks} so far").format(weeks=weeks(answers["duration_weeks"])), style=DIM)
    grid.add_row(_("Duration"), duration)
    if s.get("screen_note"):
        return Group(grid, Padding(Text(s["screen_note"], style=DIM), (1, 0, 0, 0)))
    return grid


def body_map(answers: Mapping[str, Any]) -> Table:
    """The figure, with painful areas solid and areas the pain spreads to shaded, and its legend."""
    pain = set(answers.get("pain_areas", ()))
    spread = set(answers.get("radiating_pain", ()))
    figure = Text(no_wrap=True, overflow="crop")
    for i, row in enumerate(BODY):
        for ch in row:
            region = REGION_OF.get(ch)
            if region is None:
                figure.append(ch, style=DIM)
            elif region in pain:
                figure.append(PAIN_GLYPH, style=PAIN_STYLE)
            elif region in spread:
                figure.append(SPREAD_GLYPH, style=SPREAD_STYLE)
            else:
                figure.append(CALM_GLYPH, style=CALM_STYLE)
        if i < len(BODY) - 1:
            figure.append("\n")
    legend = Table.grid(padding=(0, 1))
    legend.add_column(no_wrap=True)
    legend.add_column(ratio=1)
    painful = [AREA_WORDS[a] for a in PAIN_AREAS if a in pain]
    spreads = [AREA_WORDS[a] for a in SPREAD_AREAS if a in spread]
    legend.add_row(
        Text(PAIN_GLYPH, style=PAIN_STYLE), Text(_("Pain: {areas}").format(areas=", ".join(painful) or _("none given")))
    )
    legend.add_row(
        Text(SPREAD_GLYPH, style=SPREAD_STYLE),
        Text(_("Spreads to: {areas}").format(areas=", ".join(spreads) or _("nowhere else"))),
    )
    legend.add_row(Text(CALM_GLYPH, style=CALM_STYLE), Text(_("Not affected"), style=DIM))
    legend.add_row("", Text(_("Seen from behind."), style=DIM))
    grid = Table.grid(padding=(0, 2))
    grid.add_column(no_wrap=True, width=len(BODY[0]))
    grid.add_column(ratio=1)
    grid.add_row(figure, Padding(legend, (3, 0, 0, 0)))
    return grid


def _contributors(result: Mapping[str, Any]) -> Table | None:
    items: list[RenderableType] = []
    for c in result.get("contributors", ()):
        text = Text(str(c["label"]).capitalize())
        if c.get("answers"):
            text.append("\n" + _("Pointing to it: {answers}.").format(answers=evidence_text(c["answers"])), style=DIM)
        items.append(text)
    return _bullets(items) if items else None


def _rule_out(result: Mapping[str, Any]) -> Table | None:
    items: list[RenderableType] = [
        Text.assemble(str(r["what"]).capitalize(), ("  " + " ".join(r["rules"]), DIM)) for r in result["rule_out"]
    ]
    return _bullets(items) if items else None


def _ladder(result: Mapping[str, Any]) -> Group:
    current = result["care_ladder"]["current"]
    style = LEVEL_STYLES.get(result["level"], "")
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(ratio=1)
    for i, step in enumerate(LADDER, 1):
        here = step["step"] == current
        name = Text()
        name.append(f"{i}. {_(step['name'])}", style="bold" if here else DIM)
        if here:
            name.append("  ◀ " + _("you are here"), style=f"bold {style}".strip())
            name.append("\n" + _(step["what"]))
        grid.add_row(Text("●" if here else "○", style=style if here else DIM), name)
    nxt = Text.assemble((_("What usually comes next: "), "bold"), str(result["care_ladder"]["next"]))
    return Group(grid, Padding(nxt, (1, 0, 0, 0)))


def _notes(result: Mapping[str, Any]) -> Table | None:
    items: list[RenderableType] = [Text(str(n["note"])) for n in result.get("notes", ())]
    return _bullets(items) if items else None


def _safety_net(text: str) -> Panel:
    return Panel(
        Text(text),
        title=Text(_("If things change"), style="bold"),
        title_align="left",
        box=box.ROUNDED,
        border_style="red",
        padding=(0, 1),
    )


def _section(parts: list[RenderableType], title: str, body: RenderableType | None) -> None:
    if body is None:
        return
    parts += [Text(""), _heading(_(title)), body]


def build(result: Mapping[str, Any], answers: Mapping[str, Any] | None = None) -> Group:
    """The whole report as one rich renderable."""
    parts: list[RenderableType] = []
    record = _record_line(result)
    if record is not None:
        parts.append(record)
    parts.append(_headline(result))
    if result["level"] == "emergency":
        return _emergency(result, parts)
    _section(parts, N_("Why"), _reasons(result["reasons"]))
    _section(parts, N_("What a doctor will want to rule out"), _rule_out(result))
    _section(parts, N_("At a glance"), _glance(result, answers))
    if answers is not None:
        _section(parts, N_("Where it hurts"), body_map(answers))
    _section(parts, N_("What may be contributing"), _contributors(result))
    _section(parts, N_("Steps of care"), _ladder(result))
    _section(parts, N_("For you"), _notes(result))
    if result.get("safety_net"):
        parts += [Text(""), _safety_net(result["safety_net"])]
    parts += [Text(""), Text(result["disclaimer"], style="italic dim")]
    return Group(*parts)


def _emergency(result: Mapping[str, Any], parts: list[RenderableType]) -> Group:
    """The action first; the rest kept short: the emergency reasons and what a doctor will check."""
    urgent = [r for r in result["reasons"] if r["level"] == "emergency"]
    later = [r for r in result["reasons"] if r["level"] != "emergency"]
    _section(parts, N_("Why"), _reasons(urgent, with_answers=True))
    _section(parts, N_("What the doctors will check"), _rule_out(result))
    if later:
        _section(parts, N_("Also noted for the doctors"), _noted(later))
    parts += [Text(""), Text(result["disclaimer"], style="italic dim")]
    return Group(*parts)


def report_width(requested: int) -> int:
    """The width the report is laid out at: the terminal's, at most MAX_WIDTH."""
    return max(20, min(requested, MAX_WIDTH))


def make_console(
    file: IO[str], width: int | None, color: bool, environ: Mapping[str, str] | None = None, record: bool = False
) -> Console:
    """The one rich console set-up of the project: writes to `file` at a fixed width (None: the terminal's).
    `color` False: plain text, no escape codes at all. With colour, NO_COLOR in `environ` still removes every
    colour (bold and dim stay). Never reads markup, emoji codes or highlighting into the text it is given."""
    env = dict(environ or {})
    return Console(
        file=file,
        width=width,
        force_terminal=color,
        color_system="auto" if color else None,
        no_color=bool(env.get("NO_COLOR")) or None,
        highlight=False,
        markup=False,
        emoji=False,
        soft_wrap=False,
        legacy_windows=False,
        record=record,
        _environ=env,
    )


def render_text(
    result: Mapping[str, Any],
    answers: Mapping[str, Any] | None = None,
    *,
    width: int = 80,
    color: bool = False,
    environ: Mapping[str, str] | None = None,
) -> str:
    """The report as a string, laid out at exactly `width` columns (capped at MAX_WIDTH)."""
    out = io.StringIO()
    make_console(out, report_width(width), color, environ).print(build(result, answers))
    return finish(out.getvalue(), color)


def finish(text: str, color: bool) -> str:
    """Plain text loses the spaces rich pads lines with (they only get in the way in files and diffs)."""
    if color:
        return text
    return "\n".join(line.rstrip() for line in text.split("\n"))


def level_text(level: str, within: str | None = None) -> Text:
    return Text(level_name(level, within), style=LEVEL_STYLES.get(level, ""))


#: The batch table's fixed columns: level, decisive rule, pain impact (the id takes the rest).
LEVEL_WIDTH, RULE_WIDTH, IMPACT_WIDTH = 12, 4, 6
#: The id column at its widest; a longer id folds onto more lines.
ID_WIDTH = 48


class BatchTable:
    """A compact table of a batch, one row per record as it comes (so that a long batch streams), then a count
    per level. Columns have fixed widths; a long id folds onto more lines rather than being cut."""

    def __init__(self, width: int, color: bool, environ: Mapping[str, str] | None = None) -> None:
        self.width = report_width(width)
        self.buffer = io.StringIO()
        self.console = make_console(self.buffer, self.width, color, environ)
        self.color = color
        self.id_width = max(8, min(ID_WIDTH, self.width - LEVEL_WIDTH - RULE_WIDTH - IMPACT_WIDTH - 6))
        self.counts: dict[str, int] = dict.fromkeys(LEVEL_NAMES, 0)
        self.rejected = 0
        self.started = False

    def _table(self, header: bool) -> Table:
        table = Table(box=None, show_header=header, header_style="bold", padding=(0, 2, 0, 0), pad_edge=False)
        table.add_column("id", width=self.id_width, overflow="fold")
        table.add_column(_("level"), width=LEVEL_WIDTH, no_wrap=True)
        table.add_column(_("rule"), width=RULE_WIDTH, no_wrap=True)
        table.add_column(Text(_("pain\nimpact")), width=IMPACT_WIDTH, no_wrap=True, justify="right")
        return table

    def _take(self) -> str:
        text = self.buffer.getvalue()
        self.buffer.seek(0)
        self.buffer.truncate()
        return finish(text, self.color)

    def row(self, ok: bool, out: Mapping[str, Any]) -> str:
        """The row of one result (ok) or rejection, with the header before the first row."""
        rid = Text(shown(out["id"])) if "id" in out else Text(f"(record {out.get('line', '?')})", style=DIM)
        if ok:
            level = str(out["level"])
            self.counts[level] = self.counts.get(level, 0) + 1
            decisive = str(out["reasons"][0]["rule"]) if out.get("reasons") else ""
            cells = (
                rid,
                level_text(level, out.get("within")),
                Text(decisive),
                Text(impact(out["scores"]["pain_impact"])),
            )
        else:
            self.rejected += 1
            cells = (rid, Text(_("rejected"), style="bold"), Text("–"), Text("–"))
        if self.started and rid.cell_len <= self.id_width and "\n" not in rid.plain:
            # The usual row fits on one line: laid out directly, a good deal faster than a table per row.
            line = Text()
            for cell, width in zip(cells[:3], (self.id_width, LEVEL_WIDTH, RULE_WIDTH), strict=True):
                line.append_text(cell)
                line.append(" " * (width - cell.cell_len + 2))
            line.append(" " * (IMPACT_WIDTH - cells[3].cell_len))
            line.append_text(cells[3])
            self.console.print(line, no_wrap=True, crop=True)
        else:
            table = self._table(header=not self.started)
            self.started = True
            table.add_row(*cells)
            self.console.print(table)
        warning = None if ok else out.get("warning")
        if warning is not None:  # the warning signs of a record not assessed: under its row, not on stderr only
            self.console.print(Padding(Text(warning + ".", style=LEVEL_STYLES["emergency"]), (0, 0, 0, 2)))
        return self._take()

    def summary(self) -> str:
        """The count per level, most urgent first, and the rejected records if any."""
        if not self.started:
            self.console.print(self._table(header=True))
        counts = Table(box=None, show_header=False, padding=(0, 2, 0, 0), pad_edge=False)
        counts.add_column(width=self.id_width)
        counts.add_column(width=LEVEL_WIDTH, no_wrap=True)
        counts.add_column(width=RULE_WIDTH + 2 + IMPACT_WIDTH, no_wrap=True, justify="right")
        for i, (level, n) in enumerate(self.counts.items()):
            counts.add_row(Text(_("Records by level") if i == 0 else "", style="bold"), level_text(level), str(n))
        if self.rejected:
            counts.add_row("", Text(_("rejected")), str(self.rejected))
        total = sum(self.counts.values()) + self.rejected
        counts.add_row("", Text(_("all"), style="bold"), Text(str(total), style="bold"))
        parts = counts
        self.console.print()
        self.console.print(parts)
        return self._take()
