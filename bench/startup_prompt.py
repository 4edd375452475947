"""Time until the first question shows, in a pseudo-terminal: `backpain assess` against the framework's floor.

The floor (`bench/floor_prompt.py`) is a one-command typer app that imports questionary and asks one question.
Both run in a fresh pseudo-terminal, in interleaved rounds (the order alternates from round to round, so a busy
moment or a warm cache does not favour one side); the clock runs from just before the process is spawned until
its question's text has arrived. Reports the median of each side and the ratio; the goal is at most 1.2.

    .venv/bin/python bench/startup_prompt.py            # 21 rounds
    .venv/bin/python bench/startup_prompt.py --runs 41
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

import pexpect

from backpain_cli.core.questionnaire import QUESTIONS

HERE = Path(__file__).resolve().parent
_first = next(q for q in QUESTIONS if q.interactive)
FIRST = _first.groups[0].prompt if _first.groups else _first.prompt  # what backpain asks first (its first screen)
FLOOR_QUESTION = "How old are you?"  # what floor_prompt.py asks

# `backpain` as a person runs it: the installed console script (run by this same interpreter), else `-m`.
SCRIPT = Path(sys.executable).with_name("backpain")
SIDES: dict[str, tuple[list[str], str]] = {
    "backpain": ([str(SCRIPT), "assess"] if SCRIPT.exists() else ["-m", "backpain_cli", "assess"], FIRST),
    "floor": ([str(HERE / "floor_prompt.py"), "assess"], FLOOR_QUESTION),
}


def time_to_question(args: list[str], question: str) -> float:
    """Seconds from spawning `python args` in a pseudo-terminal until `question` shows."""
    env = {**os.environ, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"}
    start = time.perf_counter()
    child = pexpect.spawn(sys.executable, args, env=env, encoding="utf-8", timeout=30, dimensions=(50, 200))
    try:
        child.expect_exact(question)
        return time.perf_counter() - start
    finally:
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
        child.close()


def compile_package() -> None:
    """Compile backpain_cli's bytecode first, as `pip install` does for an installed package: an editable
    install under PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every run, a cost no
    installed copy pays (about 10 ms here)."""
    import compileall

    import backpain_cli

    compileall.compile_dir(str(Path(backpain_cli.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21, help="interleaved rounds (default 21)")
    parser.add_argument("--warmup", type=int, default=2, help="rounds run first and not counted (default 2)")
    opts = parser.parse_args()

    compile_package()

    times: dict[str, list[float]] = {name: [] for name in SIDES}
    names = list(SIDES)
    for n in range(opts.warmup + opts.runs):
        order = names if n % 2 == 0 else names[::-1]
        for name in order:
            args, question = SIDES[name]
            took = time_to_question(args, question)
            if n >= opts.warmup:
                times[name].append(took)

    medians = {name: statistics.median(ts) for name, ts in times.items()}
    print(f"time to first question, median of {opts.runs} interleaved runs in a pseudo-terminal:")
    for name, ts in times.items():
        print(f"  {name:9} {medians[name] * 1000:7.1f} ms   (min {min(ts) * 1000:.1f}, max {max(ts) * 1000:.1f})")
    ratio = medians["backpain"] / medians["floor"]
    print(f"  ratio     {ratio:7.2f}x the floor (goal <= 1.20x)")


if __name__ == "__main__":
    main()
