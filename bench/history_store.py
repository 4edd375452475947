"""What saving and reading the history costs.

    .venv/bin/python bench/history_store.py [--records 2000] [--runs 15]

1. Start-up: `backpain assess -f json` against `backpain assess -f json --save --db TMP` (median wall time of
   fresh processes: the save adds sqlite3, the checks and one fsync'd transaction).
2. A history of N records: open (header, application_id, quick_check) + one save; `history --format json`;
   the text table and chart; `--export json`; deleting one record (with its VACUUM).
Prints numbers; asserts nothing. Everything happens in a temporary directory.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ANSWERS = json.loads((HERE.parent / "tests" / "vignettes.jsonl").read_text().splitlines()[0])["answers"]


def bulk_load(db: Path, records: int) -> None:
    """`records` assessments saved to the history `db` in one transaction (the CLI saves one at a time)."""
    from backpain_cli.core.engine import assess
    from backpain_cli.core.validation import validate
    from backpain_cli.storage.store import open_store

    store = open_store(db)
    assert store is not None
    answers = validate(ANSWERS)
    result = assess(answers)
    with store, store._write() as conn:
        for i in range(records):
            row_answers = dict(answers, pain_intensity=i % 11, id=f"bench-{i}")
            store._insert(conn, store_row(row_answers, result))


def _wall(cmd: list[str], data: bytes, runs: int, env: dict[str, str]) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, input=data, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False, env=env)
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()

    from backpain_cli.core.engine import assess
    from backpain_cli.core.validation import validate
    from backpain_cli.faces.history import render_history
    from backpain_cli.storage.store import open_store

    with tempfile.TemporaryDirectory() as tmp:
        env = {**os.environ, "BACKPAIN_HOME": tmp}
        data = json.dumps(ANSWERS).encode()
        base = [sys.executable, "-m", "backpain_cli", "assess", "-f", "json"]
        plain = _wall(base, data, args.runs, env)
        saving = _wall([*base, "--save", "--db", str(Path(tmp) / "startup.sqlite3")], data, args.runs, env)
        print(f"assess -f json, one record:        {plain:7.1f} ms (median of {args.runs})")
        print(f"assess -f json --save, one record: {saving:7.1f} ms (+{saving - plain:.1f} ms)")

        db = Path(tmp) / "big.sqlite3"
        start = time.perf_counter()
        bulk_load(db, args.records)
        print(
            f"\n{args.records} records loaded in {(time.perf_counter() - start) * 1000:.0f} ms; "
            f"file {db.stat().st_size / 1e6:.1f} MB"
        )

        answers = validate(ANSWERS)
        result = assess(answers)
        start = time.perf_counter()
        store = open_store(db)
        assert store is not None
        opened = time.perf_counter() - start
        with store:
            start = time.perf_counter()
            store.save(answers, result)
            saved = time.perf_counter() - start
            start = time.perf_counter()
            records = store.records()
            read = time.perf_counter() - start
            start = time.perf_counter()
            full = store.records(full=True)
            read_full = time.perf_counter() - start
            start = time.perf_counter()
            render_history(records, 80, color=False)
            rendered = time.perf_counter() - start
            start = time.perf_counter()
            store.delete(records[len(records) // 2].id)
            deleted = time.perf_counter() - start
        print(f"open + checks (quick_check):       {opened * 1000:7.1f} ms")
        print(f"one save (BEGIN IMMEDIATE..COMMIT): {saved * 1000:7.1f} ms")
        print(f"read summaries:                    {read * 1000:7.1f} ms")
        print(f"read with answers and results:     {read_full * 1000:7.1f} ms ({len(full)} records)")
        print(f"text table + chart:                {rendered * 1000:7.1f} ms")
        print(f"delete one (+ VACUUM):             {deleted * 1000:7.1f} ms")
        hist = [sys.executable, "-m", "backpain_cli", "history", "--db", str(db)]
        print(f"history --format json (process):   {_wall([*hist, '-f', 'json'], b'', 3, env):7.1f} ms")
        print(f"history --format text (process):   {_wall([*hist, '-f', 'text'], b'', 3, env):7.1f} ms")


def store_row(answers: dict[str, object], result: dict[str, object]) -> dict[str, object]:
    scores: dict[str, object] = result["scores"]  # type: ignore[assignment]
    return {
        "created_at": "2026-01-01T00:00:00Z",
        "policy_version": result["policy_version"],
        "contract_version": 1,
        "level": result["level"],
        "pain_impact": scores["pain_impact"],
        "pain_intensity": answers["pain_intensity"],
        "enjoyment_interference": answers["enjoyment_interference"],
        "activity_interference": answers["activity_interference"],
        "risk_group": scores["risk_group"],
        "duration": scores["duration"],
        "duration_weeks": answers["duration_weeks"],
        "answers": json.dumps(answers),
        "result": json.dumps(result),
    }


if __name__ == "__main__":
    main()
