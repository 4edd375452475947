"""Random answer sets for the benchmarks: valid, varied, seeded, one JSON line each, drawn from the questionnaire
definition itself (so they stay valid as the questionnaire changes)."""

from __future__ import annotations

import json
import random
import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from backpain_cli.core.questionnaire import QUESTIONS

#: How often each answer in a list is chosen; warning signs are rarer, as in practice.
RATE = {"red_flags": 0.04, "risk_factors": 0.08}


def record(rng: random.Random, i: int) -> dict[str, object]:
    out: dict[str, object] = {}
    for q in QUESTIONS:
        if not q.required and rng.random() < 0.5 and q.kind != "id":
            continue
        if q.kind == "integer":
            out[q.key] = rng.randint(int(q.minimum or 0), min(int(q.maximum or 0), 90))
        elif q.kind == "number":
            out[q.key] = rng.choice([rng.randint(0, 60), round(rng.uniform(0, 60), 1)])
        elif q.kind == "boolean":
            out[q.key] = rng.random() < 0.4
        elif q.kind == "choice":
            out[q.key] = rng.choice(q.values)
        elif q.kind == "multi":
            chosen = [v for v in q.values if rng.random() < RATE.get(q.key, 0.2)]
            out[q.key] = chosen or ([q.values[0]] if q.min_items else [])
        elif q.kind == "id":
            out[q.key] = f"clinic-7/{i:08d}"
        else:
            total = rng.randint(0, 9)
            out[q.key] = {"total": total, "psychosocial": rng.randint(0, min(total, 5))}
    return out


def lines(n: int, seed: int = 2026) -> Iterator[bytes]:
    rng = random.Random(seed)
    for i in range(n):
        yield json.dumps(record(rng, i)).encode() + b"\n"


def write(path: Path, n: int, seed: int = 2026) -> None:
    with path.open("wb") as f:
        f.writelines(lines(n, seed))
