"""End-to-end batch cost against the I/O floor: what any program must pay to read each record and write its result.

    .venv/bin/python bench/throughput.py [--records 50000] [--rounds 3] [--jobs 2] [--file answers.jsonl]

Writes a file of random valid answer sets (bench/records.py; or takes --file), then, round by round and
interleaved so that every run sees the same machine load, times:

- the floor, in one process: read the file line by line, decode each line with msgspec and encode the project's
  own result for it with msgspec, written to /dev/null. The results are made beforehand, a chunk at a time, and
  only the decoding and encoding are timed (so the floor is the fastest JSON library's cost of the I/O alone);
- start-up: `backpain assess --format json` on one record;
- `backpain assess --format json < file > /dev/null`, less the start-up;
- with --jobs N, the same with `--jobs N` as well, and its speed-up over one job.

It prints the best of the rounds for each (and the spread: the worst), records per second, and backpain's cost
as a multiple of the floor (goal: at most 3.0; stretch: 2.0). Wall-clock time: compare the ratios, which are
measured in the same run, rather than the absolute figures, on a loaded machine.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

import records  # noqa: E402

#: The floor: decode each line and encode its result, in one process; prints the seconds that took.
FLOOR = """
import sys, time
import msgspec
sys.path.insert(0, sys.argv[2])
from backpain_cli.core.engine import assess
from backpain_cli.io.decoding import answers

decode = msgspec.json.Decoder().decode
encode = msgspec.json.Encoder().encode
spent = 0.0
with open(sys.argv[1], "rb") as f, open("/dev/null", "wb") as out:
    while True:
        chunk = f.readlines(1 << 22)
        if not chunk:
            break
        results = [assess(answers(line)) for line in chunk]  # made beforehand: not timed
        start = time.perf_counter()
        for line, result in zip(chunk, results):
            decode(line)
            out.write(encode(result) + b"\\n")
        out.flush()
        spent += time.perf_counter() - start
print(spent)
"""


def timed(cmd: list[str], stdin: Path) -> float:
    with open(stdin, "rb") as f:
        start = time.perf_counter()
        subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start


def floor(python: str, path: Path) -> float:
    out = subprocess.run([python, "-c", FLOOR, str(path), str(ROOT)], capture_output=True, check=True, text=True)
    return float(out.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=0, help="also time --jobs N")
    parser.add_argument("--file", type=Path, help="an answers file to use instead of random records")
    args = parser.parse_args()
    python = sys.executable
    assess = [python, "-m", "backpain_cli", "assess", "--format", "json"]
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or Path(tmp) / "answers.jsonl"
        if args.file is None:
            records.write(path, args.records)
        one = Path(tmp) / "one.jsonl"
        with path.open("rb") as f:
            one.write_bytes(f.readline())
        n = sum(1 for line in path.open("rb") if line.strip())
        size = path.stat().st_size
        runs: dict[str, list[float]] = {"floor (msgspec decode + encode)": [], "start-up": [], "backpain assess": []}
        jobs = f"backpain assess --jobs {args.jobs}"
        if args.jobs > 1:
            runs[jobs] = []
        for _ in range(args.rounds):
            runs["floor (msgspec decode + encode)"].append(floor(python, path))
            start = timed(assess, one)
            runs["start-up"].append(start)
            runs["backpain assess"].append(timed(assess, path) - start)
            if args.jobs > 1:
                runs[jobs].append(timed([*assess, "--jobs", str(args.jobs)], path) - start)
    print(f"{n} records, {size / 1e6:.1f} MB, best (worst) of {args.rounds} rounds; start-up excluded")
    base = min(runs["floor (msgspec decode + encode)"])
    for name, seconds in runs.items():
        best, worst = min(seconds), max(seconds)
        if name == "start-up":
            print(f"  {name:34} {best:7.3f} s ({worst:.3f})")
            continue
        rate = f"{n / best:10,.0f} records/s  {best / n * 1e6:6.1f} µs a record"
        print(f"  {name:34} {best:7.2f} s ({worst:.2f})  {rate}  {best / base:5.2f}x the floor")
    if args.jobs > 1:
        one_job, parallel = min(runs["backpain assess"]), min(runs[jobs])
        print(f"  --jobs {args.jobs} is {one_job / parallel:.2f}x as fast as one job")
    print("cost as a multiple of the floor: goal at most 3.0 (stretch 2.0); --jobs 2: at least 1.6x one job")


if __name__ == "__main__":
    main()
