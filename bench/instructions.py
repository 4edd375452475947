"""Where batch time goes, counted in machine instructions rather than seconds: the same stages as bench/stages.py,
each run under valgrind's callgrind, which counts the instructions executed. On a shared or virtual machine, where
wall and CPU times vary by a fifth from one run to the next, the counts do not move, so a change of a few percent
can be seen and kept or dropped with confidence.

    .venv/bin/python bench/instructions.py [--records 1000] [stage ...]
    .venv/bin/python bench/instructions.py --batch 50000

With --batch N: the whole command (`backpain assess` on N random records, less its run on one record, as
bench/throughput.py leaves start-up out) against the floor of bench/throughput.py over the same file, both with
PYTHONHASHSEED=0. This is the time goal's ratio in instructions, and follows it closely; about 5 minutes for
50,000 records.

Stages: floor (msgspec decoding each line and encoding its result, as the floor of bench/throughput.py), decode
(the batch's fast path, `decoding.fast_answers`), facts, evaluate (the compiled rules, with signatures), assess
(the whole engine), encode (a result as one JSON line), pipeline (decode, assess and encode one line). Each runs
over random records (bench/records.py) after 500 records that warm the engine's caches, as a long batch has them;
only the stage itself is counted (collection is on inside functools.reduce, which drives it). Needs valgrind
(`apt install valgrind`); about 20 seconds a stage, two at a time. Instructions are not time (a memory copy does
more per instruction than the interpreter), so the time goals are still checked with bench/throughput.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
STAGES = ("floor", "decode", "facts", "evaluate", "assess", "encode", "pipeline")
#: The whole command against the floor of bench/throughput.py, over the same file (--batch N).
BATCH_STAGES = ("batch floor", "batch")
WARM = 500


def child(stage: str, n: int) -> None:
    """Run `stage` over `n` records, with nothing else inside functools.reduce (what callgrind counts)."""
    sys.path.insert(0, str(HERE))
    sys.path.insert(0, str(HERE.parent))
    from functools import reduce

    import msgspec
    import records

    from backpain_cli.core import engine
    from backpain_cli.core.engine import assess
    from backpain_cli.core.policy import Facts, evaluate_with
    from backpain_cli.io.decoding import fast_answers

    lines = list(records.lines(WARM + n))
    answers = [fast_answers(line) for line in lines]
    results = [assess(a) for a in answers]  # type: ignore[arg-type]  # also warms the caches
    facts = [Facts(a) for a in answers]  # type: ignore[arg-type]
    kept, make = engine._KEPT["intl"].get, engine._KEPT["intl"].make
    decode = msgspec.json.Decoder().decode
    encode = msgspec.json.Encoder().encode
    stages: dict[str, Callable[[int], object]] = {
        "floor": lambda i: (decode(lines[i]), encode(results[i])),
        "decode": lambda i: fast_answers(lines[i]),
        "facts": lambda i: Facts(answers[i]),  # type: ignore[arg-type]
        "evaluate": lambda i: evaluate_with(facts[i], kept, make),  # with the reasons kept, as the engine runs it
        "assess": lambda i: assess(answers[i]),  # type: ignore[arg-type]
        "encode": lambda i: encode(results[i]),
        "pipeline": lambda i: encode(assess(fast_answers(lines[i]))) + b"\n",  # type: ignore[arg-type]
    }
    run = stages[stage]
    reduce(lambda _, i: run(i), range(WARM, WARM + n), None)


def floor_child(path: str) -> None:
    """The floor of bench/throughput.py over the file `path`: results made beforehand a chunk at a time, then each
    line decoded and its result encoded and written, with nothing else inside functools.reduce."""
    sys.path.insert(0, str(HERE.parent))
    from functools import reduce

    import msgspec

    from backpain_cli.core.engine import assess
    from backpain_cli.io.decoding import answers

    decode = msgspec.json.Decoder().decode
    encode = msgspec.json.Encoder().encode
    with open(path, "rb") as f, open(os.devnull, "wb") as out:
        while chunk := f.readlines(1 << 22):
            results = [assess(answers(line)) for line in chunk]
            pairs = zip(chunk, results, strict=True)
            reduce(lambda _, pair: (decode(pair[0]), out.write(encode(pair[1]) + b"\n")), pairs, None)


def callgrind(args: list[str], stdin: Path | None = None, toggle: bool = True) -> int:
    cmd = ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null"]
    if toggle:
        cmd += ["--collect-atstart=no", "--toggle-collect=functools_reduce"]
    env = {**os.environ, "PYTHONHASHSEED": "0"}  # the same dict layouts every run
    with open(stdin or os.devnull, "rb") as f:
        out = subprocess.run([*cmd, *args], stdin=f, capture_output=True, text=True, check=True, env=env)
    for line in out.stderr.splitlines():
        if "Collected :" in line:
            return int(line.split()[-1])
    raise RuntimeError(f"no count from callgrind for {args}:\n{out.stderr[-2000:]}")


def count(stage: str, n: int) -> int:
    return callgrind([sys.executable, __file__, "--child", stage, "--records", str(n)])


def count_batch(stage: str, path: Path, one: Path, n: int) -> int:
    """The instructions of a whole batch of `n` records in `path`: the floor's loops, or the command less its
    run on one record (start-up and exit, as bench/throughput.py leaves them out)."""
    if stage == "batch floor":
        return callgrind([sys.executable, __file__, "--floor-child", str(path)])
    command = [sys.executable, "-m", "backpain_cli", "assess", "--format", "json"]
    subprocess.run(command, stdin=one.open("rb"), capture_output=True, check=True)  # byte-compiled first
    return callgrind(command, path, toggle=False) - callgrind(command, one, toggle=False)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("stages", nargs="*", help=f"any of {', '.join(STAGES)} (default: all)")
    parser.add_argument("--records", type=int, default=1000)
    parser.add_argument(
        "--batch",
        type=int,
        metavar="N",
        help="instead: the whole command on N random records against the floor of bench/throughput.py",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--floor-child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.records)
        return
    if args.floor_child:
        floor_child(args.floor_child)
        return
    if args.batch:
        if shutil.which("valgrind") is None:
            sys.exit("bench/instructions.py needs valgrind (apt install valgrind)")
        batch(args.batch)
        return
    unknown = set(args.stages) - set(STAGES)
    if unknown:
        parser.error(f"unknown stage {', '.join(sorted(unknown))}: choose from {', '.join(STAGES)}")
    if shutil.which("valgrind") is None:
        sys.exit("bench/instructions.py needs valgrind (apt install valgrind)")
    stages = args.stages or list(STAGES)
    with ThreadPoolExecutor(2) as pool:
        counts = dict(zip(stages, pool.map(lambda s: count(s, args.records), stages), strict=True))
    floor = counts.get("floor")
    print(f"thousands of instructions a record, over {args.records} records (callgrind)")
    for stage, total in counts.items():
        per = total / args.records / 1000
        ratio = f"  {total / floor:.2f}x the floor" if floor else ""
        print(f"  {stage:10} {per:8.1f}{ratio}")


def batch(n: int) -> None:
    sys.path.insert(0, str(HERE))
    import records

    with tempfile.TemporaryDirectory() as tmp:
        path, one = Path(tmp) / "answers.jsonl", Path(tmp) / "one.jsonl"
        records.write(path, n)
        with path.open("rb") as f:
            one.write_bytes(f.readline())
        with ThreadPoolExecutor(2) as pool:
            found = pool.map(lambda s: count_batch(s, path, one, n), BATCH_STAGES)
            counts = dict(zip(BATCH_STAGES, found, strict=True))
    floor, ours = counts["batch floor"], counts["batch"]
    print(f"thousands of instructions a record, over {n} random records (callgrind; start-up excluded)")
    print(f"  floor (msgspec decode + encode) {floor / n / 1000:8.1f}")
    per = ours / (n - 1)  # the one record's run is left out
    print(f"  backpain assess                 {per / 1000:8.1f}  {per / (floor / n):.2f}x the floor")


if __name__ == "__main__":
    main()
