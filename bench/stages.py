"""Where batch time goes, stage by stage, beside the I/O floor: the evidence for what bench/throughput.py measures
end to end.

    .venv/bin/python bench/stages.py [--records 20000] [--rounds 3]

In one process, over the same random records (bench/records.py), it times per record:

- the floor: msgspec decoding each line plus msgspec encoding its result (what any program must pay to read each
  record and write its result with the fastest JSON library in CPython);
- decode + validate: the batch's fast path (`decoding.fast_answers`), answers as the engine takes them;
- assess: the engine (`engine.assess`): derived values, every rule, and the result with its reasons in words;
- encode: the result as one JSON line (msgspec, as the JSON output does).

Results are dropped as they are made, as in a real batch, so that garbage collection costs what it costs there.
Best of --rounds for each stage, in CPU time (`time.process_time`: steadier than wall time on a loaded machine),
with the spread (the worst round) beside it.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import msgspec  # noqa: E402
import records  # noqa: E402

from backpain_cli.core.engine import assess  # noqa: E402
from backpain_cli.io.decoding import fast_answers  # noqa: E402


def per_record(items: list[Any], stage: Callable[[Any], Any], rounds: int) -> tuple[float, float]:
    """The best and the worst of `rounds`, in µs of CPU time a record."""
    times = []
    for _ in range(rounds):
        start = time.process_time()
        for item in items:
            stage(item)
        times.append(time.process_time() - start)
    return min(times) / len(items) * 1e6, max(times) / len(items) * 1e6


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    lines = list(records.lines(args.records))
    answers = [fast_answers(line) for line in lines]
    if any(a is None for a in answers):
        sys.exit("a generated record left the fast path: bench/records.py and the questionnaire disagree")
    results = [assess(a) for a in answers]  # type: ignore[arg-type]
    encode = msgspec.json.Encoder().encode
    size_in = sum(map(len, lines)) / len(lines)
    size_out = sum(len(encode(r)) + 1 for r in results) / len(results)
    decode = msgspec.json.Decoder().decode

    def floor_stage(i: int) -> None:
        decode(lines[i])
        encode(results[i])

    floor, floor_worst = per_record(list(range(len(lines))), floor_stage, args.rounds)
    stages = {
        "decode + validate": per_record(lines, fast_answers, args.rounds),
        "assess": per_record(answers, assess, args.rounds),
        "encode": per_record(results, encode, args.rounds),
    }
    print(
        f"{len(lines)} records, {size_in:.0f} bytes in and {size_out:.0f} bytes out each, best (worst) of {args.rounds}"
    )
    print(f"  {'floor: decode + encode':24} {floor:6.2f} µs a record ({floor_worst:.2f})")
    for name, (micros, worst) in stages.items():
        print(f"  {name:24} {micros:6.2f} µs a record ({worst:.2f})  {micros / floor:.2f}x the floor")
    total = sum(best for best, _ in stages.values())
    print(f"  {'sum of the stages':24} {total:6.2f} µs a record         {total / floor:.2f}x the floor")


if __name__ == "__main__":
    main()
