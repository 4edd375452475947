"""What this machine's cores give: one single-process batch alone, then two at once, then one alone again.

    .venv/bin/python bench/two_at_once.py [--records 50000] [--rounds 5]

Prints, round by round, the work two separate processes did in the time one takes alone (2.0x on two cores that
are all ours), and the median. It is the ceiling for `--jobs 2` (bench/throughput.py), which does more in all
than one process: its parent reads and hands on the input and writes the workers' output in order. On a shared
virtual machine two cores may give well short of 2x.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import records  # noqa: E402

COMMAND = [sys.executable, "-m", "backpain_cli", "assess", "--format", "json"]


def at_once(path: Path, n: int) -> float:
    """Seconds for `n` batches over `path`, started together, to be done."""
    files = [path.open("rb") for _ in range(n)]
    try:
        start = time.perf_counter()
        quiet = subprocess.DEVNULL
        procs = [subprocess.Popen(COMMAND, stdin=f, stdout=quiet, stderr=quiet) for f in files]
        for proc in procs:
            proc.wait()
        return time.perf_counter() - start
    finally:
        for f in files:
            f.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "answers.jsonl"
        records.write(path, args.records)
        gains = []
        for _ in range(args.rounds):
            before, two, after = at_once(path, 1), at_once(path, 2), at_once(path, 1)
            gains.append(2 * (before + after) / 2 / two)
            print(f"  one alone {before:.2f} s and {after:.2f} s, two at once {two:.2f} s: {gains[-1]:.2f}x the work")
    print(f"two processes at once did {statistics.median(gains):.2f}x the work of one in the same time (median)")


if __name__ == "__main__":
    main()
