"""`--format csv`: results as CSV rows (RFC 4180), one per input record, written as they are made."""

from __future__ import annotations

import csv
from typing import IO, Any

from backpain_cli.io.env import Environment
from backpain_cli.render.table import RESULT_HEADER, result_cells


class _Text:
    """What a csv writer writes to: its text, encoded as UTF-8 onto a byte stream."""

    def __init__(self, out: IO[bytes]) -> None:
        self.out = out

    def write(self, text: str) -> int:
        self.out.write(text.encode())
        return len(text)


class CsvSink:
    """`--format csv`: a fixed header, then one row per input record in input order (RFC 4180, CRLF); a rejected
    record fills `error` (and `warning` when it gives warning signs). No cell can start a spreadsheet formula."""

    def __init__(self, env: Environment, batch: bool) -> None:
        self.out = env.stdout
        self.writer = csv.writer(_Text(env.stdout), lineterminator="\r\n")  # CRLF: a bare CR in a cell is quoted
        self.writer.writerow(RESULT_HEADER)
        self.line: int | None = None

    def at(self, line: int) -> None:
        """Where the next record was in the input (the batch says so before each `write`)."""
        self.line = line

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        self.writer.writerow(result_cells(ok, out, self.line))
        self.line = None

    def close(self) -> None:
        self.out.flush()


def encode_header() -> bytes:
    """The header row's bytes (for a batch whose rows `--jobs` workers make)."""
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(RESULT_HEADER)
    return buf.getvalue().encode()


def encode_result(ok: bool, out: dict[str, Any], line: int | None) -> bytes:
    """One result as one CSV row's bytes (in a `--jobs` worker, which sends bytes back)."""
    import io

    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerow(result_cells(ok, out, line))
    return buf.getvalue().encode()
