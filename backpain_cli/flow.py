"""The interactive questionnaire's logic, apart from the screen.

Which questions are asked and which of their options, how a typed answer is read and checked, which emergency
rules the answers so far already decide, and the review summary. Everything comes from `questionnaire.QUESTIONS`
and `policy.RULES`, so the prompts cannot drift from the contract or the policy.
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from .engine import answers_text
from .policy import EMERGENCY, RULES, Evidence, Facts, Rule
from .questionnaire import QUESTIONS, SHORT_NAMES, Choice, Question, asked_choices

#: The questions asked at the prompt, in the order of the one definition (`interactive=False` keys never are).
ASKED: tuple[Question, ...] = tuple(q for q in QUESTIONS if q.interactive)


def offered(question: Question, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
    """The options of a choice or list question offered given the answers so far (the contract's conditions)."""
    return asked_choices(question, answers)


def has_conditions(question: Question) -> bool:
    """Whether some option of `question` is offered only under a condition (the `pattern` question)."""
    return any(c.asked_when is not None for c in question.choices)


def read_number(question: Question, text: str) -> int | float:
    """The number typed for an integer or number question; ValueError with a message for the person otherwise."""
    cleaned = text.strip().replace(",", ".")
    try:
        value = float(cleaned)
    except ValueError:
        raise ValueError(f"Please type {question.expected()}.") from None
    if not math.isfinite(value):
        raise ValueError(f"Please type {question.expected()}.")
    if question.kind == "integer" and not value.is_integer():
        raise ValueError(f"Please type {question.expected()}.")
    if question.refuse_below is not None and value < question.refuse_below:
        raise ValueError(_sentence(question.refuse_message))
    if (question.minimum is not None and value < question.minimum) or (
        question.maximum is not None and value > question.maximum
    ):
        raise ValueError(f"Please type {question.expected()}.")
    return int(value) if value.is_integer() else value


def check_number(question: Question, text: str) -> str | None:
    """None when `text` is a valid answer, else the message to show before asking again."""
    try:
        read_number(question, text)
    except ValueError as exc:
        return str(exc)
    return None


def check_list(question: Question, values: list[str]) -> str | None:
    """None when the ticked options are enough, else the message to show before asking again."""
    if len(values) < question.min_items:
        return "Please tick at least one." if question.min_items == 1 else f"Please tick at least {question.min_items}."
    return None


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def summary(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(key, "Short name: answer in words") for every asked question, in questionnaire order; in the same words
    the reasons use."""
    out: list[tuple[str, str]] = []
    for q in ASKED:
        if q.key in answers:
            out.append((q.key, answers_text({q.key: answers[q.key]})))
        else:
            out.append((q.key, f"{SHORT_NAMES.get(q.key, q.key).capitalize()}: not answered"))
    return out


# ───────────────────────── emergency rules on partial answers ─────────────────────────
#
# The policy's own rule functions are run over the answers given so far. A rule counts only once every answer it
# reads has been given: reading an unanswered key (or a derived value, or whether an undecided rule fired) raises
# `_Undecided`, and the rule is left for later. So the early warning is the policy itself, not a copy of it.


class _Undecided(Exception):
    """A rule read something not yet answered."""


class _Partial(Mapping[str, Any]):
    """The answers so far; reading a key whose question has not been answered raises `_Undecided`."""

    def __init__(self, answers: Mapping[str, Any], decided: frozenset[str]) -> None:
        self._answers = answers
        self._decided = decided

    def __getitem__(self, key: str) -> Any:
        if key not in self._decided:
            raise _Undecided(key)
        return self._answers[key]

    def __contains__(self, key: object) -> bool:
        if key not in self._decided:
            raise _Undecided(key)
        return key in self._answers

    def __iter__(self) -> Iterator[str]:
        raise _Undecided("*")

    def __len__(self) -> int:
        raise _Undecided("*")


class _PartialFired(Mapping[str, Evidence]):
    """The rules fired so far; asking about a rule not yet decided raises `_Undecided`."""

    def __init__(self) -> None:
        self.fired: dict[str, Evidence] = {}
        self.undecided: set[str] = set()

    def __getitem__(self, key: str) -> Evidence:
        if key in self.undecided:
            raise _Undecided(key)
        return self.fired[key]

    def __contains__(self, key: object) -> bool:
        if key in self.undecided:
            raise _Undecided(str(key))
        return key in self.fired

    def __iter__(self) -> Iterator[str]:
        if self.undecided:
            raise _Undecided("*")
        return iter(self.fired)

    def __len__(self) -> int:
        if self.undecided:
            raise _Undecided("*")
        return len(self.fired)


class _PartialFacts(Facts):
    """Facts over partial answers: the answers only, none of the derived values (reading one is undecided)."""

    def __init__(self, answers: Mapping[str, Any]) -> None:
        self.a = answers

    def __getattr__(self, name: str) -> Any:
        # Only called for attributes not set: the derived values, which need every answer.
        raise _Undecided(name)


def emergencies(answers: Mapping[str, Any], decided: set[str] | frozenset[str]) -> list[Rule]:
    """The emergency rules that already fire on the answers to the questions in `decided`, in table order."""
    facts = _PartialFacts(_Partial(answers, frozenset(decided)))
    fired = _PartialFired()
    out: list[Rule] = []
    for rule in RULES:
        if rule.level != EMERGENCY:
            fired.undecided.add(rule.id)  # not evaluated here, so a later rule may not lean on it
            continue
        try:
            evidence = rule.test(facts, fired)
        except _Undecided:
            fired.undecided.add(rule.id)
            continue
        if evidence:
            fired.fired[rule.id] = evidence
            out.append(rule)
    return out
