"""Reading answers from a byte stream, record by record, in bounded memory.

What the input is, is told from its start (or said outright with `--input-format`):

- a first non-blank character `[`: a JSON array, streamed element by element;
- a first non-blank line that is a whole line of JSON, valid or not: JSON Lines, one record per non-blank line
  (a bad line anywhere, the first included, is one rejected record and never changes the mode);
- otherwise (the first line ends inside a value, as in a pretty-printed object): one JSON document.

Two exceptions keep a broken first line from swallowing thousands of records after it: an array that closes
within its first line, with more input after it, is the first line of JSON Lines; and a document that does not
parse, whose second non-blank line is a whole JSON object or array, is JSON Lines with a broken first line.

Each record comes out as a `Record`: where it was (the line number for JSON Lines, the element's position for
an array, 1 for a single document) and its bytes, or why its bytes could not be taken (too long, an array
broken off). Decoding and validation happen later (`decoding.answers`), so that every record, however broken,
is one record.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO

import msgspec

BOM = b"\xef\xbb\xbf"
#: The longest record taken; a longer line or array element is rejected without being held in memory.
MAX_RECORD = 64 * 1024 * 1024
CHUNK = 64 * 1024


class NoInput(Exception):
    """The input held nothing but white space."""


@dataclass(frozen=True, slots=True)
class Record:
    line: int
    raw: bytes = b""
    error: str | None = None


def _too_long(limit: int) -> str:
    size = f"{limit // (1024 * 1024)} MB" if limit >= 1024 * 1024 else f"{limit} bytes"
    return f"longer than {size}; not read"


class Reader:
    """Iterate over the records of `stream`. `kind` is "jsonl", "array" or "document"; `blank` counts the blank
    lines skipped; `consumed` the bytes read so far (for progress)."""

    def __init__(self, stream: IO[bytes], input_format: str | None = None, max_record: int = MAX_RECORD) -> None:
        self.stream = stream
        self._read1 = getattr(stream, "read1", stream.read)
        self.on_wait: Callable[[], object] = lambda: None
        self.max_record = max_record
        self.blank = 0
        self.consumed = 0
        self.line = 0
        self._pending = b""  # bytes already read (to tell the input's kind) and not yet taken
        first = self._first_line()
        if first is None:
            raise NoInput
        self.first = first
        head = first.lstrip()
        if input_format == "jsonl":
            self.kind = "jsonl"
        elif head[:1] == b"[":
            # `[1,2,3]` as a whole first line with more input after it: JSON Lines, whose first line is an array.
            whole = input_format is None and len(first) <= max_record and _whole_line(first)
            self.kind = "jsonl" if whole and self._more_after_first() else "array"
        elif input_format == "json":
            self.kind = "document"
        else:
            self.kind = "jsonl" if len(first) > max_record or _whole_line(first) else "document"

    def _more_after_first(self) -> bool:
        """Whether anything but white space follows the first line; what is read to tell is kept for later."""
        peeked = []
        while True:
            line = self.stream.readline(self.max_record + 1)
            self.consumed += len(line)
            peeked.append(line)
            if not line or not line.isspace():
                break
        self._pending = b"".join(peeked)
        return bool(line)

    def _readline(self) -> bytes:
        line = self.stream.readline(self.max_record + 1)
        self.consumed += len(line)
        return line

    def _first_line(self) -> bytes | None:
        while True:
            line = self._readline()
            if not line:
                return None
            self.line += 1
            if self.line == 1 and line.startswith(BOM):
                line = line[len(BOM) :]
            if line and not line.isspace():
                return line
            self.blank += 1

    def __iter__(self) -> Iterator[Record]:
        if self.kind == "jsonl":
            return self._lines()
        if self.kind == "array":
            return self._array()
        return self._document()

    def read(self, size: int = CHUNK) -> bytes:
        """The next bytes of input: what is there, or wait for some. Before waiting, `on_wait` is called (the
        batch loop flushes its output then, so that results are never held back while input is slow)."""
        if self._pending:
            chunk, self._pending = self._pending, b""
            return chunk
        self.on_wait()
        chunk = self._read1(size)
        self.consumed += len(chunk)
        return chunk

    # -- JSON Lines --

    def _lines(self) -> Iterator[Record]:
        limit = self.max_record
        number = self.line
        line: bytes | None = self.first
        too_long = len(self.first) > limit
        buf = b""
        pos = 0
        if too_long and not self.first.endswith(b"\n"):
            _, buf, _ = self._rest_of_line(self.first, limit)
        try:
            while line is not None:
                if too_long:
                    yield Record(number, error=_too_long(limit))
                elif line.isspace():
                    self.blank += 1
                else:
                    yield Record(number, line)
                end = buf.find(b"\n", pos)
                if end < 0:  # the next line is not all here: read on
                    line, buf, too_long = self._rest_of_line(buf[pos:], limit)
                    pos = 0
                else:
                    line = buf[pos : end + 1]
                    pos = end + 1
                    too_long = False
                number += 1
        finally:
            self.line = number

    def _rest_of_line(self, head: bytes, limit: int) -> tuple[bytes | None, bytes, bool]:
        """Read until the line begun by `head` ends: (the line, the bytes after it, too long). A line longer
        than `limit` is not kept. At the end of input the line is what is left, or None if nothing is."""
        parts = [head]
        size = len(head)
        too_long = size > limit
        while True:
            chunk = self.read(max(CHUNK, min(size, limit)))
            if not chunk:
                return (b"".join(parts) or None) if not too_long else b"", b"", too_long
            end = chunk.find(b"\n")
            if end >= 0:
                too_long = too_long or size + end + 1 > limit
                return (b"" if too_long else b"".join([*parts, chunk[: end + 1]])), chunk[end + 1 :], too_long
            size += len(chunk)
            too_long = too_long or size > limit
            parts = [] if too_long else [*parts, chunk]

    # -- one JSON document --

    def _document(self) -> Iterator[Record]:
        rest = self.stream.read(self.max_record + 1 - len(self.first))
        self.consumed += len(rest)
        data = self.first + rest
        too_long = len(data) > self.max_record
        if (too_long or not _parses(data)) and _second_is_whole(rest):
            # Not one document, but JSON Lines whose first line is broken: every line is a record of its own.
            self.kind = "jsonl"
            self._pending = rest
            yield from self._lines()
        elif too_long:
            while self.stream.read(CHUNK):
                pass
            yield Record(1, error=_too_long(self.max_record))
        else:
            yield Record(1, data)

    # -- a JSON array, element by element --

    def _array(self) -> Iterator[Record]:
        return _split_array(self, self.first)


def _whole_line(line: bytes) -> bool:
    """True when `line` is a complete JSON value or a complete mistake; False when it ends inside a value."""
    try:
        msgspec.json.decode(line)
    except msgspec.DecodeError as exc:
        return "truncated" not in str(exc)
    except (ValueError, RecursionError):
        return True
    return True


def _parses(data: bytes) -> bool:
    try:
        msgspec.json.decode(data)
    except (msgspec.DecodeError, ValueError, RecursionError):
        return False
    return True


def _second_is_whole(rest: bytes) -> bool:
    """Whether the first non-blank line of `rest` (the second of the input) is a whole JSON value on its own."""
    for line in rest.split(b"\n"):
        if line.strip():
            return line.strip()[:1] in (b"{", b"[") and _parses(line)
    return False


#: What the array splitter looks at: strings (skipped whole, escapes included), brackets and commas. A lone `"`
#: is a string not yet ended in the bytes read so far.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|["\[\]{},]', re.S)
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")


def _split_array(reader: Reader, first: bytes) -> Iterator[Record]:
    """Cut a JSON array into its top-level elements by scanning bytes, tracking strings and bracket depth."""
    limit = reader.max_record
    buf = first
    start = buf.index(b"[") + 1  # where the current element begins in buf
    pos = start  # where scanning resumes in buf
    depth = 1
    index = 0  # elements emitted
    oversize = False
    read_size = CHUNK
    while True:
        stalled = True
        for m in _TOKEN.finditer(buf, pos):
            tok = m.group()
            c = tok[0]
            if c == 0x22:  # a string, or the start of one not yet complete
                if len(tok) == 1:
                    pos = m.start()
                    break
                continue
            if depth == 1 and (c == 0x2C or c in _CLOSE):  # `,` or the array's end: an element is complete
                element = buf[start : m.start()]
                if c == 0x7D:
                    index += 1
                    yield Record(index, error="invalid JSON: `}` where the array should end with `]`")
                    yield from _after_array(reader, b"", index + 1)
                    return
                if oversize or len(element) > limit:
                    index += 1
                    oversize = False
                    yield Record(index, error=_too_long(limit))
                elif element.strip():
                    index += 1
                    yield Record(index, element)
                elif c == 0x2C or index:  # `[,`, `,,` or `,]`: a missing element
                    index += 1
                    yield Record(index, error="invalid JSON: an empty element in the array")
                start = m.end()
                if c == 0x5D:
                    yield from _after_array(reader, buf[start:], index + 1)
                    return
            elif c in _OPEN:
                depth += 1
            elif c in _CLOSE:
                depth -= 1
        else:
            pos = len(buf)
            stalled = False
        # Need more bytes: keep only the current element (or nothing, if it is already too long).
        if pos - start > limit or oversize:
            oversize = True
            keep = pos
        else:
            keep = start
        buf, pos, start = buf[keep:], pos - keep, start - keep
        chunk = reader.read(read_size)
        if not chunk:
            index += 1
            yield Record(index, error="invalid JSON: the input ended before the array was closed with `]`")
            return
        buf += chunk
        # A string longer than a chunk: read more at a time, so as not to rescan it again and again.
        read_size = min(max(CHUNK, len(buf)), limit) if stalled else CHUNK


def _after_array(reader: Reader, rest: bytes, index: int) -> Iterator[Record]:
    """Anything but white space after the array is one more rejected record."""
    extra = bool(rest.strip())
    while not extra:
        chunk = reader.read()
        if not chunk:
            return
        extra = bool(chunk.strip())
    while reader.read():
        pass
    yield Record(index, error="invalid JSON: more input after the end of the array")
