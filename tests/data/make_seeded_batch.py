"""Make the seeded batch that tests/faces/test_seeded_batch.py replays: its input (tests/data/seeded_batch.in.jsonl.gz)
and the output the engine gave for it (tests/data/seeded_batch.out.jsonl.gz), so that any change to the engine,
the decoding or the batch loop is checked byte for byte against what the code gave before.

    .venv/bin/python tests/data/make_seeded_batch.py [--input-only]

Regenerate the output only when a change of output is intended, and say so in the commit.
The input is random valid records from bench/records.py (two seeds: one at the benchmark's rates, one with
warning signs far more frequent, so that every rule fires many times), with rejected records mixed in.
"""

from __future__ import annotations

import gzip
import io
import json
import random
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))

import records  # noqa: E402

INPUT = HERE / "seeded_batch.in.jsonl.gz"
OUTPUT = HERE / "seeded_batch.out.jsonl.gz"


def broken(rng: random.Random, rec: dict[str, object], i: int) -> bytes:
    """One rejected record, of one of several kinds."""
    kind = i % 8
    bad = dict(rec)
    if kind == 0:
        bad["age"] = 200
    elif kind == 1:
        bad["surprise"] = True
    elif kind == 2:
        del bad["pain_intensity"]
    elif kind == 3:
        bad["red_flags"] = ["saddle_numbness", "not_a_flag"]
    elif kind == 4:
        return json.dumps(bad).encode()[:-7]  # cut short: not JSON
    elif kind == 5:
        text = json.dumps(bad).encode()
        return text[:-1] + b', "age": 30}'  # a key given twice
    elif kind == 6:
        bad["trend"] = "sideways"
        bad["red_flags"] = ["fever_or_chills"]
    else:
        bad["duration_weeks"] = "three"
    return json.dumps(bad).encode()


def make_input() -> bytes:
    out = io.BytesIO()
    out.writelines(records.lines(1500, seed=7))
    rng = random.Random(11)
    saved = dict(records.RATE)
    records.RATE.update({"red_flags": 0.15, "risk_factors": 0.25})
    try:
        for i in range(1500):
            rec = records.record(rng, 10_000 + i)
            line = broken(rng, rec, i) if i % 15 == 0 else json.dumps(rec).encode()
            out.write(line + b"\n")
    finally:
        records.RATE.clear()
        records.RATE.update(saved)
    return out.getvalue()


def run_batch(data: bytes, jobs: int = 1) -> bytes:
    from backpain_cli.faces.batch import run
    from backpain_cli.io.env import Environment

    out, err = io.BytesIO(), io.StringIO()
    env = Environment(io.BytesIO(data), out, err, False, False, False)
    run(env, env.stdin, "json", None, jobs)
    return out.getvalue()


def main() -> None:
    if "--input-only" not in sys.argv or not INPUT.exists():
        INPUT.write_bytes(gzip.compress(make_input(), mtime=0, compresslevel=9))
    data = gzip.decompress(INPUT.read_bytes())
    if "--input-only" not in sys.argv:
        OUTPUT.write_bytes(gzip.compress(run_batch(data), mtime=0, compresslevel=9))
    print(f"{INPUT.stat().st_size} + {OUTPUT.stat().st_size} bytes")


if __name__ == "__main__":
    main()
