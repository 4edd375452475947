"""Peak memory of a batch: 1,000 records against 1,000,000 (the goal: within 20 MB of each other).

    .venv/bin/python bench/memory.py [--small 1000] [--large 1000000] [--array]

Runs `python -m backpain_cli assess --format json` twice, feeding it random valid records (bench/records.py)
through a pipe as fast as it reads them (so no file of a million records is needed), output to /dev/null, and
reads each run's peak resident set size from os.wait4. The large run takes a few minutes at ~20,000 records/s.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import records  # noqa: E402


def peak_mb(n: int, array: bool) -> tuple[float, float]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess", "--format", "json"],
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    assert proc.stdin is not None
    start = time.perf_counter()
    if array:
        proc.stdin.write(b"[")
    for i, line in enumerate(records.lines(n)):
        proc.stdin.write((b"," if array and i else b"") + line)
    if array:
        proc.stdin.write(b"]")
    proc.stdin.close()
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_maxrss / 1024, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=1_000_000)
    parser.add_argument("--array", action="store_true", help="one JSON array instead of JSON Lines")
    args = parser.parse_args()
    small, _ = peak_mb(args.small, args.array)
    large, seconds = peak_mb(args.large, args.array)
    kind = "JSON array" if args.array else "JSON Lines"
    print(f"{kind}: peak RSS {small:.1f} MB for {args.small:,} records, {large:.1f} MB for {args.large:,}")
    print(f"growth: {large - small:+.1f} MB (goal: within 20 MB); large run took {seconds:.0f} s")


if __name__ == "__main__":
    main()
