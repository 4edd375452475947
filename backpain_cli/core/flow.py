"""The interactive questionnaire's logic, apart from the screen.

Which questions are asked and which of their options, how a typed answer is read and checked, and the review
summary. Everything comes from `questionnaire.QUESTIONS`, so the prompts cannot drift from the contract (the early
emergency warning, from `policy.RULES`, is in `early.py`). Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from backpain_cli.core.questionnaire import QUESTIONS, SHORT_NAMES, Choice, Question, asked_choices

#: The questions asked at the prompt, in the order of the one definition (`interactive=False` keys never are).
ASKED: tuple[Question, ...] = tuple(q for q in QUESTIONS if q.interactive)


def offered(question: Question, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
    """The options of a choice or list question offered given the answers so far (the contract's conditions)."""
    return asked_choices(question, answers)


def has_conditions(question: Question) -> bool:
    """Whether some option of `question` is offered only under a condition (the `pattern` question)."""
    return any(c.asked_when is not None for c in question.choices)


class Refused(ValueError):
    """A number the questionnaire is not for (an age under 16): not a typing mistake, so not simply asked again."""


#: What may be typed for a number: digits, and for a `number` question one decimal point (or comma). Nothing
#: else Python's float() would take: no sign, exponent, underscore, "nan" or "inf", no other script's digits.
_WHOLE = re.compile(r"[0-9]+", re.ASCII)
_DECIMAL = re.compile(r"[0-9]+(?:\.[0-9]*)?|\.[0-9]+", re.ASCII)


def read_number(question: Question, text: str) -> int | float:
    """The number typed for an integer or number question; ValueError with a message for the person otherwise
    (Refused, a ValueError, when the questionnaire is not for that answer: a whole number from 1 up to
    `refuse_below`). Only plain numbers are read: `-5`, `1e1`, `1_2` or `30.0` for an age are asked again."""
    cleaned = text.strip().replace(",", ".")
    plain = _WHOLE if question.kind == "integer" else _DECIMAL
    if not plain.fullmatch(cleaned):
        raise ValueError(f"Please type {question.expected()}.")
    value = float(cleaned)
    if question.refuse_below is not None and 1 <= value < question.refuse_below:
        raise Refused(_sentence(question.refuse_message))
    if (question.minimum is not None and value < question.minimum) or (
        question.maximum is not None and value > question.maximum
    ):
        raise ValueError(f"Please type {question.expected()}.")
    return int(value) if value.is_integer() else value


def check_list(question: Question, values: list[str]) -> str | None:
    """None when the ticked options are enough, else the message to show before asking again."""
    if len(values) < question.min_items:
        return "Please tick at least one." if question.min_items == 1 else f"Please tick at least {question.min_items}."
    return None


#: What an answered list question shows when nothing was ticked.
NONE_TICKED = "none"


def ticked_text(labels: list[str]) -> str:
    """The answer an answered list question shows: the labels of the ticked options, or "none"."""
    return "; ".join(labels) or NONE_TICKED


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def summary(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, "Short name: answer in words") for every asked question, in questionnaire order; in the same words
    the reasons use."""
    from backpain_cli.core.engine import answers_text  # not needed before the first question: keep start-up quick

    out: list[tuple[str, str]] = []
    for q in ASKED:
        if q.key in answers:
            out.append((q.key, answers_text({q.key: answers[q.key]})))
        else:
            out.append((q.key, f"{SHORT_NAMES.get(q.key, q.key).capitalize()}: not answered"))
    return out
