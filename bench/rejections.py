"""What a rejected record costs: the worst cases of the warning-sign scan, and a typical rejection against an
acceptance.

    .venv/bin/python bench/rejections.py [--records 20000] [--rounds 3]

Prints:

- the time to reject a 1 MB record whose text repeats "weak" (once with spaces, once as one word), and a 64 MB
  record of junk (free text, 100,000 unknown keys, 100,000 unknown red_flags values, a typo'd flag two objects
  deep at its end), each through `decoding.answers` in this process, in wall and CPU seconds (goal: under 5 s
  each; the scan is linear; on a loaded machine, CPU seconds are the figure to compare);
- the cost per record of `backpain assess` (a subprocess, output to /dev/null) on a batch of typical rejected
  records (a misspelt key, a string age, a value not allowed, a missing key, bad JSON) against a batch of the
  same records valid, each measured as the difference between a batch of --records and one of a tenth as many,
  so that start-up cancels out; and their ratio (goal: at most 5).
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import records  # noqa: E402

from backpain_cli.io.decoding import Rejected, answers  # noqa: E402


def weak_record(spaced: bool) -> bytes:
    word = b"weak " if spaced else b"weak"
    return b'{"notes": "' + word * ((1 << 20) // len(word)) + b'", "age": "x"}'


WORDS = [
    *[
        "pain",
        "back",
        "leg",
        "walk",
        "sit",
        "stand",
        "morning",
        "evening",
        "better",
        "worse",
        "doctor",
        "physio",
        "tablets",
        "sleep",
        "work",
        "lift",
    ],
    *[
        "bend",
        "twist",
        "chair",
        "desk",
        "car",
        "drive",
        "stairs",
        "shoulder",
        "knee",
        "hip",
        "arm",
        "hand",
        "foot",
        "sore",
        "ache",
        "sharp",
        "dull",
    ],
]


def junk_record(size: int = 64 << 20) -> bytes:
    """Free text, unknown keys and unknown red flags, with a typo'd flag two objects deep at the end."""
    rng = random.Random(11)
    keys = {f"note_{i}_{rng.choice(WORDS)}": rng.choice(WORDS) for i in range(100_000)}
    flags = [f"{rng.choice(WORDS)}_{i}" for i in range(100_000)]
    head = json.dumps({"age": "x", **keys, "red_flags": flags}).encode()[:-1]
    tail = b', "deep": {"deeper": {"notes": "saddle_numbnes"}}}'
    filler = size - len(head) - len(tail) - len(b', "text": ""')
    text = " ".join(rng.choice(WORDS) for _ in range(filler // 4)).encode()[:filler]
    return head + b', "text": "' + text + b'"' + tail


def reject_time(raw: bytes) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds, the warning) of rejecting `raw`."""
    start, cpu = time.perf_counter(), time.process_time()
    try:
        answers(raw)
        said = "(accepted!)"
    except Rejected as exc:
        said = exc.warning or "(no warning)"
    return time.perf_counter() - start, time.process_time() - cpu, said


def typical_rejections(valid: list[bytes]) -> list[bytes]:
    out = []
    for i, line in enumerate(valid):
        obj = json.loads(line)
        kind = i % 5
        if kind == 0:
            obj["red_flag"] = obj.pop("red_flags")  # a misspelt key
        elif kind == 1:
            obj["age"] = str(obj["age"])  # a string age
        elif kind == 2:
            obj["trend"] = "up"  # a value not allowed
        elif kind == 3:
            del obj["bothersomeness"]  # a missing key
        if kind == 4:
            out.append(json.dumps(obj).encode()[:-1])  # bad JSON: cut short
        else:
            out.append(json.dumps(obj).encode())
    return out


def batch_time(path: Path) -> float:
    with path.open("rb") as f:
        start = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "backpain_cli", "assess", "--format", "json", "--input-format", "jsonl"],
            stdin=f,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            check=False,
        )
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()

    for name, raw in [
        ('1 MB of "weak " (spaced)', weak_record(True)),
        ('1 MB of "weak" (one word)', weak_record(False)),
        ("64 MB of junk", junk_record()),
    ]:
        wall, cpu, warning = reject_time(raw)
        print(f"{name:26} {len(raw) / 2**20:5.1f} MiB  rejected in {wall:6.2f} s ({cpu:5.2f} s CPU)  {warning[:60]}")

    n, small = args.records, max(1, args.records // 10)
    valid = [line.rstrip(b"\n") for line in records.lines(n)]
    rejected = typical_rejections(valid)
    with tempfile.TemporaryDirectory() as tmp:
        files = {}
        for name, lines in (("accepted", valid), ("rejected", rejected)):
            for count in (n, small):
                path = Path(tmp) / f"{name}-{count}.jsonl"
                path.write_bytes(b"\n".join(lines[:count]) + b"\n")
                files[name, count] = path
        best = dict.fromkeys(files, float("inf"))
        for _ in range(args.rounds):
            for key, path in files.items():
                best[key] = min(best[key], batch_time(path))
    per = {name: (best[name, n] - best[name, small]) / (n - small) for name in ("accepted", "rejected")}
    print(f"backpain assess, per record (batches of {n} and {small}, best of {args.rounds} rounds):")
    for name, seconds in per.items():
        print(f"  {name:9} {seconds * 1e6:8.1f} µs")
    print(f"  ratio     {per['rejected'] / per['accepted']:8.2f}  (goal: at most 5)")


if __name__ == "__main__":
    main()
