"""A rejected record is not assessed, so the warning signs it states are named wherever the rejection is shown:
in the JSON error, on stderr (however many records were rejected before it), and under its row of the text
table. Signs are read generously: under a misspelt key, in the wrong list, in another case."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.faces import batch

SADDLE = "Numbness or tingling around the genitals, buttocks or back passage (saddle_numbness)"
WORSE = "weakness: yes, and it is getting worse (worsening)"


def assess(records: list[dict[str, Any]], *args: str) -> Any:
    data = "".join(json.dumps(r) + "\n" for r in records)
    return CliRunner().invoke(app, ["assess", *args], input=data)


def errors(result: Any) -> list[str]:
    return [json.loads(line).get("error", "") for line in result.stdout.splitlines()]


def words(text: str) -> str:
    return " ".join(text.split())


@pytest.mark.parametrize("key", ["red_flag", "redflags", "Red_Flags", "RED-FLAGS", "red_flgs", "red flags"])
def test_a_misspelt_red_flags_key_still_names_its_signs(base_answers: dict[str, Any], key: str) -> None:
    record = {**base_answers, key: ["saddle_numbness"]}
    result = assess([base_answers, record])
    assert result.exit_code == 1
    error = errors(result)[1]
    assert error.startswith(f"{key}: unknown key (did you mean red_flags?)")
    assert "NOT ASSESSED, but warning signs were given: " + SADDLE in error
    assert "emergency department now" in error
    assert SADDLE in result.stderr


@pytest.mark.parametrize("key", ["Weakness", "weaknes", "weak_ness"])
def test_a_misspelt_weakness_key_still_names_a_worsening_weakness(base_answers: dict[str, Any], key: str) -> None:
    record = {**base_answers, key: "worsening"}
    del record["weakness"]
    error = errors(assess([base_answers, record]))[1]
    assert f"{key}: unknown key (did you mean weakness?)" in error
    assert "warning signs were given: " + WORSE in error


@pytest.mark.parametrize(
    "extra",
    [
        {"pain_areas": ["low_back", "saddle_numbness"]},  # a red flag in the wrong list
        {"saddle_numbness": True},  # a red flag as a key
        {"red_flags": ["Saddle_Numbness"]},  # in another case
        {"red_flags": "saddle_numbness"},  # not in a list
    ],
)
def test_a_red_flag_given_the_wrong_way_is_still_named(base_answers: dict[str, Any], extra: dict[str, Any]) -> None:
    error = errors(assess([base_answers, {**base_answers, **extra}]))[1]
    assert "warning signs were given: " + SADDLE in error


@pytest.mark.parametrize(
    "extra",
    [
        {"red_flag": ["not_a_flag"]},  # close to red_flags, but no sign in it
        {"Trend": "worsening"},  # worsening, but not of weakness
        {"flags": ["x"]},
    ],
)
def test_no_warning_without_a_sign(base_answers: dict[str, Any], extra: dict[str, Any]) -> None:
    error = errors(assess([base_answers, {**base_answers, **extra}]))[1]
    assert "unknown key" in error and "NOT ASSESSED" not in error


def test_a_repeated_misspelt_key_cannot_hide_a_sign(base_answers: dict[str, Any]) -> None:
    raw = json.dumps({**base_answers, "red_flag": ["saddle_numbness"]})
    hidden = raw[:-1] + ', "red_flag": []}'  # the second copy would hide the first
    result = CliRunner().invoke(app, ["assess"], input=json.dumps(base_answers) + "\n" + hidden + "\n")
    error = errors(result)[1]
    assert "red_flag: given more than once" in error and SADDLE in error


def test_the_text_table_shows_the_warning_under_its_row(base_answers: dict[str, Any]) -> None:
    flagged = {**base_answers, "id": "flagged", "red_flag": ["saddle_numbness"], "weaknes": "worsening"}
    result = assess([{**base_answers, "id": "a"}, flagged, {**base_answers, "id": "c"}], "--format", "text")
    assert result.exit_code == 1
    table = words(result.stdout)
    assert "flagged rejected" in table
    assert f"NOT ASSESSED, but warning signs were given: {SADDLE}; {WORSE}. Go to an emergency department now" in table
    assert table.index("flagged rejected") < table.index("NOT ASSESSED") < table.index("c self-care")


def test_a_rejection_without_signs_adds_nothing_to_the_table(base_answers: dict[str, Any]) -> None:
    result = assess([base_answers, {**base_answers, "goal": 1}, base_answers], "--format", "text")
    assert "rejected" in result.stdout and "NOT ASSESSED" not in result.stdout


@pytest.mark.parametrize("at", [2, 4])  # the first record past the cap, and a later one
def test_warnings_on_stderr_are_never_capped(
    base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch, at: int
) -> None:
    monkeypatch.setattr(batch, "MAX_MESSAGES", 2)
    records: list[dict[str, Any]] = [{**base_answers, "goal": i} for i in range(4)]
    records.insert(at, {**base_answers, "id": "late", "red_flag": ["saddle_numbness"]})
    result = assess(records)
    assert result.exit_code == 1
    told = result.stderr.splitlines()
    assert sum("rejected: " in line for line in told) == 3  # two, then only the one with warning signs
    note = next(i for i, line in enumerate(told) if "more records rejected" in line)
    late = next(i for i, line in enumerate(told) if line.startswith(f"backpain: record {at + 1} (id 'late') rejected"))
    assert note < late and SADDLE in told[late]


def rejected(lines: list[bytes]) -> list[dict[str, Any]]:
    result = CliRunner().invoke(app, ["assess", "--input-format", "jsonl"], input=b"".join([*lines, b"{}\n"]))
    return [json.loads(line) for line in result.stdout.splitlines()]


def record(base_answers: dict[str, Any], **changes: Any) -> bytes:
    out = {**base_answers, **changes}
    return json.dumps({k: v for k, v in out.items() if v is not ...}).encode() + b"\n"


GIVEN = "NOT ASSESSED, but warning signs were given: "
EMERGENCY = "emergency department now"
TODAY = "see a doctor today"
IN_48H = "see a doctor within 48 hours"
MENTIONS = "NOT ASSESSED: this record mentions "


@pytest.mark.parametrize(
    "changes",
    [
        {"red_flags": ["bladder_or_bowel_changes"]},  # a plural s
        {"red_flags": ["saddle_numbnes"]},  # a small slip
        {"red_flags": "saddle_numbness, new_symptoms_both_legs"},  # several in one string
        {"red_flags": {"saddle_numbness": True}},  # an object of flags
        {"red_flags": [["saddle_numbness"]]},  # a list in a list
        {"saddle_numbness": "yes"},  # a flag as a key, set to "yes"
        {"saddle_numbness": 1},
        {"weakness": ["worsening"]},
        {"weakness": "getting worse"},
        {"weakness": ..., "weak": "worsening"},
        {"weakness": ..., "muscle_weakness": "worsening"},
        {"answers": {"red_flags": ["saddle_numbness"]}},  # one level down
    ],
)
def test_near_misses_still_give_the_emergency_warning(base_answers: dict[str, Any], changes: dict[str, Any]) -> None:
    out = rejected([record(base_answers, **changes, goal=1)])[0]
    assert out["warning"].startswith(GIVEN) and EMERGENCY in out["warning"]
    assert out["error"].endswith(out["warning"])  # the error still carries it, for readers of `error` alone


@pytest.mark.parametrize(
    "raw",
    [
        b'[{"red_flags": ["saddle_numbness"]}]',  # wrapped in an array (JSON Lines mode)
        json.dumps(json.dumps({"red_flags": ["saddle_numbness"]})).encode(),  # encoded twice
        b'{"red_flags": ["saddle_numbness"], "age": NaN}',
        b'{"red_flags": ["saddle_numbness"], "id": "Jos\xe9"}',  # a Latin-1 byte
        b'{"red_flags": ["saddle_numbness"], "age": 1e400}',
        b'{"red_flags": ["Saddle-Numbnes"], "age": NaN}',  # a slip, in an unreadable record
    ],
)
def test_an_unreadable_record_that_mentions_a_sign_says_so(raw: bytes) -> None:
    out = rejected([raw + b"\n"])[0]
    assert out["warning"].startswith(MENTIONS + "Numbness or tingling around the genitals")
    assert "check it" in out["warning"] and EMERGENCY in out["warning"]


@pytest.mark.parametrize(
    ("changes", "advice"),
    [
        ({"red_flags": ["fever_or_chills"]}, TODAY),
        ({"red_flags": ["unexplained_weight_loss", "hand_clumsiness_or_unsteady_walking"]}, IN_48H),
        ({"red_flags": ["unexplained_weight_loss", "urinary_pain_or_blood"]}, TODAY),  # the sooner of the two
        ({"weakness": "stable"}, TODAY),
        ({"weakness": "known_stable", "red_flags": ["unexplained_weight_loss"]}, IN_48H),  # known_stable: no sign
        ({"red_flags": ["constant_night_pain"]}, "see a gp or physiotherapist in the next week or two"),
        ({"red_flags": ["constant_night_pain", "saddle_numbness"]}, EMERGENCY),
    ],
)
def test_the_advice_matches_the_level_of_the_signs(
    base_answers: dict[str, Any], changes: dict[str, Any], advice: str
) -> None:
    warning = rejected([record(base_answers, **changes, goal=1)])[0]["warning"]
    assert warning.startswith(GIVEN) and advice in warning.casefold()
    if advice != EMERGENCY:
        assert "emergency" not in warning


@pytest.mark.parametrize(
    "changes",
    [
        {"red_flags_denied": ["saddle_numbness", "bladder_or_bowel_change"]},
        {"notes": "Fever or chills"},
    ],
)
def test_a_sign_only_mentioned_is_worded_as_a_mention(base_answers: dict[str, Any], changes: dict[str, Any]) -> None:
    warning = rejected([record(base_answers, **changes)])[0]["warning"]
    assert warning.startswith(MENTIONS) and "check it" in warning and "were given" not in warning


def test_a_key_spelling_the_warning_does_not_pass_for_one(base_answers: dict[str, Any]) -> None:
    result = CliRunner().invoke(
        app, ["assess"], input=record(base_answers, **{"NOT ASSESSED, but warning signs were given": 1}) * 30
    )
    assert all("warning" not in json.loads(line) for line in result.stdout.splitlines())
    assert result.stderr.count("rejected: ") == batch.MAX_MESSAGES


def test_a_key_spelling_the_warning_adds_no_warning_row_to_the_table(base_answers: dict[str, Any]) -> None:
    spelt = {**base_answers, "id": "spelt", "NOT ASSESSED, but warning signs were given": 1}
    result = assess([{**base_answers, "id": "a"}, spelt], "--format", "text")
    assert result.exit_code == 1
    assert "spelt rejected" in words(result.stdout)
    assert not [line for line in result.stdout.splitlines() if line.lstrip().startswith("NOT ASSESSED")]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_one_rejected_record_with_warning_signs_shows_them_in_the_output(
    base_answers: dict[str, Any], fmt: str
) -> None:
    """A record on its own gets no table, but its warning signs still reach whoever reads the output (or -o)."""
    result = assess([{**base_answers, "red_flag": ["saddle_numbness"]}], "--format", fmt)
    assert result.exit_code == 1
    assert f"NOT ASSESSED, but warning signs were given: {SADDLE}" in words(result.stdout)


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_one_rejected_record_without_signs_leaves_the_output_empty(base_answers: dict[str, Any], fmt: str) -> None:
    result = assess([{**base_answers, "goal": 1}], "--format", fmt)
    assert result.exit_code == 1 and result.stdout == "" and "rejected" in result.stderr


def test_a_mention_more_urgent_than_the_signs_given_gets_its_own_advice() -> None:
    """A night-pain flag given and saddle numbness only written in a note: the note's emergency advice is there."""
    raw = b'{"id": "a", "red_flags": ["constant_night_pain"], "notes": "saddle numbness since yesterday", "age": "x"}'
    warning = rejected([raw + b"\n"])[0]["warning"]
    assert warning.startswith(GIVEN) and "see a gp" in warning.casefold()
    assert "mentions Numbness or tingling around the genitals" in warning
    assert warning.endswith(
        "if this is present, go to an emergency department now, or call the emergency number (999, 112 or 911)"
    )


@pytest.mark.parametrize(
    "raw",
    [
        b'{"red_flags": [], "weakness": "none", "trend": "worsening", "age": "x"}',  # weakness none; pain worse
        b'{"risk_factors": ["weakened_immunity"], "trend": "worsening", "age": "x"}',  # a risk factor, not weakness
        b'{"weakness": "stable", "numbness_tingling": false, "age": "x"}',  # "stable numbness" is no saddle numbness
        b'{"sickness": "yes", "age": 40}',  # a key that is not weakness
    ],
)
def test_no_false_emergency_from_words_of_other_answers(raw: bytes) -> None:
    out = rejected([raw + b"\n"])[0]
    assert EMERGENCY not in out.get("warning", "")


@pytest.mark.parametrize(
    ("weakness", "advice"),
    [
        ("getting weaker", EMERGENCY),
        ("yes, getting weaker each day", EMERGENCY),
        ("deteriorating", EMERGENCY),
        ("spreading", EMERGENCY),
        ("severe", TODAY),
        ("left leg", TODAY),
        ("foot drop", TODAY),
        ("progressive weakness", EMERGENCY),
    ],
)
def test_weakness_in_other_words_still_warns(weakness: str, advice: str) -> None:
    warning = rejected([json.dumps({"weakness": weakness, "age": 40}).encode() + b"\n"])[0]["warning"]
    assert warning.startswith(GIVEN) and advice in warning.casefold()


def test_weakness_written_in_a_note_is_mentioned() -> None:
    warning = rejected([b'{"notes": "weakness in my leg is getting worse", "age": "x"}\n'])[0]["warning"]
    assert warning.startswith(MENTIONS) and EMERGENCY in warning


def test_the_25th_rejection_is_told_on_stderr_when_it_gives_a_warning(base_answers: dict[str, Any]) -> None:
    """Past the first 20 rejections only those with warning signs are told on stderr: never dropped by the cap."""
    records: list[dict[str, Any]] = [{**base_answers, "id": f"r{i}", "goal": i} for i in range(24)]
    records.append({**base_answers, "id": "late", "red_flags": ["bowel or bladder change"], "goal": 1})
    result = assess(records)
    told = [line for line in result.stderr.splitlines() if "rejected: " in line]
    assert len(told) == batch.MAX_MESSAGES + 1
    assert told[-1].startswith("backpain: record 25 (id 'late') rejected") and EMERGENCY in told[-1]


# ── bounded cost: every scan is linear, whatever the record holds ──


def _unbounded(pattern: bytes | str) -> list[str]:
    """The repeats of `pattern` with no upper bound (`*`, `+`, `{n,}`): each could make a scan quadratic."""
    import re._parser as sre_parse  # type: ignore[import-not-found,unused-ignore]

    found: list[str] = []

    def walk(items: Any) -> None:
        for op, arg in items:
            name = str(op)
            if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
                low, high, sub = arg
                if high == sre_parse.MAXREPEAT:
                    found.append(f"{name}{{{low},}}")
                walk(sub)
            elif name in ("SUBPATTERN",):
                walk(arg[-1])
            elif name == "BRANCH":
                for sub in arg[1]:
                    walk(sub)
            elif name in ("ASSERT", "ASSERT_NOT"):
                walk(arg[1])
            elif name == "ATOMIC_GROUP":
                walk(arg)

    walk(sre_parse.parse(pattern))
    return found


def test_every_pattern_of_the_text_scan_is_bounded() -> None:
    """The 2026 stall: `weak\\w*…` on a long run of "weak" took 54 s for 200 KB. Every repeat in the scan's
    patterns has an upper bound, so that the work at each byte is bounded and the scan linear."""
    from backpain_cli.core import warning_signs as w

    patterns = [w._WEAK_STATE, w._WEAK_WORSE, w._AGE, w._ANEURYSM, w._CLAUSE_BREAK]
    patterns.append(w._scanner(frozenset(w.PHRASES), frozenset(w._ANCHORS)))
    for pattern in patterns:
        assert _unbounded(pattern.pattern) == [], pattern.pattern[:80]


@pytest.mark.timeout(60)
@pytest.mark.parametrize("word", [b"weak ", b"weak", b"weakness getting "])
def test_a_megabyte_of_weak_is_rejected_at_once(word: bytes) -> None:
    from backpain_cli.io.decoding import answers
    from backpain_cli.io.json_text import Rejected

    raw = b'{"notes": "' + word * ((1 << 20) // len(word)) + b'", "age": "x"}'
    with pytest.raises(Rejected):
        answers(raw)


@pytest.mark.timeout(120)  # about 5 s on an idle machine; the limit leaves room for a loaded one
def test_a_64_mb_record_of_junk_is_rejected_in_bounded_time() -> None:
    from backpain_cli.io.decoding import answers
    from backpain_cli.io.json_text import Rejected

    keys = ", ".join(f'"note_{i}": "walk sit stand"' for i in range(100_000))
    flags = ", ".join(f'"junk_{i}"' for i in range(100_000))
    head = f'{{"age": "x", {keys}, "red_flags": [{flags}], "text": "'.encode()
    tail = b'", "deep": {"deeper": {"notes": "saddle_numbnes"}}}'
    text = b"lorem ipsum dolor sit amet back pain morning chair " * ((64 << 20) // 51)
    with pytest.raises(Rejected) as info:
        answers(head + text[: (64 << 20) - len(head) - len(tail)] + tail)
    assert info.value.warning is not None and "(saddle_numbness)" in info.value.warning
    assert len(str(info.value)) < 10_000  # 20 unknown keys and values named, the rest counted
