"""A rejected record is not assessed, so the warning signs it states are named wherever the rejection is shown:
in the JSON error, on stderr (however many records were rejected before it), and under its row of the text
table. Signs are read generously: under a misspelt key, in the wrong list, in another case."""

from __future__ import annotations

import json
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli import batch
from backpain_cli._cli import app

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
    assert f"NOT ASSESSED, but warning signs were given: {SADDLE}; {WORSE}. Get medical help today" in table
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
