"""Start-up of one JSON assessment against the framework's floor, side by side.

    .venv/bin/python bench/startup_json.py [--runs 21]

Times `backpain assess --format json < one.json` and `python bench/floor_json.py assess --format json <
one.json` (a one-command typer app that only reads and writes the JSON: the least any typer CLI can take),
interleaved run by run so that both see the same machine load, and prints the median wall time of each and
their ratio. The goal: backpain within 1.3x the floor. It also lists any module of rich, questionary or
prompt_toolkit that JSON mode imported (there should be none).
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
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

ANSWERS = json.loads((ROOT / "tests" / "vignettes.jsonl").read_text().splitlines()[0])["answers"]


def wall(cmd: list[str], stdin_path: str) -> float:
    with open(stdin_path, "rb") as stdin:
        start = time.perf_counter()
        subprocess.run(cmd, stdin=stdin, stdout=subprocess.DEVNULL, check=True)
        return time.perf_counter() - start


def compile_package() -> None:
    """Compile backpain_cli's bytecode first, as `pip install` does for an installed package: an editable
    install under PYTHONDONTWRITEBYTECODE=1 would otherwise compile every module on every run, a cost no
    installed copy pays (about 10 ms here)."""
    import compileall

    import backpain_cli

    compileall.compile_dir(str(Path(backpain_cli.__file__).parent), quiet=1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    python = sys.executable
    compile_package()
    backpain = str(Path(python).with_name("backpain"))
    ours = [backpain, "assess", "--format", "json"] if os.path.exists(backpain) else [python, "-m", "backpain_cli"]
    if ours[0] == python:
        ours += ["assess", "--format", "json"]
    floor = [python, str(HERE / "floor_json.py"), "assess", "--format", "json"]
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(ANSWERS, f, indent=2)
    try:
        for cmd in (ours, floor):  # warm the caches (bytecode, page cache)
            wall(cmd, f.name)
        times: dict[str, list[float]] = {"backpain": [], "floor": []}
        for _ in range(args.runs):
            times["backpain"].append(wall(ours, f.name))
            times["floor"].append(wall(floor, f.name))
        with open(f.name, "rb") as stdin:
            imported = subprocess.run(
                [python, "-X", "importtime", "-m", "backpain_cli", "assess", "--format", "json"],
                stdin=stdin,
                capture_output=True,
                text=True,
                check=True,
            ).stderr
    finally:
        os.unlink(f.name)
    ours_ms = statistics.median(times["backpain"]) * 1000
    floor_ms = statistics.median(times["floor"]) * 1000
    print(f"backpain assess --format json: median {ours_ms:.1f} ms over {args.runs} runs")
    print(f"floor_json.py (typer floor):   median {floor_ms:.1f} ms over {args.runs} runs")
    print(f"ratio: {ours_ms / floor_ms:.2f}x (goal: at most 1.30x)")
    heavy = sorted(
        {
            line.split("|")[-1].strip()
            for line in imported.splitlines()
            if line.split("|")[-1].strip().split(".")[0] in ("rich", "questionary", "prompt_toolkit")
        }
    )
    print("rich/questionary/prompt_toolkit imported:", ", ".join(heavy) if heavy else "none")


if __name__ == "__main__":
    main()
