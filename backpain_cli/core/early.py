"""Emergency rules on partial answers: which emergency rules the answers given so far already decide.

The policy's own rule functions are run over the answers given so far. A rule counts only once every answer it
reads has been given: reading an unanswered key (or a derived value, or whether an undecided rule fired) raises
`_Undecided`, and the rule is left for later. So the early warning is the policy itself, not a copy of it: which
keys a rule reads is learnt by running it, never kept in a table (E8, say, is decided once red_flags, age,
risk_factors, onset and duration_weeks are answered; E11 waits for numbness_tingling too). The rule functions
read every part of their condition (`all_of` and `any_of` take evaluated parts), so a rule is decided only once
every key of its condition is; a rule that returned without reading a key cannot depend on it. A rule that read
a derived value (onset age, pain impact) would never be decided here: the emergency rules read answers only.
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from backpain_cli.core.policy import EMERGENCY, RULES, Evidence, Facts, Rule


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
    """The emergency rules that already fire on the answers to the questions in `decided`, in table order.

    A key is decided once its question is wholly answered: for the red flags, asked on two screens, only after
    the second (the interactive questionnaire passes it so), so a rule never reads half a list."""
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
