"""Batches: one object or JSON Lines out, the summary line, exit codes, a closed pipe, progress, --jobs, memory."""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path
from typing import Any

import pytest

from backpain_cli.faces import batch
from backpain_cli.faces.batch import run
from backpain_cli.io.env import Environment
from tests.conftest import GOOD, invoke, run_batch

ROOT = Path(__file__).resolve().parent.parent.parent


def jsonl(n: int, start: int = 0) -> bytes:
    return b"".join(json.dumps(dict(GOOD[i % len(GOOD)], id=f"r{i}")).encode() + b"\n" for i in range(start, start + n))


# -- one object in, one object out; several, JSON Lines --


def test_one_line_gives_one_object() -> None:
    result = invoke(jsonl(1))
    assert result.exit_code == 0
    assert result.stdout.startswith("{\n")  # the single-object form, as for a pretty-printed object
    assert json.loads(result.stdout)["id"] == "r0"
    assert result.stderr == ""  # no summary for a single record


def test_several_lines_give_json_lines_in_order() -> None:
    result = invoke(jsonl(5))
    assert result.exit_code == 0
    assert [json.loads(x)["id"] for x in result.stdout.splitlines()] == [f"r{i}" for i in range(5)]


def test_an_array_of_one_is_still_a_batch() -> None:
    result = invoke(b"[" + json.dumps(GOOD[0]).encode() + b"]")
    assert result.exit_code == 0
    assert len(result.stdout.splitlines()) == 1


def test_input_format_overrides_detection() -> None:
    two_arrays = b"[1]\n[2]\n"
    as_jsonl = invoke(two_arrays, "--input-format", "jsonl")
    assert [json.loads(x)["line"] for x in as_jsonl.stdout.splitlines()] == [1, 2]
    as_json = invoke(two_arrays, "--input-format", "json")
    assert "more input after the end of the array" in as_json.stdout


# -- summary and exit status --


def test_summary_is_one_stderr_line_with_the_counts() -> None:
    data = jsonl(4) + b"\n" + b'{"age": 3}\n'
    result = invoke(data)
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith("backpain: record 6 rejected: ")
    summary = lines[-1]
    levels = [json.loads(x).get("level") for x in result.stdout.splitlines()]
    assert len(lines) == 2
    assert "5 records read: 4 assessed" in summary and "1 rejected" in summary
    assert "1 blank line skipped" in summary
    # each level in the words of the batch table (intl here: "GP or physio", "self-care")
    for level, name in (("emergency", "emergency"), ("primary_care", "GP or physio"), ("self_care", "self-care")):
        assert f"{name} {levels.count(level)}" in summary


def test_all_assessed_exits_0() -> None:
    assert invoke(jsonl(3)).exit_code == 0


def test_rejection_messages_on_stderr_are_capped(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "MAX_MESSAGES", 2)
    code, out, err = run_batch(b"1\n2\n3\n4\n")
    assert code == 1
    assert len(out.splitlines()) == 4
    assert err.count("rejected: ") == 2 and "more records rejected" in err and "4 rejected" in err


# -- a closed pipe: prompt and quiet --


@pytest.mark.timeout(90)
@pytest.mark.parametrize("jobs", [1, 2])
def test_head_1_ends_promptly_and_quietly(tmp_path: Path, jobs: int) -> None:
    big = tmp_path / "big.jsonl"
    big.write_bytes(jsonl(20_000))
    for _ in range(1 if jobs == 1 else 4):  # the pool that --jobs used once hung here now and then
        with big.open("rb") as stdin:
            proc = subprocess.Popen(
                [sys.executable, "-m", "backpain_cli", "assess", "--jobs", str(jobs)],
                stdin=stdin,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                start_new_session=True,
            )
            try:
                assert proc.stdout is not None
                first = proc.stdout.readline()
                proc.stdout.close()  # what `head -1` does after its line
                _, err = proc.communicate(timeout=20)
            finally:
                _kill_group(proc)
        assert json.loads(first)["id"] == "r0"
        assert err == b""  # no traceback, and no summary: the batch was cut short by its reader
        assert proc.returncode == 0


@pytest.mark.timeout(90)
@pytest.mark.parametrize("jobs", [1, 2])
def test_a_closed_stderr_does_not_cut_the_results_short(tmp_path: Path, jobs: int) -> None:
    """`2>&1 -o results.jsonl | head -1`: the messages' reader has gone, but the results go to a file."""
    rejected = tmp_path / "rejected.jsonl"
    rejected.write_bytes(b'{"age": 3}\n' * 3000)
    results = tmp_path / "results.jsonl"
    with rejected.open("rb") as stdin:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backpain_cli", "assess", "--jobs", str(jobs), "-o", str(results)],
            stdin=stdin,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            start_new_session=True,
        )
        try:
            assert proc.stderr is not None
            first = proc.stderr.readline()
            proc.stderr.close()
            proc.wait(timeout=60)
        finally:
            _kill_group(proc)
    assert first.startswith(b"backpain: record 1 rejected: ")
    assert proc.returncode == 1
    assert len(results.read_bytes().splitlines()) == 3000


class _Breaks(io.BytesIO):
    """An output whose reader goes away after the first write."""

    def write(self, data: Any) -> int:
        if self.tell():
            raise BrokenPipeError(32, "Broken pipe")
        return super().write(data)


@pytest.mark.timeout(60)
def test_a_closed_pipe_stops_every_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(batch, "CHUNK_RECORDS", 50)
    out, err = _Breaks(), io.StringIO()
    env = Environment(io.BytesIO(jsonl(2000)), out, err, False, False, False)
    assert run(env, env.stdin, "json", None, jobs=2) == 0
    assert multiprocessing.active_children() == []
    assert err.getvalue() == ""
    assert out.getvalue().endswith(b"\n")


def test_a_write_cut_short_is_written_on() -> None:
    class Trickle(io.BytesIO):  # a pipe write cut short by a signal writes part of its bytes
        def write(self, data: Any) -> int:
            return super().write(bytes(data[:1000]))

    out = Trickle()
    buffered = batch._Buffer(out, size=1 << 16)
    lines = jsonl(200)
    buffered.write(lines)
    buffered.flush()
    assert out.getvalue() == lines


def test_a_large_write_goes_out_after_what_is_held_and_before_what_follows() -> None:
    out = io.BytesIO()
    buffered = batch._Buffer(out, size=100)
    buffered.write(b"a" * 10)
    buffered.write(b"B" * 500)  # a worker's chunk: written as it is, after the 10 bytes held
    assert out.getvalue() == b"a" * 10 + b"B" * 500
    buffered.write(b"c" * 10)
    buffered.flush()
    assert out.getvalue() == b"a" * 10 + b"B" * 500 + b"c" * 10


@pytest.mark.parametrize("encoded", [True, False])
def test_a_result_is_out_before_the_buffer_says_it_is_written(encoded: bool) -> None:
    """`after` (the history's `Keeper.written`: a result is saved only once it is out) runs when a flush is out;
    by then every result given to the buffer is out, the one that made it flush included."""
    import msgspec

    out = io.BytesIO()
    given: list[int] = []
    seen: list[tuple[int, int]] = []
    buffered = batch._Buffer(out, size=100, after=lambda: seen.append((len(given), out.getvalue().count(b"\n"))))
    encode_into = msgspec.json.Encoder().encode_into
    for i in range(12):
        given.append(i)
        if encoded:
            buffered.write_encoded(encode_into, {"result": i, "text": "x" * 20})
        else:
            buffered.write(b'{"result": %d, "text": "%s"}\n' % (i, b"x" * 20))
    assert seen, "the buffer flushed"
    assert all(results == lines for results, lines in seen)


def test_a_signal_during_a_flush_never_drops_the_result_that_made_it_flush() -> None:
    """A Ctrl-C that comes while a flush is out stops the batch as the flush ends: the result that made it flush
    is out by then, not dropped (it is counted, and may be saved)."""
    import msgspec

    from backpain_cli.io.process import Interrupted, Signals

    signals = Signals()

    class Interrupting(io.BytesIO):
        def write(self, data: Any) -> int:
            signals._on_signal(signal.SIGINT, None)  # Ctrl-C while the output is being written
            return super().write(data)

    out = Interrupting()
    buffered = batch._Buffer(out, signals, size=100)
    encode_into = msgspec.json.Encoder().encode_into
    buffered.write_encoded(encode_into, {"result": 0, "text": "x" * 40})
    with pytest.raises(Interrupted):
        buffered.write_encoded(encode_into, {"result": 1, "text": "x" * 40})  # does not fit: a flush
    buffered.flush()
    assert [json.loads(line)["result"] for line in out.getvalue().splitlines()] == [0, 1]


def test_a_result_encoded_straight_into_the_buffer_is_whole_or_not_there() -> None:
    import msgspec

    out = io.BytesIO()
    buffered = batch._Buffer(out, size=100)
    encode_into = msgspec.json.Encoder().encode_into
    buffered.write_encoded(encode_into, {"a": 1})

    def half_then_fail(obj: Any, buf: bytearray, offset: int) -> None:
        buf += b'{"half'
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        buffered.write_encoded(half_then_fail, {"b": 2})
    buffered.write_encoded(encode_into, {"c": "x" * 200})  # past the size: flushed
    buffered.flush()
    assert out.getvalue() == b'{"a":1}\n{"c":"' + b"x" * 200 + b'"}\n'


def test_what_is_held_is_copied_into_one_bytearray_never_grown() -> None:
    import msgspec

    out = io.BytesIO()
    buffered = batch._Buffer(out, size=1000)
    held = buffered.buf
    encode_into = msgspec.json.Encoder().encode_into
    expected = b""
    for i in range(300):  # results and plain writes of many lengths, across many flushes
        obj = {"i": i, "text": "x" * (i % 97)}
        buffered.write_encoded(encode_into, obj)
        buffered.write(b"-" * (i % 13) + b"\n")
        expected += msgspec.json.encode(obj) + b"\n" + b"-" * (i % 13) + b"\n"
        assert buffered.buf is held and len(held) == 1000
    buffered.flush()
    assert out.getvalue() == expected


# -- Ctrl-C and SIGTERM: stop at once, say so in one line, keep the output whole --


def _kill_group(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()


def _wait_for_children(pid: int, count: int, timeout: float = 30.0) -> None:
    children = Path(f"/proc/{pid}/task/{pid}/children")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not children.exists():  # no /proc: give the workers a moment instead
            time.sleep(2.0)
            return
        if len(children.read_text().split()) >= count:
            return
        time.sleep(0.05)
    raise AssertionError(f"{count} worker processes did not start")


def _output_is_whole(out: bytes) -> None:
    assert out.endswith(b"\n")
    for line in out.splitlines():
        assert "level" in json.loads(line)


@pytest.mark.timeout(90)
@pytest.mark.parametrize(
    ("jobs", "signum", "group", "status", "said"),
    [
        (1, signal.SIGINT, True, 130, b"backpain: interrupted\n"),
        (2, signal.SIGINT, True, 130, b"backpain: interrupted\n"),
        (1, signal.SIGTERM, True, 143, b"backpain: terminated\n"),
        (2, signal.SIGTERM, True, 143, b"backpain: terminated\n"),
        (2, signal.SIGTERM, False, 143, b"backpain: terminated\n"),
        (1, signal.SIGHUP, True, 129, b"backpain: hung up\n"),
        (2, signal.SIGHUP, False, 129, b"backpain: hung up\n"),
    ],
)
def test_a_signal_stops_the_batch_cleanly(
    tmp_path: Path, jobs: int, signum: int, group: bool, status: int, said: bytes
) -> None:
    """To the group, as Ctrl-C in a terminal sends it (workers included), or to backpain alone (`kill PID`)."""
    big = tmp_path / "big.jsonl"
    big.write_bytes(jsonl(20_000))
    with big.open("rb") as stdin:
        proc = subprocess.Popen(
            [sys.executable, "-m", "backpain_cli", "assess", "--jobs", str(jobs)],
            stdin=stdin,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            bufsize=0,
        )
        try:
            assert proc.stdout is not None
            first = proc.stdout.readline()  # results are coming: the batch is under way
            if group:
                os.killpg(proc.pid, signum)
            else:
                proc.send_signal(signum)
            rest, err = proc.communicate(timeout=30)  # the end of stdout: workers, which share it, are gone too
        finally:
            _kill_group(proc)
    assert err == said  # one line, no traceback from the parent or a worker, no summary
    assert proc.returncode == status
    _output_is_whole(first + rest)
    assert len((first + rest).splitlines()) < 20_000


@pytest.mark.timeout(60)
@pytest.mark.parametrize("jobs", [1, 2])
def test_ctrl_c_while_input_is_awaited(jobs: int) -> None:
    import select

    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess", "--jobs", str(jobs)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        bufsize=0,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(jsonl(3))
        proc.stdin.flush()
        if jobs == 1:  # results go out as they are made, before more input is awaited
            got = b""
            while got.count(b"\n") < 3:
                ready, _, _ = select.select([proc.stdout], [], [], 30)
                assert ready, "no result while the input stayed open"
                got += proc.stdout.read(65536)
        else:  # a chunk is not yet full: once its workers are up, the parent waits for input
            _wait_for_children(proc.pid, jobs)
        os.killpg(proc.pid, signal.SIGINT)
        rest, err = proc.communicate(timeout=30)
    finally:
        _kill_group(proc)
    assert err == b"backpain: interrupted\n"
    assert proc.returncode == 130
    if jobs == 1:
        _output_is_whole(got + rest)
        assert len((got + rest).splitlines()) == 3


@pytest.mark.timeout(60)
def test_a_worker_that_fails_is_told_not_hidden(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    def broken(answers: Any, *region: Any) -> Any:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(batch, "assess", broken)  # the workers are forked: they have it too
    env = Environment(io.BytesIO(jsonl(10)), io.BytesIO(), io.StringIO(), False, False, False)
    with pytest.raises(batch.WorkerLost, match="ZeroDivisionError: a bug"):
        run(env, env.stdin, "json", None, jobs=2)
    assert multiprocessing.active_children() == []


# -- progress: on a terminal only --


def test_progress_bar_on_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "PROGRESS_AFTER", 0.0)
    _, out, err = run_batch(jsonl(600), stderr_isatty=True)
    assert len(out.splitlines()) == 600
    assert "Assessed" in err
    assert "backpain: 600 records read" in err.splitlines()[-1]  # after the bar is cleared


def test_no_progress_when_stderr_is_not_a_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "PROGRESS_AFTER", 0.0)
    _, _, err = run_batch(jsonl(600))
    assert err.splitlines() == [err.strip()]  # the summary alone


def test_json_mode_imports_no_rich_questionary_or_prompt_toolkit() -> None:
    code = textwrap.dedent(
        """
        import sys
        from backpain_cli.cli.app import main
        try:
            main()
        except SystemExit:
            pass
        heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('rich', 'questionary', 'prompt_toolkit'))
        print(heavy, file=sys.stderr)
        """
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, "assess"], input=jsonl(3), capture_output=True, check=False, cwd=ROOT
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr.decode().splitlines()[-1] == "[]"


# -- several processes --


def test_jobs_give_the_same_output_in_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(batch, "CHUNK_RECORDS", 7)
    data = jsonl(40) + b'{"age": 3}\n' + jsonl(5, 40)
    one = run_batch(data, jobs=1)
    two = run_batch(data, jobs=2)
    assert one == two
    assert one[0] == 1 and len(one[1].splitlines()) == 46


@pytest.mark.parametrize(("fmt", "slot"), [("json", 20_000), ("csv", 5_000)])
def test_outcomes_too_large_for_their_slot_come_through_the_pipe(
    monkeypatch: pytest.MonkeyPatch, fmt: str, slot: int
) -> None:
    # A chunk's lines go in a slot of shared memory when they fit, through the pipe after its header when not:
    # slots made small, so that chunks of one kind and the other come mixed, the output is still one job's.
    monkeypatch.setattr(batch, "CHUNK_RECORDS", 5)
    monkeypatch.setattr(batch, "SLOT_SIZE", slot)
    lines = [jsonl(1, i) for i in range(400)]
    for i in range(0, 400, 3):
        lines[i] = json.dumps(dict(GOOD[i % len(GOOD)], id="x" * (i * 50))).encode() + b"\n"
    data = b"".join(lines)

    def output(jobs: int) -> tuple[int, bytes, str]:
        out, err = io.BytesIO(), io.StringIO()
        env = Environment(io.BytesIO(data), out, err, False, False, False)
        return run(env, env.stdin, fmt, None, jobs), out.getvalue(), err.getvalue()

    piped, received = [], []
    lines_of_pipe, receive = batch._Workers._lines, batch._Workers._receive

    def counted(self: batch._Workers, fd: int, size: int) -> memoryview:
        piped.append(size)
        return lines_of_pipe(self, fd, size)

    def counted_receive(self: batch._Workers, i: int, slot: int) -> Any:
        received.append(i)
        return receive(self, i, slot)

    monkeypatch.setattr(batch._Workers, "_lines", counted)
    monkeypatch.setattr(batch._Workers, "_receive", counted_receive)
    one = output(1)
    assert one == output(2)
    assert 5 <= len(piped) <= len(received) - 5  # some outcomes through the pipe, and some in their slot


def test_jobs_hand_on_blocks_of_lines_and_say_the_same_as_one_job() -> None:
    # The parent hands whole lines held on as blocks; the workers take them apart: the same results, line numbers
    # of rejections and count of blank lines as one job gives.
    lines = [jsonl(1, i) for i in range(3000)]
    for i in range(0, 3000, 7):
        lines[i] = [b"\n", b"  \t \n", b"{bad\n", b'{"age": 3}\n', b"\x0b\n", lines[i] + b"\r\n"][i % 6]
    data = b"".join(lines)
    one = run_batch(data, jobs=1)
    two = run_batch(data, jobs=2)
    assert one == two
    assert "blank lines skipped" in one[2] and b'"line":' in one[1]


def test_jobs_expand_a_bundle_after_a_first_line_that_began_a_document() -> None:
    # What began as one document turns out to be JSON Lines: its FHIR Bundles are still taken apart into their
    # entries with --jobs, as in one job (it once looked again after the look-ahead, and sent the lines as blocks).
    from tests.fhir_helpers import emitted_questionnaire, response

    q = emitted_questionnaire()
    bundle = {"resourceType": "Bundle", "type": "collection"}
    bundle["entry"] = [{"resource": response(q, dict(GOOD[i], id=f"b{i}"))} for i in range(2)]
    data = b'{"age": 40,\n' + jsonl(600) + json.dumps(bundle).encode() + b"\n" + jsonl(5, 600)
    one = run_batch(data, jobs=1)
    assert one == run_batch(data, jobs=2)
    assert "608 records read: 607 assessed" in one[2]


@pytest.mark.timeout(60)
def test_a_worker_killed_is_told_not_taken_for_a_closed_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    import multiprocessing

    monkeypatch.setattr(batch, "CHUNK_RECORDS", 20)

    class Killing(io.BytesIO):  # the input, read while the workers work: the OOM killer strikes meanwhile
        def read1(self, size: int = -1) -> bytes:
            workers = multiprocessing.active_children()
            if workers and not getattr(self, "done", False):
                self.done = True
                for worker in workers:
                    os.kill(worker.pid or 0, signal.SIGKILL)
                    worker.join()
            return super().read1(size)

    out, err = io.BytesIO(), io.StringIO()
    env = Environment(Killing(jsonl(2000)), out, err, False, False, False)
    assert run(env, env.stdin, "json", None, jobs=2) == 71  # documented, not "internal error" (70)
    assert multiprocessing.active_children() == []
    written = out.getvalue().count(b"\n")
    said = f"backpain: a worker process was killed (signal 9), perhaps for lack of memory; {written} records were "
    assert err.getvalue().startswith(said) and "report" not in err.getvalue()


@pytest.mark.timeout(60)
@pytest.mark.parametrize("killed", [1, 2])
def test_workers_killed_with_nothing_to_do_are_done_without_while_one_is_left(
    monkeypatch: pytest.MonkeyPatch, killed: int
) -> None:
    # Workers killed as soon as they are made, before they have had a chunk: the parent, which takes outcomes from
    # whichever worker has one, finds their pipes closed with nothing asked of them. While one is left it does the
    # work, and the output is one job's; with none left, the batch stops and says why.
    import multiprocessing

    start = batch._Workers.start

    def start_and_kill(self: batch._Workers) -> None:
        start(self)
        for proc in self.procs[-killed:]:
            os.kill(proc.pid, signal.SIGKILL)
            proc.join()

    monkeypatch.setattr(batch._Workers, "start", start_and_kill)
    data = jsonl(2000)
    out, err = io.BytesIO(), io.StringIO()
    env = Environment(io.BytesIO(data), out, err, False, False, False)
    status = run(env, env.stdin, "json", None, jobs=2)
    assert multiprocessing.active_children() == []
    assert "Traceback" not in err.getvalue()
    if killed == 1:
        assert (status, out.getvalue(), err.getvalue()) == run_batch(data, jobs=1)
    else:
        assert status == 71 and out.getvalue() == b""
        assert err.getvalue().startswith("backpain: a worker process was killed (signal 9), perhaps for lack of")


@pytest.mark.timeout(60)
def test_outcomes_taken_before_a_worker_is_lost_are_written(monkeypatch: pytest.MonkeyPatch) -> None:
    # The first chunk is slow; the worker given the second dies on it. The parent, slow to look (busy, say, on a
    # slow output), finds the death and the first chunk's outcome at once: the first is written, then the loss told.
    original = batch._assess_chunk

    def assess(chunk: Any, fmt: str = "json", out: Any = None) -> Any:
        if min(r.line for r in chunk) == 1:
            time.sleep(0.3)
        else:
            os.kill(os.getpid(), signal.SIGKILL)
        return original(chunk, fmt, out)

    ready = batch._Workers.ready

    def slow_to_look(self: batch._Workers, wait: bool) -> list[int]:
        if wait:
            time.sleep(0.5)
        return ready(self, wait)

    monkeypatch.setattr(batch, "_assess_chunk", assess)
    monkeypatch.setattr(batch._Workers, "ready", slow_to_look)
    out, err = io.BytesIO(), io.StringIO()
    env = Environment(io.BytesIO(jsonl(2000)), out, err, False, False, False)
    assert run(env, env.stdin, "json", None, jobs=2) == 71
    written = out.getvalue().count(b"\n")
    assert written >= batch.CHUNK_RECORDS
    assert f"{written} records were written; the batch stopped there" in err.getvalue()


def test_without_shared_memory_the_lines_come_through_the_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    # Where the system will not map the workers' slots (ulimit -v, strict overcommit), --jobs still works.
    import mmap

    def refused(*args: Any, **kwargs: Any) -> Any:
        raise OSError(12, "Cannot allocate memory")

    monkeypatch.setattr(mmap, "mmap", refused)
    data = jsonl(1500)
    assert run_batch(data, jobs=2) == run_batch(data, jobs=1)


# -- flat memory --

MEMORY_CHILD = """
import resource, sys
from backpain_cli.faces.batch import run
from backpain_cli.io.env import Environment
env = Environment(open(sys.argv[1], "rb"), open("/dev/null", "wb"), sys.stderr, False, False, False)
run(env, env.stdin, "json", None)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


def _peak_kb(path: Path) -> int:
    proc = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(path)], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return int(proc.stdout.split()[-1])


@pytest.mark.parametrize("kind", ["jsonl", "array"])
def test_memory_stays_flat(tmp_path: Path, kind: str) -> None:
    small, large = tmp_path / "small", tmp_path / "large"
    if kind == "jsonl":
        small.write_bytes(jsonl(1_000))
        large.write_bytes(jsonl(20_000))
    else:
        small.write_bytes(b"[" + jsonl(1_000).replace(b"\n", b",")[:-1] + b"]")
        large.write_bytes(b"[" + jsonl(20_000).replace(b"\n", b",")[:-1] + b"]")
    growth_kb = _peak_kb(large) - _peak_kb(small)
    assert growth_kb < 4 * 1024, f"peak RSS grew by {growth_kb} KB from 1,000 to 20,000 records"


def test_results_are_written_while_more_input_is_awaited() -> None:
    import select

    environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}  # output buffered, as usual
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environ,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write(b"1\n2\n")  # two small rejections: far less than a pipe's buffer
        proc.stdin.flush()
        got = b""
        while got.count(b"\n") < 2:
            ready, _, _ = select.select([proc.stdout], [], [], 30)
            assert ready, "no result while the input stayed open"
            got += proc.stdout.read1(65536)  # type: ignore[attr-defined]
        assert [json.loads(x)["line"] for x in got.splitlines()] == [1, 2]
    finally:
        proc.stdin.close()
        proc.wait(timeout=30)


class _BlockedThenGone(io.BytesIO):
    """A stdout whose write is where SIGTERM arrives (held, as output is being written), then its reader goes."""

    def write(self, data: Any) -> int:
        os.kill(os.getpid(), signal.SIGTERM)
        raise BrokenPipeError


def test_a_signal_held_while_stdout_is_blocked_is_not_lost_when_its_reader_goes() -> None:
    out, err = _BlockedThenGone(), io.StringIO()
    env = Environment(io.BytesIO(jsonl(3)), out, err, False, False, False)
    status = run(env, env.stdin, "json", None, 1)
    assert (status, err.getvalue()) == (143, "backpain: terminated\n")


# -- no reference cycles: the command's own process runs a batch with the cyclic garbage collector stopped --


def _cycles_left(data: bytes, fmt: str, input_format: str | None = None, jobs: int = 1) -> int:
    """The objects in reference cycles that a batch over `data` leaves for the cyclic collector to find (after a
    first run, which may import modules and fill caches, once a process)."""
    import gc

    for _ in range(2):
        out, err = io.BytesIO(), io.StringIO()
        env = Environment(io.BytesIO(data), out, err, False, False, False)
        gc.collect()
        gc.disable()  # as process.tune_for_a_batch stops it
        try:
            run(env, env.stdin, fmt, input_format, jobs)
        finally:
            found = gc.collect()
            gc.enable()
        assert out.getvalue()
    return found


def _mixed_records(n: int) -> bytes:
    """Records of every kind a batch meets: valid, unreadable, invalid, invalid with a warning sign, blank."""
    bad = [
        b"{not json\n",
        b'{"age": 200}\n',
        b'{"age": 40, "red_flags": ["saddle_numbnes"], "surprise": 1}\n',
        b"[1, 2]\n",
        b"\n",
        json.dumps({**GOOD[0], "age": 40, "age_again": 1}).encode() + b"\n",
    ]
    return b"".join(jsonl(1, i) + bad[i % len(bad)] for i in range(n))


@pytest.mark.parametrize("fmt", ["json", "csv", "fhir", "text", "markdown"])
def test_a_batch_makes_no_reference_cycles(fmt: str) -> None:
    # Safe only while this holds: with the collector stopped, a cycle made for each record would never be freed.
    assert _cycles_left(_mixed_records(60), fmt) == 0


def test_spreadsheet_and_fhir_input_make_no_reference_cycles() -> None:
    from tests.faces.test_csv import plain_header, plain_row
    from tests.fhir_helpers import emitted_questionnaire, response

    rng = __import__("random").Random(5)
    rows = [plain_header(), *(plain_row(dict(GOOD[i % len(GOOD)], id=f"r{i}"), rng) for i in range(40))]
    rows.append(["x", "not a number"])
    text = io.StringIO()
    __import__("csv").writer(text).writerows(rows)
    assert _cycles_left(text.getvalue().encode(), "json") == 0
    q = emitted_questionnaire()
    bundle = [response(q, dict(GOOD[i % len(GOOD)], id=f"r{i}")) for i in range(20)]
    bundle.append({"resourceType": "QuestionnaireResponse", "status": "completed", "item": [{"linkId": "age"}]})
    assert _cycles_left(b"".join(json.dumps(r).encode() + b"\n" for r in bundle), "json") == 0


def test_with_jobs_the_cycles_do_not_grow_with_the_records() -> None:
    # The parent's workers and pipes are made once a batch; nothing is left in a cycle for each record.
    assert _cycles_left(_mixed_records(300), "json", jobs=2) == _cycles_left(_mixed_records(30), "json", jobs=2)


@pytest.mark.parametrize("fmt", ["json", "csv"])
@pytest.mark.parametrize("in_blocks", [False, True])
def test_a_workers_chunk_makes_no_reference_cycles(fmt: str, in_blocks: bool) -> None:
    import gc

    from backpain_cli.io.reader import Reader

    reader = Reader(io.BytesIO(_mixed_records(60)))
    reader.in_blocks = in_blocks  # as a parallel batch's parent asks: lines in blocks, taken apart by the worker
    chunk = list(reader)
    assert any(r.block for r in chunk) == in_blocks
    records = sum(r.block or 1 for r in chunk) - batch._assess_chunk(chunk, fmt)[4]  # once first: imports, caches
    gc.collect()
    gc.disable()
    try:
        assert batch._assess_chunk(chunk, fmt)[0] == records
    finally:
        found = gc.collect()
        gc.enable()
    assert found == 0
