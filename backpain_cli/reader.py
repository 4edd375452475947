"""Reading answers from a byte stream, record by record, in bounded memory.

What the input is, is told from its start (or said outright with `--input-format`):

- a first non-blank character `[`: a JSON array, streamed element by element;
- a first non-blank line that is a whole line of JSON, valid or not: JSON Lines, one record per non-blank line
  (a bad line anywhere, the first included, is one rejected record and never changes the mode);
- otherwise (the first line ends inside a value, as in a pretty-printed object): one JSON document.

Each record comes out as a `Record`: where it was (the line number for JSON Lines, the element's position for
an array, 1 for a single document) and its bytes, or why its bytes could not be taken (too long, an array
broken off). Decoding and validation happen later (`decoding.answers`), so that every record, however broken,
is one record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
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
        self.max_record = max_record
        self.blank = 0
        self.consumed = 0
        self.line = 0
        first = self._first_line()
        if first is None:
            raise NoInput
        self.first = first
        head = first.lstrip()
        if input_format == "jsonl":
            self.kind = "jsonl"
        elif head[:1] == b"[":
            self.kind = "array"
        elif input_format == "json":
            self.kind = "document"
        else:
            self.kind = "jsonl" if _whole_line(first) else "document"

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

    # -- JSON Lines --

    def _lines(self) -> Iterator[Record]:
        limit = self.max_record
        readline = self.stream.readline
        line = self.first
        number = self.line
        consumed = self.consumed
        try:
            while line:
                if line.isspace():
                    self.blank += 1
                elif len(line) > limit and not line.endswith(b"\n"):
                    while line and not line.endswith(b"\n"):  # drop the rest of the line, chunk by chunk
                        line = readline(CHUNK)
                        consumed += len(line)
                    yield Record(number, error=_too_long(limit))
                else:
                    yield Record(number, line)
                line = readline(limit + 1)
                consumed += len(line)
                number += 1
                if not number & 1023:
                    self.consumed = consumed
        finally:
            self.consumed = consumed
            self.line = number

    # -- one JSON document --

    def _document(self) -> Iterator[Record]:
        rest = self.stream.read(self.max_record + 1 - len(self.first))
        self.consumed += len(rest)
        data = self.first + rest
        if len(data) > self.max_record:
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


#: What the array splitter looks at: strings (skipped whole, escapes included), brackets and commas. A lone `"`
#: is a string not yet ended in the bytes read so far.
_TOKEN = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"|["\[\]{},]', re.S)
_OPEN = frozenset(b"[{")
_CLOSE = frozenset(b"]}")


def _split_array(reader: Reader, first: bytes) -> Iterator[Record]:
    """Cut a JSON array into its top-level elements by scanning bytes, tracking strings and bracket depth."""
    stream = reader.stream
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
        chunk = stream.read(read_size)
        reader.consumed += len(chunk)
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
        chunk = reader.stream.read(CHUNK)
        reader.consumed += len(chunk)
        if not chunk:
            return
        extra = bool(chunk.strip())
    while reader.stream.read(CHUNK):
        pass
    yield Record(index, error="invalid JSON: more input after the end of the array")
