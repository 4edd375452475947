"""--jobs N: chunks bounded in bytes as well as records, results never held back by slow input."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from typing import Any

import pytest

from backpain_cli.faces import batch
from backpain_cli.io.env import Environment
from backpain_cli.io.reader import Record
from tests.conftest import VIGNETTES


def line(i: int = 0) -> bytes:
    return json.dumps(VIGNETTES[i % len(VIGNETTES)]["answers"]).encode() + b"\n"


class Lines(bytes):
    """A chunk's result lines, and the slot they came in."""

    slot: int


class FakeWorkers:
    """Records what is sent; gives back, for each record, its line number as the result line. `room`: as
    `_Workers.room` (0: one chunk out per worker at a time). An outcome is there only once the dispatch waits for
    one (`ready`), and then it is the oldest chunk's, or the newest's, or any of the first worker's before the
    others' (`first`: a slow second worker); or (`first="all"`) every worker's with one out is there at once,
    waiting or not. `lost`: the chunk whose worker is found gone when its outcome is taken. Checks, at each send,
    that the chunks out or held stay within the window, and that the slot given is not one still in use (given,
    and its lines not yet written)."""

    def __init__(self, jobs: int, room: int = 0, first: str = "oldest", lost: int | None = None) -> None:
        self.jobs = jobs
        self.room = [room] * jobs
        self.first = first
        self.lost = lost
        self.numbered = 0
        self.numbers: dict[int, list[int]] = {i: [] for i in range(jobs)}  # of the chunks each has out
        self.in_use: set[int] = set()
        self.forgotten: list[int] = []
        self.sent: dict[int, list[list[Record]]] = {i: [] for i in range(jobs)}
        self.order: list[int] = []  # the worker of each chunk out, oldest first
        self.sizes: list[int] = []
        self.most_out = 0
        self.chunks = [0] * jobs  # the chunks each worker was sent
        self.dispatch: Any = None

    @staticmethod
    def pack(chunk: list[Record]) -> list[Record]:
        return chunk

    def _send(self, i: int, chunk: list[Record], slot: int) -> None:
        assert slot not in self.in_use and 0 <= slot < batch.WINDOW * self.jobs
        self.in_use.add(slot)
        if self.dispatch is not None:
            assert self.dispatch.numbered - self.dispatch.written < batch.WINDOW * self.jobs
        self.numbers[i].append(self.numbered)
        self.numbered += 1
        self.sent[i].append(chunk)
        self.order.append(i)
        self.chunks[i] += 1
        self.sizes.append(sum(len(r.raw) for r in chunk))
        self.most_out = max(self.most_out, len(self.sent[i]))

    def ready(self, wait: bool) -> list[int]:
        order = [i for i in self.order if i not in self.forgotten]  # (no longer polled)
        if self.first == "all":
            return sorted(set(order))
        if not wait or not order:
            return []
        if self.first == "newest":
            return [order[-1]]
        if self.first == "first worker" and 0 in order:
            return [0]
        return [order[0]]

    def _receive(self, i: int, slot: int) -> Any:
        if self.numbers[i][0] == self.lost:
            raise batch.WorkerLost("gone")
        self.numbers[i].pop(0)
        self.order.remove(i)
        chunk = self.sent[i].pop(0)
        lines = Lines(b"".join(b"%d\n" % r.line for r in chunk))
        lines.slot = slot
        return len(chunk), {}, lines, [], 0

    def done_with(self, lines: Lines) -> None:
        self.in_use.remove(lines.slot)

    def forget(self, i: int) -> None:
        self.forgotten.append(i)


def dispatched(workers: FakeWorkers, records: int) -> bytes:
    """What the dispatch writes for `records` records of `{}`, their outcomes from `workers`."""
    import io

    from backpain_cli.faces.batch import Tally, _Dispatch

    env = Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), False, False, False)
    dispatch = _Dispatch(env, workers, Tally(), None)  # type: ignore[arg-type]
    workers.dispatch = dispatch
    for n in range(1, records + 1):
        dispatch.add(Record(n, b"{}"))
    dispatch.finish()
    assert not dispatch.held and not workers.in_use
    assert sorted(dispatch.slots) == list(range(batch.WINDOW * workers.jobs))
    return env.stdout.getvalue()  # type: ignore[attr-defined, no-any-return]


def numbers(records: int) -> bytes:
    return b"".join(b"%d\n" % n for n in range(1, records + 1))


@pytest.mark.parametrize(("room", "most"), [(0, 1), (10**6, 2)])
def test_a_worker_has_a_second_chunk_only_if_it_fits_in_its_pipe(room: int, most: int) -> None:
    """A second chunk goes to a worker still at work on one only when its pipe holds it (so that the send never
    waits on the worker); whichever way, the outcomes are written in input order."""
    workers = FakeWorkers(2, room)
    assert dispatched(workers, 10 * batch.CHUNK_RECORDS) == numbers(10 * batch.CHUNK_RECORDS)
    assert workers.most_out == most


@pytest.mark.parametrize("first", ["newest", "first worker", "all"])
@pytest.mark.parametrize("jobs", [2, 3])
def test_outcomes_that_come_out_of_order_are_written_in_input_order(first: str, jobs: int) -> None:
    """Outcomes are taken as they come, the latest chunk's first or one worker's before the others': each is held
    until those before it are written, and no more chunks are out or held than the window allows."""
    workers = FakeWorkers(jobs, 10**6, first)
    assert dispatched(workers, 40 * batch.CHUNK_RECORDS + 7) == numbers(40 * batch.CHUNK_RECORDS + 7)


@pytest.mark.parametrize("first", ["oldest", "newest", "all"])
@pytest.mark.parametrize("lost", [0, 1, 5, 17])
def test_outcomes_before_a_lost_workers_chunk_are_written_and_none_after(first: str, lost: int) -> None:
    """A worker found gone with a chunk out: every outcome before that chunk is written (those already taken, and
    those still out with the others), none after it, and the worker's loss is raised."""
    import io

    from backpain_cli.faces.batch import Tally, _Dispatch

    env = Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), False, False, False)
    workers = FakeWorkers(3, 10**6, first, lost=lost)
    dispatch = _Dispatch(env, workers, Tally(), None)  # type: ignore[arg-type]
    workers.dispatch = dispatch
    with pytest.raises(batch.WorkerLost):
        for n in range(1, 40 * batch.CHUNK_RECORDS + 1):
            dispatch.add(Record(n, b"{}"))
        dispatch.finish()
    assert env.stdout.getvalue() == numbers(lost * batch.CHUNK_RECORDS)  # type: ignore[attr-defined]
    assert len(workers.forgotten) == 1


def test_a_worker_that_is_done_first_takes_the_next_chunk() -> None:
    """Chunks go to whichever worker is free, not to each in turn: a worker that is slow does less of the work."""
    workers = FakeWorkers(2, 10**6, "first worker")
    dispatched(workers, 40 * batch.CHUNK_RECORDS)
    assert workers.chunks[0] > 2 * workers.chunks[1]


def test_a_chunk_is_bounded_in_bytes_as_well_as_records() -> None:
    import io

    from backpain_cli.faces.batch import Tally, _Dispatch

    env = Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), False, False, False)
    workers = FakeWorkers(2)
    dispatch = _Dispatch(env, workers, Tally(), None)  # type: ignore[arg-type]
    workers.dispatch = dispatch
    big = b'{"id": "' + b"x" * 300_000 + b'"}'
    for n in range(20):
        dispatch.add(Record(n + 1, big))
    dispatch.finish()
    assert len(workers.sizes) >= 5  # 6 MB in all: never one chunk of them all
    assert max(workers.sizes) <= batch.CHUNK_BYTES + len(big)
    assert env.stdout.getvalue().count(b"\n") == 20  # type: ignore[attr-defined]


@pytest.mark.timeout(60)
def test_results_are_not_held_back_while_the_input_is_slow() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess", "--jobs", "2", "--format", "json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(line(0) + line(1) + line(2))
        proc.stdin.flush()
        got = b""
        deadline = time.monotonic() + 30
        while got.count(b"\n") < 3 and time.monotonic() < deadline:
            if select.select([proc.stdout], [], [], 0.5)[0]:
                got += os.read(proc.stdout.fileno(), 1 << 16)
        assert got.count(b"\n") == 3, "three results written while the input stays open"
        assert all("level" in json.loads(x) for x in got.splitlines())
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)
        proc.stdout.close()
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == 0


@pytest.mark.parametrize("args", [["--format", "text"], ["--format", "markdown"], ["--format", "json", "--save"]])
def test_jobs_that_cannot_apply_are_said_once(args: list[str], tmp_path: Any) -> None:
    from typer.testing import CliRunner

    from backpain_cli.cli.app import app

    db = ["--db", str(tmp_path / "h.db")] if "--save" in args else []
    result = CliRunner().invoke(app, ["assess", "--jobs", "2", *args, *db], input=line(0) + line(1))
    assert result.stderr.count("--jobs applies to JSON and CSV output only; running in one process") == 1


def test_jobs_above_the_cpu_count_are_clamped(monkeypatch: pytest.MonkeyPatch) -> None:
    from typer.testing import CliRunner

    from backpain_cli.cli.app import app

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    result = CliRunner().invoke(app, ["assess", "--jobs", "500", "--format", "json"], input=line(0) + line(1))
    assert result.exit_code == 0 and len(result.stdout.splitlines()) == 2
    assert "--jobs 500 is more than the 2 CPUs here; using 2" in result.stderr


def test_a_long_id_is_cut_in_messages_but_kept_whole_in_the_output() -> None:
    from typer.testing import CliRunner

    from backpain_cli.cli.app import app

    rid = "x" * 100_000
    data = json.dumps({"id": rid, "goal": 1}).encode() + b"\n" + line(0)
    result = CliRunner().invoke(app, ["assess", "--format", "json"], input=data)
    told = next(x for x in result.stderr.splitlines() if "record 1" in x)
    assert f"(id '{'x' * 39}…')" in told and len(told) < 5000
    assert json.loads(result.stdout.splitlines()[0])["id"] == rid


def test_a_key_given_twice_inside_startback_is_named_with_its_path() -> None:
    from typer.testing import CliRunner

    from backpain_cli.cli.app import app

    answers = dict(VIGNETTES[0]["answers"])
    answers["startback"] = {"total": 3, "psychosocial": 1}
    raw = json.dumps(answers).replace('"total": 3', '"total": 3, "total": 2').encode() + b"\n"
    result = CliRunner().invoke(app, ["assess", "--format", "json"], input=raw + line(0))
    error = json.loads(result.stdout.splitlines()[0])["error"]
    assert error.startswith("startback.total: given more than once")


def test_a_worker_stopped_by_a_group_signal_marks_the_signal_raised() -> None:
    """The parent's own handler may run after the worker is found gone: it must not raise a second time."""
    import signal

    from backpain_cli.faces.batch import _Workers
    from backpain_cli.io.process import Interrupted, Signals

    class Gone:
        exitcode = -signal.SIGTERM

        def join(self, timeout: float) -> None:
            pass

    signals = Signals()
    workers = _Workers(1, signals)
    workers.procs.append(Gone())
    lost = workers._lost(0)
    assert isinstance(lost, Interrupted) and lost.signum == signal.SIGTERM
    assert signals.raised
    signals._on_signal(signal.SIGTERM, None)  # the parent's handler, late: noted, not raised again


@pytest.mark.timeout(120)
def test_chunks_and_outcomes_larger_than_any_before_go_through_whole() -> None:
    """Chunks and their lines are read into buffers kept from chunk to chunk (`_Inbox`, `_Gathered`,
    `_Workers._lines`), made larger when a chunk needs it: first a chunk of rejections (short lines), then
    results, then one record of 5 MB (larger than a worker's first buffer), then results again. The output is
    what one process writes."""

    def record(i: int) -> bytes:
        if i < 1000:
            return b"{}\n"
        answers = dict(VIGNETTES[i % len(VIGNETTES)]["answers"], id=f"{i}" + ("x" * (5 << 20) if i == 3000 else ""))
        return json.dumps(answers).encode() + b"\n"

    records = b"".join(record(i) for i in range(4000))
    command = [sys.executable, "-m", "backpain_cli", "assess", "--format", "json"]
    one = subprocess.run(command, input=records, capture_output=True, check=False)
    two = subprocess.run([*command, "--jobs", "2"], input=records, capture_output=True, check=False)
    assert one.returncode == two.returncode
    assert two.stdout == one.stdout
    assert one.stdout.count(b"\n") == 4000
    assert one.stdout.count(b"x" * (5 << 20)) == 1


def test_gathered_bytes_grow_as_needed_and_are_taken_whole() -> None:
    gathered = batch._Gathered(8)
    gathered.add(b"abc", True)
    gathered.add(b"0123456789")  # more than it held: made larger
    assert bytes(gathered.take()) == b"abc\n0123456789"
    gathered.add(b"x" * 100, True)
    taken = gathered.take()
    assert bytes(taken) == b"x" * 100 + b"\n"
    del taken
    gathered.add(b"y" * 1000)  # grows again once the view taken is gone
    assert bytes(gathered.take()) == b"y" * 1000


@pytest.mark.timeout(10)
def test_parts_written_a_few_bytes_at_a_time_come_out_whole_and_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    """A pipe may take part of a `writev` at a time, cut anywhere, even inside a part: `_write_all` writes on
    from where it stopped."""
    import random

    written = bytearray()
    rng = random.Random(7)

    def short_writev(fd: int, buffers: list[memoryview]) -> int:
        joined = b"".join(bytes(b) for b in buffers)
        n = min(len(joined), rng.randint(1, 7))
        written.extend(joined[:n])
        return n

    monkeypatch.setattr(os, "writev", short_writev)
    parts = [b"", b"header", memoryview(b"0123456789" * 5), b"x", b""]
    batch._write_all(-1, *parts)
    assert bytes(written) == b"".join(bytes(p) for p in parts)
