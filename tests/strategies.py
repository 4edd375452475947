"""Hypothesis strategies for valid answers, built from the one questionnaire definition."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from backpain_cli.core.questionnaire import QUESTIONS, Question


def _value(q: Question, ids: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[Any]:
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
        return st.sampled_from(q.values)
    if q.kind == "multi":
        return st.lists(st.sampled_from(q.values), unique=True, min_size=q.min_items)
    if q.kind == "id":
        return ids if ids is not None else st.one_of(st.text(max_size=20), st.integers(-(10**12), 10**12))
    return st.integers(0, 9).flatmap(lambda total: st.fixed_dictionaries(
        {"total": st.just(total), "psychosocial": st.integers(0, min(5, total))}))  # fmt: skip


def answers(ids: st.SearchStrategy[Any] | None = None) -> st.SearchStrategy[dict[str, Any]]:
    """Valid answer sets; `ids` replaces the strategy for the optional `id`."""
    required = {q.key: _value(q) for q in QUESTIONS if q.required}
    optional = {q.key: _value(q, ids) for q in QUESTIONS if not q.required}
    return st.fixed_dictionaries(required, optional=optional)
