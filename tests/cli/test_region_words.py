"""What the commands say besides a result, in the region's words: the batch summary and the rejections on stderr,
a rejected record's error, `backpain questions`, `backpain schema` and `--help`. The codes beside those words (keys,
values, levels, line numbers, exit statuses) are the same in every region."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from click.testing import Result
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core import i18n
from tests.conftest import VIGNETTES

#: No region from the machine running the tests: each test says its own.
QUIET = {"BACKPAIN_REGION": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, "COLUMNS": "200"}


@pytest.fixture(autouse=True)
def back_to_intl() -> Iterator[None]:
    """A command run in this process leaves its region behind: the next test starts from intl again."""
    yield
    i18n.use("intl")


def run(*args: str, input: str = "", **env: str) -> Result:
    return CliRunner().invoke(app, list(args), input=input, env={**QUIET, **env})


def vignette(level: str) -> dict[str, Any]:
    return next(v["answers"] for v in VIGNETTES if v["expected_level"] == level)


#: A batch: one record assessed (primary care), one refused for its age (a child's pain: see a doctor, an
#: emergency department at once with some signs), one rejected that gives a warning sign.
BATCH = "\n".join(
    json.dumps(x)
    for x in (
        vignette("primary_care"),
        {**vignette("self_care"), "age": 12, "id": "child"},
        {"age": 40, "red_flags": ["saddle_numbness"]},
    )
)


def batch(region: str) -> Result:
    return run("assess", "--region", region, "--format", "json", input=BATCH)


def test_the_batch_summary_names_the_levels_in_the_region_s_words() -> None:
    us, gb, intl = (batch(r).stderr.splitlines()[-1] for r in ("us", "gb", "intl"))
    assert "3 records read: 1 assessed (" in us and ", 2 rejected" in us
    assert "primary care 1" in us and "GP or physio" not in us
    assert "GP or physio 1" in gb and "GP or physio 1" in intl
    assert "primary care" not in gb


def test_a_rejection_on_stderr_is_in_the_region_s_words() -> None:
    """The child's record is refused with the questionnaire's own advice, and the warning sign's record with the
    region's emergency number: both as the region says them, on stderr as in the output."""
    said = {r: batch(r).stderr for r in ("us", "gb", "intl")}
    assert "record 2 (id 'child') rejected: age: 12 is under 16: " in said["us"]
    assert "at an emergency room at once" in said["us"] and "genitals or anus" in said["us"]
    assert "at A&E at once" in said["gb"] and "genitals or back passage" in said["gb"]
    assert "at an emergency department at once" in said["intl"]
    assert "call 911" in said["us"] and "call 999" in said["gb"] and "(999, 112 or 911)" in said["intl"]
    assert "A&E" not in said["us"] and "911" not in said["gb"]


def test_a_rejected_records_error_follows_the_region_and_its_codes_do_not() -> None:
    results = {r: batch(r) for r in ("us", "gb", "intl", "ca", "au")}
    assert {r.exit_code for r in results.values()} == {1}
    out = {r: [json.loads(x) for x in res.stdout.splitlines()] for r, res in results.items()}
    child = {r: lines[1] for r, lines in out.items()}
    assert "emergency room" in child["us"]["error"] and "A&E" in child["gb"]["error"]
    for region, lines in out.items():
        assert [sorted(x) for x in lines] == [sorted(x) for x in out["intl"]], region
        assert lines[0]["level"] == "primary_care" and lines[0]["region"] == region
        assert [x["rule"] for x in lines[0]["reasons"]] == [x["rule"] for x in out["intl"][0]["reasons"]]
        assert [(x["line"], x.get("id")) for x in lines[1:]] == [(2, "child"), (3, None)]
        assert child[region]["error"].startswith("age: 12 is under 16: ")
        assert lines[2]["warning"].startswith("NOT ASSESSED, but warning signs were given: ")
        assert "(saddle_numbness)" in lines[2]["warning"]


def test_backpain_questions_speaks_the_region_s_words() -> None:
    us, gb = (run("questions", "--region", r).stdout for r in ("us", "gb"))
    assert "- saddle_numbness: Numbness or tingling around the genitals, buttocks or anus" in us
    assert "- saddle_numbness: Numbness or tingling around the genitals, buttocks or back passage" in gb
    assert "- physiotherapy: Physical therapy" in us and "- physiotherapy: Physiotherapy" in gb
    assert "exercise_programme: A structured exercise program\n" in us
    assert "exercise_programme: A structured exercise programme\n" in gb
    assert run("questions", LANG="en_US.UTF-8").stdout == us  # without --region: the environment's


def _codes(node: Any, words: frozenset[str]) -> Any:
    """`node` with the values of the keys in `words` (human text) left out: what must not change by region."""
    if isinstance(node, dict):
        return {k: _codes(v, words) for k, v in node.items() if k not in words}
    if isinstance(node, list):
        return [_codes(v, words) for v in node]
    return node


def test_backpain_questions_json_changes_words_not_codes() -> None:
    found = {r: json.loads(run("questions", "--region", r, "--format", "json").stdout) for r in ("intl", "us", "gb")}
    words = frozenset({"section", "question", "help", "expected", "asked", "label", "asked_when"})
    assert _codes(found["us"], words) == _codes(found["gb"], words) == _codes(found["intl"], words)
    labels = {r: {c["value"]: c["label"] for q in qs for c in q.get("choices", [])} for r, qs in found.items()}
    assert labels["us"]["physiotherapy"] == "Physical therapy" and labels["gb"]["physiotherapy"] == "Physiotherapy"
    assert [q["key"] for q in found["us"]] == [q["key"] for q in found["intl"]]


def test_backpain_schema_changes_descriptions_not_keys_or_values() -> None:
    found = {r: json.loads(run("schema", "--region", r).stdout) for r in ("intl", "us", "gb")}
    words = frozenset({"description", "title"})
    assert _codes(found["us"], words) == _codes(found["gb"], words) == _codes(found["intl"], words)
    age = {r: s["properties"]["age"]["description"] for r, s in found.items()}
    assert "at an emergency room at once" in age["us"] and "anus" in age["us"]
    assert "at A&E at once" in age["gb"] and "back passage" in age["gb"]
    assert "at an emergency department at once" in age["intl"]
    assert "gotten in the way" in found["us"]["properties"]["activity_interference"]["description"]
    assert "got in the way" in found["gb"]["properties"]["activity_interference"]["description"]


def test_an_unknown_region_for_questions_or_schema_is_a_usage_error() -> None:
    for command in ("questions", "schema"):
        result = run(command, "--region", "xx")
        assert result.exit_code == 2 and "unknown region" in result.stderr and result.stdout == ""


def _help(*args: str, **env: str) -> str:
    result = run(*args, "--help", NO_COLOR="1", **env)
    assert result.exit_code == 0
    return " ".join(result.stdout.replace("│", " ").split())


@pytest.mark.parametrize("command", [[], ["assess"]])
def test_help_spells_as_the_region_of_the_environment_does(command: list[str]) -> None:
    """--help cannot wait for --region: it speaks the region of $BACKPAIN_REGION or the locale."""
    us = _help(*command, LANG="en_US.UTF-8")
    gb = _help(*command, LANG="en_GB.UTF-8")
    assert "interrupted or canceled" in us and "cancelled" not in us
    assert "interrupted or cancelled" in gb
    assert _help(*command, BACKPAIN_REGION="us") == us
    assert _help(*command) == gb  # intl: British spelling, as gb


def test_help_with_an_unknown_region_in_the_environment_is_still_shown() -> None:
    assert "interrupted or cancelled" in _help(BACKPAIN_REGION="mars")


def test_help_lists_the_same_options_and_codes_in_every_region() -> None:
    """Only the words change: every option, metavar and exit status of `assess --help` is there in every region."""
    import re

    def codes(text: str) -> list[str]:
        return re.findall(r"--[a-z-]+|\b(?:PATH|CODE|URL|N)\b|\b\d{1,3}\b", text)

    intl = codes(_help("assess"))
    assert intl and all(codes(_help("assess", LANG=f"en_{c}.UTF-8")) == intl for c in ("US", "GB", "CA", "AU"))


def test_help_shown_twice_from_one_command_object_follows_each_region(monkeypatch: pytest.MonkeyPatch) -> None:
    """A caller that keeps the click command (as an embedding program may) gets each help from the intl words,
    never from the region of the help before."""
    import typer
    from click.testing import CliRunner

    from backpain_cli.cli.app import app

    command = typer.main.get_command(app)
    said = []
    for region in ("us", "gb"):
        monkeypatch.setenv("BACKPAIN_REGION", region)
        result = CliRunner().invoke(command, ["--help"], env={"NO_COLOR": "1"})
        said.append(" ".join(result.output.replace("│", " ").split()))
    assert "interrupted or canceled" in said[0]
    assert "interrupted or cancelled" in said[1]
