"""FHIR glue between the stream and the pure mapping (`fhir.py`): Bundles cut into records, a response read as
answers through the same validation and warning path as JSON, and the sink that writes results as FHIR.

Kept small and apart, so that the stream code (reader, batch, sinks) only calls in here. JSON runs never load `fhir.py`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from backpain_cli.core.i18n import _
from backpain_cli.io import json_text
from backpain_cli.io.env import Environment
from backpain_cli.io.json_text import GIVEN_TWICE
from backpain_cli.io.reader import Record

if TYPE_CHECKING:
    from backpain_cli.core.fhir import Source

#: The base of the canonical URLs read and written (`--fhir-base`); set by `configure`; None: `fhir.DEFAULT_BASE`.
BASE: str | None = None
#: Every record must be a FHIR resource (`--input-format fhir`); set by `configure`.
ONLY = False


@contextlib.contextmanager
def configured(base: str | None = None, only: bool = False) -> Iterator[None]:
    """For one command (and the `--jobs` workers forked while it runs): the canonical base, and whether every
    record must be a FHIR resource (`--input-format fhir`). Restored when the command ends."""
    global BASE, ONLY
    before = BASE, ONLY
    BASE, ONLY = (base.rstrip("/") if base else None), only
    try:
        yield
    finally:
        BASE, ONLY = before


def _base() -> str:
    from backpain_cli.core.fhir import DEFAULT_BASE

    return BASE or DEFAULT_BASE


class ResponseAnswers(dict[str, Any]):
    """Valid answers read from a QuestionnaireResponse; `source` (not part of the answers) names the response,
    for the references back to it in the result."""

    source: Source | None = None


def expand(records: Iterator[Record], numbered: bool) -> Iterator[Record]:
    """Each Bundle record becomes one record per entry (a QuestionnaireResponse each, numbered from 1 when the
    Bundle is the whole input, else each with the Bundle's line); every other record passes as it is. A search
    result's included resources and outcome messages are skipped. A Bundle with a key given twice stays one
    record, rejected whole, so that no copy can hide a warning sign."""
    import msgspec

    encode = msgspec.json.Encoder().encode
    for record in records:
        if record.error is not None or b'"Bundle"' not in record.raw:
            yield record
            continue
        try:
            value = json_text.decode_json(record.raw)
        except json_text.Unreadable:
            yield record
            continue
        if not (isinstance(value, dict) and value.get("resourceType") == "Bundle"):
            yield record
            continue
        if json_text.duplicate_keys(record.raw, value):
            yield record
            continue
        entries = value.get("entry", [])
        if not isinstance(entries, list) or not entries:
            yield Record(record.line, error=_("a Bundle without entries: no QuestionnaireResponse to assess"))
            continue
        n = 0
        for entry in entries:
            search = entry.get("search") if isinstance(entry, dict) else None
            if isinstance(search, dict) and search.get("mode") in ("include", "outcome"):
                continue
            n += 1
            line = n if numbered else record.line
            if not isinstance(entry, dict) or not isinstance(entry.get("resource"), dict):
                yield Record(line, error=_("Bundle entry {n}: expected an entry with a resource").format(n=n))
            else:
                yield Record(line, encode(entry["resource"]))


def response_answers(raw: bytes, value: dict[str, Any]) -> dict[str, Any]:
    """Valid answers from a decoded QuestionnaireResponse (or, with `--input-format fhir`, whatever object came),
    or raise `json_text.Rejected` naming each linkId at fault, with the warning signs of a record not assessed."""
    from backpain_cli.core import fhir
    from backpain_cli.core.validation import InvalidAnswers, Problem, validate
    from backpain_cli.core.warning_signs import unassessed_warning

    if value.get("resourceType") == "Bundle":  # left whole: a key given twice, or input that began as plain JSON
        mapped: dict[str, Any] = {}
        problems = (
            []
            if json_text.duplicate_keys(raw, value)
            else [
                Problem("Bundle", _("a Bundle in input that did not begin as FHIR; say --input-format fhir to read it"))
            ]
        )
        source = None
    else:
        mapped, problems, source = fhir.response_answers(value, _base())
    problems += [Problem(key, _(GIVEN_TWICE)) for key in json_text.duplicate_keys(raw, value)]
    if any(p.key in ("resourceType", "questionnaire", "Bundle") for p in problems):
        # Not a response to this questionnaire: its items are not ours to judge, one by one.
        problems = [p for p in problems if fhir.record_level(p.key) or p.key == "Bundle"]
    else:
        try:
            valid = validate(mapped)
        except InvalidAnswers as exc:
            said = {p.key for p in problems}
            problems += [p for p in exc.problems if p.key not in said]
        else:
            if not problems:
                out = ResponseAnswers(valid)
                out.source = source
                return out
    # The warning signs of a record not assessed: read from every code it gives (or, for a plain object, from it).
    stated = {**mapped, **source.codes} if source is not None else mapped
    found = unassessed_warning(stated if "resourceType" in value else value, raw=raw)
    error = InvalidAnswers(problems, found)
    raise json_text.Rejected(
        str(error), mapped if "resourceType" in value else value, error.warning, tuple(p.key for p in problems)
    )


class FhirSink:
    """Each result as a Bundle (GuidanceResponse, Parameters, Observation), each rejection as an
    OperationOutcome: NDJSON for a batch, one line a record; one indented resource for a single record."""

    def __init__(self, env: Environment, batch: bool) -> None:
        import msgspec

        self.out = env.stdout
        self.batch = batch
        self.encode = msgspec.json.Encoder().encode
        self.format = msgspec.json.format

    def write(self, ok: bool, out: dict[str, Any], answers: dict[str, Any] | None = None) -> None:
        from backpain_cli.core import fhir

        if ok:
            resource = fhir.result_bundle(out, answers, _base(), getattr(answers, "source", None))
        else:
            resource = fhir.outcome(out, getattr(out, "where", ()))
        data = self.encode(resource)
        self.out.write((data if self.batch else self.format(data, indent=2)) + b"\n")

    def close(self) -> None:
        self.out.flush()
