"""Hardened input: whatever a line holds, it gives exactly one output line, in order, and never a traceback."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backpain_cli.io.reader import Reader
from tests.conftest import GOOD, VIGNETTES, invoke, outcome, run_batch


def good(i: int = 0) -> bytes:
    return json.dumps(GOOD[i % len(GOOD)]).encode()


def kinds(data: bytes, input_format: str | None = None) -> str:
    return Reader(io.BytesIO(data), input_format).kind


# -- input kinds, told from the start --


def test_kinds_told_from_the_start() -> None:
    assert kinds(b"  \n[" + good() + b"]") == "array"
    assert kinds(good() + b"\n" + good()) == "jsonl"
    assert kinds(b"{\n" + good()[1:]) == "document"  # a pretty-printed object
    assert kinds(b"NaN\n" + good()) == "jsonl"  # a whole line, even a bad one, is a line of JSON Lines
    assert kinds(b"[1]\n[2]\n", "jsonl") == "jsonl"
    assert kinds(good(), "json") == "document"


def test_a_bad_line_deep_in_json_lines_never_changes_the_mode() -> None:
    lines = [good(i) for i in range(40)]
    lines[30] = b'{"age": 40, "pain_areas": ['  # ends inside a value
    code, out, _ = outcome(invoke(b"\n".join(lines) + b"\n"))
    assert code == 1
    assert len(out) == 40
    rejected = json.loads(out[30])
    assert rejected["line"] == 31 and "truncated" in rejected["error"]
    assert [json.loads(x)["id"] for i, x in enumerate(out) if i != 30] == [
        GOOD[i % len(GOOD)]["id"] for i in range(40) if i != 30
    ]


def test_array_streamed_element_by_element() -> None:
    elements = [GOOD[0], 5, {"id": "x", "age": "old"}, GOOD[1]]
    data = b"[\n" + b",\n".join(json.dumps(e).encode() for e in elements) + b"\n]\n"
    code, out, err = outcome(invoke(data))
    assert code == 1
    assert "4 records read: 2 assessed" in err
    got = [json.loads(x) for x in out]
    assert [g.get("line") for g in got] == [None, 2, 3, None]
    assert got[0]["id"] == GOOD[0]["id"] and got[3]["id"] == GOOD[1]["id"]
    assert got[2]["id"] == "x" and "age" in got[2]["error"]
    assert "a JSON object" in got[1]["error"]


@pytest.mark.parametrize(
    ("data", "error"),
    [
        (b"[" + good() + b",]", "empty element"),
        (b"[" + good(), "ended before the array was closed"),
        (b"[" + good() + b"] trailing", "more input after the end of the array"),
    ],
)
def test_broken_arrays_are_rejected_in_place(data: bytes, error: str) -> None:
    code, out, _ = outcome(invoke(data))
    assert code == 1
    assert error in json.loads(out[-1])["error"]


def test_deeply_nested_array_elements() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    code, out, _ = outcome(invoke(b"[" + good(0) + b", " + deep + b", " + good(1) + b"]"))
    assert code == 1
    assert [json.loads(x).get("error", "ok") for x in out] == ["ok", "invalid JSON: nested too deeply", "ok"]


def test_array_strings_with_brackets_commas_and_escapes() -> None:
    answers = dict(GOOD[0], id='a "tricky", [id] {with} \\ escapes')
    code, out, _ = outcome(invoke(b"[" + json.dumps(answers).encode() + b", " + good(1) + b"]"))
    assert code == 0
    assert [json.loads(x)["id"] for x in out] == [answers["id"], GOOD[1]["id"]]


def test_an_element_longer_than_a_read_chunk() -> None:
    answers = dict(GOOD[0], id="x" * 300_000)
    code, out, _ = outcome(invoke(b"[" + json.dumps(answers).encode() + b"," + good(1) + b"]"))
    assert code == 0
    assert [len(json.loads(x)["id"]) for x in out] == [300_000, len(GOOD[1]["id"])]


# -- every kind of bad line gives one line out, in order --

BAD_LINES = {
    "invalid UTF-8": (b'{"id": "\xff\xfe", "age": 30}', "UTF-8"),
    "deep nesting": (b'{"id": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "nested too deeply"),
    "deep objects": (b'{"a":' * 50_000 + b"1" + b"}" * 50_000, "nested too deeply"),
    "NaN": (b'{"age": NaN}', "invalid JSON"),
    "Infinity": (b'{"age": Infinity}', "invalid JSON"),
    "float too big": (b'{"age": 1e400}', "too large"),
    "integer too big": (b'{"age": 1' + b"0" * 400 + b"}", "age"),
    "top-level array": (b"[1, 2]", "expected a JSON object"),
    "top-level string": (b'"hello"', "expected a JSON object"),
    "top-level number": (b"42", "expected a JSON object"),
    "top-level null": (b"null", "expected a JSON object"),
    "two values": (b"{} {}", "trailing characters"),
    "duplicate key": (good()[:-1] + b', "red_flags": []}', "red_flags: given more than once"),
    "duplicate nested key": (
        good()[:-1] + b', "startback": {"total": 5, "total": 1, "psychosocial": 1}}',
        "total: given more than once",
    ),
    "lone surrogate": (b'{"id": "\\ud800"}', "invalid JSON"),
}


@pytest.mark.parametrize("name", list(BAD_LINES))
def test_each_bad_line_is_one_rejection_in_place(name: str) -> None:
    bad, error = BAD_LINES[name]
    code, out, err = outcome(invoke(good(0) + b"\n" + bad + b"\n" + good(1) + b"\n"))
    assert code == 1
    assert len(out) == 3
    first, middle, last = (json.loads(x) for x in out)
    assert first["id"] == GOOD[0]["id"] and last["id"] == GOOD[1]["id"]
    assert middle["line"] == 2
    assert error in middle["error"]
    assert "backpain: record 2 " in err


@pytest.mark.parametrize(
    ("line", "error"),
    [
        (b'{"id": "\xff\xfe", "age": 30}', "not valid UTF-8 at byte 9 (0xff)"),
        (b"\xff{}", "not valid UTF-8 at byte 1 (0xff)"),
        (b'{"id": "\xed\xa0\x80"}', "not valid UTF-8 at byte 9 (0xed)"),  # an encoded surrogate
        (b'{"a" 1}', "invalid JSON: expected ':' at byte 6"),
        (b"  x", "invalid JSON: invalid character at byte 3"),
        (b'{"age": NaN}', "invalid JSON: invalid character at byte 9"),
        (b"[1,]", "invalid JSON: trailing comma in array at byte 4"),
        (b"{}x", "invalid JSON: trailing characters at byte 3"),
        (b"{}  {}", "invalid JSON: trailing characters at byte 5"),
    ],
)
def test_where_a_line_goes_wrong_is_a_byte_counted_from_1(line: bytes, error: str) -> None:
    code, out, err = outcome(invoke(good(0) + b"\n" + line + b"\n"))
    assert code == 1
    assert json.loads(out[1])["error"].startswith(error)
    assert f"record 2 rejected: {error}" in err


def test_a_10_mb_line() -> None:
    big = json.dumps(dict(GOOD[0], id="y" * 10_000_000)).encode()
    code, out, _ = outcome(invoke(good(1) + b"\n" + big + b"\n" + b'{"a": "' + b"z" * 10_000_000 + b'"}\n'))
    assert code == 1
    assert len(out) == 3
    assert len(json.loads(out[1])["id"]) == 10_000_000
    assert "unknown key" in json.loads(out[2])["error"]


def test_a_line_past_the_limit_is_rejected_without_reading_it_whole() -> None:
    data = good(0) + b"\n" + b'{"id": "' + b"q" * 5000 + b'"}\n' + good(1) + b"\n"
    reader = Reader(io.BytesIO(data), max_record=1000)
    records = list(reader)
    assert [r.line for r in records] == [1, 2, 3]
    assert records[1].error is not None and "longer than 1000 bytes" in records[1].error
    assert records[2].raw.strip() == good(1)


def test_bom_crlf_and_blank_lines() -> None:
    data = b"\xef\xbb\xbf" + good(0) + b"\r\n\r\n   \r\n" + good(1) + b"\r\n\n"
    code, out, err = outcome(invoke(data))
    assert code == 0
    assert [json.loads(x)["id"] for x in out] == [GOOD[0]["id"], GOOD[1]["id"]]
    assert "2 records read" in err and "3 blank lines skipped" in err


def test_bom_before_a_single_pretty_printed_object() -> None:
    code, out, _ = outcome(invoke(b"\xef\xbb\xbf" + json.dumps(GOOD[0], indent=2).encode()))
    assert code == 0
    assert json.loads("\n".join(out))["id"] == GOOD[0]["id"]


def test_only_white_space_is_a_usage_error() -> None:
    code, out, err = outcome(invoke(b"\n \r\n\t\n"))
    assert code == 2 and out == [] and "no answers" in err


# -- fuzzing: one output line per non-blank input line, in order, never a traceback --


def _line() -> st.SearchStrategy[bytes]:
    record = st.sampled_from(GOOD).map(lambda a: json.dumps(a).encode())
    mangled = st.tuples(record, st.integers(0, 700), st.binary(max_size=8)).map(
        lambda t: t[0][: t[1]] + t[2] + t[0][t[1] :]
    )
    values = st.recursive(
        st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
        lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
        max_leaves=8,
    ).map(lambda v: json.dumps(v).encode())
    # a line holds no line end: LF, CR (alone or in CRLF)
    return st.one_of(record, mangled, values, st.binary(max_size=40)).map(
        lambda b: b.replace(b"\n", b" ").replace(b"\r", b" ")
    )


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    lines=st.lists(_line(), min_size=2, max_size=8), eol=st.sampled_from([b"\n", b"\r\n", b"\r"]), told=st.booleans()
)
def test_fuzz_one_output_line_per_input_line(lines: list[bytes], eol: bytes, told: bool) -> None:
    if not told:  # told from the start: a first line of JSON Lines is a whole line
        lines = [good(len(lines)), *lines]
    data = eol.join(lines) + eol
    code, out, err = run_batch(data, "jsonl" if told else None)
    lines = [lines[0].removeprefix(b"\xef\xbb\xbf"), *lines[1:]]  # a byte-order mark starts the input only
    nonblank = [i + 1 for i, line in enumerate(lines) if line.strip(b" \t")]
    # JSON may hold U+0085 or U+2028 unescaped: split on newlines only
    got = out.decode().split("\n")[:-1] if len(nonblank) > 1 else ([out.decode()] if out else [])
    assert len(got) == len(nonblank)
    for number, text in zip(nonblank, got, strict=True):
        value = json.loads(text)
        assert value.get("line", number) == number
        assert ("error" in value) or ("level" in value)
    if not nonblank:
        assert code == 2  # nothing to assess
    else:
        assert code == (1 if any("error" in json.loads(t) for t in got) else 0)
    assert "Traceback" not in err


@settings(max_examples=40, deadline=None)
@given(elements=st.lists(_line(), min_size=1, max_size=6))
def test_fuzz_arrays_never_crash(elements: list[bytes]) -> None:
    code, out, err = run_batch(b"[" + b",".join(elements) + b"]")
    assert code in (0, 1)
    assert " read: " in err.splitlines()[-1]
    for text in out.decode().split("\n")[:-1]:
        value = json.loads(text)
        assert ("error" in value) or ("level" in value)


def test_long_lines_across_reads_and_first() -> None:
    long_line = b'{"id": "' + b"q" * 200_000 + b'"}\n'
    data = long_line + good(0) + b"\n" + long_line + long_line.rstrip(b"\n")
    records = list(Reader(io.BytesIO(data), max_record=100_000))
    assert [r.line for r in records] == [1, 2, 3, 4]
    assert [r.error is not None for r in records] == [True, False, True, True]
    assert records[1].raw.strip() == good(0)


# -- a broken first line never swallows the lines after it --


@pytest.mark.parametrize(
    "first",
    [
        b"[1,2,3]",  # a whole array on the first line, then JSON Lines
        b"[]",
        b'{"age": 3',  # an object broken off
        b'{"red_flags": ["saddle_numbness"',
    ],
)
def test_a_broken_first_line_is_one_record_and_every_later_line_its_own(first: bytes) -> None:
    lines = [first, *(good(i) for i in range(30))]
    status, out, _ = outcome(invoke(b"\n".join(lines) + b"\n"))
    assert status == 1
    results = [json.loads(line) for line in out]
    assert len(results) == 31
    assert results[0]["line"] == 1 and "error" in results[0]
    assert all("level" in r for r in results[1:])


def test_a_one_line_array_alone_is_still_an_array() -> None:
    status, out, _ = outcome(invoke(b"[" + good(0) + b"," + good(1) + b"]\n\n"))
    assert status == 0 and len(out) == 2


def test_a_pretty_printed_document_stays_one_document() -> None:
    status, out, _ = outcome(invoke(json.dumps(GOOD[0], indent=2).encode()))
    assert status == 0 and json.loads("\n".join(out))["level"]


# -- input that does not parse as one document, on more than one line, is JSON Lines (issue 11, point 6) --

#: A record that is not an emergency, and one that is (saddle numbness).
CALM = next(v["answers"] for v in VIGNETTES if v["expected_level"] == "self_care")
EMERGENCY_AT = {100, 400, 800, 1200, 1599}


def _batch_after_two_broken_lines(eol: bytes) -> bytes:
    lines = [b'{"age": 40,', b'{"age": 41,']
    for i in range(1600):
        answers = dict(CALM, id=f"r{i}")
        if i in EMERGENCY_AT:
            answers["red_flags"] = ["saddle_numbness"]
        lines.append(json.dumps(answers).encode())
    return eol.join(lines) + eol


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
def test_two_broken_lines_at_the_start_never_swallow_the_batch(eol: bytes) -> None:
    code, out, err = outcome(invoke(_batch_after_two_broken_lines(eol)))
    assert code == 1
    results = [json.loads(line) for line in out]
    assert len(results) == 1602
    assert [(r["line"], "error" in r) for r in results[:2]] == [(1, True), (2, True)]
    assert [r["id"] for r in results[2:]] == [f"r{i}" for i in range(1600)]
    assert [i for i, r in enumerate(results[2:]) if r["level"] == "emergency"] == sorted(EMERGENCY_AT)
    assert "1602 records read: 1600 assessed (emergency 5, " in err and ", 2 rejected" in err


def test_a_lone_cr_ends_a_line_of_json_lines_mixed_with_lf_and_crlf() -> None:
    data = good(0) + b"\r" + good(1) + b"\r\n" + good(2) + b"\n\r" + good(3) + b"\r"
    code, out, err = outcome(invoke(data))
    assert code == 0
    assert [json.loads(x)["id"] for x in out] == [GOOD[i]["id"] for i in range(4)]
    assert "4 records read" in err and "1 blank line skipped" in err  # the LF then CR: one empty line between


def test_a_crlf_split_between_reads_is_one_line_end() -> None:
    """A CR that ends what has been read so far ends its line at once (a live feed is not held up); a LF that
    follows in the next read belongs to it, not to a blank line of its own."""
    data = b'{"age": 40,\r\n' + good(0) + b"\r\n" + good(1) + b"\r\n"
    reader = Reader(Trickle(data, [12, 1, len(good(0)) + 1, 1]))
    assert [(r.line, r.raw.strip()) for r in reader] == [(1, b'{"age": 40,'), (2, good(0)), (3, good(1))]
    assert reader.blank == 0


class Trickle(io.BytesIO):
    """A stream that gives at most the next of `sizes` bytes at a read (then 7 at a time), as a pipe may."""

    def __init__(self, data: bytes, sizes: list[int] | None = None) -> None:
        super().__init__(data)
        self.sizes = list(sizes or [])

    def read1(self, size: int = -1) -> bytes:
        return super().read1(min(size, self.sizes.pop(0) if self.sizes else 7))


@pytest.mark.parametrize("eol", [b"\n", b"\r", b"\r\n"], ids=["LF", "CR", "CRLF"])
def test_a_pretty_printed_object_read_a_few_bytes_at_a_time_is_one_document(eol: bytes) -> None:
    data = json.dumps(dict(GOOD[0], startback={"total": 4, "psychosocial": 2}), indent=2).encode()
    data = data.replace(b"\n", eol)
    reader = Reader(Trickle(data))
    records = list(reader)
    assert reader.kind == "document"
    assert [(r.line, r.raw) for r in records] == [(1, data)]


def test_a_pretty_printed_object_with_cr_line_ends_is_assessed() -> None:
    code, out, _ = outcome(invoke(json.dumps(GOOD[0], indent=2).encode().replace(b"\n", b"\r")))
    assert code == 0 and json.loads("\n".join(out))["id"] == GOOD[0]["id"]


def test_two_pretty_printed_objects_back_to_back_are_not_one_document() -> None:
    """Input that does not parse as one document, on more than one line, is read line by line: here, every
    line of the two objects is rejected in its place, none of it silently dropped."""
    one = json.dumps(GOOD[0], indent=2).encode()
    code, out, _ = outcome(invoke(one + b"\n" + one))
    assert code == 1
    assert len(out) == 2 * len([x for x in one.split(b"\n") if x.strip()])


def test_one_broken_line_alone_is_one_rejection() -> None:
    code, out, err = outcome(invoke(b'{"age": 40,\n\n   \n'))
    assert code == 1
    assert "truncated" in json.loads("\n".join(out))["error"]
    assert "records read" not in err  # one record: no batch summary


def test_input_format_json_is_one_document_however_it_fails() -> None:
    code, out, _ = outcome(invoke(b'{"age": 40,\n' + good(0) + b"\n" + good(1) + b"\n", "--input-format", "json"))
    assert code == 1
    assert json.loads("\n".join(out))["line"] == 1  # one rejection: the option says it is one document


def test_a_live_feed_with_a_broken_first_line_still_streams() -> None:
    """The first line (longer than the second, so the document read so far has not doubled) ends inside a value:
    the input is taken for a document until it fails; it must be seen to fail while the feed waits, not at its
    end, and the second line's result must come while the input is still open."""
    import os
    import select
    import subprocess
    import sys

    environ = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        env=environ,
    )
    assert proc.stdin is not None and proc.stdout is not None
    try:
        broken = b'{"id": "' + b"x" * 3000 + b'", "age": 40,\n'
        proc.stdin.write(broken + good(0) + b"\n")
        proc.stdin.flush()
        got = b""
        while got.count(b"\n") < 2:
            ready, _, _ = select.select([proc.stdout], [], [], 60)
            assert ready, "no result while the input stayed open"
            got += proc.stdout.read1(65536)  # type: ignore[attr-defined]
        first, second = (json.loads(x) for x in got.splitlines())
        assert first["line"] == 1 and "error" in first
        assert second["id"] == GOOD[0]["id"] and "level" in second
    finally:
        proc.stdin.close()
        proc.wait(timeout=60)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    head=st.lists(_line(), min_size=1, max_size=3),
    lines=st.lists(_line(), min_size=1, max_size=6),
    eol=st.sampled_from([b"\n", b"\r\n", b"\r"]),
)
def test_fuzz_broken_lines_first_still_one_output_line_per_input_line(
    head: list[bytes], lines: list[bytes], eol: bytes
) -> None:
    """Whatever the first lines hold (cut records, mistakes): unless the input is an array or one JSON document,
    every non-blank line gives one output line, in order."""
    head = [h[: len(h) // 2] for h in head]  # records cut short: the start of a value that never ends
    all_lines = [*head, *lines]
    nonblank = [i + 1 for i, line in enumerate(all_lines) if line.strip(b" \t")]
    data = eol.join(all_lines) + eol
    first = next((all_lines[i - 1] for i in nonblank), b"").strip(b" \t")
    if len(nonblank) < 2 or first.startswith((b"[", b"\xef\xbb\xbf")) or _parses_whole(data):
        return
    if not any(h.strip(b" \t") for h in head):  # every line cut short was blank: no broken line first
        return
    code, out, err = run_batch(data)
    got = out.decode().split("\n")[:-1]
    assert len(got) == len(nonblank), err
    assert code == 1  # the first line, at least, is rejected
    for number, text in zip(nonblank, got, strict=True):
        value = json.loads(text)
        assert value.get("line", number) == number
    assert "Traceback" not in err


def _parses_whole(data: bytes) -> bool:
    try:
        json.loads(data)
    except ValueError:
        return False
    return True


@pytest.mark.parametrize("space", [b"\x0b", b"\x0c", b" \x0b ", b"\x0c\t"])
def test_a_line_of_vertical_tab_or_form_feed_is_a_record_not_a_blank_line(space: bytes) -> None:
    """JSON's white space is space, tab, CR and LF: a line holding \\v or \\f is a record, rejected in its place."""
    code, out, err = outcome(invoke(good(0) + b"\n" + space + b"\n" + good(1) + b"\n"))
    assert code == 1
    assert len(out) == 3
    middle = json.loads(out[1])
    assert middle["line"] == 2 and middle["error"].startswith("invalid JSON")
    assert "3 records read" in err and "skipped" not in err


@pytest.mark.parametrize("space", [b"\x0b", b"\x0c"])
def test_input_of_only_a_vertical_tab_or_form_feed_is_a_rejected_record(space: bytes) -> None:
    code, out, err = outcome(invoke(b"\n" + space + b"\n"))
    assert code == 1
    assert json.loads("\n".join(out))["line"] == 2
    assert "no answers" not in err


@settings(max_examples=300, deadline=None)
@given(
    lines=st.lists(
        st.tuples(
            st.sampled_from([b"", b" ", b"{}", b'{"a": 1}', b"x" * 30, b"[1, 2]", b"\t"]),
            st.sampled_from([b"\n", b"\r\n", b"\r"]),
        ),
        min_size=1,
        max_size=30,
    ),
    sizes=st.lists(st.integers(1, 64), max_size=30),
    limit=st.sampled_from([12, 40, 1 << 20]),
    last_whole=st.booleans(),
)
def test_json_lines_read_in_any_pieces_are_the_lines_of_the_whole(
    lines: list[tuple[bytes, bytes]], sizes: list[int], limit: int, last_whole: bool
) -> None:
    """However the input arrives (here in pieces of random sizes), JSON Lines are read as the whole input splits
    into lines at LF, CRLF and lone CR: same numbers, same bytes, blank lines skipped and counted, a line longer
    than the limit reported in its place."""
    data = b"".join(text + eol for text, eol in lines)
    if not last_whole:
        data = data.rstrip(b"\r\n") + b"{}"
    reader = Reader(Trickle(b"{}\n" + data, [3, *sizes]), input_format="jsonl", max_record=limit)
    expected, blank = [(1, b"{}", None)], 0
    for number, line in enumerate(data.splitlines(keepends=True), start=2):
        if len(line) > limit:
            expected.append((number, b"", "too long"))
        elif line.strip(b" \t\r\n"):
            expected.append((number, line.rstrip(b"\r\n"), None))
        else:
            blank += 1
    # (compared without their line ends, which the first line, read whole here, may keep)
    got = [(r.line, r.raw.rstrip(b"\r\n"), r.error and "too long") for r in reader]
    assert got == expected
    assert reader.blank == blank


def test_each_line_keeps_its_line_end_however_it_is_read() -> None:
    """A record's bytes are its line with its LF (as a decoder's message counts them: a line cut short inside a
    string is "invalid character at byte N", its LF, not "truncated"), whether many whole lines arrive at once or
    a line arrives in pieces."""
    lines = [b'{"a": %d}\n' % i for i in range(50)] + [b'{"cut": "ab\n', b"\n", b'{"last": 1}']
    data = b"".join(lines)
    for sizes in ([len(data)], [7] * (len(data) // 7 + 1), [1] * len(data)):
        got = [r.raw for r in Reader(Trickle(data, sizes), input_format="jsonl")]
        assert got == [line for line in lines if line != b"\n"]


# -- blocks of whole lines, for a parallel batch's parent to hand on as they are --

_LINE = st.one_of(
    st.sampled_from([b"", b"   ", b" \t ", b"\x0b", b"{bad", b' {"age": 40}', b"[1, 2]"]),
    st.integers(0, len(GOOD) - 1).map(good),
    st.binary(max_size=30).filter(lambda b: b"\n" not in b and b"\r" not in b),
)


class _Trickle(io.RawIOBase):
    """A stream that gives at most `most` bytes a read, as a pipe may: lines and blocks cut across reads."""

    def __init__(self, data: bytes, most: int) -> None:
        self.data, self.most = memoryview(data), most

    def readable(self) -> bool:
        return True

    def readinto(self, b: Any) -> int:
        n = min(len(b), self.most, len(self.data))
        b[:n] = self.data[:n]
        self.data = self.data[n:]
        return n


def _taken_apart(
    data: bytes, in_blocks: bool, after: int = 0, max_record: int = 1 << 20, most: int = 1 << 20
) -> tuple[list[Any], int]:
    """The records a reader gives (blocks taken apart by `lines_of`), and the blank lines it skipped."""
    from backpain_cli.io.reader import lines_of

    reader = Reader(io.BufferedReader(_Trickle(data, most)), "jsonl", max_record=max_record)
    blank = [0]
    out: list[Any] = []
    for n, record in enumerate(reader):
        if n == after:
            reader.in_blocks = in_blocks  # as a parallel batch asks, after looking ahead
        assert not record.block or in_blocks
        out += lines_of(record, blank)
    return out, reader.blank + blank[0]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(_LINE, max_size=60),
    st.sampled_from([b"\n", b"\r\n"]),
    st.integers(0, 3),
    st.sampled_from([40, 1 << 20]),
    st.sampled_from([37, 500, 1 << 20]),
)
def test_blocks_taken_apart_are_the_records_read_one_by_one(
    lines: list[bytes], eol: bytes, after: int, max_record: int, most: int
) -> None:
    lines = [good(), *lines]  # (input of blank lines only is no input: a usage error)
    data = b"\n".join(lines[:30]) + eol + eol.join(lines[30:]) + b"\n"  # LF, and CRLF or LF after
    assert _taken_apart(data, True, after, max_record, most) == _taken_apart(data, False, after, max_record, most)


def test_whole_lines_held_come_as_blocks_with_their_first_line_and_count() -> None:
    data = b"".join(good(i) + b"\n" + (b"  \n" if i % 3 == 0 else b"") for i in range(200))
    reader = Reader(io.BytesIO(data), "jsonl")
    reader.in_blocks = True
    records = list(reader)
    blocks = [r for r in records if r.block]
    assert blocks and sum(r.block for r in blocks) > 200  # most lines, blank ones among them, in a few blocks
    assert all(r.raw.count(b"\n") == r.block for r in blocks)
    assert _taken_apart(data, True) == _taken_apart(data, False)


def test_blocks_are_bounded_in_lines_and_bytes() -> None:
    from backpain_cli.io.reader import BLOCK_BYTES, BLOCK_LINES

    # Short lines after a very long one: that read holds megabytes, of many thousands of lines.
    data = b'{"note": "' + b"x" * 3_000_000 + b'"}\n' + b"{}\n" * 300_000 + (b'{"n": "' + b"y" * 5000 + b'"}\n') * 400
    reader = Reader(io.BytesIO(data), "jsonl")
    reader.in_blocks = True
    blocks = [r for r in reader if r.block]
    assert sum(r.block for r in blocks) > 290_000
    assert max(r.block for r in blocks) <= BLOCK_LINES
    assert max(len(r.raw) for r in blocks) <= BLOCK_BYTES + 5100  # past its first line, never more than that
