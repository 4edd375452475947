"""A batch as CSV against the same batch as JSON Lines: throughput and peak memory, side by side.

    .venv/bin/python bench/csv_throughput.py [--records 100000] [--rounds 3] [--redcap]

Writes one set of random valid answer sets (bench/records.py) three ways: JSON Lines, a plain spreadsheet
(`--input-format csv`: a header of contract keys, lists as `a;b`) and, with --redcap, a REDCap export of raw codes
(a column per checkbox option). Then, round by round and interleaved so that each sees the same machine load, it
runs `backpain assess` on each, output to /dev/null, start-up included:

- `--input-format jsonl --format json` (the reference);
- `--input-format csv --format csv`, and `--format json`;
- with --redcap, `--input-format redcap --format csv`.

It prints the best CPU time of each (user and system), records per CPU second, the ratio to JSON Lines (goal:
at least 0.5), and the peak resident set size of each run (from os.wait4; flat memory: about the same for
1,000 records as for 100,000, which --small sets).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import records  # noqa: E402

from backpain_cli.core.questionnaire import QUESTIONS  # noqa: E402


def _cell(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def write_all(n: int, folder: Path) -> dict[str, Path]:
    """The same records as JSON Lines, a plain spreadsheet and a REDCap export."""
    paths = {kind: folder / f"answers.{kind}" for kind in ("jsonl", "csv", "redcap")}
    plain_header = ["id"]
    redcap_header = ["record_id"]
    for q in QUESTIONS:
        if q.kind == "startback":
            cols = [f"{q.key}_{f.key}" for f in q.fields]
            plain_header += cols
            redcap_header += cols
        elif q.kind == "multi":
            plain_header.append(q.key)
            redcap_header += [f"{q.key}___{c}" for c in (*q.values, *(() if q.min_items else ("none",)))]
        elif q.kind != "id":
            plain_header.append(q.key)
            redcap_header.append(q.key)
    with (
        paths["jsonl"].open("wb") as jf,
        paths["csv"].open("w", newline="") as cf,
        paths["redcap"].open("w", newline="") as rf,
    ):
        plain, redcap = csv.writer(cf), csv.writer(rf)
        plain.writerow(plain_header)
        redcap.writerow(redcap_header)
        for line in records.lines(n):
            jf.write(line)
            a = json.loads(line)
            p_row, r_row = [a.get("id", "")], [a.get("id", "")]
            for q in QUESTIONS:
                v = a.get(q.key)
                if q.kind == "id":
                    continue
                if q.kind == "startback":
                    cells = ["", ""] if v is None else [str(v["total"]), str(v["psychosocial"])]
                    p_row += cells
                    r_row += cells
                elif q.kind == "multi":
                    p_row.append("" if v is None else ";".join(v) or "none")
                    codes = (*q.values, *(() if q.min_items else ("none",)))
                    ticked = set(v or ())
                    r_row += ["1" if c in ticked or (c == "none" and v == []) else "0" for c in codes]
                elif q.kind == "boolean":
                    p_row.append(_cell(v))
                    r_row.append("" if v is None else str(int(v)))
                else:
                    p_row.append(_cell(v))
                    r_row.append(_cell(v))
            plain.writerow(p_row)
            redcap.writerow(r_row)
    return paths


def timed(cmd: list[str], stdin: Path) -> tuple[float, float]:
    """CPU seconds (user and system: on a shared machine, wall time says more about the neighbours than about
    backpain), and peak RSS in MB, of one run with `stdin` as its input."""
    with stdin.open("rb") as f:
        proc = subprocess.Popen(cmd, stdin=f, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        _, _, usage = os.wait4(proc.pid, 0)
        proc.returncode = 0
        return usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--small", type=int, default=1_000, help="records of the small run, for memory")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--redcap", action="store_true", help="also time a REDCap export")
    args = parser.parse_args()
    base = [sys.executable, "-m", "backpain_cli", "assess"]
    runs = {
        "JSON Lines -> json": ("jsonl", [*base, "--input-format", "jsonl", "--format", "json"]),
        "CSV -> csv": ("csv", [*base, "--input-format", "csv", "--format", "csv"]),
        "CSV -> json": ("csv", [*base, "--input-format", "csv", "--format", "json"]),
    }
    if args.redcap:
        runs["REDCap -> csv"] = ("redcap", [*base, "--input-format", "redcap", "--format", "csv"])
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "small").mkdir()
        small = write_all(args.small, Path(tmp) / "small")
        paths = write_all(args.records, Path(tmp))
        best = dict.fromkeys(runs, float("inf"))
        peak = dict.fromkeys(runs, 0.0)
        for _ in range(args.rounds):
            for name, (kind, cmd) in runs.items():
                seconds, mb = timed(cmd, paths[kind])
                best[name] = min(best[name], seconds)
                peak[name] = max(peak[name], mb)
        small_peak = {name: timed(cmd, small[kind])[1] for name, (kind, cmd) in runs.items()}
        sizes = {kind: path.stat().st_size / 1e6 for kind, path in paths.items()}
    print(
        f"{args.records:,} records, best of {args.rounds} rounds; files: "
        + ", ".join(f"{k} {v:.1f} MB" for k, v in sizes.items())
    )
    reference = best["JSON Lines -> json"]
    for name, seconds in best.items():
        print(
            f"  {name:20} {seconds:7.2f} s CPU  {args.records / seconds:9,.0f} records/s"
            f"  ratio {reference / seconds:.2f}"
            f"  peak {peak[name]:6.1f} MB ({small_peak[name]:.1f} MB for {args.small:,})"
        )
    print("ratio = throughput / JSON Lines' throughput (goal >= 0.5)")


if __name__ == "__main__":
    main()
