"""End-to-end batch cost against the I/O floor: what any program must pay to read each record and write its result.

    .venv/bin/python bench/throughput.py [--records 50000] [--rounds 3] [--jobs 2] [--file answers.jsonl]

Writes a file of random valid answer sets (bench/records.py; or takes --file), then, round by round and
interleaved so that every run sees the same machine load, times:

- the floor, in one process: read the file line by line, decode each line with msgspec and encode the project's
  own result for it with msgspec, written to /dev/null. The results are made beforehand, a chunk at a time, and
  only the decoding and encoding are timed (so the floor is the fastest JSON library's cost of the I/O alone);
- for comparison only, the same floor with each result as the command's JSON Lines fast path encodes it: the parts
  shared between results made once as their JSON (`assess`'s form, `faces.batch.as_json`), so that only what
  differs from one result to the next is encoded. The goal is measured against the floor above, as the issue
  defines it; this one shows how much of the command's lead over encoding whole results comes from that;
- start-up: `backpain assess --format json` on one record;
- `backpain assess --format json < file > /dev/null`, less the start-up;
- with --jobs N, the same with `--jobs N` as well, and its speed-up over one job.

It prints the best of the rounds for each (and the spread: the worst), records per second, and backpain's cost
as a multiple of the floor (goal: at most 3.0; stretch: 2.0), in wall-clock time and in CPU time. Compare the
ratios, which are measured in the same run, rather than the absolute figures. On a virtual machine whose speed
changes from second to second (time taken by other guests), the wall-clock ratio swings by a fifth between runs;
CPU time (user and system, of the command's process and of the floor's timed loops) leaves out the time the
machine was not ours, and moves less. With --jobs, CPU time is that of all the processes together.

Below those, round by round: each round's ratio (backpain against the floors timed just before it and just after
it, their mean: one more floor is timed after the last round) and the median over the rounds, with their range;
and the same for --jobs's speed-up. The best of each apart may compare moments far apart (the floor's shorter run
is the likelier to catch a fast one); use many rounds (--rounds 9) on a noisy machine.
"""

from __future__ import annotations

import argparse
import itertools
import resource
import statistics
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
from backpain_cli.faces.batch import as_json
from backpain_cli.io.decoding import answers

form = as_json if sys.argv[3] == "formed" else None

decode = msgspec.json.Decoder().decode
encode = msgspec.json.Encoder().encode
spent = cpu = 0.0
with open(sys.argv[1], "rb") as f, open("/dev/null", "wb") as out:
    while True:
        chunk = f.readlines(1 << 22)
        if not chunk:
            break
        results = [assess(answers(line), None, form) for line in chunk]  # made beforehand: not timed
        start, start_cpu = time.perf_counter(), time.process_time()
        for line, result in zip(chunk, results):
            decode(line)
            out.write(encode(result) + b"\\n")
        out.flush()
        spent += time.perf_counter() - start
        cpu += time.process_time() - start_cpu
print(spent, cpu)
"""


Times = tuple[float, float]  # wall-clock and CPU seconds


def timed(cmd: list[str], stdin: Path) -> Times:
    with open(stdin, "rb") as f:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        subprocess.run(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return wall, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def floor(python: str, path: Path, kind: str = "whole") -> Times:
    command = [python, "-c", FLOOR, str(path), str(ROOT), kind]
    out = subprocess.run(command, capture_output=True, check=True, text=True)
    wall, cpu = map(float, out.stdout.split())
    return wall, cpu


def less(a: Times, b: Times) -> Times:
    return a[0] - b[0], a[1] - b[1]


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
        formed = "floor, shared parts made once"
        runs: dict[str, list[Times]] = {
            "floor (msgspec decode + encode)": [],
            formed: [],
            "start-up": [],
            "backpain assess": [],
        }
        jobs = f"backpain assess --jobs {args.jobs}"
        if args.jobs > 1:
            runs[jobs] = []
        for _ in range(args.rounds):
            runs["floor (msgspec decode + encode)"].append(floor(python, path))
            runs[formed].append(floor(python, path, "formed"))
            start = timed(assess, one)
            runs["start-up"].append(start)
            runs["backpain assess"].append(less(timed(assess, path), start))
            if args.jobs > 1:
                runs[jobs].append(less(timed([*assess, "--jobs", str(args.jobs)], path), start))
        after = floor(python, path)  # the floor after the last round, for its round-by-round ratio
    print(f"{n} records, {size / 1e6:.1f} MB, best (worst) of {args.rounds} rounds; start-up excluded")
    base = [min(t[i] for t in runs["floor (msgspec decode + encode)"]) for i in (0, 1)]
    for name, times in runs.items():
        wall = [t[0] for t in times]
        cpu = [t[1] for t in times]
        if name == "start-up":
            print(f"  {name:34} {min(wall):7.3f} s ({max(wall):.3f})")
            continue
        best = min(wall)
        rate = f"{n / best:10,.0f} records/s  {best / n * 1e6:6.1f} µs a record"
        ratios = f"{best / base[0]:5.2f}x the floor; CPU time {min(cpu) / base[1]:4.2f}x"
        print(f"  {name:34} {best:7.2f} s ({max(wall):.2f})  {rate}  {ratios}")
    ours, made_once = min(t[0] for t in runs["backpain assess"]), min(t[0] for t in runs[formed])
    print(f"  backpain assess is {ours / made_once:.2f}x the floor with the shared parts made once (for comparison)")
    if args.jobs > 1:
        one_job, parallel = min(t[0] for t in runs["backpain assess"]), min(t[0] for t in runs[jobs])
        print(f"  --jobs {args.jobs} is {one_job / parallel:.2f}x as fast as one job")
    # Each round's own ratios (backpain against the floors timed just before and just after it), and their median:
    # the best of each apart compares moments that may be far apart on a machine whose speed drifts (the floor's
    # short run is the more likely to catch a fast moment), and a floor on one side only, a drift during the round.
    times = [*runs["floor (msgspec decode + encode)"], after]
    floors = [((a[0] + b[0]) / 2, (a[1] + b[1]) / 2) for a, b in itertools.pairwise(times)]
    own = sorted(a[0] / f[0] for a, f in zip(runs["backpain assess"], floors, strict=True))
    cpu = sorted(a[1] / f[1] for a, f in zip(runs["backpain assess"], floors, strict=True))
    line = f"  round by round (median of {args.rounds}): {statistics.median(own):.2f}x the floor"
    line += f" (from {own[0]:.2f}x to {own[-1]:.2f}x); CPU time {statistics.median(cpu):.2f}x"
    if args.jobs > 1:
        speed = sorted(a[0] / j[0] for a, j in zip(runs["backpain assess"], runs[jobs], strict=True))
        line += f"; --jobs {args.jobs} {statistics.median(speed):.2f}x as fast as one job"
        line += f" (from {speed[0]:.2f}x to {speed[-1]:.2f}x)"
    print(line)
    print("cost as a multiple of the floor: goal at most 3.0 (stretch 2.0); --jobs 2: at least 1.6x one job")


if __name__ == "__main__":
    main()
