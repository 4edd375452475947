"""End-to-end batch throughput against Python's own `json.loads` loop over the same file, side by side.

    .venv/bin/python bench/throughput.py [--records 100000] [--rounds 3] [--jobs 2] [--file answers.jsonl]

Writes a file of random valid answer sets (bench/records.py; or takes --file), then, round by round and
interleaved so that both see the same machine load, times:

- the floor: a Python loop that reads the file line by line and calls `json.loads` on each line;
- `backpain assess --format json < file > /dev/null`: read, validate, assess and write JSON, start-up included;
- with --jobs N, the same with `--jobs N` as well.

It prints the best time of each, records per second, and backpain's throughput as a ratio of the floor's
(goal: at least 1.0; stretch: 2.0).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import records  # noqa: E402

FLOOR = """
import json, sys
with open(sys.argv[1], "rb") as f:
    for line in f:
        json.loads(line)
"""


def timed(cmd: list[str], stdin: Path | None = None) -> float:
    with open(stdin or "/dev/null", "rb") as f:
        start = time.perf_counter()
        subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="also time --jobs N")
    parser.add_argument("--file", type=Path, help="an answers file to use instead of random records")
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "answers.jsonl"
        if args.file is None:
            records.write(path, args.records)
        n = sum(1 for line in path.open("rb") if line.strip())
        size = path.stat().st_size
        runs: dict[str, list[str]] = {
            "json.loads loop": [python, "-c", FLOOR, str(path)],
            "backpain assess": [python, "-m", "backpain_cli", "assess", "--format", "json"],
        }
        if args.jobs > 1:
            runs[f"backpain assess --jobs {args.jobs}"] = [*runs["backpain assess"], "--jobs", str(args.jobs)]
        best = dict.fromkeys(runs, float("inf"))
        for _ in range(args.rounds):
            for name, cmd in runs.items():
                best[name] = min(best[name], timed(cmd, None if name.startswith("json") else path))
    print(f"{n} records, {size / 1e6:.1f} MB, best of {args.rounds} rounds")
    floor = best["json.loads loop"]
    for name, seconds in best.items():
        print(f"  {name:28} {seconds:7.2f} s  {n / seconds:10,.0f} records/s  ratio {floor / seconds:.2f}")
    print("ratio = throughput / json.loads loop's throughput (goal >= 1.0, stretch 2.0)")


if __name__ == "__main__":
    main()
