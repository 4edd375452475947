"""Reading answers from a byte stream, record by record, in bounded memory.

Lines end at `\n`, `\r\n` or a lone `\r`. What the input is, is told from its start (or said outright with
`--input-format`):

- a first non-blank character `[`: a JSON array, streamed element by element;
- a first non-blank line that is a whole line of JSON, valid or not: JSON Lines, one record per non-blank line
  (a bad line anywhere, the first included, is one rejected record and never changes the mode);
- otherwise (the first line ends inside a value, as in a pretty-printed object): one JSON document, unless it
  turns out not to be one.

A broken first line must never swallow the thousands of records after it. An array that closes within its first
line, with more input after it, is the first line of JSON Lines. And input read as one document that does not
parse as one, with more than one non-blank line, is JSON Lines: every line gets its own result. That is decided
as soon as the document is seen to fail, not at its end: the bytes read so far, up to their last line end, are
parsed now and then (each time they have doubled, and whenever the input would make us wait, so that a live feed
is never held up), and a syntax error there, rather than "ended too soon", can only get worse. JSON Lines whose
first line is broken fail by their second or third line (a whole object on a line after an unfinished one is
never a valid continuation), so little is held; a real document is parsed about twice in all.

Blank means JSON white space only (space, tab, CR, LF): a line of `\v` or `\f` is a record, and rejected.

Each record comes out as a `Record`: where it was (the line number for JSON Lines, the element's position for
an array, 1 for a single document) and its bytes, or why its bytes could not be taken (too long, an array
broken off). Decoding and validation happen later (`decoding.answers`), so that every record, however broken,
is one record.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterator
from typing import IO, Any, NamedTuple

import msgspec

from backpain_cli.core.i18n import _

BOM = b"\xef\xbb\xbf"
#: JSON's white space (RFC 8259): what a blank line may hold. Not `\v` or `\f`, which bytes.isspace() allows.
WS = b" \t\r\n"
#: The longest record taken; a longer line or array element is rejected without being held in memory.
MAX_RECORD = 64 * 1024 * 1024
CHUNK = 64 * 1024
#: While a document read so far is no larger than this, it is checked whenever the input would make us wait.
CHECK_WHEN_WAITING = 1024 * 1024
_CR, _LF = 0x0D, 0x0A


class NoInput(Exception):
    """The input held nothing but white space."""


class Record(NamedTuple):
    """One record of the input: where it began (`line`: its line, or its index in an array) and its bytes, or why
    it could not be read. A named tuple: made once per record, as cheaply as Python makes anything."""

    line: int
    raw: bytes = b""
    error: str | None = None
    #: A spreadsheet row instead of JSON bytes: (the header's `csv_rows.Layout`, the cells, why it could not be
    #: read whole or None), typed into answers by `csv_rows.row_answers` (`csv_io.CsvReader`).
    row: tuple[Any, list[str], str | None] | None = None
    #: When `raw` is a block of whole lines of JSON Lines, from line `line` on, blank ones included, rather than one
    #: record: how many lines it holds (else 0). Given only by a reader asked for blocks (`Reader.in_blocks`), and
    #: taken apart by `lines_of`.
    block: int = 0


def lines_of(block: Record, blank: list[int]) -> Iterator[Record]:
    """The records of a block of whole lines (`Record.block`), as `Reader` would have given them one by one (each
    with its LF, numbered); its blank lines skipped and counted in `blank[0]`. Any other record as it is."""
    if not block.block:
        yield block
        return
    number, ws, _new = block.line, _WS_CODES, tuple.__new__
    for line in block.raw.splitlines(keepends=True):  # no CR in a block: each line ends at its LF
        if line[0] in ws and not line.strip(WS):
            blank[0] += 1
        else:
            yield _new(Record, (number, line, None, None, 0))
        number += 1


#: A block (`Record.block`) holds at most this many lines, and past its first line at most this many bytes: a
#: parallel batch's chunk of records is a few blocks (what one read holds after a very long line may be megabytes,
#: of thousands of short lines).
BLOCK_LINES = 256
BLOCK_BYTES = 256 * 1024


def _block_end(buf: bytes, pos: int, last: int) -> tuple[int, int]:
    """The block of whole lines that begins at `pos` in `buf` (whose last LF is at `last`): (how many lines, where
    it ends). Each LF is found with `find` (memchr): for lines of hundreds of bytes, ten times fewer instructions
    than `bytes.count`, which looks at each byte in turn."""
    n, end, find = 0, pos, buf.find
    while n < BLOCK_LINES:
        at = find(b"\n", end, last + 1)
        if at < 0 or (n and at + 1 - pos > BLOCK_BYTES):
            break
        n, end = n + 1, at + 1
    return n, end


def _too_long(limit: int) -> str:
    size = _("{n} MB").format(n=limit // (1024 * 1024)) if limit >= 1024 * 1024 else _("{n} bytes").format(n=limit)
    return _("longer than {size}; not read").format(size=size)


_WS_CODES = frozenset(WS)


def _blank(data: bytes) -> bool:
    """Whether `data` holds nothing but JSON white space (most lines are told by their first byte, uncopied)."""
    return not data or (data[0] in _WS_CODES and not data.strip(WS))


def _line_end(buf: bytes, pos: int) -> int:
    """Where the line that starts at `pos` ends in `buf` (just past its `\n`, `\r\n` or lone `\r`), or -1."""
    nl = buf.find(b"\n", pos)
    if nl >= 0:
        # A lone CR before the line's LF (not the CR of a CRLF). For an empty line (nl == pos) there is none, and
        # nl - 1 would count from the end of `buf`.
        cr = buf.find(b"\r", pos, nl - 1) if nl > pos else -1
        return cr + 1 if cr >= 0 else nl + 1
    cr = buf.find(b"\r", pos)
    return cr + 1 if cr >= 0 else -1


def would_not_wait(stream: IO[bytes]) -> Callable[[], bool]:
    """A test of whether reading `stream` now would not wait (always true for a file, or a stream without a file
    descriptor). It looks at the descriptor only: call it when the stream's own buffer is empty."""
    try:
        fd = stream.fileno()
        if stat.S_ISREG(os.fstat(fd).st_mode):
            return lambda: True
    except (OSError, ValueError, AttributeError):
        return lambda: True
    import select

    return lambda: bool(select.select([fd], [], [], 0)[0])


class Reader:
    """Iterate over the records of `stream`. `kind` is "jsonl", "array" or "document" (a document that turns out
    to be JSON Lines becomes "jsonl" as it is read); `blank` counts the blank lines skipped; `consumed` the bytes
    read so far (for progress)."""

    def __init__(self, stream: IO[bytes], input_format: str | None = None, max_record: int = MAX_RECORD) -> None:
        self.stream = stream
        self._read1 = getattr(stream, "read1", stream.read)
        self.on_wait: Callable[[], object] = lambda: None
        self.max_record = max_record
        self.input_format = input_format
        self.blank = 0
        #: JSON Lines held whole in what was read come out as blocks (`Record.block`), not a record each: for a
        #: parallel batch, whose parent then hands them on as they are. May be set while the records are read.
        self.in_blocks = False
        self.consumed = 0
        self.line = 0
        self._buf = b""  # bytes read and not yet taken, from `_pos` on
        self._pos = 0
        self._skip_lf = False  # a line ended at a CR that was the last byte read: a LF next belongs to it
        first = self._first_line()
        if first is None:
            raise NoInput
        self.first, self._first_whole = first
        head = self.first.lstrip(WS)
        if input_format == "jsonl":
            self.kind = "jsonl"
        elif head[:1] == b"[":
            # `[1,2,3]` as a whole first line with more input after it: JSON Lines, whose first line is an array.
            whole = input_format is None and len(self.first) <= max_record and _whole_line(self.first)
            self.kind = "jsonl" if whole and self._more_after_first() else "array"
        elif input_format == "json":
            self.kind = "document"
        else:
            self.kind = "jsonl" if len(self.first) > max_record or _whole_line(self.first) else "document"

    # -- bytes in --

    def _fill(self, size: int = CHUNK) -> bytes:
        """New bytes from the stream: what is there, or wait for some. Before waiting, `on_wait` is called (the
        batch loop flushes its output then, so that results are never held back while input is slow)."""
        self.on_wait()
        chunk = self._read1(size)
        self.consumed += len(chunk)
        return chunk

    def read(self, size: int = CHUNK) -> bytes:
        """The next bytes of input: those read already and not yet taken, else new ones (see `_fill`)."""
        if self._pos < len(self._buf):
            chunk = self._buf[self._pos :]
            self._buf, self._pos = b"", 0
            return chunk
        return self._fill(size)

    def _more(self, size: int = CHUNK) -> bytes:
        """`read()` for JSON Lines: a LF that completes a CRLF whose CR ended the last line is dropped."""
        chunk = self.read(size)
        if self._skip_lf and chunk[:1] == b"\n":
            chunk = chunk[1:] or self.read(size)
        self._skip_lf = False
        return chunk

    def _took(self, buf: bytes, end: int) -> None:
        """The line taken from `buf` ends at `end`; the rest of `buf` is still to be read."""
        self._buf, self._pos = buf, end
        self._skip_lf = end == len(buf) and buf[end - 1] == _CR

    # -- lines --

    def _first_line(self) -> tuple[bytes, bool] | None:
        """The first non-blank line and whether it is whole; None if there is none. A line longer than max_record
        is read only that far (and a little more): the rest is left to read, and it is not whole."""
        while True:
            line = self._capped_line()
            if line is None:
                return None
            self.line += 1
            text = line[0]
            if self.line == 1 and text.startswith(BOM):
                text = text[len(BOM) :]
            if not _blank(text) or not line[1]:
                return text, line[1]
            self.blank += 1

    def _capped_line(self) -> tuple[bytes, bool] | None:
        end = _line_end(self._buf, self._pos)
        if end >= 0:
            line = self._buf[self._pos : end]
            self._took(self._buf, end)
            return line, True
        parts = [self._buf[self._pos :]]
        size = len(parts[0])
        self._buf, self._pos = b"", 0
        while size <= self.max_record:
            chunk = self._more()
            if not chunk:
                line = b"".join(parts)
                return (line, True) if line else None
            end = _line_end(chunk, 0)
            if end >= 0:
                parts.append(chunk[:end])
                self._took(chunk, end)
                return b"".join(parts), True
            parts.append(chunk)
            size += len(chunk)
        return b"".join(parts), False

    def _more_after_first(self) -> bool:
        """Whether anything but white space follows the first line; what is read to tell is kept for later."""
        while True:
            rest = self._buf[self._pos :]
            if not _blank(rest):
                return True
            chunk = self._fill()
            if self._skip_lf and chunk[:1] == b"\n":
                chunk = chunk[1:] or self._fill()
            self._skip_lf = False
            if not chunk:
                return False
            self._buf, self._pos = rest + chunk, 0

    def __iter__(self) -> Iterator[Record]:
        if self.kind == "jsonl":
            return self._lines()
        if self.kind == "array":
            return self._array()
        return self._document()

    # -- JSON Lines --

    def _lines(self) -> Iterator[Record]:
        limit = self.max_record
        number = self.line
        line: bytes | None = self.first
        _new, ws = tuple.__new__, _WS_CODES
        too_long = len(self.first) > limit
        if too_long and not self._first_whole:
            self._rest_of_line(self.first)  # skipped: only where the next line starts matters
        try:
            while line is not None:
                if too_long:
                    yield Record(number, error=_too_long(limit))
                elif not line or (line[0] in ws and not line.strip(WS)):  # _blank(line), without a call
                    self.blank += 1
                else:
                    yield _new(Record, (number, line, None, None, 0))  # Record(number, line), without a call
                buf, pos = self._buf, self._pos
                last = buf.rfind(b"\n", pos)
                if last > pos and last - pos <= limit and buf.find(b"\r", pos, last) < 0:
                    # Every whole line held, taken in a tight loop: none has a CR, none is too long (the common case).
                    self._pos, self._skip_lf = last + 1, False
                    while self.in_blocks and pos <= last:  # in blocks, taken apart as below by `lines_of`
                        lines, end = _block_end(buf, pos, last)
                        yield _new(Record, (number + 1, buf[pos:end], None, None, lines))
                        number += lines
                        pos = end
                    find = buf.find
                    while pos <= last:
                        end = find(b"\n", pos) + 1
                        line = buf[pos:end]  # with its LF, as `_line_end` takes it
                        pos = end
                        number += 1
                        if not line or (line[0] in ws and not line.strip(WS)):
                            self.blank += 1
                        else:
                            yield _new(Record, (number, line, None, None, 0))
                end = _line_end(buf, pos)
                if end < 0:  # the next line is not all here: read on
                    line, too_long = self._rest_of_line(buf[pos:])
                else:
                    too_long = end - pos > limit
                    line = b"" if too_long else buf[pos:end]
                    self._pos = end
                    self._skip_lf = end == len(buf) and buf[end - 1] == _CR
                number += 1
        finally:
            self.line = number

    def _rest_of_line(self, head: bytes) -> tuple[bytes | None, bool]:
        """Read until the line begun by `head` (all that was left to take) ends: (the line, too long). A line
        longer than max_record is not kept. At the end of input the line is what is left, or None if nothing is."""
        limit = self.max_record
        self._buf, self._pos = b"", 0
        parts = [head]
        size = len(head)
        too_long = size > limit
        while True:
            chunk = self._more(max(CHUNK, min(size, limit)))
            if not chunk:
                return (b"".join(parts) or None) if not too_long else b"", too_long
            end = _line_end(chunk, 0)
            if end >= 0:
                too_long = too_long or size + end > limit
                self._took(chunk, end)
                return (b"" if too_long else b"".join([*parts, chunk[:end]])), too_long
            size += len(chunk)
            too_long = too_long or size > limit
            if too_long:
                parts = []
            else:
                parts.append(chunk)

    # -- one JSON document --

    def _document(self) -> Iterator[Record]:
        limit = self.max_record
        data = bytearray(self.first)
        auto = self.input_format is None  # `--input-format json` says it is one document: no second guessing
        checked = len(data)  # the first line alone is known to end inside a value
        ready = would_not_wait(self.stream)
        while len(data) <= limit:
            if (
                auto
                and len(data) > checked
                and (
                    len(data) >= 2 * checked
                    or (len(data) <= CHECK_WHEN_WAITING and self._pos >= len(self._buf) and not ready())
                )
            ):
                checked = len(data)
                if _fails(data):
                    yield from self._as_lines(data)
                    return
            chunk = self.read()
            if not chunk:
                break
            data += chunk
        if len(data) > limit:
            if auto and _fails(data):
                yield from self._as_lines(data)
                return
            while self.read():
                pass
            yield Record(1, error=_too_long(limit))
            return
        whole = bytes(data)
        if auto and not _blank(whole[len(self.first) :]) and not _parses(whole):
            yield from self._as_lines(whole)
        else:
            yield Record(1, whole)

    def _as_lines(self, data: bytes | bytearray) -> Iterator[Record]:
        """Not one document after all, but JSON Lines (its first line broken): every line is a record of its own."""
        rest = bytes(data[len(self.first) :])
        self.kind = "jsonl"
        self._buf, self._pos = rest + self._buf[self._pos :], 0
        if self._skip_lf and rest[:1] == b"\n":
            self._pos = 1
        self._skip_lf = False
        yield from self._lines()

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


def _fails(data: bytes | bytearray) -> bool:
    """Whether `data`, the start of what was taken for one JSON document, already shows it is not one: its bytes
    up to their last line end hold a mistake that no more input could mend (anything but "ended too soon").
    A line end lies between tokens (a JSON string cannot hold a raw CR or LF), so no token is cut there."""
    end = max(data.rfind(b"\n"), data.rfind(b"\r")) + 1
    try:
        msgspec.json.decode(bytes(data[:end]))  # a copy: a view left alive would stop `data` from growing
    except msgspec.DecodeError as exc:
        return "truncated" not in str(exc)
    except (ValueError, RecursionError):
        return True
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
                    yield Record(index, error=_("invalid JSON: `}` where the array should end with `]`"))
                    yield from _after_array(reader, b"", index + 1)
                    return
                if oversize or len(element) > limit:
                    index += 1
                    oversize = False
                    yield Record(index, error=_too_long(limit))
                elif not _blank(element):
                    index += 1
                    yield Record(index, element)
                elif c == 0x2C or index:  # `[,`, `,,` or `,]`: a missing element
                    index += 1
                    yield Record(index, error=_("invalid JSON: an empty element in the array"))
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
            yield Record(index, error=_("invalid JSON: the input ended before the array was closed with `]`"))
            return
        buf += chunk
        # A string longer than a chunk: read more at a time, so as not to rescan it again and again.
        read_size = min(max(CHUNK, len(buf)), limit) if stalled else CHUNK


def _after_array(reader: Reader, rest: bytes, index: int) -> Iterator[Record]:
    """Anything but white space after the array is one more rejected record."""
    extra = not _blank(rest)
    while not extra:
        chunk = reader.read()
        if not chunk:
            return
        extra = not _blank(chunk)
    while reader.read():
        pass
    yield Record(index, error=_("invalid JSON: more input after the end of the array"))
