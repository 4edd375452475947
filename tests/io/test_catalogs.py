"""The regions' gettext catalogs: complete, placeholders intact, compiled .mo files current with the .po files,
and what the package reads at run time is what the .po files say."""

from __future__ import annotations

import copy
import sys
from pathlib import Path

import pytest

from backpain_cli.io import catalogs as runtime

ROOT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(ROOT / "tools"))

import catalogs  # noqa: E402  # tools/catalogs.py: extraction and compilation, with Babel (a dev dependency)

MESSAGES = catalogs.messages_of(catalogs.template())
PO_FILES = catalogs.catalogs()
IDS = [p.parent.parent.name for p in PO_FILES]


def test_there_is_a_catalog_per_region() -> None:
    assert IDS == ["en_AU", "en_CA", "en_GB", "en_IE", "en_NZ", "en_US"]
    assert runtime.available() == tuple(IDS)
    assert len(MESSAGES) > 300


def test_the_template_and_every_compiled_catalog_are_current_and_complete() -> None:
    """The .pot has every message of the code; each .po translates each (placeholders intact); each .mo is the
    compilation of its .po. `tools/catalogs.py` fixes the first and last; a translator, the rest."""
    assert catalogs.check() == []


@pytest.mark.parametrize("path", PO_FILES, ids=IDS)
def test_a_catalog_that_lacks_a_message_fails(path: Path) -> None:
    catalog = catalogs.read(path)
    assert catalogs.problems(MESSAGES, catalog) == []
    broken = copy.deepcopy(catalog)
    message = "See a GP or physiotherapist in the next week or two."
    del broken[message]
    assert catalogs.problems(MESSAGES, broken) == [f"{path.parent.parent.name}: missing: {message!r}"]
    broken = copy.deepcopy(catalog)
    broken[message].string = ""
    assert "not translated" in catalogs.problems(MESSAGES, broken)[0]


@pytest.mark.parametrize("path", PO_FILES, ids=IDS)
def test_a_translation_whose_placeholders_differ_fails(path: Path) -> None:
    catalog = catalogs.read(path)
    message = "{why} Your answers: {answers}."
    assert message in MESSAGES
    catalog[message].string = "{why} Your answers: {answer}."
    found = catalogs.problems(MESSAGES, catalog)
    assert len(found) == 1 and "placeholders" in found[0]


def test_a_stale_compiled_catalog_is_found(tmp_path: Path) -> None:
    catalog = catalogs.read(PO_FILES[0])
    before = catalogs.mo_bytes(catalog)
    catalog["See a GP or physiotherapist in the next week or two."].string = "Something else."
    assert catalogs.mo_bytes(catalog) != before


@pytest.mark.parametrize("path", PO_FILES, ids=IDS)
def test_the_package_reads_what_the_catalog_says(path: Path) -> None:
    catalog = catalogs.read(path)
    region = path.parent.parent.name.partition("_")[2].lower()
    translations = runtime.load(region)
    for message in catalog:
        if message.id:
            assert translations.gettext(str(message.id)) == message.string
