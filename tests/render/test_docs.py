"""The documentation: generated pages current, the README short, every link in it pointing at a real file."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent.parent


def _make_docs():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "tools" / "make_docs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("page", ["policy.md", "answers-contract.md", "report.svg"])
def test_generated_page_is_current(page: str) -> None:
    make_docs = _make_docs()
    assert (ROOT / "docs" / page).read_text() == make_docs.PAGES[page](), f"run tools/make_docs.py: {page} is stale"


def test_policy_page_lists_every_rule_with_its_condition() -> None:
    from backpain_cli.core.policy import POLICY_VERSION, RULES

    text = (ROOT / "docs" / "policy.md").read_text()
    assert f"# Triage policy {POLICY_VERSION}" in text
    for rule in RULES:
        row = next(
            line
            for line in text.splitlines()
            if line.startswith(f"| {rule.id} | `") or line.startswith(f"| {rule.id} | ")
        )
        assert rule.when.split()[0] in row


def test_readme_is_short_and_its_links_resolve() -> None:
    readme = (ROOT / "README.md").read_text()
    assert len(readme.encode()) <= 6 * 1024
    links = re.findall(r"\]\(([^)#]+)(?:#[^)]*)?\)", readme)
    assert "docs/report.svg" in links
    for link in links:
        assert (ROOT / link).exists(), link


def test_readme_shows_both_commands() -> None:
    readme = (ROOT / "README.md").read_text()
    assert ".venv/bin/backpain assess" in readme
    assert ".venv/bin/python -m pytest" in readme
