"""Regions: the care words, spelling and emergency number a person sees, chosen by --region, BACKPAIN_REGION or
the locale; the codes (level, rules, within) the same in every region."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core import regions
from backpain_cli.core.engine import assess
from backpain_cli.core.validation import validate
from backpain_cli.io import catalogs
from backpain_cli.render.markdown import render_markdown
from backpain_cli.render.report import render_text
from tests.conftest import VIGNETTES

REGIONS = ("intl", "us", "gb", "ie", "ca", "au", "nz")
#: What each region's emergency action says to call, and its care words.
NUMBER = {"intl": "999, 112 or 911", "us": "911", "gb": "999", "ie": "112", "ca": "911", "au": "000", "nz": "111"}
PRIMARY = {
    "intl": "See a GP or physiotherapist",
    "us": "See a primary care provider or physical therapist",
    "gb": "See a GP or physiotherapist",
    "ca": "See a family doctor or physiotherapist",
}
#: British forms and other regions' care words that an American reader must never see.
NOT_AMERICAN = re.compile(
    r"\b(GP|physiotherap\w*|physio|programme|centre|metre|A&E|999|112|out-of-hours|back passage|got in the way)\b"
)


def vignette(level: str) -> dict[str, Any]:
    return next(v["answers"] for v in VIGNETTES if v["expected_level"] == level)


def run(*args: str, input: str = "", env: dict[str, str] | None = None) -> Any:
    return CliRunner().invoke(app, list(args), input=input, env=env)


@pytest.mark.parametrize(
    ("option", "environ", "expected"),
    [
        (None, {}, "intl"),
        ("us", {"BACKPAIN_REGION": "gb", "LANG": "en_AU.UTF-8"}, "us"),
        (None, {"BACKPAIN_REGION": "GB", "LANG": "en_US.UTF-8"}, "gb"),
        (None, {"LANG": "en_US.UTF-8"}, "us"),
        (None, {"LANG": "en_GB.UTF-8"}, "gb"),
        (None, {"LANG": "en_IE.UTF-8"}, "ie"),
        (None, {"LANG": "en_CA"}, "ca"),
        (None, {"LANG": "en_AU.utf8"}, "au"),
        (None, {"LANG": "en_NZ.UTF-8@euro"}, "nz"),
        (None, {"LC_ALL": "en_NZ.UTF-8", "LC_MESSAGES": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}, "nz"),
        (None, {"LC_MESSAGES": "en_US.UTF-8", "LANG": "en_GB.UTF-8"}, "us"),
        (None, {"LC_ALL": "C.UTF-8", "LANG": "en_US.UTF-8"}, "intl"),  # the first one set wins, as in POSIX
        (None, {"LANG": "fr_FR.UTF-8"}, "intl"),  # no catalog: a hint, not a request
        (None, {"LANG": "C"}, "intl"),
        ("intl", {"LANG": "en_US.UTF-8"}, "intl"),
    ],
)
def test_the_region_comes_from_the_option_then_the_environment_then_the_locale(
    option: str | None, environ: dict[str, str], expected: str
) -> None:
    assert regions.choose(option, environ, catalogs.available) == expected


@pytest.mark.parametrize(("args", "env"), [(["--region", "xx"], {}), ([], {"BACKPAIN_REGION": "mars"})])
def test_an_unknown_region_is_a_usage_error_listing_the_known_ones(args: list[str], env: dict[str, str]) -> None:
    result = run("assess", *args, input=json.dumps(vignette("self_care")), env=env)
    assert result.exit_code == 2
    assert "unknown region" in result.stderr
    assert "known regions: intl, au, ca, gb, ie, nz, us." in result.stderr
    assert result.stdout == ""


@pytest.mark.parametrize("region", REGIONS)
def test_each_region_gives_one_emergency_number_and_says_its_region(region: str) -> None:
    result = run("assess", "--region", region, input=json.dumps(vignette("emergency")))
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)
    assert out["region"] == region
    assert f"call {NUMBER[region]}" in out["action"] or f"({NUMBER[region]})" in out["action"]
    others = {n for r, n in NUMBER.items() if n != NUMBER[region] and r != "intl"} - {"111"}
    assert not any(re.search(rf"\b{n}\b", out["action"]) for n in others if region != "intl")


@pytest.mark.parametrize("region", sorted(PRIMARY))
def test_each_region_names_its_own_care(region: str) -> None:
    result = run("assess", "--region", region, input=json.dumps(vignette("primary_care")))
    assert json.loads(result.stdout)["action"].startswith(PRIMARY[region])


def test_the_british_and_irish_urgent_care_words() -> None:
    urgent = vignette("urgent")
    gb = assess(validate(urgent), region="gb")
    ie = assess(validate(urgent), region="ie")
    assert "NHS 111" in gb["action"] and "GP" in gb["action"]
    assert "out-of-hours" in ie["action"]
    assert "A&E" in assess(validate(vignette("self_care")), region="gb")["safety_net"]


@pytest.mark.parametrize("region", REGIONS[1:])
def test_every_vignette_gives_the_same_codes_in_every_region(region: str) -> None:
    for v in VIGNETTES:
        intl = assess(validate(v["answers"]), region="intl")
        there = assess(validate(v["answers"]), region=region)
        assert there["level"] == intl["level"] == v["expected_level"]
        assert [r["rule"] for r in there["reasons"]] == [r["rule"] for r in intl["reasons"]]
        assert [r["level"] for r in there["reasons"]] == [r["level"] for r in intl["reasons"]]
        assert there.get("within") == intl.get("within")
        assert there["scores"] == {
            **intl["scores"],
            **{k: there["scores"][k] for k in ("screen_note",) if k in there["scores"]},
        }
        assert [c["id"] for c in there["contributors"]] == [c["id"] for c in intl["contributors"]]
        assert there["care_ladder"]["current"] == intl["care_ladder"]["current"]


def test_american_english_everywhere_for_the_us() -> None:
    """Every vignette's JSON texts, text report and Markdown report, in the US region: no British care word,
    spelling or other emergency number."""
    from backpain_cli.core import i18n

    i18n.use("us")
    for v in VIGNETTES:
        valid = validate({k: x for k, x in v["answers"].items() if k != "id"})  # ids are the clinic's words
        result = assess(valid)
        texts = [result["action"], *(r["because"] for r in result["reasons"]), result["disclaimer"]]
        texts += [str(result["safety_net"] or ""), result["care_ladder"]["next"]]
        texts += [n["note"] for n in result["notes"]] + [c["label"] for c in result["contributors"]]
        for shown in [*texts, render_text(result, valid, width=100), render_markdown(result, valid)]:
            assert not NOT_AMERICAN.search(shown), (v["name"], NOT_AMERICAN.search(shown), shown)


def test_the_locale_alone_gives_american_words_in_a_real_process(tmp_path: Path) -> None:
    """`LANG=en_US.UTF-8 backpain assess`: the report, its Markdown and the JSON texts in American English."""
    env = {k: v for k, v in os.environ.items() if k not in ("BACKPAIN_REGION", "LC_ALL", "LC_MESSAGES")}
    env |= {"LANG": "en_US.UTF-8", "NO_COLOR": "1"}
    data = json.dumps(vignette("primary_care"))
    for fmt in ("text", "markdown", "json"):
        out = subprocess.run(
            [sys.executable, "-m", "backpain_cli", "assess", "-f", fmt],
            input=data,
            capture_output=True,
            text=True,
            env=env,
            check=True,
        ).stdout
        assert "primary care provider" in out and "physical therapist" in out, out
        assert not NOT_AMERICAN.search(out), NOT_AMERICAN.search(out)


@pytest.mark.parametrize("region", REGIONS)
def test_report_snapshot_in_each_region(region: str, snapshot: Any) -> None:
    from backpain_cli.core import i18n

    i18n.use(region)
    answers = validate(
        {**vignette("urgent"), "treatments_tried": ["exercise_programme"], "goals": ["sport_or_exercise"]}
    )
    result = assess(answers)
    assert render_text(result, answers, width=100) == snapshot(name="text")
    assert render_markdown(result, answers) == snapshot(name="markdown")


def test_history_keeps_the_region_of_each_assessment(tmp_path: Path) -> None:
    db = tmp_path / "h.sqlite3"
    for region in ("us", "gb"):
        saved = run("assess", "--save", "--db", str(db), "--region", region, input=json.dumps(vignette("urgent")))
        assert saved.exit_code == 0, saved.output
    exported = run("history", "--db", str(db), "--export", "json")
    rows = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [row["result"]["region"] for row in rows] == ["us", "gb"]
    assert "911" not in rows[1]["result"]["action"]


def test_a_new_language_is_a_new_catalog_not_new_code(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A Spanish catalog dropped into the locale folder is a region at once: `es`, from its country."""
    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo

    from backpain_cli.core import i18n
    from backpain_cli.core.explain import ACTION

    root = tmp_path / "locale"
    folder = root / "es_ES" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="es_ES", domain="backpain")
    catalog.add(ACTION["emergency"], "Ve a urgencias ahora o llama al 112.")
    with (folder / "backpain.mo").open("wb") as f:
        write_mo(f, catalog)
    monkeypatch.setattr(catalogs, "_root", lambda: root)
    catalogs.available.cache_clear()
    monkeypatch.setattr(i18n, "_translators", {"intl": i18n._translators["intl"]})
    try:
        result = run("assess", "--region", "es", input=json.dumps(vignette("emergency")))
        assert json.loads(result.stdout)["action"] == "Ve a urgencias ahora o llama al 112."
        assert json.loads(result.stdout)["level"] == "emergency"
    finally:
        catalogs.available.cache_clear()


def test_the_questions_speak_american_in_a_us_locale(
    base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """`LANG=en_US.UTF-8 backpain assess` at a terminal: the questions' options in American words."""
    import pexpect

    from tests.faces.test_interactive import ANSI, CTRL_C, keys_until
    from tests.faces.test_interactive_pty import spawn

    monkeypatch.setenv("LANG", "en_US.UTF-8")
    child = spawn()
    seen = io.StringIO()
    child.logfile_read = seen
    child.send(keys_until(base_answers, "treatments_tried"))
    child.expect_exact("A structured exercise program")
    child.send(CTRL_C)
    child.expect(pexpect.EOF)
    shown = ANSI.sub("", seen.getvalue())
    child.close()
    assert "Physical therapy" in shown
    assert "programme" not in shown


def test_a_rejected_records_warning_gives_the_regions_advice() -> None:
    record = json.dumps({**vignette("self_care"), "red_flags": ["saddle_numbness"], "age": "forty"})
    us = json.loads(run("assess", "--region", "us", input=record).stdout)
    assert us["warning"].endswith("Go to an emergency room now, or call 911")
    intl = json.loads(run("assess", input=record).stdout)
    assert intl["warning"].endswith("call the emergency number (999, 112 or 911)")


LOADED = (
    "import sys, atexit\n"
    "atexit.register(lambda: sys.stderr.write(repr(sorted(m for m in sys.modules if 'catalogs' in m))))\n"
    "sys.argv = ['backpain', 'assess']\n"
    "from backpain_cli.cli.entry import main\n"
    "main()\n"
)


@pytest.mark.parametrize(
    ("env", "loaded"),
    [
        ({}, []),
        ({"LANG": "C.UTF-8"}, []),
        ({"LANG": "fr_FR.UTF-8"}, ["backpain_cli.io.catalogs"]),
        ({"BACKPAIN_REGION": "gb"}, ["backpain_cli.io.catalogs"]),
    ],
)
def test_a_catalog_is_read_only_for_a_region_that_has_one(env: dict[str, str], loaded: list[str]) -> None:
    """The start-up goal: an intl run never lists or reads a catalog (a locale that names a country lists them,
    to know whether it has one)."""
    environ = {k: v for k, v in os.environ.items() if k not in ("LANG", "LC_ALL", "LC_MESSAGES")} | env
    proc = subprocess.run(
        [sys.executable, "-c", LOADED], input=json.dumps(vignette("self_care")), capture_output=True, text=True,
        env=environ, check=True,
    )  # fmt: skip
    assert proc.stderr.endswith(repr(loaded))


def test_a_rejected_record_names_its_warning_signs_in_the_region_s_words() -> None:
    """A record that is not assessed but gives warning signs: the signs themselves, not only the advice, in the
    region's words (US: "anus", 911), with the contract's codes beside them unchanged."""
    record = json.dumps({"age": 40, "red_flags": ["saddle_numbness"], "weakness": "worsening"})
    us = json.loads(run("assess", "--region", "us", "--format", "json", input=record).stdout)["warning"]
    gb = json.loads(run("assess", "--region", "gb", "--format", "json", input=record).stdout)["warning"]
    assert "genitals, buttocks or anus (saddle_numbness)" in us and "911" in us
    assert "back passage (saddle_numbness)" in gb and "999" in gb
    assert "(worsening)" in us and "(worsening)" in gb
