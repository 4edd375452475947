"""The fast decode path and `validation.validate` agree: the fast path accepts only what validate accepts, with
the same answers (same keys, order, values and JSON types), and the combined path accepts exactly what
validate accepts."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpain_cli.core.engine import assess
from backpain_cli.core.questionnaire import QUESTIONS, Question
from backpain_cli.core.validation import InvalidAnswers, validate
from backpain_cli.io.decoding import answers, fast_answers, given_answers
from backpain_cli.io.json_text import Rejected
from tests.conftest import VIGNETTES

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


def _near(q: Question) -> st.SearchStrategy[Any]:
    """Values for `q`: mostly valid, often just outside what is allowed."""
    if q.kind in ("integer", "number"):
        lo, hi = int(q.minimum or 0), int(q.maximum or 0)
        ints = st.integers(lo - 3, hi + 3)
        return ints | ints.map(float) | st.floats(lo - 1, hi + 1, allow_nan=False) | st.sampled_from([True, "5"])
    if q.kind == "boolean":
        return st.booleans() | st.sampled_from([0, 1, "true", None])
    if q.kind == "choice":
        return st.sampled_from([*q.values, "other", "", None, 1])
    if q.kind == "multi":
        return st.lists(st.sampled_from([*q.values, "other"]), max_size=4) | st.sampled_from(["x", None, {}])
    if q.kind == "id":
        return st.text(max_size=8) | st.integers() | st.sampled_from([True, 1.5, None, [], "a:b:c"])
    fields = st.fixed_dictionaries({f.key: _near(f) for f in q.fields}, optional={"extra": st.just(1)})
    return fields | st.sampled_from([None, [], 3])


def _valid(q: Question) -> st.SearchStrategy[Any]:
    if q.kind == "integer":
        return st.integers(int(q.minimum or 0), int(q.maximum or 0))
    if q.kind == "number":
        return st.integers(0, 60) | st.floats(0, q.maximum, allow_nan=False)
    if q.kind == "boolean":
        return st.booleans()
    if q.kind == "choice":
        return st.sampled_from(q.values)
    if q.kind == "multi":
        return st.lists(st.sampled_from(q.values), unique=True, min_size=q.min_items, max_size=4)
    if q.kind == "id":
        return st.text(max_size=8) | st.integers()
    return st.integers(0, 9).flatmap(
        lambda t: st.fixed_dictionaries({"total": st.just(t), "psychosocial": st.integers(0, min(t, 5))})
    )


@st.composite
def records(draw: st.DrawFn) -> Any:
    """Mostly valid records, some with one to three answers changed, dropped or added; a few other JSON."""
    if draw(st.integers(0, 20)) == 0:
        return draw(JSON_VALUES)
    obj: dict[str, Any] = {}
    for q in QUESTIONS:
        if q.required or draw(st.booleans()):
            obj[q.key] = draw(_valid(q))
    for _ in range(draw(st.integers(0, 3))):
        q = draw(st.sampled_from(QUESTIONS))
        change = draw(st.integers(0, 4))
        if change == 0:
            obj.pop(q.key, None)
        elif change == 1:
            obj[draw(st.sampled_from(["agee", "fever_or_chills", "x"]))] = draw(JSON_VALUES)
        else:
            obj[q.key] = draw(_near(q))
    keys = list(obj)
    order = draw(st.permutations(keys))
    return {k: obj[k] for k in order}


@st.composite
def valid_records(draw: st.DrawFn) -> dict[str, Any]:
    """Records that are plainly valid: every required answer and some optional ones, each of its own JSON type
    and in range, in any order."""
    obj = {q.key: draw(_valid(q)) for q in QUESTIONS if q.required or draw(st.booleans())}
    return {k: obj[k] for k in draw(st.permutations(list(obj)))}


def _validated(obj: Any) -> dict[str, Any] | None:
    try:
        return validate(obj)
    except InvalidAnswers:
        return None


@settings(max_examples=400, deadline=None)
@given(obj=records())
def test_fast_path_agrees_with_validate(obj: Any) -> None:
    """Whatever the fast path accepts, validate accepts, with the same answers. A fast path that declined
    everything would pass this: that it takes valid records is checked by the two tests at the end."""
    raw = json.dumps(obj).encode()
    expected = _validated(obj)
    fast = fast_answers(raw)
    if fast is not None:
        assert expected is not None, "the fast path accepted what validate rejects"
        assert msgspec.json.encode(fast) == msgspec.json.encode(expected)  # keys, order, values and types
    given = given_answers(raw)  # the same answers, in the order given
    assert (given is None) == (fast is None)
    if given is not None:
        assert given == fast
    try:
        got = answers(raw)
    except Rejected:
        got = None
    assert (got is None) == (expected is None)
    if got is not None:
        assert msgspec.json.encode(got) == msgspec.json.encode(expected)


@settings(max_examples=150, deadline=None)
@given(obj=records(), data=st.data())
def test_a_repeated_key_is_always_rejected(obj: Any, data: st.DataObject) -> None:
    if not isinstance(obj, dict) or not obj:
        return
    key = data.draw(st.sampled_from(sorted(obj)))
    raw = json.dumps(obj).encode()
    repeated = raw[:-1] + b", " + json.dumps(key).encode() + b": " + json.dumps(obj[key]).encode() + b"}"
    assert fast_answers(repeated) is None
    try:
        answers(repeated)
    except Rejected as exc:
        assert f"{key}: given more than once" in str(exc)
    else:
        raise AssertionError("a repeated key was accepted")


@pytest.mark.parametrize("key", [q.key for q in QUESTIONS if q.kind == "multi"])
def test_a_list_value_given_twice_is_declined_and_rejected(key: str, base_answers: dict[str, Any]) -> None:
    """The lists are checked for a value given twice all together (their values differ from list to list): a
    value twice in any one of them is still caught, and the other lists' values never count against it."""
    question = next(q for q in QUESTIONS if q.key == key)
    value = question.values[-1]
    others = {q.key: list(q.values[:1]) for q in QUESTIONS if q.kind == "multi" and q.key != key}
    once = json.dumps({**base_answers, **others, key: [value]}).encode()
    assert fast_answers(once) is not None
    twice = json.dumps({**base_answers, **others, key: [value, value]}).encode()
    assert fast_answers(twice) is None
    with pytest.raises(Rejected):
        answers(twice)


def test_colons_inside_the_id_do_not_hide_a_repeated_key(base_answers: dict[str, Any]) -> None:
    raw = json.dumps(dict(base_answers, id="a:b")).encode()
    assert fast_answers(raw) is not None
    repeated = raw[:-1] + b', "age": 31}'  # two keys more than... one colon fewer than the id's extra
    assert fast_answers(repeated) is None
    tricky = json.dumps(dict(base_answers, id="a")).encode()[:-1] + b', "age": 99}'
    assert fast_answers(tricky) is None


@settings(max_examples=300, deadline=None)
@given(obj=valid_records())
def test_fast_path_accepts_plainly_valid_records(obj: dict[str, Any]) -> None:
    """The agreement above holds trivially for a fast path that declines everything: it must also take the
    records it is there for, with the answers validate gives."""
    expected = validate(obj)
    fast = fast_answers(json.dumps(obj).encode())
    assert fast is not None, "the fast path declined a plainly valid record"
    assert msgspec.json.encode(fast) == msgspec.json.encode(expected)


@settings(max_examples=300, deadline=None)
@given(obj=valid_records(), data=st.data())
def test_answers_in_the_order_given_are_assessed_alike(obj: dict[str, Any], data: st.DataObject) -> None:
    """The batch assesses answers in the order given (`given_answers`): the result is the same, byte for byte,
    whatever the order of the keys, STarT Back's included."""
    keys = data.draw(st.permutations(sorted(obj)))
    shuffled = {k: obj[k] for k in keys}
    if isinstance(shuffled.get("startback"), dict):
        shuffled["startback"] = dict(reversed(shuffled["startback"].items()))
    given = given_answers(json.dumps(shuffled).encode())
    assert given is not None
    assert msgspec.json.encode(assess(given)) == msgspec.json.encode(assess(validate(obj)))


def test_fast_path_accepts_every_vignette() -> None:
    for vignette in VIGNETTES:
        raw = json.dumps(vignette["answers"]).encode()
        fast = fast_answers(raw)
        assert fast is not None, vignette["name"]
        assert msgspec.json.encode(fast) == msgspec.json.encode(validate(vignette["answers"]))


@pytest.mark.parametrize("first", [b"0.0", b"-0.0"])
def test_minus_zero_weeks_reads_as_zero_whichever_record_comes_first(
    first: bytes, base_answers: dict[str, Any]
) -> None:
    """-0.0 and 0.0 are equal, so a reason kept for one is given to the other: both paths read -0.0 as 0.0, and a
    record's evidence never depends on the records before it. (E6: a major injury under two weeks ago.)"""
    base = {**base_answers, "onset": "after_major_injury", "duration_weeks": 0.0}
    raw = msgspec.json.encode(base)
    second = b"-0.0" if first == b"0.0" else b"0.0"
    shown = []
    for weeks in (first, second):
        record = raw.replace(b'"duration_weeks":0.0', b'"duration_weeks":' + weeks)
        age = b'"age":%d' % base["age"]
        thorough = record.replace(age, age + b".0")  # a whole age written 40.0: the fast path declines it
        assert given_answers(record) is not None and given_answers(thorough) is None
        for text in (record, thorough):
            a = answers(text)
            assert msgspec.json.encode(a["duration_weeks"]) == b"0.0"
            e6 = [r for r in assess(a)["reasons"] if r["rule"] == "E6"]
            shown.append(msgspec.json.encode(e6[0]["answers"]))
    assert shown == [b'{"onset":"after_major_injury","duration_weeks":0.0}'] * 4
