"""The JSON face: records in, one result (or one rejection) out per record, in input order."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any

from .engine import assess
from .env import Environment
from .exit_codes import ExitStatus
from .reader import NoInput, Record, read_records
from .validation import InvalidAnswers, record_id, validate


def rejection(record: Record, error: str) -> dict[str, Any]:
    out: dict[str, Any] = {"line": record.line}
    rid = record_id(record.value)
    if rid is not None:
        out["id"] = rid
    out["error"] = error
    return out


Outcome = tuple[bool, dict[str, Any], dict[str, Any] | None]


def assess_records(records: Iterable[Record]) -> Iterator[Outcome]:
    """(True, result, answers) for each assessed record, (False, rejection, None) for each rejected one, in
    input order. `answers` are the validated answers behind the result."""
    for record in records:
        if record.error is not None:
            yield False, rejection(record, record.error), None
            continue
        try:
            answers = validate(record.value)
        except InvalidAnswers as exc:
            yield False, rejection(record, str(exc)), None
            continue
        yield True, assess(answers), answers


NO_ANSWERS = (
    "no answers to assess. Pipe answers in as JSON (backpain assess < answers.json, or --answers PATH), "
    "or run 'backpain assess' in a terminal to answer the questions."
)


def run(env: Environment, data: bytes, fmt: str, input_format: str | None) -> ExitStatus:
    """Assess every record of `data`, writing each result in `fmt` to stdout and each rejection to stderr."""
    from .sinks import make_sink

    try:
        batch, records = read_records(data, input_format)
    except NoInput:
        env.message(NO_ANSWERS)
        return ExitStatus.USAGE
    sink = make_sink(fmt, env, batch)
    rejected = 0
    for ok, out, answers in assess_records(records):
        if not ok:
            rejected += 1
            where = f"record {out['line']}" + (f" (id {out['id']!r})" if "id" in out else "")
            env.message(f"{where} rejected: {out['error']}")
        sink.write(ok, out, answers)
    sink.close()
    return ExitStatus.REJECTED if rejected else ExitStatus.OK
