"""Triage policy 2026.2, as code that reads like its table.

Each rule below is one row of the policy: its id, its level, the condition from the table (the docstring, word
for word in the policy's notation), and a function that returns the answers behind it when it fires (an empty
dict when it does not). A clinician can check each function against its row.

Rules are evaluated in table order, so a rule that depends on another ("E4 not fired") always sees it decided.
Urgent rules marked *today* in the table (`today=True`, or for U2 a test of when) make the urgent action "today";
otherwise it is "within 48 hours" (`within`).
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any, cast

from backpain_cli.core.questionnaire import QUESTIONS

POLICY_VERSION = "2026.2"

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


def at_least_n(n: int, *parts: Evidence) -> Evidence:
    """Fires when at least `n` parts fire; the evidence is that of every part that fired."""
    fired = [p for p in parts if p]
    return _merge(fired) if len(fired) >= n else NONE


def unless_fired(fired: Fired, rule_ids: str | tuple[str, ...], evidence: Evidence) -> Evidence:
    """`evidence`, unless any rule of `rule_ids` fired (`ANY_ABOVE`: any rule above)."""
    if rule_ids == ANY_ABOVE:
        return NONE if fired else evidence
    if isinstance(rule_ids, str):
        return NONE if rule_ids in fired else evidence
    return NONE if any(r in fired for r in rule_ids) else evidence


#: For `unless_fired`: any rule above this one.
ANY_ABOVE = "*"


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


#: The built-in two-week screen: its psychosocial and physical items, and the bothersomeness that counts.
_PSYCHOSOCIAL_ORDER = ("fear_of_movement", "worrying_thoughts", "feels_it_will_never_improve", "low_mood")
_PHYSICAL_ORDER = ("pain_elsewhere", "walking_limited", "dressing_slower")
_BOTHERSOME = ("very", "extremely")
_PSYCHOSOCIAL = frozenset(_PSYCHOSOCIAL_ORDER)
_PHYSICAL = frozenset(_PHYSICAL_ORDER)
_LEG = frozenset(("buttock_or_thigh", "below_knee"))  # `leg_pain`
assert {q.key: set(q.values) for q in QUESTIONS}["past_two_weeks"] == _PSYCHOSOCIAL | _PHYSICAL
#: pain_impact by the sum of its three 0-10 answers: round(sum / 3, 1), worked out once (round is slow).
_IMPACT = {total: round(total / 3, 1) for total in range(1, 31)}


class Facts:
    """The answers and the policy's derived values, with the tests the rules are written in."""

    __slots__ = (
        "a",
        "duration",
        "duration_weeks",
        "pain_impact",
        "risk_group",
        "screen_psychosocial",
        "screen_source",
        "screen_total",
    )

    def __init__(self, answers: Mapping[str, Any]) -> None:
        a = self.a = answers
        weeks = self.duration_weeks = a["duration_weeks"]
        impact = a["pain_intensity"] + a["enjoyment_interference"] + a["activity_interference"]
        self.pain_impact: float = _IMPACT.get(impact) or round(impact / 3, 1)
        self.duration = "acute" if weeks < 6 else "subacute" if weeks < 12 else "chronic"
        startback = a.get("startback")
        if startback is not None:
            self.screen_source = "startback"
            psychosocial = self.screen_psychosocial = int(startback["psychosocial"])
            total = self.screen_total = int(startback["total"])
        else:
            self.screen_source = "built_in"
            # The counts of `_screen`'s evidence, counted straight from the answers (each value given once): the
            # psychosocial items and bothersomeness; and besides them, leg pain and every other item (a physical one).
            psychosocial = 1 if a["bothersomeness"] in _BOTHERSOME else 0
            physical = 0
            for item in a["past_two_weeks"]:  # (valid answers hold every list, given or defaulted)
                if item in _PSYCHOSOCIAL:
                    psychosocial += 1
                else:
                    physical += 1
            radiating = a["radiating_pain"]
            if radiating and not _LEG.isdisjoint(radiating):
                physical += 1
            total = psychosocial + physical
            self.screen_psychosocial, self.screen_total = psychosocial, total
        self.risk_group = "high" if psychosocial >= 4 else "low" if total <= 3 else "medium"

    @property
    def onset_age(self) -> float:
        """Age when the pain began: age − duration_weeks / 52 (worked out where a rule asks for it)."""
        age: float = self.a["age"]
        weeks: float = self.duration_weeks
        return age - weeks / 52

    @property
    def screen_evidence(self) -> Evidence:
        """The answers behind the screen's risk group (P4's evidence), built when asked for."""
        startback = self.a.get("startback")
        if startback is not None:
            return {"startback": dict(startback)}
        psychosocial = self.has("past_two_weeks", *_PSYCHOSOCIAL_ORDER)
        bother = self.among("bothersomeness", *_BOTHERSOME)
        physical = any_of(self.leg_pain(), self.has("past_two_weeks", *_PHYSICAL_ORDER))
        return any_of(psychosocial, bother, physical)

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

    def answer(self, key: str) -> Evidence:
        """The answer `key`, whatever it is (always fires)."""
        return {key: self.a[key]}

    # -- the policy's derived values, as tests --

    def risk_not_low(self) -> Evidence:
        """Risk group `medium` or `high`: the answers of the two-week screen behind it."""
        if self.risk_group == "low":
            return NONE
        return self.screen_evidence or {"risk_group": self.risk_group}

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

    def nerve_symptoms(self) -> Evidence:
        """weakness `stable` or `worsening`, or `numbness_tingling` (E4's nerve symptoms)."""
        return any_of(self.among("weakness", "stable", "worsening"), self.true("numbness_tingling"))


Fired = Mapping[str, Evidence]
Test = Callable[[Facts, Fired], Evidence]


#: When an urgent rule marked *today* applies: always (True), never (False), or under a condition (U2).
Today = bool | Callable[[Facts], bool]


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    when: str  # the policy table's condition, word for word
    why: str  # the project's plain-language reason; the answers behind it are added when it fires
    source: str
    test: Test
    today: Today = False  # read by `within`


RULES: list[Rule] = []


def rule(id: str, level: str, *, why: str, source: str, today: Today = False) -> Callable[[Test], Test]:
    def register(test: Test) -> Test:
        RULES.append(Rule(id, level, " ".join((test.__doc__ or "").split()), why, source, test, today))
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
    source="bilateral sciatica or weakness is suspected CES (BASS 2018; NHS sciatica advice)",
    why="Nerve symptoms or weakness that have newly come on in both legs can be an early sign of cauda equina "
    "syndrome.",
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


#: The infection risks of E4 (and, with `diabetes` left out, of U9).
INFECTION_RISKS = (
    "weakened_immunity",
    "injects_drugs",
    "recent_bacterial_infection",
    "long_term_steroids",
    "diabetes",
    "recent_spine_procedure_or_hospital_stay",
)


@rule(
    "E4",
    EMERGENCY,
    source="suspected spinal infection: immediate admission (CKS; Yusuf et al. 2019; Darouiche 2006)",
    why="A fever with a raised risk of infection, or with nerve symptoms, can mean an infection in or near the spine.",
)
def e4(f: Facts, fired: Fired) -> Evidence:
    """`fever_or_chills` and (any infection risk: `weakened_immunity`, `injects_drugs`,
    `recent_bacterial_infection`, `long_term_steroids`, `diabetes`, `recent_spine_procedure_or_hospital_stay`; or
    nerve symptoms: weakness `stable` or `worsening`, or `numbness_tingling`)"""
    return all_of(f.flag("fever_or_chills"), any_of(f.risk(*INFECTION_RISKS), f.nerve_symptoms()))


@rule(
    "E5",
    EMERGENCY,
    source="suspected metastatic spinal cord compression: NICE NG234 / QS56, MRI within 24 h",
    why="After cancer, nerve symptoms with back or neck pain can mean pressure on the spinal cord, which needs "
    "a scan within 24 hours.",
)
def e5(f: Facts, fired: Fired) -> Evidence:
    """`cancer_history` and (weakness `stable` or `worsening`, or `numbness_tingling`, or
    `hand_clumsiness_or_unsteady_walking`, or `below_knee`/`arm` in radiating_pain)"""
    return all_of(
        f.risk("cancer_history"),
        any_of(
            f.nerve_symptoms(),
            f.flag("hand_clumsiness_or_unsteady_walking"),
            f.has("radiating_pain", "below_knee", "arm"),
        ),
    )


@rule(
    "E6",
    EMERGENCY,
    source="possible fracture after a dangerous mechanism (Verhagen et al. 2016; Canadian C-spine rule)",
    why="Pain within two weeks of a major injury needs checking for a broken bone in the spine.",
)
def e6(f: Facts, fired: Fired) -> Evidence:
    """onset `after_major_injury` and duration_weeks < 2"""
    return all_of(f.among("onset", "after_major_injury"), f.below("duration_weeks", 2))


@rule(
    "E7",
    EMERGENCY,
    source="heart, aorta (dissection, rupture) or lung (embolism)",
    why="Chest pain, breathlessness or fainting with back pain can come from the heart, the main artery (aorta) "
    "or the lungs, and needs checking at once.",
)
def e7(f: Facts, fired: Fired) -> Evidence:
    """`chest_pain_or_breathlessness` or `fainting_or_collapse`"""
    return f.flag("chest_pain_or_breathlessness", "fainting_or_collapse")


@rule(
    "E8",
    EMERGENCY,
    source="abdominal aortic aneurysm (NICE NG156; CKS); age 50 is the project's threshold (AAFP 2012 uses 60)",
    why="New belly pain or a pulsing lump with back pain, at 50 or over or with a known aortic aneurysm, or new "
    "back pain with a known aneurysm, can mean the aneurysm is leaking: this needs checking at once.",
)
def e8(f: Facts, fired: Fired) -> Evidence:
    """(`abdominal_pain_or_pulsing` and (age ≥ 50 or `aortic_aneurysm`)), or (`aortic_aneurysm` and (onset
    `sudden` or duration_weeks < 6))"""
    return any_of(
        all_of(f.flag("abdominal_pain_or_pulsing"), any_of(f.at_least("age", 50), f.risk("aortic_aneurysm"))),
        all_of(f.risk("aortic_aneurysm"), any_of(f.among("onset", "sudden"), f.below("duration_weeks", 6))),
    )


@rule(
    "E9",
    EMERGENCY,
    source="meningitis, a bleed in the head, or a torn neck artery (NICE CKS headache; NG240)",
    why="A sudden severe headache, a headache and stiff neck with signs of illness, or stroke-like symptoms can "
    "mean meningitis, a bleed in the head or a torn artery in the neck.",
)
def e9(f: Facts, fired: Fired) -> Evidence:
    """`severe_headache_or_stiff_neck` or `stroke_like_symptoms`"""
    return f.flag("severe_headache_or_stiff_neck", "stroke_like_symptoms")


@rule(
    "E10",
    EMERGENCY,
    source="sudden severe back pain at 60 or over: aortic aneurysm or dissection until proven otherwise (RCEM)",
    why="Severe back pain that came on suddenly in the last week, at 60 or over, must be checked for a problem "
    "with the aorta (the main artery) before anything else.",
)
def e10(f: Facts, fired: Fired) -> Evidence:
    """onset `sudden`, duration_weeks < 1, pain_intensity ≥ 8, age ≥ 60"""
    return all_of(
        f.among("onset", "sudden"),
        f.below("duration_weeks", 1),
        f.at_least("pain_intensity", 8),
        f.at_least("age", 60),
    )


@rule(
    "E11",
    EMERGENCY,
    source="Canadian C-spine rule high-risk factors after an injury: imaging now (Stiell et al. 2001; NICE NG41)",
    why="Neck pain in the week after an injury, at 65 or over or with numbness or tingling, needs a scan now "
    "to rule out a broken bone in the neck.",
)
def e11(f: Facts, fired: Fired) -> Evidence:
    """`neck` in pain_areas, onset `after_minor_injury`, duration_weeks < 1, and (age ≥ 65 or
    `numbness_tingling`)"""
    return all_of(
        f.has("pain_areas", "neck"),
        f.among("onset", "after_minor_injury"),
        f.below("duration_weeks", 1),
        any_of(f.at_least("age", 65), f.true("numbness_tingling")),
    )


# ───────────────────────────── urgent ─────────────────────────────


@rule(
    "U1",
    URGENT,
    today=True,
    source="possible infection (fever with spinal pain: CKS)",
    why="A fever or chills with back or neck pain can be a sign of infection and should be checked today.",
)
def u1(f: Facts, fired: Fired) -> Evidence:
    """`fever_or_chills` (E4 not fired)"""
    return unless_fired(fired, "E4", f.flag("fever_or_chills"))


def _u2_today(f: Facts) -> bool:
    """`mid_back` or `neck` in pain_areas, or `constant_night_pain`, or trend `worsening`"""
    return bool(
        f.has("pain_areas", "mid_back", "neck") or f.flag("constant_night_pain") or f.among("trend", "worsening")
    )


@rule(
    "U2",
    URGENT,
    today=_u2_today,
    source="strongest malignancy flag (Finucane et al. 2020); spinal pain with cancer: MSCC team within 24 hours "
    "(NICE CG75/NG234)",
    why="After cancer, new back or neck pain should be checked by a doctor soon, to rule out spread to the spine; "
    "pain in the upper back or neck, at night or getting worse, the same day.",
)
def u2(f: Facts, fired: Fired) -> Evidence:
    """`cancer_history` — *today* when `mid_back` or `neck` is in pain_areas, or `constant_night_pain`, or trend
    `worsening`"""
    return f.risk("cancer_history")


@rule(
    "U3",
    URGENT,
    source="fragility fracture (Verhagen 2016; CKS; AAFP 2012: lifting with osteoporosis)",
    why="With fragile bones, steroid use or older age, even a small knock, a lift or a sudden onset can mean a "
    "fracture of a vertebra.",
)
def u3(f: Facts, fired: Fired) -> Evidence:
    """duration_weeks < 12, and: (`osteoporosis` or `long_term_steroids`) with onset `after_minor_injury`,
    `after_lifting_or_strain` or `sudden`; or age ≥ 70 with onset `after_minor_injury` or `sudden`"""
    return all_of(
        f.below("duration_weeks", 12),
        any_of(
            all_of(
                f.risk("osteoporosis", "long_term_steroids"),
                f.among("onset", "after_minor_injury", "after_lifting_or_strain", "sudden"),
            ),
            all_of(f.at_least("age", 70), f.among("onset", "after_minor_injury", "sudden")),
        ),
    )


@rule(
    "U4",
    URGENT,
    source="injury not yet checked",
    why="Pain that began with a major injury in the last few months should be examined, even weeks later.",
)
def u4(f: Facts, fired: Fired) -> Evidence:
    """onset `after_major_injury` and 2 ≤ duration_weeks < 12"""
    return all_of(
        f.among("onset", "after_major_injury"), f.at_least("duration_weeks", 2), f.below("duration_weeks", 12)
    )


@rule(
    "U5",
    URGENT,
    today=True,
    source="a new neurological deficit needs examination the same day",
    why="Weakness in an arm or leg that no one has examined yet, even if steady, needs a doctor to examine the "
    "nerves today.",
)
def u5(f: Facts, fired: Fired) -> Evidence:
    """`weakness` is `stable` (not yet examined)"""
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
    """`constant_night_pain` and (age ≥ 50, or `weakened_immunity`, `injects_drugs` or `long_term_steroids`)"""
    return all_of(
        f.flag("constant_night_pain"),
        any_of(f.at_least("age", 50), f.risk("weakened_immunity", "injects_drugs", "long_term_steroids")),
    )


@rule(
    "U9",
    URGENT,
    today=True,
    source="spinal infection without fever: fever is absent in up to half (Darouiche 2006; Yusuf 2019; Finucane 2020)",
    why="With a raised risk of infection, severe, worsening or constant night pain can mean an infection in the "
    "spine even without a fever.",
)
def u9(f: Facts, fired: Fired) -> Evidence:
    """(any of `recent_spine_procedure_or_hospital_stay`, `recent_bacterial_infection`, `injects_drugs`,
    `weakened_immunity`, `long_term_steroids`) and ((pain_intensity ≥ 7 and trend not `improving`), or trend
    `worsening`, or `constant_night_pain`), and E4 not fired"""
    return unless_fired(
        fired,
        "E4",
        all_of(
            f.risk(
                "recent_spine_procedure_or_hospital_stay",
                "recent_bacterial_infection",
                "injects_drugs",
                "weakened_immunity",
                "long_term_steroids",
            ),
            any_of(
                all_of(f.at_least("pain_intensity", 7), f.not_improving()),
                f.among("trend", "worsening"),
                f.flag("constant_night_pain"),
            ),
        ),
    )


@rule(
    "U10",
    URGENT,
    today=True,
    source="kidney infection or stone, or another cause in the abdomen",
    why="Belly pain, or pain or blood when passing urine, with back pain can come from the kidneys or another "
    "cause in the belly, and should be checked today.",
)
def u10(f: Facts, fired: Fired) -> Evidence:
    """(`abdominal_pain_or_pulsing` and E8 not fired) or `urinary_pain_or_blood`"""
    return any_of(
        unless_fired(fired, "E8", f.flag("abdominal_pain_or_pulsing")),
        f.flag("urinary_pain_or_blood"),
    )


@rule(
    "U11",
    URGENT,
    source="non-mechanical pain; progressive thoracic pain in an older person (Finucane et al. 2020; NICE NG234)",
    why="Pain that no position or movement changes, or mid-back pain getting worse at 50 or over, is not the "
    "usual strain and should be checked by a doctor soon.",
)
def u11(f: Facts, fired: Fired) -> Evidence:
    """`same_whatever_position` in pattern, trend not `improving`, and (age ≥ 50, or `mid_back` in pain_areas, or
    `constant_night_pain`); or `mid_back` in pain_areas, age ≥ 50 and trend `worsening`"""
    return any_of(
        all_of(
            f.has("pattern", "same_whatever_position"),
            f.not_improving(),
            any_of(f.at_least("age", 50), f.has("pain_areas", "mid_back"), f.flag("constant_night_pain")),
        ),
        all_of(f.has("pain_areas", "mid_back"), f.at_least("age", 50), f.among("trend", "worsening")),
    )


@rule(
    "U12",
    URGENT,
    today=True,
    source="Canadian C-spine rule: age ≥ 65 after an injury needs imaging (Stiell et al. 2001)",
    why="Neck pain after an injury at 65 or over needs a scan to rule out a broken bone in the neck, today.",
)
def u12(f: Facts, fired: Fired) -> Evidence:
    """`neck` in pain_areas, onset `after_minor_injury`, age ≥ 65, 1 ≤ duration_weeks < 6"""
    return all_of(
        f.has("pain_areas", "neck"),
        f.among("onset", "after_minor_injury"),
        f.at_least("age", 65),
        f.at_least("duration_weeks", 1),
        f.below("duration_weeks", 6),
    )


#: The emergency and urgent rules (for P5).
EMERGENCY_OR_URGENT = tuple(r.id for r in RULES if r.level in (EMERGENCY, URGENT))
#: A bit for each of them: the rules of these fired, as one number (`evaluate_with`, `explain.rule_out`).
SERIOUS_BITS = {r: 1 << i for i, r in enumerate(EMERGENCY_OR_URGENT)}

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
    return all_of(
        f.at_least("duration_weeks", 12),
        f.onset_age_below(45),
        at_least_n(
            S3_FEATURES_NEEDED,
            f.onset_age_below(40),
            f.among("onset", "gradual"),
            f.has("pattern", "better_with_exercise"),
            f.has("pattern", "not_better_with_rest"),
            f.has("pattern", "night_pain_eases_on_getting_up"),
        ),
    )


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


@rule(
    "S6",
    SPECIALIST,
    source="a known deficit, examined before and unchanged: specialist follow-up, not urgent care",
    why="Weakness that a doctor or physiotherapist has examined before and that has not changed is best "
    "followed up by a spine specialist.",
)
def s6(f: Facts, fired: Fired) -> Evidence:
    """`weakness` is `known_stable`"""
    return f.among("weakness", "known_stable")


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
    return unless_fired(fired, "S1", all_of(f.radicular(), any_of(f.true("numbness_tingling"), f.not_improving())))


@rule(
    "P2",
    PRIMARY_CARE,
    source="not settling after a few weeks: start structured conservative care (NG59)",
    why="Pain that has not started to settle after a few weeks is a reason to begin structured care, such as "
    "physiotherapy.",
)
def p2(f: Facts, fired: Fired) -> Evidence:
    """duration_weeks ≥ 4, trend not `improving`, S2 not fired"""
    return unless_fired(fired, "S2", all_of(f.at_least("duration_weeks", 4), f.not_improving()))


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
    return f.risk_not_low()


@rule(
    "P5",
    PRIMARY_CARE,
    source="a risk factor the doctor should know",
    why="Your background makes some causes of back pain more likely; a GP should know about this pain.",
)
def p5(f: Facts, fired: Fired) -> Evidence:
    """`weakened_immunity`, `injects_drugs` or `recent_spine_procedure_or_hospital_stay`, and no E/U rule fired"""
    return unless_fired(
        fired,
        EMERGENCY_OR_URGENT,
        f.risk("weakened_immunity", "injects_drugs", "recent_spine_procedure_or_hospital_stay"),
    )


@rule(
    "P6",
    PRIMARY_CARE,
    source="night pain to be checked",
    why="Pain at night that no position eases should be checked by a GP.",
)
def p6(f: Facts, fired: Fired) -> Evidence:
    """`constant_night_pain`, U8 not fired"""
    return unless_fired(fired, "U8", f.flag("constant_night_pain"))


@rule(
    "P7",
    PRIMARY_CARE,
    source="worsening pain",
    why="Pain that is getting worse should be seen by a GP or physiotherapist.",
)
def p7(f: Facts, fired: Fired) -> Evidence:
    """trend `worsening`, S5 not fired"""
    return unless_fired(fired, "S5", f.among("trend", "worsening"))


@rule(
    "P8",
    PRIMARY_CARE,
    source="thoracic pain at 50 or over: examination and, if needed, an X-ray (Finucane et al. 2020)",
    why="Pain in the middle of the back at 50 or over should be examined by a GP, who may check for a fragile "
    "bone with an X-ray.",
)
def p8(f: Facts, fired: Fired) -> Evidence:
    """`mid_back` in pain_areas and age ≥ 50, U11 not fired"""
    return unless_fired(fired, "U11", all_of(f.has("pain_areas", "mid_back"), f.at_least("age", 50)))


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
    return unless_fired(fired, ANY_ABOVE, f.answer("red_flags"))


# ── the rules compiled once, at import, from the rules themselves ──
#
# Each rule's function, run over `_SymbolicFacts` with symbolic combinators, returns the tree of its condition
# (`_Cond`) instead of its evidence. All the trees are compiled, at import, into one function of plain locals,
# `_evaluate`: per rule a few comparisons say whether it fires, and only then is its evidence built, from the same
# tree, as the combinators would have built it (the tests the part that fired, merged in the same order). One
# definition, two uses: no second copy of a condition to keep in step. tests/core/test_rules.py checks, over generated
# answers, that `evaluate` and `evaluate_slowly` (each rule's function in turn) give the same, byte for byte.


class _Cond:
    """A traced condition: `code`, a Python expression over the locals of `_evaluate`, true when it fires; and how
    to build its evidence when it fired: `pieces` (key, value expression) for a test, or the `parts` of a combinator
    (`every` part fired for all_of; else only those whose code is true)."""

    __slots__ = ("code", "every", "parts", "pieces")

    def __init__(
        self,
        code: str,
        pieces: tuple[tuple[str, str], ...] = (),
        parts: tuple[_Cond, ...] = (),
        every: bool = False,
    ) -> None:
        self.code = code
        self.pieces = pieces
        self.parts = parts
        self.every = every

    def __bool__(self) -> bool:
        raise TypeError("a rule's condition is written with the combinators (all_of, any_of, ...), not if/else")

    def emit(self, out: list[str], indent: str, seen: set[str]) -> None:
        """Append the statements that, given that this condition fired, add its evidence to `ev`."""
        for key, value in self.pieces:
            may_be_list = value.startswith(("(", "a["))
            value = _piece(out, indent, "t", value)
            if key in seen and may_be_list:  # a list an earlier part may have given: merged as _merge does
                out.append(f"{indent}_merge_into(ev, {{{key!r}: {value}}})")
            else:  # (a single value merged is set: the key keeps its place)
                out.append(f"{indent}ev[{key!r}] = {value}")
                seen.add(key)
        for part in self.parts:
            if self.every:
                part.emit(out, indent, seen)
            else:
                out.append(f"{indent}if {part.code}:")
                before = len(out)
                part.emit(out, indent + "    ", seen)
                if len(out) == before:
                    out.append(f"{indent}    pass")

    def sign(self, out: list[str], slots: list[str], present: str | None, names: Iterator[str]) -> None:
        """The signature's slots for this condition, given that it fired: each piece's value, signed (`_signs`), in
        a slot of its own; where a part may be left out of the evidence (any_of, at_least_n), the part's slots hold
        `_A` when it is. `present`: the local that is true when this condition's pieces are in the evidence (None:
        always). The statements that work out those locals are appended to `out`, each part's test made once."""
        for _, value in self.pieces:
            for signed in _signs(value):
                if present is None:
                    if signed not in _CONSTANTS:  # the same every time: it tells nothing
                        slots.append(signed)
                else:
                    slots.append(f"(({signed}) if {present} else _A)")
        for part in self.parts:
            if self.every:
                part.sign(out, slots, present, names)
            else:
                name = next(names)
                out.append(
                    f"        {name} = {part.code}"
                    if present is None
                    else f"        {name} = {present} and {part.code}"
                )
                part.sign(out, slots, name, names)

    def flat(self) -> list[tuple[str, str]] | None:
        """Every piece of the evidence, in order, when no part of it may be left out (all_of, unless_fired and
        tests only): the same keys every time it fires. None when some part may or may not be there."""
        if self.parts and not self.every:
            return None
        pieces = list(self.pieces)
        for part in self.parts:
            more = part.flat()
            if more is None:
                return None
            pieces += more
        return pieces


def _piece(out: list[str], indent: str, name: str, value: str) -> str:
    """A piece's value as it goes in the evidence; the statement that works it out once, if it needs one, appended
    to `out`."""
    if value.startswith("("):  # a list answer's values, as a tuple: a list in the evidence
        out.append(f"{indent}{name} = {value}")
        return f"[*{name}]"
    if value.startswith(("dict(", "a[")):  # an object answer (STarT Back's scores), or a whole answer
        out.append(f"{indent}{name} = {value}")
        return name
    return value.removeprefix(_NUMBER)


def _signs(value: str) -> list[str]:
    """A piece's value as it goes in a signature: hashable, and telling apart any two values that are not written
    alike (a number with its type: 6 and 6.0 are equal but not written alike)."""
    if value in _SIGNED:  # a test's own cheaper form (`_SymbolicFacts.has`)
        return [_SIGNED[value]]
    if value.startswith("dict("):  # STarT Back's scores (whole numbers), in their order
        return [f"(*{value[5:-1]}.items(),)"]
    if value.startswith("a["):  # a whole answer, which may be a list
        return [f"_hashable({value})"]
    if value.startswith(_NUMBER):
        value = value[len(_NUMBER) :]
        return [value, f"type({value})"]
    return [value]


#: A piece's value -> its form in a signature, where a test gives one (`_SymbolicFacts.has`).
_SIGNED: dict[str, str] = {}
#: Values that are the same every time they are given (`has` of one value, `true`).
_CONSTANTS: set[str] = {"True"}


def _number(key: str, value: str) -> str:
    """A number's piece: marked as a number (signed with its type), unless its question is a whole number's, which
    valid answers always hold as an int (`validation.validate` makes 60.0 an int; the fast path takes ints only)."""
    return value if key in _WHOLE else _NUMBER + value


#: The questions whose answers are whole numbers (ints, in valid answers).
_WHOLE = frozenset(q.key for q in QUESTIONS if q.kind == "integer")

#: In a signature's slot: the piece is not in the evidence (`_fired`).
_ABSENT = type("Absent", (), {"__repr__": lambda self: "_A", "__slots__": ()})()

#: Marks a piece's value as a number (`_piece`).
_NUMBER = "number:"


def _fired(r: Rule, cond: _Cond, body: list[str], bit: int) -> None:
    """Append the statements that record rule `r` as fired: its signature `s`, then what `kept(s)` gives for it,
    or else what `make(s, evidence)` gives, its evidence made only then; and its bit in `serious`, if it has one.

    The signature is one tuple: the rule's id, then a slot for each piece of evidence the rule's condition may
    give, in order: its value, signed (`_signs`), or `_A` where a part that may be left out was left out. The same
    rule with the same signature has the same evidence (the same pieces, with the same values, merged alike)."""
    slots = [repr(r.id)]
    cond.sign(body, slots, None, (f"c{i}" for i in itertools.count()))
    body.append(f"        s = ({', '.join(slots)},)")
    body.append("        R = kept(s)")
    body.append("        if R is None:")
    pieces = cond.flat()
    if pieces is not None and len({key for key, _ in pieces}) == len(pieces):
        # The same keys every time: the evidence made at once.
        shown = [f"{key!r}: {_piece(body, '            ', f't{i}', value)}" for i, (key, value) in enumerate(pieces)]
        body.append(f"            R = make(s, {{{', '.join(shown)}}})")
    else:
        body.append("            ev = {}")
        cond.emit(body, "            ", set())
        body.append("            R = make(s, ev)")
    body.append(f"        fired[{r.id!r}] = R")
    if bit:
        body.append(f"        serious |= {bit}")


def _code_of(part: Any) -> _Cond:
    if type(part) is not _Cond:
        raise TypeError(f"not a traced condition: {part!r}")
    return part


def _cond(code: str, *pieces: tuple[str, str]) -> Evidence:
    """A traced test, where evidence is expected."""
    return cast(Evidence, _Cond(code, pieces))


def _combined(op: str, parts: tuple[Any, ...], every: bool) -> Evidence:
    conds = tuple(map(_code_of, parts))
    return cast(Evidence, _Cond(f"({op.join(c.code for c in conds)})", parts=conds, every=every))


def _merge_into(out: Evidence, part: Evidence) -> None:
    """`_merge`'s step: add `part` to `out`."""
    for key, value in part.items():
        if key in out and isinstance(value, list):
            out[key] = out[key] + [v for v in value if v not in out[key]]
        else:
            out[key] = value


class _SymbolicFacts(Facts):
    """Facts whose tests return the condition they stand for (`_Cond`), over the locals of `_evaluate`."""

    def __init__(self) -> None:  # no answers: nothing is computed
        self.lists: dict[str, None] = {}  # list answers read by `has`, in first-use order
        self.values: dict[str, None] = {}  # other answers read

    def _value(self, key: str) -> str:
        self.values[key] = None
        return f"G_{key}"

    def has(self, key: str, *values: str) -> Evidence:
        self.lists[key] = None
        # Once it fired, one value is known present: its evidence is that value, with no need to look again.
        lst = f"L_{key}"
        if len(values) == 1:
            present = f"({values[0]!r},)"
            _CONSTANTS.add(present)
        elif len(values) == 2:  # one or both
            v, w = map(repr, values)
            present = f"(({v}, {w}) if {w} in {lst} else ({v},)) if {v} in {lst} else ({w},)"
        else:
            present = f"(*filter({lst}.__contains__, {values!r}),)"
            # Signed by which of them are there, one test each: quicker than the filter, and as telling.
            _SIGNED[present] = f"({', '.join(f'{v!r} in {lst}' for v in values)},)"
        test = " or ".join(f"{v!r} in {lst}" for v in values)
        if len(values) > 1:  # most lists are empty: then one test of the list, not one for each value
            test = f"{lst} and ({test})"
        return _cond(f"({test})", (key, present))

    def among(self, key: str, *values: str) -> Evidence:
        g = self._value(key)  # `==` on strings is quicker than `in` a tuple, and the same test
        return _cond(f"({' or '.join(f'{g} == {v!r}' for v in values)})", (key, g))

    def is_not(self, key: str, value: str) -> Evidence:
        g = self._value(key)
        return _cond(f"({g} != {value!r})", (key, g))

    def true(self, key: str) -> Evidence:
        return _cond(f"({self._value(key)} is True)", (key, "True"))

    def at_least(self, key: str, n: float) -> Evidence:
        g = self._value(key)
        return _cond(f"({g} >= {n!r})", (key, _number(key, g)))

    def below(self, key: str, n: float) -> Evidence:
        g = self._value(key)
        return _cond(f"({g} < {n!r})", (key, _number(key, g)))

    def answer(self, key: str) -> Evidence:
        return _cond("True", (key, f"a[{key!r}]"))

    def onset_age_below(self, years: float) -> Evidence:
        age, weeks = self._value("age"), self._value("duration_weeks")  # as Facts.onset_age works it out
        return _cond(
            f"(({age} - {weeks} / 52) < {years!r})",
            ("age", _number("age", age)),
            ("duration_weeks", _number("duration_weeks", weeks)),
        )

    def risk_not_low(self) -> Evidence:
        # The screen's answers (`Facts.screen_evidence`), traced as a rule's: the STarT Back scores when given, else
        # those of the built-in screen that count. A risk group not low always has some of these, so its test alone
        # decides (no fallback is needed), and the screen's answers are only looked at for the evidence.
        g = self._value("startback")
        startback = _cond(f"({g} is not None)", ("startback", f"dict({g})"))
        screen = any_of(
            self.has("past_two_weeks", *_PSYCHOSOCIAL_ORDER),
            self.among("bothersomeness", *_BOTHERSOME),
            any_of(self.leg_pain(), self.has("past_two_weeks", *_PHYSICAL_ORDER)),
        )
        built_in = _Cond(f"({g} is None)", parts=(_code_of(screen),), every=True)
        return all_of(_cond('(f.risk_group != "low")'), any_of(startback, cast(Evidence, built_in)))


def _symbolic_all_of(*parts: Evidence) -> Evidence:
    return _combined(" and ", parts, every=True)


def _symbolic_any_of(*parts: Evidence) -> Evidence:
    return _combined(" or ", parts, every=False)


def _symbolic_at_least_n(n: int, *parts: Evidence) -> Evidence:
    conds = tuple(map(_code_of, parts))
    return cast(Evidence, _Cond(f"({' + '.join(f'bool({c.code})' for c in conds)} >= {n})", parts=conds))


def _symbolic_unless_fired(fired: Fired, rule_ids: str | tuple[str, ...], evidence: Evidence) -> Evidence:
    above = cast(_SymbolicFired, fired).above
    ids = above if rule_ids == ANY_ABOVE else (rule_ids,) if isinstance(rule_ids, str) else rule_ids
    first = len(ids)
    if ids and set(ids) == set(above[:first]):  # the first rules of the table: has any of them fired?
        if first == len(above):
            blocked = "fired"
        else:
            blocked = f"not NONE_{first}"  # NONE_n: none of the first n rules fired
            cast(_SymbolicFired, fired).prefixes.add(first)
    else:
        blocked = " or ".join(f"F_{r}" for r in ids) or "False"
    cond = _code_of(evidence)
    return cast(Evidence, _Cond(f"(not ({blocked}) and {cond.code})", parts=(cond,), every=True))


#: While tracing, the combinators that the rules' functions call (as globals of this module) build conditions.
_SYMBOLIC = {
    "all_of": _symbolic_all_of,
    "any_of": _symbolic_any_of,
    "at_least_n": _symbolic_at_least_n,
    "unless_fired": _symbolic_unless_fired,
}


class _SymbolicFired(dict[str, Evidence]):
    """The rules fired before a rule, for tracing it: `unless_fired` reads their compiled conditions."""

    def __init__(self, above: tuple[str, ...], prefixes: set[int]) -> None:
        super().__init__()
        self.above = above
        self.prefixes = prefixes  # the numbers n for which "none of the first n rules fired" is read


def _hashable(value: Any) -> Any:
    """An answer, or a whole evidence dict, as a hashable value that tells it apart from any other."""
    if isinstance(value, list):
        return tuple(value)
    if isinstance(value, dict):
        return tuple((k, _hashable(v)) for k, v in value.items())
    return value


Signed = tuple[dict[str, Evidence], dict[str, tuple[Any, ...]]]
Kept = Callable[[tuple[Any, ...]], Any]
Make = Callable[[tuple[Any, ...], Evidence], Any]
Evaluated = tuple[dict[str, Any], int]


def _compile(rules: list[Rule]) -> tuple[str, Callable[[Facts, Kept, Make], Evaluated]]:
    """The source of `_evaluate(f, kept, make)` (see `evaluate_with`) over the rules `rules`, and the function."""
    sym = _SymbolicFacts()
    conds: list[tuple[Rule, _Cond]] = []
    prefixes: set[int] = set()
    real = {name: globals()[name] for name in _SYMBOLIC}
    globals().update(_SYMBOLIC)
    try:
        for i, r in enumerate(rules):
            conds.append((r, _code_of(r.test(sym, _SymbolicFired(tuple(x.id for x in rules[:i]), prefixes)))))
    finally:
        globals().update(real)
    body: list[str] = []
    codes = " ".join(c.code for _, c in conds)  # (F_E1 ends with a space or a bracket; F_E10 is another flag)
    for i, (r, cond) in enumerate(conds):
        if i in prefixes:
            body.append(f"    NONE_{i} = not fired")
        if f"F_{r.id} " in codes or f"F_{r.id})" in codes:  # a later rule reads it
            body.append(f"    F_{r.id} = {cond.code}")
            body.append(f"    if F_{r.id}:")
        else:
            body.append(f"    if {cond.code}:")
        _fired(r, cond, body, SERIOUS_BITS.get(r.id, 0))
    # Valid answers hold every required question, and every list (given or defaulted): read those directly.
    given = {q.key for q in QUESTIONS if q.required or q.default is not None}
    head = ["def _evaluate(f, kept, make):", "    a = f.a", "    fired = {}", "    serious = 0"]
    head += [f"    L_{k} = a[{k!r}]" if k in given else f"    L_{k} = a.get({k!r}) or ()" for k in sym.lists]
    head += [f"    G_{k} = a[{k!r}]" if k in given else f"    G_{k} = a.get({k!r})" for k in sym.values]
    source = "\n".join([*head, *body, "    return fired, serious", ""])
    namespace: dict[str, Any] = {"_merge_into": _merge_into, "_hashable": _hashable, "_A": _ABSENT}
    exec(compile(source, "<policy: compiled rules>", "exec"), namespace)
    return source, namespace["_evaluate"]


def evaluate(facts: Facts) -> dict[str, Evidence]:
    """Every rule that fires, in table order, with the answers behind it; `facts` of valid answers (as
    `validation.validate` gives them: every required question, and every list question, given or defaulted)."""
    return _evaluate(facts, _NOTHING_KEPT.get, _evidence)[0]


def evaluate_signed(facts: Facts) -> Signed:
    """`evaluate`, and beside it each fired rule's signature (see `evaluate_with`)."""
    pairs = _evaluate(facts, _NOTHING_KEPT.get, _pair)[0]
    return {r: pair[1] for r, pair in pairs.items()}, {r: pair[0] for r, pair in pairs.items()}


_NOTHING_KEPT: dict[tuple[Any, ...], Any] = {}


def _evidence(sign: tuple[Any, ...], evidence: Evidence) -> Evidence:
    return evidence


def _pair(sign: tuple[Any, ...], evidence: Evidence) -> tuple[tuple[Any, ...], Evidence]:
    return sign, evidence


def evaluate_slowly(facts: Facts) -> dict[str, Evidence]:
    """`evaluate` by running every rule's function in turn: what the compiled `_evaluate` is checked against."""
    fired: dict[str, Evidence] = {}
    for r in RULES:
        evidence = r.test(facts, fired)
        if evidence:
            fired[r.id] = evidence
    return fired


RULES_BY_ID: dict[str, Rule] = {r.id: r for r in RULES}
COMPILED_SOURCE, _evaluate = _compile(RULES)
_evaluate.__doc__ = """`evaluate`, for the engine: each fired rule, in table order, with what `kept(signature)` gives
    for it, or when that is None, what `make(signature, evidence)` gives; and the emergency and urgent rules fired,
    as the sum of their `SERIOUS_BITS`.

    A fired rule's signature is one hashable tuple: the rule's id, then a slot for each piece of evidence the rule
    may give, holding its value (a decimal-or-whole number with its type) or `_A` where it was left out (`_fired`).
    Two fired rules
    with the same signature are the same rule with the same evidence, written alike, so the engine makes the reason
    of each signature once and keeps it; and the evidence is made only for a signature not kept."""
#: The compiled function itself, called by the engine for every record (a function around it cost a call each).
evaluate_with: Callable[[Facts, Kept, Make], Evaluated] = _evaluate

NOW = "now"
TODAY = "today"
WITHIN_48H = "48h"


def within(level: str, facts: Facts, fired: Mapping[str, Evidence]) -> str | None:
    """How soon to act: `now` for an emergency; for urgent, `today` when any fired rule marked *today* applies,
    else `48h`; None for the other levels."""
    if level == EMERGENCY:
        return NOW
    if level != URGENT:
        return None
    for rule_id in fired:
        today = _TODAY.get(rule_id)
        if today is True or (today and today(facts)):
            return TODAY
    return WITHIN_48H


#: The urgent rules marked *today*: True, or the test of when (U2).
_TODAY: dict[str, Today] = {r.id: r.today for r in RULES if r.level == URGENT and r.today}
