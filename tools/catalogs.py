"""The gettext catalogs of the regions: extract the messages, update each region's .po, compile the .mo files.

    .venv/bin/python tools/catalogs.py            # extract backpain.pot, update every .po, compile every .mo
    .venv/bin/python tools/catalogs.py --check    # exit 1 if the .pot or a .mo is stale, or a catalog is
                                                  # incomplete or has a placeholder its message has not
    .venv/bin/python tools/catalogs.py --new es_ES   # start a new catalog (then translate it, and run again)

The messages are the `intl` wording, in the code: every string passed to `_` or marked with `N_` in
backpain_cli (Babel's Python extractor), and the questionnaire's and the policy's texts, which are data
(questionnaire.QUESTIONS: prompts, help, options, sections, short names, of every question, those a clinic
gives included; policy.RULES: each rule's `why`). A region's catalog is
`backpain_cli/locale/<ll_CC>/LC_MESSAGES/backpain.po`; the .mo beside it is what the package reads at run time
(stdlib gettext), committed, and checked current by tests/io/test_catalogs.py.

Babel is a development dependency only (the `dev` extra); the installed package needs nothing but the stdlib.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "backpain_cli"
LOCALE = PACKAGE / "locale"
DOMAIN = "backpain"
POT = LOCALE / f"{DOMAIN}.pot"
KEYWORDS = {"_": None, "N_": None}
#: A fixed date in the headers, so that running the tool again changes no file whose messages did not change.
DATE = datetime(2026, 11, 29, tzinfo=UTC)

sys.path.insert(0, str(ROOT))


def _code_messages() -> Iterator[tuple[str, str]]:
    """(message, where) for every string given to `_` or `N_` in the package's code."""
    for path in sorted(PACKAGE.rglob("*.py")):
        with path.open("rb") as f:
            for lineno, message, _comments, _context in extract("python", f, keywords=KEYWORDS):
                if isinstance(message, str) and message:
                    yield message, f"{path.relative_to(ROOT)}:{lineno}"


def _data_messages() -> Iterator[tuple[str, str]]:
    """(message, where) for the texts that are data: the questionnaire's and the policy's."""
    from backpain_cli.core import policy, questionnaire

    for q in questionnaire.QUESTIONS:  # every one: those a clinic gives are in `backpain questions` and the schema
        where = f"questionnaire:{q.key}"
        yield from ((text, where) for text in (q.prompt, q.help, q.refuse_message) if text)
        yield from ((text, where) for f in q.fields for text in (f.prompt, f.help) if text)
        yield from ((text, where) for g in q.groups for text in (g.prompt, g.help) if text)
        yield from ((c.label, where) for c in q.choices)
    for section in questionnaire.SECTIONS:
        yield section, "questionnaire:SECTIONS"
    for key, name in questionnaire.SHORT_NAMES.items():
        yield name, f"questionnaire:SHORT_NAMES:{key}"
    for rule in policy.RULES:
        yield rule.why, f"policy:{rule.id}"


def template() -> Catalog:
    """Every message, in the order first met."""
    catalog = Catalog(project="backpain", domain=DOMAIN, fuzzy=False, creation_date=DATE, revision_date=DATE)
    for message, where in [*_code_messages(), *_data_messages()]:
        file, _, line = where.rpartition(":") if where.startswith("backpain_cli/") else (where, "", "")
        catalog.add(message, locations=[(file, int(line) if line else None)])
    return catalog


def _po_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_po(
        out,
        catalog,
        width=120,
        omit_header=False,
        no_location=True,
        sort_output=False,
        ignore_obsolete=True,
        include_previous=False,
    )
    return out.getvalue()


def catalogs() -> list[Path]:
    return sorted(LOCALE.glob(f"*/LC_MESSAGES/{DOMAIN}.po"))


def read(path: Path) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=path.parent.parent.name, domain=DOMAIN)


def mo_bytes(catalog: Catalog) -> bytes:
    out = io.BytesIO()
    write_mo(out, catalog, use_fuzzy=False)
    return out.getvalue()


PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


def problems(messages: list[str], catalog: Catalog) -> list[str]:
    """What is wrong with a catalog against the messages: a message missing, untranslated or fuzzy, or a
    translation whose placeholders ({name}) differ from its message's. Empty when it is complete."""
    out = []
    for message in messages:
        entry = catalog.get(message)
        if entry is None:
            out.append(f"{catalog.locale}: missing: {message!r}")
        elif not entry.string or entry.fuzzy:
            out.append(f"{catalog.locale}: not translated{' (fuzzy)' if entry.fuzzy else ''}: {message!r}")
        elif placeholders(str(entry.string)) != placeholders(message):
            out.append(
                f"{catalog.locale}: placeholders {placeholders(str(entry.string))} in the translation of "
                f"{message!r}, which has {placeholders(message)}"
            )
    return out


def messages_of(catalog: Catalog) -> list[str]:
    return [str(m.id) for m in catalog if m.id]


def update() -> None:
    pot = template()
    POT.parent.mkdir(parents=True, exist_ok=True)
    POT.write_bytes(_po_bytes(pot))
    for path in catalogs():
        catalog = read(path)
        catalog.update(pot, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        path.write_bytes(_po_bytes(catalog))
        path.with_suffix(".mo").write_bytes(mo_bytes(catalog))
        print(f"{path.relative_to(ROOT)}: {len(problems(messages_of(pot), catalog))} message(s) to translate")


def new(locale: str) -> None:
    path = LOCALE / locale / "LC_MESSAGES" / f"{DOMAIN}.po"
    if path.exists():
        sys.exit(f"{path} exists")
    path.parent.mkdir(parents=True)
    catalog = Catalog(
        locale=locale, project="backpain", domain=DOMAIN, fuzzy=False, creation_date=DATE, revision_date=DATE
    )
    catalog.update(template())
    path.write_bytes(_po_bytes(catalog))
    print(f"{path.relative_to(ROOT)}: translate every message, then run tools/catalogs.py")


def check() -> list[str]:
    """Every reason the catalogs are not ready: a stale .pot or .mo, an incomplete catalog."""
    out = []
    pot = template()
    wanted = messages_of(pot)
    if not POT.is_file() or messages_of(read_po(POT.open("rb"))) != wanted:
        out.append(f"{POT.relative_to(ROOT)} is stale: run tools/catalogs.py")
    for path in catalogs():
        catalog = read(path)
        out += problems(wanted, catalog)
        mo = path.with_suffix(".mo")
        if not mo.is_file() or mo.read_bytes() != mo_bytes(catalog):
            out.append(f"{mo.relative_to(ROOT)} is stale: run tools/catalogs.py")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--new", metavar="LOCALE")
    args = parser.parse_args()
    if args.new:
        new(args.new)
    elif args.check:
        found = check()
        print("\n".join(found) or "catalogs are current and complete")
        sys.exit(1 if found else 0)
    else:
        update()


if __name__ == "__main__":
    main()
