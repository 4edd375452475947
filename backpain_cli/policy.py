"""Triage policy 2026.1, as code that reads like its table.

Each rule below is one row of the policy: its id, its level, the condition from the table (the docstring, word
for word in the policy's notation), and a function that returns the answers behind it when it fires (an empty
dict when it does not). A clinician can check each function against its row.

Rules are evaluated in table order, so a rule that depends on another ("E4 not fired") always sees it decided.
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

POLICY_VERSION = "2026.1"

EMERGENCY = "emergency"
URGENT = "urgent"
SPECIALIST = "specialist"
PRIMARY_CARE = "primary_care"
SELF_CARE = "self_care"

#: Most urgent first.
LEVELS: tuple[str, ...] = (EMERGENCY, URGENT, SPECIALIST, PRIMARY_CARE, SELF_CARE)
RANK: dict[str, int] = {level: i for i, level in enumerate(LEVELS)}

#: The answers behind a rule: key -> the value (or, for lists, the values) that made it fire. Empty: not fired.
Evidence = dict[str, Any]
NONE: Evidence = {}


def all_of(*parts: Evidence) -> Evidence:
    """Fires when every part fires; the evidence is all of theirs."""
    if not all(parts):
        return NONE
    return _merge(parts)


def any_of(*parts: Evidence) -> Evidence:
    """Fires when any part fires; the evidence is that of every part that fired."""
    fired = [p for p in parts if p]
    return fired[0] if len(fired) == 1 else _merge(fired)


def _merge(parts: Any) -> Evidence:
    if len(parts) < 2:  # nothing to merge: the one part as it is, or none
        return parts[0] if parts else NONE
    out: Evidence = {}
    for part in parts:
        for key, value in part.items():
            if key in out and isinstance(value, list):
                out[key] = out[key] + [v for v in value if v not in out[key]]
            else:
                out[key] = value
    return out


class Facts:
    """The answers and the policy's derived values, with the tests the rules are written in."""

    def __init__(self, answers: Mapping[str, Any]) -> None:
        a = self.a = answers
        self.duration_weeks: float = a["duration_weeks"]
        self.onset_age: float = a["age"] - a["duration_weeks"] / 52
        self.pain_impact: float = round(
            (a["pain_intensity"] + a["enjoyment_interference"] + a["activity_interference"]) / 3, 1
        )
        self.duration = "acute" if self.duration_weeks < 6 else "subacute" if self.duration_weeks < 12 else "chronic"
        startback = a.get("startback")
        if startback is not None:
            self.screen_source = "startback"
            self.screen_psychosocial = int(startback["psychosocial"])
            self.screen_total = int(startback["total"])
            self.screen_evidence: Evidence = {"startback": dict(startback)}
        else:
            self.screen_source = "built_in"
            psychosocial = self.has(
                "past_two_weeks", "fear_of_movement", "worrying_thoughts", "feels_it_will_never_improve", "low_mood"
            )
            bother = self.among("bothersomeness", "very", "extremely")
            physical = any_of(
                self.leg_pain(), self.has("past_two_weeks", "pain_elsewhere", "walking_limited", "dressing_slower")
            )
            self.screen_psychosocial = len(psychosocial.get("past_two_weeks", ())) + (1 if bother else 0)
            self.screen_total = (
                self.screen_psychosocial + (1 if self.leg_pain() else 0) + len(physical.get("past_two_weeks", ()))
            )
            self.screen_evidence = any_of(psychosocial, bother, physical)
        if self.screen_psychosocial >= 4:
            self.risk_group = "high"
        elif self.screen_total <= 3:
            self.risk_group = "low"
        else:
            self.risk_group = "medium"

    # -- tests over answers; each returns the evidence when true, NONE when false --

    def has(self, key: str, *values: str) -> Evidence:
        """Any of `values` in the list answer `key`."""
        answer = self.a.get(key)
        if not answer:  # most of these lists are empty: a quick answer for them
            return NONE
        present = [v for v in values if v in answer]
        return {key: present} if present else NONE

    def flag(self, *names: str) -> Evidence:
        return self.has("red_flags", *names)

    def risk(self, *names: str) -> Evidence:
        return self.has("risk_factors", *names)

    def among(self, key: str, *values: str) -> Evidence:
        """The single-choice answer `key` is one of `values`."""
        return {key: self.a[key]} if self.a.get(key) in values else NONE

    def is_not(self, key: str, value: str) -> Evidence:
        return {key: self.a[key]} if self.a[key] != value else NONE

    def true(self, key: str) -> Evidence:
        return {key: True} if self.a[key] is True else NONE

    def at_least(self, key: str, n: float) -> Evidence:
        return {key: self.a[key]} if self.a[key] >= n else NONE

    def below(self, key: str, n: float) -> Evidence:
        return {key: self.a[key]} if self.a[key] < n else NONE

    # -- the policy's derived values, as tests --

    def radicular(self) -> Evidence:
        """`below_knee` or `arm` in radiating_pain, or numbness_tingling."""
        return any_of(self.has("radiating_pain", "below_knee", "arm"), self.true("numbness_tingling"))

    def leg_pain(self) -> Evidence:
        """`buttock_or_thigh` or `below_knee` in radiating_pain."""
        return self.has("radiating_pain", "buttock_or_thigh", "below_knee")

    def limits_daily_activities(self) -> Evidence:
        return self.at_least("activity_interference", 5)

    def conservative_care_tried(self) -> Evidence:
        return self.has("treatments_tried", "physiotherapy", "exercise_programme")

    def onset_age_below(self, years: float) -> Evidence:
        """age − duration_weeks / 52 < years."""
        return {"age": self.a["age"], "duration_weeks": self.duration_weeks} if self.onset_age < years else NONE

    def not_improving(self) -> Evidence:
        return self.is_not("trend", "improving")


Fired = Mapping[str, Evidence]
Test = Callable[[Facts, Fired], Evidence]


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    when: str  # the policy table's condition, word for word
    why: str  # the project's plain-language reason; the answers behind it are added when it fires
    source: str
    test: Test


RULES: list[Rule] = []


def rule(id: str, level: str, *, why: str, source: str) -> Callable[[Test], Test]:
    def register(test: Test) -> Test:
        RULES.append(Rule(id, level, (test.__doc__ or "").strip(), why, source, test))
        return test

    return register


# ───────────────────────────── emergency ─────────────────────────────


@rule(
    "E1",
    EMERGENCY,
    source="cauda equina syndrome: NICE CKS; BASS 2018; GIRFT national CES pathway 2023",
    why="A change in bladder or bowel control, or numbness in the saddle area, can mean the nerves at the base "
    "of the spine are being squeezed (cauda equina syndrome), which needs checking in hospital within hours.",
)
def e1(f: Facts, fired: Fired) -> Evidence:
    """`bladder_or_bowel_change` or `saddle_numbness` in red_flags"""
    return f.flag("bladder_or_bowel_change", "saddle_numbness")


@rule(
    "E2",
    EMERGENCY,
    source="bilateral sciatica is suspected CES (BASS 2018; NHS sciatica advice)",
    why="Nerve symptoms that have newly come on in both legs can be an early sign of cauda equina syndrome.",
)
def e2(f: Facts, fired: Fired) -> Evidence:
    """`new_symptoms_both_legs`"""
    return f.flag("new_symptoms_both_legs")


@rule(
    "E3",
    EMERGENCY,
    source="progressive neurological deficit: same-day assessment (NICE CKS; regional pathways)",
    why="Weakness that is getting worse means a nerve is losing function and should be seen the same day.",
)
def e3(f: Facts, fired: Fired) -> Evidence:
    """`weakness` is `worsening`"""
    return f.among("weakness", "worsening")


@rule(
    "E4",
    EMERGENCY,
    source="suspected spinal infection (CKS; Yusuf et al. 2019)",
    why="Fever or chills together with a raised risk of infection can mean an infection in or near the spine.",
)
def e4(f: Facts, fired: Fired) -> Evidence:
    """`fever_or_chills` and any of `weakened_immunity`, `injects_drugs`, `recent_bacterial_infection`"""
    return all_of(f.flag("fever_or_chills"), f.risk("weakened_immunity", "injects_drugs", "recent_bacterial_infection"))


@rule(
    "E5",
    EMERGENCY,
    source="suspected metastatic spinal cord compression: NICE NG234 / QS56, MRI within 24 h",
    why="After cancer, nerve symptoms with back or neck pain can mean pressure on the spinal cord, which needs "
    "a scan within 24 hours.",
)
def e5(f: Facts, fired: Fired) -> Evidence:
    """`cancer_history` and (weakness not `none`, or `numbness_tingling`, or `hand_clumsiness_or_unsteady_walking`,
    or `below_knee`/`arm` in radiating_pain)"""
    return all_of(
        f.risk("cancer_history"),
        any_of(
            f.is_not("weakness", "none"),
            f.true("numbness_tingling"),
            f.flag("hand_clumsiness_or_unsteady_walking"),
            f.has("radiating_pain", "below_knee", "arm"),
        ),
    )


@rule(
    "E6",
    EMERGENCY,
    source="possible fracture after major trauma (Verhagen et al. 2016)",
    why="Pain within two weeks of a major injury needs checking for a broken bone in the spine.",
)
def e6(f: Facts, fired: Fired) -> Evidence:
    """onset `after_major_injury` and duration_weeks < 2"""
    return all_of(f.among("onset", "after_major_injury"), f.below("duration_weeks", 2))


# ───────────────────────────── urgent ─────────────────────────────


@rule(
    "U1",
    URGENT,
    source="possible infection",
    why="Fever or chills with back or neck pain can be a sign of infection and should be checked soon.",
)
def u1(f: Facts, fired: Fired) -> Evidence:
    """`fever_or_chills` (E4 not fired)"""
    return NONE if "E4" in fired else f.flag("fever_or_chills")


@rule(
    "U2",
    URGENT,
    source="strongest malignancy flag (Finucane et al. 2020)",
    why="After cancer, new back or neck pain should be checked by a doctor soon, to rule out spread to the spine.",
)
def u2(f: Facts, fired: Fired) -> Evidence:
    """`cancer_history`"""
    return f.risk("cancer_history")


@rule(
    "U3",
    URGENT,
    source="fragility fracture (Verhagen 2016; CKS)",
    why="With fragile bones, steroid use or older age, even a small knock or a sudden onset can mean a "
    "fracture of a vertebra.",
)
def u3(f: Facts, fired: Fired) -> Evidence:
    """onset `after_minor_injury` with `osteoporosis`, `long_term_steroids` or age ≥ 70; or onset `sudden` with
    `osteoporosis` or `long_term_steroids`"""
    return any_of(
        all_of(
            f.among("onset", "after_minor_injury"),
            any_of(f.risk("osteoporosis", "long_term_steroids"), f.at_least("age", 70)),
        ),
        all_of(f.among("onset", "sudden"), f.risk("osteoporosis", "long_term_steroids")),
    )


@rule(
    "U4",
    URGENT,
    source="injury not yet checked",
    why="Pain that began with a major injury should be examined, even weeks later.",
)
def u4(f: Facts, fired: Fired) -> Evidence:
    """onset `after_major_injury` and duration_weeks ≥ 2"""
    return all_of(f.among("onset", "after_major_injury"), f.at_least("duration_weeks", 2))


@rule(
    "U5",
    URGENT,
    source="neurological deficit needs examination",
    why="Weakness in an arm or leg, even if steady, needs a doctor to examine the nerves.",
)
def u5(f: Facts, fired: Fired) -> Evidence:
    """`weakness` is `stable`"""
    return f.among("weakness", "stable")


@rule(
    "U6",
    URGENT,
    source="possible cervical myelopathy: refer urgently",
    why="Clumsy hands or unsteady walking can mean pressure on the spinal cord in the neck.",
)
def u6(f: Facts, fired: Fired) -> Evidence:
    """`hand_clumsiness_or_unsteady_walking`"""
    return f.flag("hand_clumsiness_or_unsteady_walking")


@rule(
    "U7",
    URGENT,
    source="malignancy flag",
    why="Losing weight without trying, alongside back or neck pain, should be looked into by a doctor.",
)
def u7(f: Facts, fired: Fired) -> Evidence:
    """`unexplained_weight_loss`"""
    return f.flag("unexplained_weight_loss")


@rule(
    "U8",
    URGENT,
    source="malignancy / infection flags in combination",
    why="Constant night pain, at 50 or over or with a raised risk of infection, should be checked soon.",
)
def u8(f: Facts, fired: Fired) -> Evidence:
    """`constant_night_pain` and (age ≥ 50, or `weakened_immunity`, or `injects_drugs`)"""
    return all_of(
        f.flag("constant_night_pain"),
        any_of(f.at_least("age", 50), f.risk("weakened_immunity", "injects_drugs")),
    )


# ───────────────────────────── specialist ─────────────────────────────


@rule(
    "S1",
    SPECIALIST,
    source="radicular pain not settling by 6 weeks (NICE NG59; national back and radicular pain pathway)",
    why="Nerve-root symptoms that have not settled after six weeks are worth a specialist's opinion, who may "
    "consider a scan or an injection.",
)
def s1(f: Facts, fired: Fired) -> Evidence:
    """radicular symptoms, duration_weeks ≥ 6, trend not `improving`"""
    return all_of(f.radicular(), f.at_least("duration_weeks", 6), f.not_improving())


@rule(
    "S2",
    SPECIALIST,
    source="persistent limiting pain after conservative care (NICE NG59)",
    why="Pain that still limits your life after six weeks, despite physiotherapy or exercise, is worth a "
    "spine or pain specialist's opinion.",
)
def s2(f: Facts, fired: Fired) -> Evidence:
    """duration_weeks ≥ 6, trend not `improving`, (limits daily activities or `sleep_disturbed` or
    pain_intensity ≥ 7), and conservative care tried"""
    return all_of(
        f.at_least("duration_weeks", 6),
        f.not_improving(),
        any_of(f.limits_daily_activities(), f.true("sleep_disturbed"), f.at_least("pain_intensity", 7)),
        f.conservative_care_tried(),
    )


S3_FEATURES_NEEDED = 4


@rule(
    "S3",
    SPECIALIST,
    source="inflammatory back pain, ASAS criteria (Sieper et al. 2009); NICE NG65",
    why="Long-lasting back pain that began young and has an inflammatory pattern is worth a rheumatologist's opinion.",
)
def s3(f: Facts, fired: Fired) -> Evidence:
    """duration_weeks ≥ 12, onset age < 45, and at least 4 of: onset age < 40, onset `gradual`,
    `better_with_exercise`, `not_better_with_rest`, `night_pain_eases_on_getting_up`"""
    features = [
        f.onset_age_below(40),
        f.among("onset", "gradual"),
        f.has("pattern", "better_with_exercise"),
        f.has("pattern", "not_better_with_rest"),
        f.has("pattern", "night_pain_eases_on_getting_up"),
    ]
    present = [x for x in features if x]
    if len(present) < S3_FEATURES_NEEDED:
        return NONE
    return all_of(f.at_least("duration_weeks", 12), f.onset_age_below(45), *present)


@rule(
    "S4",
    SPECIALIST,
    source="follow-up with the treating specialist",
    why="After a spinal injection or surgery, pain that is not improving should go back to the specialist.",
)
def s4(f: Facts, fired: Fired) -> Evidence:
    """`injection` or `surgery` in treatments_tried and trend not `improving`"""
    return all_of(f.has("treatments_tried", "injection", "surgery"), f.not_improving())


@rule(
    "S5",
    SPECIALIST,
    source="the seed: pain that worsens",
    why="Pain that is getting worse after six weeks or more deserves a specialist's look.",
)
def s5(f: Facts, fired: Fired) -> Evidence:
    """trend `worsening` and duration_weeks ≥ 6"""
    return all_of(f.among("trend", "worsening"), f.at_least("duration_weeks", 6))


# ───────────────────────────── primary care ─────────────────────────────


@rule(
    "P1",
    PRIMARY_CARE,
    source="early radicular symptoms: GP/physio, review at 4-6 weeks (CKS)",
    why="Signs of an irritated nerve root are best checked by a GP or physiotherapist, with a review at "
    "four to six weeks.",
)
def p1(f: Facts, fired: Fired) -> Evidence:
    """radicular symptoms, S1 not fired, and (`numbness_tingling` or trend not `improving`)"""
    if "S1" in fired:
        return NONE
    return all_of(f.radicular(), any_of(f.true("numbness_tingling"), f.not_improving()))


@rule(
    "P2",
    PRIMARY_CARE,
    source="not settling after a few weeks: start structured conservative care (NG59)",
    why="Pain that has not started to settle after a few weeks is a reason to begin structured care, such as "
    "physiotherapy.",
)
def p2(f: Facts, fired: Fired) -> Evidence:
    """duration_weeks ≥ 4, trend not `improving`, S2 not fired"""
    if "S2" in fired:
        return NONE
    return all_of(f.at_least("duration_weeks", 4), f.not_improving())


@rule(
    "P3",
    PRIMARY_CARE,
    source="severe or disabling pain needs a pain-relief plan",
    why="Pain this severe, or this disabling, deserves a proper pain-relief plan from a GP.",
)
def p3(f: Facts, fired: Fired) -> Evidence:
    """pain_intensity ≥ 8 or activity_interference ≥ 8"""
    return any_of(f.at_least("pain_intensity", 8), f.at_least("activity_interference", 8))


@rule(
    "P4",
    PRIMARY_CARE,
    source="stratified care (NICE NG59 1.1.2-1.1.3; Keele STarT Back)",
    why="Your answers about the past two weeks suggest you would recover faster with physiotherapy "
    "(with attention to worries and mood when the risk is high) than on your own.",
)
def p4(f: Facts, fired: Fired) -> Evidence:
    """risk group `medium` or `high`"""
    if f.risk_group == "low":
        return NONE
    return f.screen_evidence or {"risk_group": f.risk_group}


@rule(
    "P5",
    PRIMARY_CARE,
    source="a risk factor the doctor should know",
    why="Your background makes some causes of back pain more likely; a GP should know about this pain.",
)
def p5(f: Facts, fired: Fired) -> Evidence:
    """`weakened_immunity` or `injects_drugs`, and no E/U rule fired"""
    if any(rule_id[0] in "EU" for rule_id in fired):
        return NONE
    return f.risk("weakened_immunity", "injects_drugs")


@rule(
    "P6",
    PRIMARY_CARE,
    source="night pain to be checked",
    why="Pain at night that no position eases should be checked by a GP.",
)
def p6(f: Facts, fired: Fired) -> Evidence:
    """`constant_night_pain`, U8 not fired"""
    return NONE if "U8" in fired else f.flag("constant_night_pain")


@rule(
    "P7",
    PRIMARY_CARE,
    source="worsening pain",
    why="Pain that is getting worse should be seen by a GP or physiotherapist.",
)
def p7(f: Facts, fired: Fired) -> Evidence:
    """trend `worsening`, S5 not fired"""
    return NONE if "S5" in fired else f.among("trend", "worsening")


# ───────────────────────────── self care ─────────────────────────────


@rule(
    "C0",
    SELF_CARE,
    source="no rule above fired",
    why="None of your answers points to a need for a doctor now; most back and neck pain like this settles "
    "with time and staying active.",
)
def c0(f: Facts, fired: Fired) -> Evidence:
    """no rule above fired"""
    return NONE if fired else {"red_flags": f.a["red_flags"]}


def evaluate(facts: Facts) -> dict[str, Evidence]:
    """Every rule that fires, in table order, with the answers behind it."""
    fired: dict[str, Evidence] = {}
    for r in RULES:
        evidence = r.test(facts, fired)
        if evidence:
            fired[r.id] = evidence
    return fired


RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
