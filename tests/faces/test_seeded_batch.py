"""Byte for byte: a large seeded batch gives exactly the output saved from the code before (tests/data/
make_seeded_batch.py made both files), in one process and with --jobs 2. No timing here: benchmarks are in
bench/."""

from __future__ import annotations

import gzip
import io
from pathlib import Path

import pytest

from backpain_cli.faces.batch import run
from backpain_cli.io.env import Environment

DATA = Path(__file__).resolve().parent.parent / "data"


def run_batch(data: bytes, jobs: int) -> bytes:
    out, err = io.BytesIO(), io.StringIO()
    env = Environment(io.BytesIO(data), out, err, False, False, False)
    run(env, env.stdin, "json", None, jobs)
    return out.getvalue()


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_seeded_batch_gives_the_saved_output_byte_for_byte(jobs: int) -> None:
    given = gzip.decompress((DATA / "seeded_batch.in.jsonl.gz").read_bytes())
    expected = gzip.decompress((DATA / "seeded_batch.out.jsonl.gz").read_bytes()).splitlines(keepends=True)
    got = run_batch(given, jobs).splitlines(keepends=True)
    assert len(got) == len(expected)
    for i, (g, e) in enumerate(zip(got, expected, strict=True)):
        assert g == e, f"record {i + 1} differs"
