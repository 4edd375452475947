"""Progress over time: saving results when asked, the change since an earlier assessment, `backpain history`.

Change in pain impact is judged by the IMMPACT thresholds (Dworkin et al. 2008): a drop of 30% or more is a
meaningful improvement, 50% or more a substantial one. Any rise is called what it is: worse. These describe the
trend only; the policy's rules are not touched by them (its `trend` is still the person's own answer).

The comparisons (`compare`, `since_last`) are pure; the store (sqlite3) and rich are imported
only by the functions that need them.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from contextlib import AbstractContextManager
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

from backpain_cli.core.i18n import N_, Words, _
from backpain_cli.io.env import Environment
from backpain_cli.io.process import ExitStatus
from backpain_cli.render.spreadsheet import csv_cell as _csv_cell
from backpain_cli.render.words import LEVEL_NAMES, RISK_GROUPS, date_words, day_month, policy_note

if TYPE_CHECKING:
    from rich.text import Text

    from backpain_cli.storage.store import Record, Store

MEANINGFUL_DROP_PCT = 30
SUBSTANTIAL_DROP_PCT = 50
ITEMS = ("pain_intensity", "enjoyment_interference", "activity_interference")
ITEM_NAMES = Words(
    {
        "pain_intensity": N_("intensity"),
        "enjoyment_interference": N_("enjoyment"),
        "activity_interference": N_("activity"),
    }
)
CATEGORY_TEXT = Words(
    {
        "substantial_improvement": N_("substantial improvement (50% or more lower)"),
        "meaningful_improvement": N_("meaningful improvement (30% or more lower)"),
        "no_meaningful_change": N_("no meaningful change"),
        "worse": N_("worse"),
    }
)
THRESHOLDS_NOTE = N_(
    "A drop in pain impact of 30% or more is a meaningful improvement, 50% or more a substantial one "
    "(IMMPACT, Dworkin et al. 2008)."
)
#: The duration in a word (the history's table; the result keeps the code).
DURATION_NAMES = Words({"acute": N_("acute"), "subacute": N_("subacute"), "chronic": N_("chronic")})


# -- comparisons (pure) ----------------------------------------------------------------------------------


def category(before: float, after: float) -> str:
    """How pain impact moved from `before` to `after` (both 0-10, one decimal), by the IMMPACT thresholds."""
    # In whole tenths, so that 5.0 -> 3.5 is exactly a 30% drop, not 29.999...%.
    b, a = round(before * 10), round(after * 10)
    drop = b - a
    if drop < 0:
        return "worse"
    if b > 0 and drop * 100 >= SUBSTANTIAL_DROP_PCT * b:
        return "substantial_improvement"
    if b > 0 and drop * 100 >= MEANINGFUL_DROP_PCT * b:
        return "meaningful_improvement"
    return "no_meaningful_change"


def compare(before: float, after: float) -> dict[str, Any]:
    """`change` (after − before: positive is a rise), `change_pct` (of `before`; None when before is 0) and
    `category`."""
    change = round(after - before, 1)
    pct = round(change / before * 100, 1) if before else None
    return {"change": change, "change_pct": pct, "category": category(before, after)}


def since(reference: Record, pain_impact: float) -> dict[str, Any]:
    """The change from a saved assessment to a pain impact: the shape of `result["since_last"]`, with the policy
    version the saved one was made under (a history outlives versions of the policy)."""
    return {
        "date": reference.date,
        "level": reference.level,
        "pain_impact": reference.pain_impact,
        "policy_version": reference.policy_version,  # its level was decided by that version of the policy
        **compare(reference.pain_impact, pain_impact),
    }


def since_last(previous: Record, result: Mapping[str, Any]) -> dict[str, Any]:
    """`result["since_last"]`: how `result` compares with the assessment saved before it."""
    return since(previous, float(result["scores"]["pain_impact"]))


def _signed(x: float) -> str:
    return f"{x:+g}".replace("-", "−")


def change_words(before: float, after: float, change: Mapping[str, Any]) -> str:
    """`6.3 → 2.0, down 4.3 (−68%): substantial improvement (...)`."""
    diff = change["change"]
    amount = f"{abs(diff):g}"
    moved = _("up {n}").format(n=amount) if diff > 0 else _("down {n}").format(n=amount) if diff < 0 else _("unchanged")
    pct = f" ({_signed(round(change['change_pct']))}%)" if change["change_pct"] is not None and diff else ""
    return f"{before:g} → {after:g}, {moved}{pct}: {CATEGORY_TEXT[change['category']]}"


# -- saving ----------------------------------------------------------------------------------------------


#: Seconds one save attempt waits for a busy history: never long, so that neither the next result of a batch
#: nor a Ctrl-C waits for another process. A batch's results not saved stay pending (they are small).
SAVE_ATTEMPT = 0.25
#: Seconds before a save is tried again once the history was found busy while a batch is being read.
RETRY_AFTER = 1.0
SAVE_WAITING = N_("saving to your history: waiting for another backpain using it (Ctrl-C stops waiting)…")


def save_result(
    db_path: Path,
    answers: Mapping[str, Any],
    result: dict[str, Any],
    now: str | None = None,
    on_wait: Callable[[], None] | None = None,
) -> Record:
    """Save one assessment (validated answers and their result) to the history at `db_path`, creating it if need
    be; when an earlier one exists, add `result["since_last"]` (in place) for the report to show. What is stored
    is the result without `since_last`. Returns the saved record (its `id` is the number `history` shows).
    A busy history is tried again in short attempts (SAVE_ATTEMPT each, so that Ctrl-C gets through between
    them as KeyboardInterrupt) until it has been busy for store.BUSY_TIMEOUT; `on_wait` is called once, when the
    first attempt finds it busy. Raises store.StoreError (print it, exit 2). For the interactive "save this
    result?":

        from backpain_cli.faces.history import save_result
        from backpain_cli.storage.store import StoreError, resolve_path
        record = save_result(resolve_path(db_option, env.environ), answers, result)
    """
    from backpain_cli.storage.store import BUSY_TIMEOUT, StoreError, save_assessment

    result.pop("since_last", None)
    started = time.monotonic()
    told = False
    while True:
        attempt = time.monotonic()
        try:
            record, previous = save_assessment(db_path, answers, result, now, timeout=SAVE_ATTEMPT)
            break
        except StoreError as exc:
            if not exc.busy or time.monotonic() - started >= BUSY_TIMEOUT:
                raise
        if not told and on_wait is not None:
            told = True
            on_wait()
        rest = SAVE_ATTEMPT - (time.monotonic() - attempt)
        if rest > 0:  # SQLite said busy without waiting: do not spin
            time.sleep(rest)
    if previous is not None:
        result["since_last"] = since_last(previous, result)
    return record


class _Saver:
    """What `assess --save` saves, and when: each result gets `since_last` (from a short read of the last saved
    assessment, then from the one before it in the batch) before it is written; it is saved only once it is
    out (`written`, called by the batch each time the output has been flushed), never waiting more than
    SAVE_ATTEMPT for a busy history, so that no result waits for it; what is left is saved at the end (`finish`)."""

    def __init__(self, env: Environment, db_path: Path) -> None:
        self.env = env
        self.db_path = db_path
        self.store: Store | None = None
        self.failure: str | None = None
        self.read = False  # the last saved assessment has been asked for
        self.last: Record | None = None  # what the next result is compared with
        self.pending: list[tuple[dict[str, Any], dict[str, Any], str]] = []
        self.assessed = self.saved = 0
        self.busy_since: float | None = None  # since when (monotonic) every attempt has found the history busy
        self.last_busy = 0.0  # when (monotonic) an attempt last found it busy
        self.next_try = 0.0  # no save is tried before this (monotonic) while the batch runs
        self.busy_error: str | None = None

    def before_written(self, result: dict[str, Any], answers: dict[str, Any]) -> None:
        from backpain_cli.storage.store import unsaved_record, utc_now

        self.assessed += 1
        if self.failure is not None:
            return
        if not self.read:
            self.read = True
            self._read_last()
            if self.failure is not None:
                return
        now = utc_now()
        stored = {k: v for k, v in result.items() if k != "since_last"}
        if self.last is not None:
            result["since_last"] = since_last(self.last, result)
        self.pending.append((answers, stored, now))
        self.last = unsaved_record(answers, stored, now)

    def _read_last(self) -> None:
        import sqlite3

        from backpain_cli.storage.store import READ_TIMEOUT, StoreError, open_store, store_error

        try:
            self.store = open_store(self.db_path, timeout=READ_TIMEOUT)
            assert self.store is not None
            self.last = self.store.latest()
            return
        except StoreError as exc:
            error = exc
        except sqlite3.Error as exc:
            error = store_error(self.db_path, exc)
        if self.store is not None:
            self.store.close()
            self.store = None
        if not error.busy:
            self.failure = str(error)
            return
        self.env.message(
            _(
                "the history database {path} is busy (another backpain is writing to it): the result is shown "
                "without the change since your last saved assessment, and saved once it is shown."
            ).format(path=self.db_path)
        )

    def _attempt(self, timeout: float) -> bool:
        """Save what is pending, waiting at most `timeout` for a busy history. False if it was busy (what was not
        saved stays pending); True otherwise (all saved, or a failure: saving stops)."""
        import sqlite3

        from backpain_cli.storage.store import StoreError, open_store, store_error

        try:
            if self.store is None:
                self.store = open_store(self.db_path, timeout=timeout)
                assert self.store is not None
            else:
                self.store.wait(timeout)
            while self.pending:
                self.store.save(*self.pending[0])
                self.pending.pop(0)
                self.saved += 1
        except (StoreError, sqlite3.Error, OSError) as exc:
            error = exc if isinstance(exc, StoreError) else store_error(self.db_path, exc)
            if getattr(error, "busy", False):
                self.busy_error = str(error)
                now = time.monotonic()
                if self.busy_since is None or now - self.last_busy > 2 * RETRY_AFTER + SAVE_ATTEMPT:
                    self.busy_since = now  # not tried for a while (a slow feed): it may have been free meanwhile
                self.last_busy = now
                return False
            self._fail(str(error))  # stop saving; keep showing the results
            return True
        self.busy_since = None
        return True

    def _fail(self, reason: str) -> None:
        self.failure = reason
        self.pending.clear()
        self.close()

    def _busy_too_long(self) -> bool:
        from backpain_cli.storage.store import BUSY_TIMEOUT

        if self.busy_since is None or time.monotonic() - self.busy_since < BUSY_TIMEOUT:
            return False
        self._fail(self.busy_error or _("the history database {path} is busy").format(path=self.db_path))
        return True

    def written(self) -> None:
        """Save the results waiting to be saved (they have been written out), waiting at most SAVE_ATTEMPT for a
        busy history; if it is busy, they are tried again at a flush RETRY_AFTER later."""
        if self.failure is not None or not self.pending or time.monotonic() < self.next_try:
            return
        if not self._attempt(SAVE_ATTEMPT) and not self._busy_too_long():
            self.next_try = time.monotonic() + RETRY_AFTER

    def finish(self, held: Callable[[], AbstractContextManager[None]]) -> None:
        """After the last result is out: save what is still pending, waiting for a busy history until it has been
        busy for store.BUSY_TIMEOUT (then saving fails). Each attempt is short and inside `held()`, so that a
        signal stops the wait between attempts, never inside one."""
        told = False
        while self.failure is None and self.pending:
            started = time.monotonic()
            with held():
                if self._attempt(SAVE_ATTEMPT) or self._busy_too_long():
                    return
            if not told:
                told = True
                self.env.message(_(SAVE_WAITING))
            rest = SAVE_ATTEMPT - (time.monotonic() - started)
            if rest > 0:  # SQLite said busy without waiting: do not spin
                time.sleep(rest)

    def close(self) -> None:
        if self.store is not None:
            self.store.close()
            self.store = None


def run_save(env: Environment, stream: IO[bytes], fmt: str, input_format: str | None, db_path: Path) -> ExitStatus:
    """`backpain assess --save`: as batch.run, and each assessed record is saved once its result is written.

    The results are shown whatever happens to the history, and never wait for it: the change since the last
    saved assessment is read without waiting long (if another process holds the database, the result is shown
    without it and stderr says so); a result is saved only after it has been written out, and while the batch
    is read, a save waits at most SAVE_ATTEMPT for a busy history (the results wait, in memory, for a later
    try). After the last result, what is left is saved, waiting while the database stays busy (said on stderr)
    up to store.BUSY_TIMEOUT. A database that cannot be used (foreign, damaged, newer, a directory it cannot be
    created in, busy for longer than store.BUSY_TIMEOUT) or a save that fails part-way is told on stderr after
    them, and the exit status is NOT_SAVED (3) -- an emergency result is never held back or hidden by a
    database problem. Ctrl-C, SIGTERM or SIGHUP stops the batch and any wait for the history at once (between
    two short save attempts): what was not saved is said, and the signal's status (130, 143, 129) wins over 3."""
    from backpain_cli.faces.batch import run
    from backpain_cli.io.env import stopped
    from backpain_cli.io.process import STOPS, Interrupted, Signals

    by_signal = {status for _action, status in STOPS.values()}
    saver = _Saver(env, db_path)
    try:
        status = run(env, stream, fmt, input_format, keeper=saver)
        if status not in by_signal:
            with Signals() as signals:
                try:
                    saver.finish(signals.held)
                except Interrupted as exc:
                    status = stopped(env, exc)
    finally:
        saver.close()
    saved, assessed, failure = saver.saved, saver.assessed, saver.failure
    what = _("1 assessment") if saved == 1 else _("{n} assessments").format(n=saved)
    if failure is None and saver.pending:  # stopped by a signal while the history was busy
        failure = (
            _("stopped while the history database {path} was busy (another backpain is using it)").format(path=db_path)
            if saver.busy_error is not None
            else _("stopped before the results were saved")
        )
    if failure is not None:
        if saved:
            env.message(
                _("saved {what} to {path}, then could not save the other {n}: {reason}").format(
                    what=what, path=db_path, n=assessed - saved, reason=failure
                )
            )
        else:
            env.message(_("not saved to your history: {reason}").format(reason=failure))
        return status if status in by_signal else ExitStatus.NOT_SAVED
    if saved:
        env.message(_("saved {what} to {path} (see them with: backpain history)").format(what=what, path=db_path))
    return status


# -- backpain history ------------------------------------------------------------------------------------


def history_json(records: Sequence[Record]) -> dict[str, Any]:
    """Every assessment's summary, and the change since the first and since the previous one."""
    out: dict[str, Any] = {"assessments": [r.summary() for r in records], "since_first": None, "since_previous": None}
    if len(records) >= 2:
        last = records[-1]
        for key, reference in (("since_first", records[0]), ("since_previous", records[-2])):
            change = since(reference, last.pain_impact)
            change["id"] = reference.id
            change["items"] = {k: getattr(last, k) - getattr(reference, k) for k in ITEMS}
            out[key] = change
    return out


BLOCKS = " ▁▂▃▄▅▆▇█"
#: The four series of the chart, in the order of their bars: pain impact (with eighth-block tops, as it has
#: one decimal) and its three 0-10 items (whole numbers), each with a fill that tells it apart without colour.
SERIES: tuple[tuple[str, str, str, str], ...] = (
    ("pain_impact", N_("pain impact"), "█", "bold cyan"),
    ("pain_intensity", N_("intensity"), "▓", "magenta"),
    ("enjoyment_interference", N_("enjoyment"), "▒", "yellow"),
    ("activity_interference", N_("activity"), "░", "green"),
)
AXIS = 4  # "10 ┤"
#: Rows of the text table: a year of weekly assessments and more; all of them are in the JSON and the exports.
TABLE_ROWS = 100
GROUP = len(SERIES) + 1  # a gap, then one bar per series


def _cell(value: float, row: int, fill: str) -> str:
    """The character of a bar of height `value` (0-10) in chart row `row` (1 = bottom, 10 = top)."""
    part = value - (row - 1)
    if part >= 1:
        return fill
    if part <= 0:
        return " "
    if fill != "█":
        return fill if part >= 0.5 else " "
    return BLOCKS[round(part * 8)]


def chart(records: Sequence[Record], width: int) -> list[Text]:
    """A column chart of pain impact and its three items, one group of bars per assessment, oldest on the left;
    the latest that fit in `width` columns (at least one)."""
    from rich.text import Text

    fit = max(1, (width - AXIS) // GROUP)
    shown = records[-fit:]
    title = (
        _("Pain over time (0 none, 10 worst), latest {shown} of {n}").format(shown=len(shown), n=len(records))
        if len(shown) < len(records)
        else _("Pain over time (0 none, 10 worst)")
    )
    lines = [Text(title, style="bold")]
    for row in range(10, 0, -1):
        line = Text(f"{row:>2} " + ("┤" if row % 2 == 0 else "│"), style="dim")
        for record in shown:
            line.append(" ")
            for key, _name, fill, style in SERIES:
                line.append(_cell(float(getattr(record, key)), row, fill), style=style)
        lines.append(line)
    lines.append(Text(" 0 └" + "─" * (GROUP * len(shown)), style="dim"))
    labels = [" "] * (AXIS + GROUP * len(shown))
    free = 0
    for i, record in enumerate(shown):
        start = AXIS + 1 + GROUP * i
        label = day_month(record.date)
        if start >= free and start + len(label) <= len(labels):
            labels[start : start + len(label)] = list(label)
            free = start + len(label) + 1
    lines.append(Text("".join(labels).rstrip()))
    legend = Text()
    for key, name, fill, style in SERIES:
        if key != SERIES[0][0]:
            legend.append("  ")
        legend.append(fill * 2, style=style)
        legend.append(f" {_(name)}")
    lines.append(legend)
    return lines


def _change_lines(records: Sequence[Record]) -> list[Text]:
    from rich.text import Text

    summary = history_json(records)
    last = records[-1]
    lines = []
    for key, what in (
        ("since_first", N_("Since the first ({date}): pain impact {change}")),
        ("since_previous", N_("Since the previous ({date}): pain impact {change}")),
    ):
        change = summary[key]
        if key == "since_previous" and summary["since_first"]["id"] == change["id"]:
            continue  # two assessments: the first is the previous
        style = "bold red" if change["category"] == "worse" else "green" if "improvement" in change["category"] else ""
        # The change is styled: the sentence around it is said as the region says it.
        before_change, _sep, after_change = _(what).partition("{change}")
        line = Text(before_change.format(date=date_words(change["date"])))
        line.append(change_words(change["pain_impact"], last.pain_impact, change), style=style)
        line.append(after_change.format(date=date_words(change["date"])))
        line.append(policy_note(change["policy_version"], last.policy_version))
        items = ", ".join(
            f"{ITEM_NAMES[k]} {getattr(r, k)} → {getattr(last, k)}"
            for k in ITEMS
            for r in [records[0] if key == "since_first" else records[-2]]
        )
        line.append(". " + _("Items: {items}.").format(items=items))
        lines.append(line)
    lines.append(Text(_(THRESHOLDS_NOTE), style="dim"))
    return lines


def render_history(records: Sequence[Record], width: int, color: bool) -> str:
    """The text face of `backpain history`: table, chart, changes."""
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from backpain_cli.core.policy import POLICY_VERSION
    from backpain_cli.render.report import make_console

    buffer = io.StringIO()
    console = make_console(buffer, width, color)
    table = Table(box=box.SIMPLE_HEAD, show_edge=False, pad_edge=False, expand=False)
    table.add_column("#", justify="right")
    table.add_column(_("Date"), no_wrap=True)
    table.add_column(_("Level"), no_wrap=True)
    table.add_column(_("Pain impact") if width >= 70 else _("Impact"), justify="right")
    table.add_column(_("Risk group") if width >= 70 else _("Risk"))
    table.add_column(_("Duration"))
    shown = records[-TABLE_ROWS:]
    # Which version of the triage policy decided each level: shown once any row was made under another one
    # than this backpain's.
    versions = any(r.policy_version != POLICY_VERSION for r in shown)
    if versions:
        table.add_column(_("Policy"), no_wrap=True)
    for r in shown:
        table.add_row(
            str(r.id),
            date_words(r.date, with_time=width >= 80),
            LEVEL_NAMES.get(r.level, r.level),
            f"{r.pain_impact:g}",
            RISK_GROUPS.get(r.risk_group) or r.risk_group,
            DURATION_NAMES.get(r.duration) or r.duration,
            *([r.policy_version] if versions else []),
        )
    console.print(Text(_("Saved assessments"), style="bold"))
    console.print(table)
    if len(records) > TABLE_ROWS:
        console.print(
            Text(
                _("The latest {rows} of {n} are shown; every one is in --format json and --export csv.").format(
                    rows=TABLE_ROWS, n=len(records)
                ),
                style="dim",
            )
        )
    console.print()
    for line in chart(records, width):
        console.print(line, overflow="crop", no_wrap=True)
    if len(records) >= 2:
        console.print()
        for line in _change_lines(records):
            console.print(line)
    return "".join(line.rstrip() + "\n" for line in buffer.getvalue().splitlines())


# -- export ----------------------------------------------------------------------------------------------


#: Characters of an export gathered before they are written out: few writes, and memory that stays small.
CHUNK = 1 << 16


def _jsonl(objects: Iterable[Any]) -> Iterable[bytes]:
    import json

    lines: list[str] = []
    size = 0
    for obj in objects:
        line = json.dumps(obj, ensure_ascii=False) + "\n"
        lines.append(line)
        size += len(line)
        if size >= CHUNK:
            yield "".join(lines).encode()
            lines.clear()
            size = 0
    if lines:
        yield "".join(lines).encode()


def export_json(records: Iterable[Record]) -> Iterable[bytes]:
    """JSON Lines: one saved assessment a line, with its id, date, answers and result."""
    return _jsonl({"id": r.id, "date": r.date, "answers": r.answers, "result": r.result} for r in records)


def export_answers(records: Iterable[Record]) -> Iterable[bytes]:
    """JSON Lines of contract answers, ready for `backpain assess`: each keeps the `id` it was given, and one
    saved without an id gets the record's number as its `id`."""
    return _jsonl({"id": r.id, **(r.answers or {})} for r in records)


def export_csv(records: Iterable[Record]) -> Iterable[bytes]:
    """CSV (RFC 4180): one row a record: the summary, the rules that fired, then every answer (lists joined with
    `;`). No cell can start a spreadsheet formula. Written a few rows at a time, however many there are."""
    import csv

    from backpain_cli.core.questionnaire import QUESTIONS

    answer_columns: list[tuple[str, Callable[[Mapping[str, Any]], Any]]] = []
    for q in QUESTIONS:
        if q.kind == "startback":
            for f in q.fields:
                answer_columns.append(
                    (f"{q.key}_{f.key}", lambda a, k=q.key, s=f.key: (a.get(k) or {}).get(s))  # type: ignore[misc]
                )
        else:
            name = "answers_id" if q.key == "id" else q.key
            answer_columns.append((name, lambda a, k=q.key: a.get(k)))  # type: ignore[misc]
    summary = ["id", "date", "level", "rules", "pain_impact", "risk_group", "duration", "screen_total"]
    summary += ["screen_psychosocial", "policy_version"]
    buffer = io.StringIO()
    # RFC 4180's CRLF: with it, csv quotes a cell holding a bare CR too, which would otherwise split the row.
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(summary + [name for name, _get in answer_columns])
    for r in records:
        result, answers = r.result or {}, r.answers or {}
        scores = result.get("scores", {})
        row = [r.id, r.date, r.level, " ".join(x["rule"] for x in result.get("reasons", [])), r.pain_impact]
        row += [r.risk_group, r.duration, scores.get("screen_total"), scores.get("screen_psychosocial")]
        row += [r.policy_version] + [get(answers) for _name, get in answer_columns]
        writer.writerow(["" if v is None else _csv_cell(v) for v in row])
        if buffer.tell() >= CHUNK:
            yield buffer.getvalue().encode()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode()


# -- the command -----------------------------------------------------------------------------------------


def _confirm(env: Environment, question: str) -> bool | None:
    """Ask on stderr, read the answer from stdin. True/False, or None when stdin has nothing to say."""
    choices = _("[y/N]")  # the answers read stay y and yes
    env.stderr.write(f"{question} {choices} ")
    env.stderr.flush()
    line = env.stdin.readline()
    if not line:
        env.stderr.write("\n")
        return None
    return line.decode(errors="replace").strip().lower() in ("y", "yes")


def run_history(
    env: Environment,
    db_path: Path,
    fmt: str,
    export: str | None,
    delete: int | None,
    delete_all: bool,
    yes: bool,
) -> ExitStatus:
    from backpain_cli.storage.store import StoreError, opened

    try:
        with opened(db_path, create=False) as store:
            if delete is not None or delete_all:
                return _delete(env, store, db_path, delete, yes)
            if export is not None:
                # Streamed: a record at a time from the database to stdout, in memory that does not grow.
                writer = {"json": export_json, "csv": export_csv, "answers": export_answers}[export]
                for chunk in writer(store.iter_records(full=True) if store else iter(())):
                    if chunk:
                        env.stdout.write(chunk)
                env.stdout.flush()
                return ExitStatus.OK
            records = store.records() if store else []
    except StoreError as exc:
        env.message(str(exc))
        return ExitStatus.USAGE
    if fmt == "json":
        import json

        env.stdout.write((json.dumps(history_json(records), ensure_ascii=False, indent=2) + "\n").encode())
    elif not records:
        nothing = _("No saved assessments yet in {path}.").format(path=db_path)
        how = _("Save one with: backpain assess --save")
        env.stdout.write(f"{nothing}\n{how}\n".encode())
    else:
        color = env.color(env.stdout_isatty) and "NO_COLOR" not in env.environ
        env.stdout.write(render_history(records, env.width(), color).encode())
    env.stdout.flush()
    return ExitStatus.OK


def _delete(env: Environment, store: Store | None, db_path: Path, delete: int | None, yes: bool) -> ExitStatus:
    count = store.count() if store else 0
    if delete is not None:
        if store is None or not store.exists(delete):
            env.message(
                _("there is no saved assessment #{id} in {path}; nothing deleted.").format(id=delete, path=db_path)
            )
            return ExitStatus.USAGE
        question = _("Delete saved assessment #{id} for good?").format(id=delete)
    else:
        if not count:
            env.message(_("there are no saved assessments in {path}; nothing deleted.").format(path=db_path))
            return ExitStatus.OK
        question = _("Delete all {n} saved assessments for good?").format(n=count)
    assert store is not None
    if not yes:
        answer = _confirm(env, question)
        if answer is None:
            env.message(_("nothing deleted: no answer to the question. Add --yes to delete without asking."))
            return ExitStatus.USAGE
        if not answer:
            env.message(_("nothing deleted."))
            return ExitStatus.OK
    if delete is not None:
        if not store.delete(delete):
            env.message(_("saved assessment #{id} was already gone; nothing deleted.").format(id=delete))
            return ExitStatus.USAGE
        env.message(_("deleted assessment #{id}.").format(id=delete))
    else:
        n = store.delete_all()
        env.message(_("deleted all {n} saved assessments.").format(n=n))
    return ExitStatus.OK


__all__ = ["save_result", "since_last"]
