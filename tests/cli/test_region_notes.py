"""The notes the questionnaire and the history write on stderr, the history database's errors, and the errors of
records read from a JSON array or a CSV file, in the region's words: spelt as the region spells them where its
wording differs (`canceled` in the US), and otherwise through its catalog all the same (shown with a region
whose translations mark every message they translate)."""

from __future__ import annotations

import io
import json
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from backpain_cli.cli.app import app
from backpain_cli.core import i18n
from backpain_cli.faces.history import run_history
from backpain_cli.faces.interactive import CANCELLED, SAVE_CANCELLED
from backpain_cli.io import catalogs as runtime
from backpain_cli.io.csv_rows import Layout, row_answers
from backpain_cli.io.env import Environment
from backpain_cli.io.json_text import Rejected
from backpain_cli.io.reader import Reader
from backpain_cli.storage.store import StoreError, open_store
from tests.faces.test_interactive import CTRL_C, drive, script

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import catalogs  # noqa: E402  # tools/catalogs.py: reads the .po files, with Babel (a dev dependency)

QUIET = {"BACKPAIN_REGION": None, "LC_ALL": None, "LC_MESSAGES": None, "LANG": None, "COLUMNS": "200"}
LOCALES = {"us": "en_US", "gb": "en_GB"}
MARKED = "marked"  # a region of the tests' own: its translation of a message is the message between ‹ and ›


class _Marks:
    def gettext(self, message: str, /) -> str:
        return f"‹{message}›"


@pytest.fixture(autouse=True)
def back_to_intl() -> Iterator[None]:
    yield
    i18n.use("intl")


@pytest.fixture
def marked() -> Iterator[None]:
    i18n.register(MARKED, _Marks())
    i18n.use(MARKED)
    yield
    i18n.use("intl")


def _in(region: str) -> None:
    runtime.install()
    i18n.use(region)


def _env() -> Environment:
    return Environment(io.BytesIO(), io.BytesIO(), io.StringIO(), False, False, False)


# -- the words differ: canceled in the US, cancelled elsewhere ------------------------------------------------


@pytest.mark.parametrize(
    ("region", "said"),
    [("us", "canceled; nothing was saved."), ("gb", CANCELLED), ("intl", "cancelled; nothing was saved.")],
)
def test_the_questionnaire_cancelled_is_spelt_as_the_region_spells_it(region: str, said: str) -> None:
    _in(region)
    run = drive(CTRL_C)
    assert run.stderr == f"backpain: {said}\n"


@pytest.mark.parametrize(
    ("region", "said"),
    [
        ("us", "canceled; this result was not saved to your history."),
        ("gb", SAVE_CANCELLED),
        ("intl", "cancelled; this result was not saved to your history."),
    ],
)
def test_a_save_to_the_history_cancelled_is_spelt_as_the_region_spells_it(
    region: str, said: str, base_answers: dict[str, Any], tmp_path: Path
) -> None:
    _in(region)
    run = drive(script(base_answers) + CTRL_C, history=tmp_path / "history.sqlite3")
    assert run.stderr == f"backpain: {said}\n"


# -- the same words in every region, through its catalog ------------------------------------------------------


def test_the_history_s_notes_go_through_the_region_s_catalog(marked: None, tmp_path: Path) -> None:
    env = _env()
    db = tmp_path / "history.sqlite3"
    run_history(env, db, "json", None, None, True, True)
    assert env.stderr.getvalue() == f"backpain: ‹there are no saved assessments in {db}; nothing deleted.›\n"  # type: ignore[attr-defined]


def test_the_history_database_s_errors_go_through_the_region_s_catalog(marked: None, tmp_path: Path) -> None:
    notes = tmp_path / "notes.txt"
    notes.write_text("not a database")
    notes.chmod(0o600)
    with pytest.raises(StoreError) as error:
        open_store(notes)
    assert str(error.value).startswith(
        f"‹{notes} is not a backpain history database (‹it is not an SQLite database, or its start is damaged›). "
    )
    env = _env()
    run_history(env, notes, "json", None, None, True, True)  # said as the command says it
    assert env.stderr.getvalue() == f"backpain: {error.value}\n"  # type: ignore[attr-defined]


ARRAY = b'[{"age": 40}, , {"age": 41}'


def _array_errors() -> list[str | None]:
    return [r.error for r in Reader(io.BytesIO(ARRAY))]


def test_the_errors_of_an_array_go_through_the_region_s_catalog(marked: None) -> None:
    errors = _array_errors()
    assert "‹invalid JSON: an empty element in the array›" in errors
    assert "‹invalid JSON: the input ended before the array was closed with `]`›" in errors
    long = b"[" + json.dumps({"id": "x" * 200}).encode() + b"]"
    assert [r.error for r in Reader(io.BytesIO(long), max_record=100)] == ["‹longer than ‹100 bytes›; not read›"]


def test_the_errors_of_a_csv_row_go_through_the_region_s_catalog(marked: None) -> None:
    layout = Layout(["age", "pain_intensty"], "csv")
    with pytest.raises(Rejected) as unknown:
        row_answers(layout, ["40", "3"])
    assert "pain_intensty: ‹unknown column›‹ (did you mean pain_intensity?)›" in str(unknown.value)
    with pytest.raises(Rejected) as ragged:
        row_answers(layout, ["40"])
    assert str(ragged.value).startswith("(row): ‹1 cell where the header has 2: a cell is missing")


@pytest.mark.parametrize("region", ["us", "gb"])
def test_an_array_s_errors_read_as_in_intl_in_the_us_and_gb(region: str) -> None:
    """Their wording does not differ by region: the intl words, from the region's catalog."""
    intl = _array_errors()
    _in(region)
    assert _array_errors() == intl
    catalog = catalogs.read(ROOT / "backpain_cli" / "locale" / LOCALES[region] / "LC_MESSAGES" / "backpain.po")
    for message in ("invalid JSON: an empty element in the array", "longer than {size}; not read"):
        entry = catalog.get(message)
        assert entry is not None and entry.string == message
    result = CliRunner().invoke(app, ["assess", "--region", region, "-f", "json"], input=ARRAY, env=QUIET)
    assert [json.loads(line).get("error") for line in result.stdout.splitlines()][1] == (
        "invalid JSON: an empty element in the array"
    )


def test_the_errors_of_fhir_answers_go_through_the_region_s_catalog(marked: None) -> None:
    from backpain_cli.io.fhir_io import response_answers

    value = {"resourceType": "QuestionnaireResponse", "status": "in-progress"}
    with pytest.raises(Rejected) as error:
        response_answers(json.dumps(value).encode(), value)
    said = str(error.value)
    assert "status: ‹expected completed or amended, got ‹" in said
    assert "questionnaire: ‹missing; expected https://" in said


def test_why_a_file_cannot_be_written_goes_through_the_region_s_catalog(marked: None, tmp_path: Path) -> None:
    """What --output and --save-answers say of a path they refuse."""
    from backpain_cli.io.files import target_problem

    assert target_problem(str(tmp_path)) == "‹is a directory›"
    missing = tmp_path / "no-such-folder"
    assert target_problem(str(missing / "x.json")) == f"‹the folder {missing} does not exist›"


# -- what `backpain history` shows on stdout -------------------------------------------------------------------


def _seed_history(db: Path, base: dict[str, Any]) -> None:
    """Three saved assessments, the second made under an older policy (so that the table has its Policy column
    and the changes their note)."""
    from backpain_cli.core.engine import assess
    from backpain_cli.core.validation import validate
    from backpain_cli.faces.history import save_result

    for i, (p, e, a) in enumerate([(8, 8, 8), (6, 6, 6), (3, 3, 4)]):
        answers = validate(
            {**base, "pain_intensity": p, "enjoyment_interference": e, "activity_interference": a, "id": f"h{i}"}
        )
        result = assess(answers)
        if i == 1:
            result["policy_version"] = "2025.1"
        save_result(db, answers, result, now=f"2026-10-{i + 1:02d}T09:00:00Z")


def _history_text(db: Path, columns: int) -> str:
    env = _env()
    env.environ["COLUMNS"] = str(columns)
    assert run_history(env, db, "text", None, None, False, False) == 0
    return env.stdout.getvalue().decode()  # type: ignore[attr-defined]


def _unmarked(text: str) -> str:
    """`text` without every part a translation marked (innermost first: marked messages hold others)."""
    while True:
        shorter = re.sub(r"‹[^‹›]*›", "", text)
        if shorter == text:
            return text
        text = shorter


def test_the_words_of_backpain_history_go_through_the_region_s_catalog(
    marked: None, base_answers: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Headings, level, risk and duration names, the chart's title and legend, the changes and their notes: once
    every translated part is taken out, no word is left but the months of the dates."""
    from backpain_cli.faces import history

    db = tmp_path / "history.sqlite3"
    _seed_history(db, base_answers)
    monkeypatch.setattr(history, "TABLE_ROWS", 2)  # and the note that not every row is shown
    wide = _history_text(db, 400)
    assert "‹Saved assessments›" in wide and "‹Date›" in wide and "‹Duration›" in wide
    words = set(re.findall(r"[A-Za-z]+", _unmarked(wide)))
    assert words <= {"Oct"}, (words, wide)
    for said in (
        "‹Pain impact›",
        "‹Risk group›",
        "‹Policy›",
        "‹The latest 2 of 3 are shown; every one is in --format json and --export csv.›",
        "‹Pain over time (0 none, 10 worst)›",
        "‹pain impact›  ▓▓ ‹intensity›  ▒▒ ‹enjoyment›  ░░ ‹activity›",
        "‹Since the first (1 Oct 2026): pain impact 8 → 3.3, ‹down 4.7› (−59%): "
        "‹substantial improvement (50% or more lower)››. "
        "‹Items: ‹intensity› 8 → 3, ‹enjoyment› 8 → 3, ‹activity› 8 → 4.›",
        "‹Since the previous (2 Oct 2026): pain impact 6 → 3.3, ‹down 2.7› (−45%): "
        "‹meaningful improvement (30% or more lower)›› (‹earlier result under policy 2025.1›). ‹Items: ",
        "‹A drop in pain impact of 30% or more is a meaningful improvement",
    ):
        assert said in wide, said
    narrow = _history_text(db, 69)  # the short headings
    assert "‹Impact›" in narrow and "‹Risk›" in narrow
    with open_store(db) as store:
        title = history.chart(store.records(), 9)[0].plain
    assert title == "‹Pain over time (0 none, 10 worst), latest 1 of 3›"


def test_nothing_saved_yet_and_the_deletion_question_go_through_the_region_s_catalog(
    marked: None, base_answers: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"
    assert _history_text(db, 80) == (f"‹No saved assessments yet in {db}.›\n‹Save one with: backpain assess --save›\n")
    _seed_history(db, base_answers)
    env = Environment(io.BytesIO(b"n\n"), io.BytesIO(), io.StringIO(), False, False, False)
    assert run_history(env, db, "text", None, None, True, False) == 0
    assert env.stderr.getvalue().startswith("‹Delete all 3 saved assessments for good?› ‹[y/N]› ")  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("region", "level", "not_said"), [("us", "primary care", "GP or physio"), ("gb", "GP or physio", "primary care")]
)
def test_backpain_history_names_the_levels_as_the_region_does(
    region: str, level: str, not_said: str, base_answers: dict[str, Any], tmp_path: Path
) -> None:
    db = tmp_path / "history.sqlite3"
    _seed_history(db, base_answers)
    intl = _history_text(db, 100)
    _in(region)
    text = _history_text(db, 100)
    assert level in text and not_said not in text
    if region == "gb":  # its words for the history are the intl words
        assert text == intl
