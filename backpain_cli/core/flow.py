"""The interactive questionnaire's logic, apart from the screen.

Which questions are asked, on which screens and with which of their options, how a typed answer is read and
checked, and the review summary. Everything comes from `questionnaire.QUESTIONS`, so the prompts cannot drift from
the contract (the early emergency warning, from `policy.RULES`, is in `early.py`). Pure: no I/O, no third-party
imports.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from backpain_cli.core.i18n import N_, _
from backpain_cli.core.questionnaire import (
    OTHER_SYMPTOMS,
    QUESTIONS,
    SHORT_NAMES,
    SPINE_SIGNS,
    Choice,
    Group,
    Question,
    asked_choices,
)

#: The questions asked at the prompt, in the order of the one definition (`interactive=False` keys never are).
ASKED: tuple[Question, ...] = tuple(q for q in QUESTIONS if q.interactive)

#: Short names of the screens of a question asked on several (`Question.groups`), for the review ("Change 2:
#: other symptoms with the pain"). A group not named here is called by its question's short name.
GROUP_NAMES: dict[str, str] = {
    SPINE_SIGNS: SHORT_NAMES["red_flags"],
    OTHER_SYMPTOMS: N_("other symptoms with the pain"),
}


@dataclass(frozen=True)
class Step:
    """One screen of the questionnaire: a question, or one group of its options (the red flags are asked on two
    screens, the spine's warning signs and then other symptoms with the pain; both fill the one list)."""

    question: Question
    group: Group | None = None

    @property
    def key(self) -> str:
        """The answers-contract key this screen fills."""
        return self.question.key

    @property
    def id(self) -> str:
        """`key` for a question on one screen, `key:group` for one of several."""
        return self.key if self.group is None else f"{self.key}:{self.group.id}"

    @property
    def prompt(self) -> str:
        return self.group.prompt if self.group is not None else self.question.prompt

    @property
    def help(self) -> str:
        return self.group.help if self.group is not None else self.question.help

    @property
    def short_name(self) -> str:
        name = SHORT_NAMES.get(self.key, self.key)
        return name if self.group is None else GROUP_NAMES.get(self.group.id, name)

    @property
    def choices(self) -> tuple[Choice, ...]:
        """The options this screen shows (before any condition)."""
        return self.question.choices if self.group is None else self.question.in_group(self.group.id)

    def offered(self, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
        """The options this screen offers given the answers so far (the contract's conditions)."""
        mine = {c.value for c in self.choices}
        return tuple(c for c in asked_choices(self.question, answers) if c.value in mine)

    def own(self, values: Iterable[str]) -> list[str]:
        """The values of a list answer that belong to this screen, in the definition's order."""
        given = set(values)
        return [c.value for c in self.choices if c.value in given]

    def merged(self, current: Iterable[str], ticked: Iterable[str]) -> list[str]:
        """The whole list answer after this screen: the other screens' values kept, this screen's replaced by
        `ticked`; in the definition's order."""
        mine = {c.value for c in self.choices}
        keep = {v for v in current if v not in mine} | set(ticked)
        return [v for v in self.question.values if v in keep]


#: The screens asked at the prompt, in order: one per question, or one per group of a grouped question. Their
#: number is the "question N of M" of the progress line, and of the review's list.
STEPS: tuple[Step, ...] = tuple(Step(q, g) for q in ASKED for g in (q.groups or (None,)))
BY_ID: dict[str, Step] = {s.id: s for s in STEPS}


def steps_of(key: str) -> tuple[Step, ...]:
    """The screens that fill the answer `key`."""
    return tuple(s for s in STEPS if s.key == key)


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
        raise ValueError(_("Please type {expected}.").format(expected=question.expected()))
    value = float(cleaned)
    if question.refuse_below is not None and 1 <= value < question.refuse_below:
        raise Refused(_sentence(_(question.refuse_message)))
    if (question.minimum is not None and value < question.minimum) or (
        question.maximum is not None and value > question.maximum
    ):
        raise ValueError(_("Please type {expected}.").format(expected=question.expected()))
    return int(value) if value.is_integer() else value


def check_list(question: Question, values: list[str]) -> str | None:
    """None when the ticked options are enough, else the message to show before asking again."""
    if len(values) < question.min_items:
        return (
            N_("Please tick at least one.")
            if question.min_items == 1
            else f"Please tick at least {question.min_items}."
        )
    return None


#: What an answered list question shows when nothing was ticked.
NONE_TICKED = N_("none")


def ticked_text(labels: list[str]) -> str:
    """The answer an answered list question shows: the labels of the ticked options, or "none"."""
    return "; ".join(labels) or _(NONE_TICKED)


def _sentence(text: str) -> str:
    text = text.strip()
    return (text[:1].upper() + text[1:]).rstrip(".") + "." if text else text


def summary(answers: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(step id, "Short name: answer in words") for every screen, in order, in the same words the reasons use;
    a screen of a grouped question shows its own options only."""
    from backpain_cli.core.engine import answers_text  # not needed before the first question: keep start-up quick

    out: list[tuple[str, str]] = []
    for s in STEPS:
        short = _(s.short_name)
        name = short[:1].upper() + short[1:]
        if s.key not in answers:
            out.append((s.id, _("{name}: not answered").format(name=name)))
        elif s.group is None:
            out.append((s.id, answers_text({s.key: answers[s.key]})))
        else:  # the words the reasons use for these values, under this screen's name
            words = answers_text({s.key: s.own(answers[s.key])}).split(": ", 1)[1]
            out.append((s.id, f"{name}: {words}"))
    return out
