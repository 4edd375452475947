"""What `backpain history --export` costs for a long history: wall time and peak memory (RSS) of the process.

    .venv/bin/python bench/history_export.py [--records 131000] [--formats json,csv,answers]

Loads N records into a temporary history in one transaction, then runs `backpain history --export FORMAT`
once per format, its stdout counted and thrown away. The export streams, so peak RSS should not grow with N:
compare, say, --records 1000 with --records 131000. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from history_store import bulk_load  # noqa: E402


def _export(db: Path, fmt: str, env: dict[str, str]) -> tuple[float, int, int]:
    """(seconds, peak RSS in bytes, bytes written) of one `history --export fmt`."""
    cmd = [sys.executable, "-m", "backpain_cli", "history", "--export", fmt, "--db", str(db)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, env=env)
    assert proc.stdout is not None
    size = 0
    while chunk := proc.stdout.read(1 << 16):
        size += len(chunk)
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"history --export {fmt} exited {proc.returncode}")
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)  # Linux reports KiB, macOS bytes
    return elapsed, rss, size


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=131_000)
    parser.add_argument("--formats", default="json,csv,answers")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BACKPAIN_HOME": tmp}
        db = Path(tmp) / "big.sqlite3"
        start = time.perf_counter()
        bulk_load(db, args.records)
        print(
            f"{args.records} records loaded in {time.perf_counter() - start:.1f} s; "
            f"file {db.stat().st_size / 1e6:.1f} MB"
        )
        for fmt in args.formats.split(","):
            elapsed, rss, size = _export(db, fmt, env)
            mib, mb = rss / 2**20, size / 1e6
            print(f"history --export {fmt:8} {elapsed:6.2f} s, peak RSS {mib:7.1f} MiB, {mb:.1f} MB out")


if __name__ == "__main__":
    main()
