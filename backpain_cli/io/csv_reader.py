"""Spreadsheets in: reading a CSV stream row by row.

`CsvReader` is the JSON `Reader`'s counterpart for `--input-format csv` and `redcap`: it reads the stream in
chunks (so that results are flushed before it waits on slow input), decodes each physical line on its own (a line
that is not UTF-8 rejects its row, never the rest), and hands the stdlib csv module the lines, which handles
quoting as Excel writes it (commas and line breaks in double quotes, `""` for a quote), CRLF and a UTF-8 BOM. Each
row becomes one `Record` whose `row` (the header's `Layout`, the cells, any reading error) is typed into answers
by `csv_rows.row_answers` where records are assessed, so that rows go through the same validation, assessment
and warning-sign scan as JSON, in the same process or in a `--jobs` worker. Memory holds one row at a time.

`line` is the row's number as a spreadsheet shows it: the header is row 1, and a cell with line breaks in it does
not add rows.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator
from typing import IO

from backpain_cli.core.i18n import _
from backpain_cli.io.csv_rows import DIALECTS, Layout
from backpain_cli.io.reader import BOM, CHUNK, MAX_RECORD, NoInput, Reader, Record

csv.field_size_limit(max(csv.field_size_limit(), MAX_RECORD))


class CsvReader:
    """Iterate over the rows of a CSV stream as `Record`s; the first row that is not blank is the header.
    Attributes as `reader.Reader`'s: `kind` ("csv"), `blank` (blank rows skipped), `consumed` (bytes read),
    `on_wait` (called before waiting for input), `stream`."""

    kind = "csv"

    def __init__(self, stream: IO[bytes], dialect: str, max_record: int = MAX_RECORD) -> None:
        self.stream = stream
        self._read1 = getattr(stream, "read1", stream.read)
        self.on_wait: Callable[[], object] = lambda: None
        self.max_record = max_record
        self.blank = 0
        self.consumed = 0
        self.physical = 0  # physical lines read
        self._bad: dict[int, str] = {}  # physical line -> why it could not be read
        self._taken: list[str] = []  # the physical lines of the row being read
        self._rows = csv.reader(self._lines())
        self.number = 0  # rows read, the header and blank rows included
        header = self._header()
        if header is None:
            raise NoInput
        self.layout = Layout(header, dialect)

    def read(self, size: int = CHUNK) -> bytes:
        self.on_wait()
        chunk = self._read1(size)
        self.consumed += len(chunk)
        return chunk

    def _lines(self) -> Iterator[str]:
        """The input's physical lines, decoded one by one (line ends kept, for the csv module)."""
        buf = b""
        first = True
        while True:
            chunk = self.read()
            if not chunk:
                if buf:
                    yield self._decode(buf, first)
                return
            buf += chunk
            if b"\n" not in chunk:
                if len(buf) > self.max_record:  # one endless line: not kept
                    self._bad[self.physical + 1] = _("a line longer than {n} bytes; not read").format(n=self.max_record)
                    buf = self._skip_line()
                    yield self._decode(b"\n", first)
                    first = False
                continue
            lines = buf.split(b"\n")
            buf = lines.pop()
            for line in lines:
                yield self._decode(line + b"\n", first)
                first = False

    def _skip_line(self) -> bytes:
        """Read on to the end of an overlong line; what follows it."""
        while True:
            chunk = self.read()
            if not chunk:
                return b""
            end = chunk.find(b"\n")
            if end >= 0:
                return chunk[end + 1 :]

    def _decode(self, line: bytes, first: bool) -> str:
        self.physical += 1
        if first and line.startswith(BOM):
            line = line[len(BOM) :]
        try:
            text = line.decode("utf-8")
            self._taken.append(text)
            return text
        except UnicodeDecodeError as exc:
            self._bad.setdefault(
                self.physical,
                _(
                    "not valid UTF-8 at byte {byte} of line {line} ({value}); save the spreadsheet as UTF-8 text "
                    '(in Excel: "CSV UTF-8 (Comma delimited)")'
                ).format(byte=exc.start + 1, line=self.physical, value=f"{line[exc.start]:#04x}"),
            )
            text = line.decode("utf-8", errors="replace")
            self._taken.append(text)
            return text

    def _next(self) -> tuple[list[str] | None, str | None, list[str], int]:
        """The next row (None at the end), why the csv module could not read it (or None), the physical lines it
        took and the number of the first."""
        start = self._rows.line_num + 1
        self._taken = []
        try:
            cells: list[str] | None = next(self._rows)
        except StopIteration:
            return None, None, [], start
        except csv.Error as exc:
            return [], _("cannot be read as CSV: {why}").format(why=exc), self._taken, start
        return cells, None, self._taken, start

    def _error(self, first: int, last: int) -> str | None:
        """Why a physical line from `first` to `last` could not be read (not UTF-8, too long), if one could not."""
        return next((self._bad.pop(n) for n in range(first, last + 1) if n in self._bad), None)

    def _header(self) -> list[str] | None:
        while True:
            cells, _why, _lines, _start = self._next()
            if cells is None:
                return None
            self.number += 1
            if any(c.strip() for c in cells):
                return cells
            self.blank += 1

    def __iter__(self) -> Iterator[Record]:
        layout = self.layout
        width = layout.width
        while True:
            cells, error, lines, start = self._next()
            if cells is None:
                return
            parts = [cells]
            if len(lines) > 1 and (error is not None or len(cells) != width):
                # A quote left open takes the lines after it into one cell: when, line by line, they are rows of
                # the header's width, each line is a row of its own, so that one stray quote loses no row.
                split = [next(csv.reader([line]), []) for line in lines]
                if error is not None or any(len(p) == width for p in split[1:]):
                    parts = split
            for k, part in enumerate(parts):
                self.number += 1
                last = start + len(lines) - 1 if len(parts) == 1 else start + k
                why = error if len(parts) == 1 and error is not None else self._error(start + k, last)
                if why is None and not any(c.strip() for c in part):
                    self.blank += 1  # an empty row (`,,,` as a spreadsheet saves one): skipped, as a blank line is
                    continue
                yield Record(self.number, row=(layout, part, why))


def open_reader(stream: IO[bytes], input_format: str | None = None) -> Reader | CsvReader:
    """The reader for `input_format`: `Reader` for JSON (or when told from the input's start), `CsvReader` for a
    spreadsheet (`csv`, `redcap`). Raises NoInput when there is nothing to read."""
    if input_format in DIALECTS:
        return CsvReader(stream, input_format)
    return Reader(stream, input_format)
