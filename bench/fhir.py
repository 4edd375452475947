"""FHIR NDJSON against JSON Lines: throughput and peak memory of the same records, read as QuestionnaireResponses.

    .venv/bin/python bench/fhir.py [--records 20000] [--large 200000]

Writes N random valid answer sets (bench/records.py) twice to temporary files, as JSON Lines and as NDJSON of
QuestionnaireResponses to the emitted Questionnaire, then times `backpain assess` over each (JSON out, and FHIR
Bundles out for the NDJSON), output to /dev/null, and reads each run's peak resident set size from os.wait4.
With --large it also runs the FHIR path over that many records, fed through a pipe, to show memory stays flat.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import records  # noqa: E402

from backpain_cli.core.fhir import NONE, questionnaire  # noqa: E402

Q = questionnaire()
VALUE = {"integer": "valueInteger", "decimal": "valueDecimal", "boolean": "valueBoolean"}


def _item(item: dict[str, Any], value: Any) -> dict[str, Any]:
    if item["type"] == "group":
        return {"linkId": item["linkId"], "item": [_item(c, value[c["linkId"].split(".")[1]]) for c in item["item"]]}
    if item["type"] == "choice":
        system = item["answerOption"][0]["valueCoding"]["system"]
        codes = (value or [NONE]) if item.get("repeats") else [value]
        return {"linkId": item["linkId"], "answer": [{"valueCoding": {"system": system, "code": c}} for c in codes]}
    return {"linkId": item["linkId"], "answer": [{VALUE[item["type"]]: value}]}


def response(answers: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "resourceType": "QuestionnaireResponse",
        "questionnaire": f"{Q['url']}|{Q['version']}",
        "status": "completed",
    }
    if "id" in answers:
        out["identifier"] = {"value": str(answers["id"])}
    out["item"] = [_item(i, answers[i["linkId"]]) for i in Q["item"] if i["linkId"] in answers]
    return out


def lines(n: int, fhir: bool) -> Iterator[bytes]:
    rng = random.Random(7)
    for i in range(n):
        a = records.record(rng, i)
        yield (json.dumps(response(a) if fhir else a) + "\n").encode()


def run(args: list[str], feed: Path | Iterator[bytes]) -> tuple[float, float, int]:
    """(seconds, peak RSS in MB, exit status) of `backpain assess ARGS`, fed from a file or a generator."""
    start = time.perf_counter()
    stdin = feed.open("rb") if isinstance(feed, Path) else subprocess.PIPE
    proc = subprocess.Popen(
        [sys.executable, "-m", "backpain_cli", "assess", *args],
        stdin=stdin,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    if not isinstance(feed, Path):
        assert proc.stdin is not None
        for chunk in feed:
            proc.stdin.write(chunk)
        proc.stdin.close()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    return time.perf_counter() - start, usage.ru_maxrss / 1024, proc.returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=20000)
    parser.add_argument("--large", type=int, default=0)
    opts = parser.parse_args()
    n = opts.records
    with tempfile.TemporaryDirectory() as tmp:
        jsonl, ndjson = Path(tmp, "answers.jsonl"), Path(tmp, "QuestionnaireResponse.ndjson")
        for path, fhir in ((jsonl, False), (ndjson, True)):
            with path.open("wb") as f:  # line by line: a large parent would show in the child's peak (fork)
                f.writelines(lines(n, fhir))
        sizes = f"JSON Lines {jsonl.stat().st_size / 1e6:.1f} MB, NDJSON {ndjson.stat().st_size / 1e6:.1f} MB"
        print(f"{n} records: {sizes}")
        for name, args, feed in (
            ("JSON Lines in, JSON out", ["--format", "json"], jsonl),
            ("FHIR NDJSON in, JSON out", ["--input-format", "fhir", "--format", "json"], ndjson),
            ("FHIR NDJSON in, FHIR out", ["--input-format", "fhir", "--format", "fhir"], ndjson),
        ):
            seconds, peak, status = run(args, feed)
            print(f"  {name:<26} {n / seconds:9,.0f} records/s  peak {peak:6.1f} MB  exit {status}")
    if opts.large:
        seconds, peak, status = run(["--input-format", "fhir", "--format", "fhir"], lines(opts.large, fhir=True))
        print(f"{opts.large} records piped, FHIR in and out: {opts.large / seconds:,.0f} records/s, peak {peak:.1f} MB")


if __name__ == "__main__":
    main()
