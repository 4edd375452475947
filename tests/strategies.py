"""Hypothesis strategies for valid answers, built from the one questionnaire definition."""

from __future__ import annotations

import random
from functools import cache
from typing import Any

from hypothesis import strategies as st

from backpain_cli.core.questionnaire import BY_KEY, QUESTIONS, Question

#: The values that answers-contract version 2 added (marked *(v2)* there). Everything else is version 1.
V2_VALUES: dict[str, frozenset[str]] = {
    "red_flags": frozenset(
        {
            "chest_pain_or_breathlessness",
            "fainting_or_collapse",
            "abdominal_pain_or_pulsing",
            "severe_headache_or_stiff_neck",
            "stroke_like_symptoms",
            "urinary_pain_or_blood",
        }
    ),
    "risk_factors": frozenset({"diabetes", "recent_spine_procedure_or_hospital_stay", "aortic_aneurysm"}),
    "weakness": frozenset({"known_stable"}),
    "pattern": frozenset({"same_whatever_position"}),
}


def values(key: str, version: int = 2) -> tuple[str, ...]:
    """The allowed values of a choice or list question, in questionnaire order, for a contract version."""
    excluded = V2_VALUES.get(key, frozenset()) if version == 1 else frozenset()
    return tuple(v for v in BY_KEY[key].values if v not in excluded)


def subsets(choices: tuple[str, ...], min_items: int = 0) -> st.SearchStrategy[list[str]]:
    """Any subset, in questionnaire order: one integer drawn as a bit mask (much faster to generate than
    unique lists, and it shrinks towards fewer and earlier values)."""
    assert min_items <= 1, "a mask with a lower bound only guarantees one item"
    return st.integers(min_items, (1 << len(choices)) - 1).map(
        lambda m: [c for i, c in enumerate(choices) if m >> i & 1]
    )


def few(choices: tuple[str, ...], most: int) -> st.SearchStrategy[list[str]]:
    """A subset of at most `most` values, each slot empty about half the time."""
    n = len(choices)
    slots = st.tuples(*[st.integers(0, 2 * n - 1)] * most)
    return slots.map(lambda ix: [c for i, c in enumerate(choices) if i in ix])


def _value(q: Question, ids: st.SearchStrategy[Any] | None = None, version: int = 2) -> st.SearchStrategy[Any]:
    if q.kind == "integer":
        return st.integers(int(q.minimum or 0), int(q.maximum or 0))
    if q.kind == "number":
        lo, hi = q.minimum or 0, q.maximum or 0
        # Mostly the weeks that matter (policy thresholds sit under 52), sometimes the whole range.
        return st.one_of(
            st.integers(0, 60),
            st.floats(0, 60, allow_nan=False, allow_infinity=False),
            st.floats(lo, hi, allow_nan=False, allow_infinity=False),
        )
    if q.kind == "boolean":
        return st.booleans()
    if q.kind == "choice":
        return st.sampled_from(values(q.key, version))
    if q.kind == "multi":
        return subsets(values(q.key, version), q.min_items)
    if q.kind == "id":
        return ids if ids is not None else st.one_of(st.text(max_size=20), st.integers(-(10**12), 10**12))
    return st.tuples(st.integers(0, 9), st.integers(0, 5)).map(
        lambda tp: {"total": tp[0], "psychosocial": min(tp[0], tp[1])}
    )


def answers(ids: st.SearchStrategy[Any] | None = None, version: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Valid answer sets; `ids` replaces the strategy for the optional `id`; `version=1` keeps to the values
    of answers-contract version 1 (a record saved before 2026.2)."""
    required = {q.key: _value(q, None, version) for q in QUESTIONS if q.required}
    optional = {q.key: _value(q, ids, version) for q in QUESTIONS if not q.required}
    return st.fixed_dictionaries(required, optional=optional)


# Values on and either side of every threshold in policies 2026.1 and 2026.2.
EDGES: dict[str, list[Any]] = {
    "age": [16, 39, 40, 41, 44, 45, 46, 49, 50, 51, 59, 60, 61, 64, 65, 66, 69, 70, 71, 120],
    "duration_weeks": [0, 0.5, 0.99, 1, 1.01, 1.99, 2, 2.01, 3.99, 4, 5.99, 6, 6.01, 11.99, 12, 12.01, 52, 60],
    "pain_intensity": [0, 5, 6, 7, 8, 9, 10],
    "activity_interference": [0, 4, 5, 7, 8, 10],
    "pain_areas": [["neck"], ["mid_back"], ["low_back"], ["mid_back", "neck"], ["low_back", "mid_back"]],
    "onset": ["sudden", "after_minor_injury", "after_major_injury", "after_lifting_or_strain", "gradual"],
}
#: At most this many values for the lists on the edges: a long list of red flags is nearly always an
#: emergency, which hides every urgent, specialist and primary-care rule.
FEW = {"red_flags": 2, "risk_factors": 2, "radiating_pain": 1, "past_two_weeks": 3, "pattern": 2, "treatments_tried": 2}


@cache
def _edgy(version: int) -> st.SearchStrategy[dict[str, Any]]:
    def edge(q: Question) -> st.SearchStrategy[Any]:
        if q.key in EDGES:
            return st.sampled_from(EDGES[q.key])
        if q.key in FEW:
            return few(values(q.key, version), FEW[q.key])
        return _value(q, None, version)

    def either(q: Question) -> st.SearchStrategy[Any]:
        # The edge three times in four (one_of picks its branches evenly).
        return st.one_of(edge(q), edge(q), edge(q), _value(q, None, version))

    required = {q.key: either(q) for q in QUESTIONS if q.required}
    optional = {q.key: either(q) for q in QUESTIONS if not q.required and q.key not in ("id", "startback")}
    return st.fixed_dictionaries(required, optional={**optional, "startback": _value(BY_KEY["startback"])})


def edgy_answers(version: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """Valid answers pushed onto the policy's edges: threshold ages, weeks and scores, short lists of red flags
    and risk factors (so that the urgent, specialist and primary-care rules are not all hidden behind an
    emergency), and the combinations the new rules look for (neck or mid back, a minor injury, sudden onset,
    known weakness, a pain the same whatever the position). Structured, so a failure shrinks well."""
    return _edgy(version)


#: Red flags that no rule makes an emergency on their own.
URGENT_FLAGS = frozenset(
    {
        "fever_or_chills",
        "unexplained_weight_loss",
        "constant_night_pain",
        "hand_clumsiness_or_unsteady_walking",
        "abdominal_pain_or_pulsing",
        "urinary_pain_or_blood",
    }
)


def _swept(seed: int, version: int) -> dict[str, Any]:
    rnd = random.Random(seed)
    a: dict[str, Any] = {}
    for q in QUESTIONS:
        if q.kind in ("id", "startback"):
            continue
        if not q.required and rnd.random() < 0.5:
            continue
        choices = values(q.key, version) if q.kind in ("choice", "multi") else ()
        if q.key in EDGES and rnd.random() < 0.75:
            a[q.key] = rnd.choice(EDGES[q.key])
        elif q.kind == "integer":
            a[q.key] = rnd.randint(int(q.minimum or 0), int(q.maximum or 0))
        elif q.kind == "number":
            a[q.key] = rnd.choice([rnd.randint(0, 60), rnd.uniform(0, 60), rnd.uniform(0, q.maximum or 0)])
        elif q.kind == "boolean":
            a[q.key] = rnd.random() < 0.5
        elif q.kind == "choice":
            # The first value (no weakness, gradual onset, improving...) as often as the others together.
            a[q.key] = rnd.choice(choices) if rnd.random() < 0.5 else choices[0]
        elif q.key in FEW and rnd.random() < 0.97:
            k = min(FEW[q.key], rnd.choice([0, 0, 0, 0, 0, 1, 1, 2, 3]))
            a[q.key] = sorted(rnd.sample(choices, k), key=choices.index)
        else:
            a[q.key] = [c for c in choices if rnd.random() < 0.5] or list(choices[: q.min_items])
    scenario = rnd.random()
    if scenario < 0.1:  # a neck injury (E11, U12)
        a["pain_areas"] = sorted({*a["pain_areas"], "neck"})
        a["onset"] = "after_minor_injury"
        a["age"] = rnd.choice([40, 64, 65, 66, 80])
        a["duration_weeks"] = rnd.choice([0, 0.5, 0.99, 1, 1.01, 5.99, 6])
    elif scenario < 0.2:  # sudden severe pain (E10, U3)
        a["onset"] = "sudden"
        a["pain_intensity"] = rnd.choice([7, 8, 9])
        a["age"] = rnd.choice([59, 60, 61, 69, 70, 75])
        a["duration_weeks"] = rnd.choice([0, 0.5, 0.99, 1, 1.5, 11.99, 12])
    elif scenario < 0.25:  # inflammatory back pain (S3)
        a["onset"] = "gradual"
        a["age"] = rnd.randint(20, 50)
        a["duration_weeks"] = rnd.choice([12, 26, 52, 104, 300])
        a["pattern"] = rnd.sample(["better_with_exercise", "not_better_with_rest", "night_pain_eases_on_getting_up"], 2)
    elif scenario < 0.3 and version == 2:  # belly pain or a known aneurysm (E8, U10)
        belly = ["abdominal_pain_or_pulsing"]
        a["red_flags"] = rnd.choice([belly, [], [*belly, "urinary_pain_or_blood"]])
        a["risk_factors"] = rnd.choice([["aortic_aneurysm"], []])
        a["age"] = rnd.choice([49, 50, 51, 70])
        a["duration_weeks"] = rnd.choice([0, 5.99, 6, 12])
    elif scenario < 0.45:  # nothing that is always an emergency: the urgent rules and `within` side by side
        quiet = [f for f in values("red_flags", version) if f in URGENT_FLAGS]
        a["red_flags"] = rnd.sample(quiet, rnd.choice([0, 0, 1, 1, 2]))
        a["risk_factors"] = rnd.sample(values("risk_factors", version), rnd.choice([0, 1, 1, 2]))
        a["weakness"] = rnd.choice([w for w in values("weakness", version) if w != "worsening"])
        a["numbness_tingling"] = rnd.random() < 0.2
        a["radiating_pain"] = rnd.choice([[], [], ["buttock_or_thigh"], ["below_knee"]])
        a["pain_areas"] = rnd.choice([["low_back"], ["low_back"], ["mid_back"], ["neck"]])
        a["trend"] = rnd.choice(values("trend", version))
    elif scenario < 0.5:  # cancer without nerve signs: U2, today or within 48 hours
        a["risk_factors"] = ["cancer_history"]
        a["red_flags"] = rnd.choice([[], [], ["constant_night_pain"], ["unexplained_weight_loss"]])
        a["weakness"] = rnd.choice([w for w in ("none", "none", "known_stable") if w in values("weakness", version)])
        a["numbness_tingling"] = False
        a["radiating_pain"] = rnd.choice([[], ["buttock_or_thigh"]])
        a["pain_areas"] = rnd.choice([["low_back"], ["low_back"], ["mid_back"], ["neck"], ["low_back", "neck"]])
        a["trend"] = rnd.choice(values("trend", version))
    elif scenario < 0.55:  # fever, or an infection risk without it (E4, U1, U9)
        a["red_flags"] = rnd.choice([["fever_or_chills"], ["fever_or_chills"], [], ["constant_night_pain"]])
        a["risk_factors"] = rnd.sample(values("risk_factors", version), rnd.choice([0, 1, 1]))
        a["weakness"] = rnd.choice(values("weakness", version)[:-1])
        a["numbness_tingling"] = rnd.random() < 0.2
    if rnd.random() < 0.25:
        total = rnd.randint(0, 9)
        a["startback"] = {"total": total, "psychosocial": rnd.randint(0, min(5, total))}
    return a


def swept_answers(version: int = 2) -> st.SearchStrategy[dict[str, Any]]:
    """The same edges as `edgy_answers`, built from one drawn seed: many times cheaper to generate, so the
    comparison with the reference can cover thousands of answer sets in seconds; a failure does not shrink,
    but hypothesis still shows the whole answer set."""
    return st.builds(_swept, st.integers(0, 2**64 - 1), st.just(version))
