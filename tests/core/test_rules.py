"""Each rule of triage-policy 2026.2 at its boundaries: one side fires, the other does not; and how soon
(`within`) an urgent result says to act."""

from __future__ import annotations

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backpain_cli.core.engine import assess
from backpain_cli.core.policy import LEVELS, RULES, Facts, evaluate, evaluate_slowly
from backpain_cli.core.validation import validate
from tests import strategies
from tests.core.test_reference import edgy_answers


def run(base: dict[str, Any], **changes: Any) -> dict[str, Any]:
    return assess(validate({**base, **changes}))


def fired(base: dict[str, Any], **changes: Any) -> set[str]:
    return {r["rule"] for r in run(base, **changes)["reasons"]}


def test_base_is_self_care(base_answers: dict[str, Any]) -> None:
    result = run(base_answers)
    assert result["level"] == "self_care"
    assert fired(base_answers) == {"C0"}
    assert result["safety_net"]


def test_every_rule_is_in_the_table_once() -> None:
    ids = [r.id for r in RULES]
    assert ids == [*(f"E{i}" for i in range(1, 12)), *(f"U{i}" for i in range(1, 13)),
                   *(f"S{i}" for i in range(1, 7)), *(f"P{i}" for i in range(1, 9)), "C0"]  # fmt: skip
    assert all(r.when and r.why and r.source for r in RULES)
    # Table order is level order, so reasons come out most urgent first.
    assert [LEVELS.index(r.level) for r in RULES] == sorted(LEVELS.index(r.level) for r in RULES)


# --- emergency ---


@pytest.mark.parametrize("flag", ["bladder_or_bowel_change", "saddle_numbness"])
def test_e1(base_answers: dict[str, Any], flag: str) -> None:
    result = run(base_answers, red_flags=[flag])
    assert result["level"] == "emergency"
    assert "E1" in fired(base_answers, red_flags=[flag])
    e1 = next(r for r in result["reasons"] if r["rule"] == "E1")
    assert e1["answers"] == {"red_flags": [flag]}


def test_e2(base_answers: dict[str, Any]) -> None:
    assert "E2" in fired(base_answers, red_flags=["new_symptoms_both_legs"])


def test_e3_worsening_weakness_and_u5_stable(base_answers: dict[str, Any]) -> None:
    assert "E3" in fired(base_answers, weakness="worsening")
    assert "U5" not in fired(base_answers, weakness="worsening")
    assert fired(base_answers, weakness="stable") >= {"U5"}
    assert "E3" not in fired(base_answers, weakness="stable")


@pytest.mark.parametrize("risk", ["weakened_immunity", "injects_drugs", "recent_bacterial_infection"])
def test_e4_fever_with_infection_risk_and_not_u1(base_answers: dict[str, Any], risk: str) -> None:
    got = fired(base_answers, red_flags=["fever_or_chills"], risk_factors=[risk])
    assert "E4" in got and "U1" not in got


def test_u1_fever_alone(base_answers: dict[str, Any]) -> None:
    got = fired(base_answers, red_flags=["fever_or_chills"])
    assert "U1" in got and "E4" not in got
    # A risk factor that is not an infection risk does not make it E4.
    assert "E4" not in fired(base_answers, red_flags=["fever_or_chills"], risk_factors=["osteoporosis"])


@pytest.mark.parametrize(
    "changes",
    [
        {"weakness": "stable"},
        {"numbness_tingling": True},
        {"red_flags": ["hand_clumsiness_or_unsteady_walking"]},
        {"radiating_pain": ["below_knee"]},
        {"radiating_pain": ["arm"]},
    ],
)
def test_e5_cancer_with_neurology(base_answers: dict[str, Any], changes: dict[str, Any]) -> None:
    got = fired(base_answers, risk_factors=["cancer_history"], **changes)
    assert {"E5", "U2"} <= got


def test_e5_not_for_cancer_with_thigh_pain_only(base_answers: dict[str, Any]) -> None:
    got = fired(base_answers, risk_factors=["cancer_history"], radiating_pain=["buttock_or_thigh"])
    assert "E5" not in got and "U2" in got


def test_e6_and_u4_major_injury_at_two_weeks(base_answers: dict[str, Any]) -> None:
    early = fired(base_answers, onset="after_major_injury", duration_weeks=1.9)
    late = fired(base_answers, onset="after_major_injury", duration_weeks=2)
    assert "E6" in early and "U4" not in early
    assert "U4" in late and "E6" not in late


# --- urgent ---


def test_u3_fragility(base_answers: dict[str, Any]) -> None:
    minor = {"onset": "after_minor_injury"}
    assert "U3" in fired(base_answers, **minor, age=70)
    assert "U3" not in fired(base_answers, **minor, age=69)
    assert "U3" in fired(base_answers, **minor, risk_factors=["osteoporosis"])
    assert "U3" in fired(base_answers, onset="sudden", risk_factors=["long_term_steroids"])
    # 2026.2: age 70 counts after a sudden onset too, and bone risk after lifting or a strain.
    assert "U3" in fired(base_answers, onset="sudden", age=70)
    assert "U3" not in fired(base_answers, onset="sudden", age=69)
    assert fired(base_answers, onset="after_lifting_or_strain", risk_factors=["osteoporosis"]) == {"U3"}
    assert fired(base_answers, onset="after_lifting_or_strain", risk_factors=["long_term_steroids"]) == {"U3"}
    # ...but age alone after lifting is not U3, nor bone risk with a gradual onset or a major injury (U4/E6).
    assert "U3" not in fired(base_answers, onset="after_lifting_or_strain", age=80)
    assert "U3" not in fired(base_answers, onset="gradual", risk_factors=["osteoporosis"])
    assert "U3" not in fired(base_answers, onset="after_major_injury", risk_factors=["osteoporosis"])
    assert "U3" not in fired(base_answers, onset="gradual", age=80)


@pytest.mark.parametrize(
    "changes",
    [
        {"onset": "after_minor_injury", "age": 70},
        {"onset": "sudden", "age": 85},
        {"onset": "after_minor_injury", "risk_factors": ["osteoporosis"]},
        {"onset": "after_lifting_or_strain", "risk_factors": ["osteoporosis"]},
        {"onset": "sudden", "risk_factors": ["long_term_steroids"]},
    ],
)
def test_u3_only_in_the_first_12_weeks(base_answers: dict[str, Any], changes: dict[str, Any]) -> None:
    assert fired(base_answers, **changes, duration_weeks=0) == {"U3"}
    assert fired(base_answers, **changes, duration_weeks=11.99) == {"U3"}
    assert fired(base_answers, **changes, duration_weeks=12) == {"C0"}
    assert fired(base_answers, **changes, duration_weeks=52) == {"C0"}


def test_u4_major_injury_from_2_to_under_12_weeks(base_answers: dict[str, Any]) -> None:
    major = {"onset": "after_major_injury"}
    assert fired(base_answers, **major, duration_weeks=1.99) == {"E6"}
    assert fired(base_answers, **major, duration_weeks=2) == {"U4"}
    assert fired(base_answers, **major, duration_weeks=11.99) == {"U4"}
    assert fired(base_answers, **major, duration_weeks=12) == {"C0"}


def test_u6_u7(base_answers: dict[str, Any]) -> None:
    assert "U6" in fired(base_answers, red_flags=["hand_clumsiness_or_unsteady_walking"])
    assert "U7" in fired(base_answers, red_flags=["unexplained_weight_loss"])


def test_u8_and_p6_night_pain_age_49_vs_50(base_answers: dict[str, Any]) -> None:
    night = {"red_flags": ["constant_night_pain"]}
    at_49 = fired(base_answers, **night, age=49)
    at_50 = fired(base_answers, **night, age=50)
    assert "U8" not in at_49 and "P6" in at_49
    assert "U8" in at_50 and "P6" not in at_50
    assert "U8" in fired(base_answers, **night, age=30, risk_factors=["injects_drugs"])


# --- specialist ---


def test_s1_at_6_weeks(base_answers: dict[str, Any]) -> None:
    radicular = {"numbness_tingling": True, "trend": "same"}
    assert "S1" not in fired(base_answers, **radicular, duration_weeks=5.9)
    assert "P1" in fired(base_answers, **radicular, duration_weeks=5.9)
    got = fired(base_answers, **radicular, duration_weeks=6)
    assert "S1" in got and "P1" not in got
    assert "S1" not in fired(base_answers, numbness_tingling=True, trend="improving", duration_weeks=10)
    # Pain into the thigh only is not radicular.
    assert "S1" not in fired(base_answers, radiating_pain=["buttock_or_thigh"], trend="same", duration_weeks=10)


@pytest.mark.parametrize(("interference", "fires"), [(4, False), (5, True)])
def test_s2_activity_interference_4_vs_5(base_answers: dict[str, Any], interference: int, fires: bool) -> None:
    got = fired(
        base_answers,
        duration_weeks=8,
        trend="same",
        activity_interference=interference,
        treatments_tried=["exercise_programme"],
    )
    assert ("S2" in got) is fires
    assert ("P2" in got) is not fires


def test_s2_needs_conservative_care_and_other_limits(base_answers: dict[str, Any]) -> None:
    persistent = {"duration_weeks": 8, "trend": "same"}
    assert "S2" not in fired(base_answers, **persistent, pain_intensity=9)
    assert "S2" in fired(base_answers, **persistent, pain_intensity=7, treatments_tried=["physiotherapy"])
    assert "S2" not in fired(base_answers, **persistent, pain_intensity=6, treatments_tried=["physiotherapy"])
    assert "S2" in fired(base_answers, **persistent, sleep_disturbed=True, treatments_tried=["physiotherapy"])
    assert "S2" not in fired(base_answers, **persistent, pain_intensity=7, treatments_tried=["rest"])


INFLAMMATORY = ["better_with_exercise", "not_better_with_rest", "night_pain_eases_on_getting_up"]


def test_s3_three_vs_four_features(base_answers: dict[str, Any]) -> None:
    # Onset age exactly 40 (41 now, a year of pain) is not a feature, nor is a sudden onset.
    old = {"age": 41, "duration_weeks": 52, "onset": "sudden", "trend": "improving"}
    assert "S3" not in fired(base_answers, **old, pattern=INFLAMMATORY)  # 3 of 5
    assert "S3" in fired(base_answers, **{**old, "age": 40}, pattern=INFLAMMATORY)  # onset age 39: 4 of 5
    gradual = {**old, "onset": "gradual"}
    assert "S3" in fired(base_answers, **gradual, pattern=INFLAMMATORY)  # 4 of 5
    assert "S3" not in fired(base_answers, **gradual, pattern=INFLAMMATORY[:2])  # 3 of 5


def test_s3_needs_12_weeks_and_onset_before_45(base_answers: dict[str, Any]) -> None:
    features = {"age": 30, "onset": "gradual", "pattern": INFLAMMATORY, "trend": "improving"}
    assert "S3" not in fired(base_answers, **features, duration_weeks=11.9)
    assert "S3" in fired(base_answers, **features, duration_weeks=12)
    # Onset age exactly 45 does not count; just under does.
    assert "S3" not in fired(base_answers, **{**features, "age": 46}, duration_weeks=52)
    assert "S3" in fired(base_answers, **{**features, "age": 45}, duration_weeks=52)


def test_s4_after_injection_or_surgery(base_answers: dict[str, Any]) -> None:
    assert "S4" in fired(base_answers, treatments_tried=["injection"], trend="same")
    assert "S4" in fired(base_answers, treatments_tried=["surgery"], trend="worsening")
    assert "S4" not in fired(base_answers, treatments_tried=["injection"], trend="improving")


def test_s5_and_p7_worsening_at_6_weeks(base_answers: dict[str, Any]) -> None:
    before = fired(base_answers, trend="worsening", duration_weeks=5.9)
    after = fired(base_answers, trend="worsening", duration_weeks=6)
    assert "P7" in before and "S5" not in before
    assert "S5" in after and "P7" not in after


# --- primary care ---


def test_p1_needs_numbness_or_not_improving(base_answers: dict[str, Any]) -> None:
    assert "P1" not in fired(base_answers, radiating_pain=["below_knee"], trend="improving")
    assert "P1" in fired(base_answers, radiating_pain=["below_knee"], trend="same")
    assert "P1" in fired(base_answers, numbness_tingling=True, trend="improving")


def test_p2_at_4_weeks(base_answers: dict[str, Any]) -> None:
    assert "P2" not in fired(base_answers, duration_weeks=3.9, trend="same")
    assert "P2" in fired(base_answers, duration_weeks=4, trend="same")
    assert "P2" not in fired(base_answers, duration_weeks=4, trend="improving")


@pytest.mark.parametrize("key", ["pain_intensity", "activity_interference"])
def test_p3_at_8(base_answers: dict[str, Any], key: str) -> None:
    assert "P3" not in fired(base_answers, **{key: 7})
    assert "P3" in fired(base_answers, **{key: 8})


def test_p4_risk_groups(base_answers: dict[str, Any]) -> None:
    # total 3: low; total 4 with psychosocial < 4: medium; psychosocial 4: high.
    low = run(base_answers, past_two_weeks=["pain_elsewhere", "walking_limited", "dressing_slower"])
    assert low["scores"]["risk_group"] == "low" and "P4" not in {r["rule"] for r in low["reasons"]}
    medium = run(base_answers, past_two_weeks=["pain_elsewhere", "walking_limited", "dressing_slower"],
                 radiating_pain=["buttock_or_thigh"])  # fmt: skip
    assert medium["scores"]["screen_total"] == 4 and medium["scores"]["risk_group"] == "medium"
    assert "P4" in {r["rule"] for r in medium["reasons"]}
    high = run(
        base_answers, past_two_weeks=["fear_of_movement", "worrying_thoughts", "low_mood"], bothersomeness="very"
    )
    assert high["scores"]["screen_psychosocial"] == 4 and high["scores"]["risk_group"] == "high"
    three = run(base_answers, past_two_weeks=["fear_of_movement", "worrying_thoughts", "low_mood"])
    assert three["scores"]["screen_psychosocial"] == 3 and three["scores"]["risk_group"] == "low"


def test_startback_replaces_the_built_in_screen(base_answers: dict[str, Any]) -> None:
    worried = {"past_two_weeks": ["fear_of_movement", "worrying_thoughts", "low_mood"], "bothersomeness": "extremely"}
    result = run(base_answers, **worried, startback={"total": 2, "psychosocial": 1})
    assert result["scores"]["risk_group"] == "low"
    assert result["scores"]["screen_source"] == "startback"
    assert (result["scores"]["screen_total"], result["scores"]["screen_psychosocial"]) == (2, 1)
    assert run(base_answers, startback={"total": 5, "psychosocial": 3})["scores"]["risk_group"] == "medium"
    assert run(base_answers, startback={"total": 5, "psychosocial": 4})["scores"]["risk_group"] == "high"


@pytest.mark.parametrize("risk", ["weakened_immunity", "injects_drugs"])
def test_p5_only_without_e_or_u(base_answers: dict[str, Any], risk: str) -> None:
    assert "P5" in fired(base_answers, risk_factors=[risk])
    assert "P5" not in fired(base_answers, risk_factors=[risk], red_flags=["unexplained_weight_loss"])
    assert "P5" not in fired(base_answers, risk_factors=["recent_bacterial_infection"])


# --- derived scores ---


def test_pain_impact_and_duration(base_answers: dict[str, Any]) -> None:
    s = run(base_answers, pain_intensity=7, enjoyment_interference=5, activity_interference=6)["scores"]
    assert s["pain_impact"] == 6.0
    assert run(base_answers, pain_intensity=7, enjoyment_interference=5, activity_interference=5)["scores"][
        "pain_impact"
    ] == pytest.approx(5.7)
    assert run(base_answers, duration_weeks=5.9)["scores"]["duration"] == "acute"
    assert run(base_answers, duration_weeks=6)["scores"]["duration"] == "subacute"
    assert run(base_answers, duration_weeks=11.9)["scores"]["duration"] == "subacute"
    assert run(base_answers, duration_weeks=12)["scores"]["duration"] == "chronic"


def test_result_contract_parts(base_answers: dict[str, Any]) -> None:
    result = run(base_answers, id="abc", red_flags=["saddle_numbness"])
    assert result["id"] == "abc"
    assert result["policy_version"] == "2026.2"
    assert result["level"] == "emergency" and result["within"] == "now"
    assert result["safety_net"] is None  # the emergency action replaces it
    for reason in result["reasons"]:
        assert set(reason) >= {"rule", "level", "because", "answers"}
        assert "Your answers:" in reason["because"]
    assert "not a diagnosis" in result["disclaimer"]
    assert "id" not in run(base_answers)
    assert "within" not in run(base_answers)
    assert run(base_answers, red_flags=["unexplained_weight_loss"])["within"] == "48h"
    assert run(base_answers, red_flags=["fever_or_chills"])["within"] == "today"


def test_because_keeps_the_labels_own_capitals(base_answers: dict[str, Any]) -> None:
    result = run(base_answers, age=30, duration_weeks=20, onset="gradual", trend="same", pattern=INFLAMMATORY)
    s3 = next(r for r in result["reasons"] if r["rule"] == "S3")
    assert "when I exercise" in s3["because"]


def test_no_muscle_strain_beside_a_red_flag(base_answers: dict[str, Any]) -> None:
    assert [c["id"] for c in run(base_answers)["contributors"]] == ["muscle_strain"]
    assert run(base_answers, red_flags=["bladder_or_bowel_change"])["contributors"] == []


# --- 2026.2: new and widened rules ---


def within(base: dict[str, Any], **changes: Any) -> str | None:
    result = run(base, **changes)
    return result.get("within")


E4_RISKS = [
    "weakened_immunity",
    "injects_drugs",
    "recent_bacterial_infection",
    "long_term_steroids",
    "diabetes",
    "recent_spine_procedure_or_hospital_stay",
]


@pytest.mark.parametrize("risk", E4_RISKS)
def test_e4_fever_with_each_infection_risk(base_answers: dict[str, Any], risk: str) -> None:
    # Gradual onset, so that steroids do not also fire U3 (after lifting).
    got = fired(base_answers, onset="gradual", red_flags=["fever_or_chills"], risk_factors=[risk])
    assert got == {"E4"}
    # Without the fever the same risk is at most U9 (not with this mild, improving pain) or P5.
    assert not {"E4", "U1"} & fired(base_answers, onset="gradual", risk_factors=[risk])


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"weakness": "stable"}, {"E4", "U5"}),
        ({"weakness": "worsening"}, {"E4", "E3"}),
        ({"numbness_tingling": True}, {"E4", "P1"}),
        # A known, examined weakness is not a nerve sign for E4: fever alone is U1.
        ({"weakness": "known_stable"}, {"U1", "S6"}),
        ({"risk_factors": ["osteoporosis"], "onset": "gradual"}, {"U1"}),
        ({"risk_factors": ["cancer_history"]}, {"U1", "U2"}),
        ({"radiating_pain": ["buttock_or_thigh"]}, {"U1"}),
    ],
)
def test_e4_fever_with_nerve_symptoms(
    base_answers: dict[str, Any], changes: dict[str, Any], expected: set[str]
) -> None:
    assert fired(base_answers, red_flags=["fever_or_chills"], **changes) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"weakness": "stable"}, {"E5", "U2", "U5"}),
        ({"weakness": "worsening"}, {"E5", "U2", "E3"}),
        ({"numbness_tingling": True}, {"E5", "U2", "P1"}),
        ({"red_flags": ["hand_clumsiness_or_unsteady_walking"]}, {"E5", "U2", "U6"}),
        ({"radiating_pain": ["below_knee"], "trend": "same"}, {"E5", "U2", "P1"}),
        ({"radiating_pain": ["arm"], "trend": "same"}, {"E5", "U2", "P1"}),
        # 2026.2: a known, examined weakness is not E5 (2026.1 fired it for any weakness but none).
        ({"weakness": "known_stable"}, {"U2", "S6"}),
        ({"radiating_pain": ["buttock_or_thigh"]}, {"U2"}),
    ],
)
def test_e5_exact(base_answers: dict[str, Any], changes: dict[str, Any], expected: set[str]) -> None:
    assert fired(base_answers, risk_factors=["cancer_history"], **changes) == expected


@pytest.mark.parametrize("flag", ["chest_pain_or_breathlessness", "fainting_or_collapse"])
def test_e7(base_answers: dict[str, Any], flag: str) -> None:
    result = run(base_answers, red_flags=[flag])
    assert {r["rule"] for r in result["reasons"]} == {"E7"}
    assert (result["level"], result["within"]) == ("emergency", "now")


@pytest.mark.parametrize("flag", ["severe_headache_or_stiff_neck", "stroke_like_symptoms"])
def test_e9(base_answers: dict[str, Any], flag: str) -> None:
    result = run(base_answers, red_flags=[flag])
    assert {r["rule"] for r in result["reasons"]} == {"E9"}
    assert (result["level"], result["within"]) == ("emergency", "now")


def test_e8_belly_pain_at_50_or_with_an_aneurysm(base_answers: dict[str, Any]) -> None:
    belly = {"red_flags": ["abdominal_pain_or_pulsing"]}
    assert fired(base_answers, **belly, age=50) == {"E8"}
    assert fired(base_answers, **belly, age=49) == {"U10"}
    # With a known aneurysm at any age, even after six weeks.
    assert fired(base_answers, **belly, risk_factors=["aortic_aneurysm"], duration_weeks=6) == {"E8"}
    assert fired(base_answers, **belly, risk_factors=["aortic_aneurysm"], duration_weeks=52, age=16) == {"E8"}


def test_e8_known_aneurysm_with_new_or_sudden_pain(base_answers: dict[str, Any]) -> None:
    aaa = {"risk_factors": ["aortic_aneurysm"]}
    assert fired(base_answers, **aaa, duration_weeks=5.99) == {"E8"}
    assert fired(base_answers, **aaa, duration_weeks=6) == {"C0"}
    assert fired(base_answers, **aaa, duration_weeks=52, onset="sudden") == {"E8"}
    assert fired(base_answers, **aaa, duration_weeks=52, onset="gradual") == {"C0"}


def test_u10_urine_symptoms_even_beside_e8(base_answers: dict[str, Any]) -> None:
    assert fired(base_answers, red_flags=["urinary_pain_or_blood"]) == {"U10"}
    assert within(base_answers, red_flags=["urinary_pain_or_blood"]) == "today"
    both = ["abdominal_pain_or_pulsing", "urinary_pain_or_blood"]
    assert fired(base_answers, red_flags=both, age=50) == {"E8", "U10"}
    assert fired(base_answers, red_flags=both, age=49) == {"U10"}
    assert fired(base_answers, red_flags=["abdominal_pain_or_pulsing"], age=49, risk_factors=[]) == {"U10"}


E10 = {"onset": "sudden", "duration_weeks": 0.99, "pain_intensity": 8, "age": 60}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({}, {"E10", "P3"}),
        ({"duration_weeks": 0}, {"E10", "P3"}),
        ({"duration_weeks": 1}, {"P3"}),
        ({"pain_intensity": 7}, {"C0"}),
        ({"age": 59}, {"P3"}),
        ({"onset": "gradual"}, {"P3"}),
        ({"onset": "after_minor_injury"}, {"P3"}),
        ({"age": 70}, {"E10", "U3", "P3"}),
    ],
)
def test_e10_sudden_severe_pain_at_60(
    base_answers: dict[str, Any], changes: dict[str, Any], expected: set[str]
) -> None:
    assert fired(base_answers, **{**E10, **changes}) == expected


NECK_INJURY = {"pain_areas": ["neck"], "onset": "after_minor_injury"}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"age": 65, "duration_weeks": 0.99}, {"E11"}),
        ({"age": 65, "duration_weeks": 0}, {"E11"}),
        ({"age": 64, "duration_weeks": 0.99}, {"C0"}),
        ({"age": 30, "duration_weeks": 0.99, "numbness_tingling": True}, {"E11", "P1"}),
        ({"age": 30, "duration_weeks": 1, "numbness_tingling": True}, {"P1"}),
        ({"age": 65, "duration_weeks": 1}, {"U12"}),
        ({"age": 65, "duration_weeks": 5.99}, {"U12"}),
        ({"age": 65, "duration_weeks": 6}, {"C0"}),
        ({"age": 64, "duration_weeks": 1}, {"C0"}),
        ({"age": 70, "duration_weeks": 1}, {"U12", "U3"}),
        ({"age": 70, "duration_weeks": 0.5}, {"E11", "U3"}),
        # Not the neck, or not a minor injury: neither.
        ({"age": 65, "duration_weeks": 0.5, "pain_areas": ["low_back"]}, {"C0"}),
        ({"age": 65, "duration_weeks": 2, "pain_areas": ["low_back"]}, {"C0"}),
        ({"age": 65, "duration_weeks": 0.5, "onset": "sudden"}, {"C0"}),
        ({"age": 65, "duration_weeks": 2, "onset": "after_lifting_or_strain"}, {"C0"}),
        ({"age": 65, "duration_weeks": 0.5, "onset": "after_major_injury"}, {"E6"}),
        # The neck among other areas counts.
        ({"age": 65, "duration_weeks": 2, "pain_areas": ["low_back", "neck"]}, {"U12"}),
    ],
)
def test_e11_and_u12_neck_injury(base_answers: dict[str, Any], changes: dict[str, Any], expected: set[str]) -> None:
    assert fired(base_answers, **{**NECK_INJURY, **changes}) == expected


def test_u12_is_today(base_answers: dict[str, Any]) -> None:
    assert within(base_answers, **NECK_INJURY, age=65, duration_weeks=3) == "today"


@pytest.mark.parametrize(
    ("changes", "today"),
    [
        ({}, False),
        ({"trend": "same"}, False),
        ({"pain_areas": ["low_back", "mid_back"]}, True),
        ({"pain_areas": ["neck"]}, True),
        ({"red_flags": ["constant_night_pain"]}, True),
        ({"trend": "worsening"}, True),
    ],
)
def test_u2_today_only_under_its_condition(base_answers: dict[str, Any], changes: dict[str, Any], today: bool) -> None:
    result = run(base_answers, risk_factors=["cancer_history"], **changes)
    assert result["level"] == "urgent" and "U2" in {r["rule"] for r in result["reasons"]}
    assert not {r["rule"] for r in result["reasons"]} & {"U1", "U5", "U9", "U10", "U12"}
    assert result["within"] == ("today" if today else "48h")


def test_u2_48h_becomes_today_beside_a_today_rule(base_answers: dict[str, Any]) -> None:
    assert within(base_answers, risk_factors=["cancer_history"]) == "48h"
    assert within(base_answers, risk_factors=["cancer_history"], red_flags=["urinary_pain_or_blood"]) == "today"


def test_u8_widened_to_steroids_not_diabetes(base_answers: dict[str, Any]) -> None:
    night = {"red_flags": ["constant_night_pain"], "onset": "gradual"}
    # Steroids: U8, and U9 (an infection risk with constant night pain), which is today.
    assert fired(base_answers, **night, risk_factors=["long_term_steroids"]) == {"U8", "U9"}
    assert within(base_answers, **night, risk_factors=["long_term_steroids"]) == "today"
    assert fired(base_answers, **night, risk_factors=["diabetes"]) == {"P6"}
    assert fired(base_answers, **night, age=50) == {"U8"}
    assert within(base_answers, **night, age=50) == "48h"


U9_RISKS = [
    "recent_spine_procedure_or_hospital_stay",
    "recent_bacterial_infection",
    "injects_drugs",
    "weakened_immunity",
    "long_term_steroids",
]


@pytest.mark.parametrize("risk", U9_RISKS)
@pytest.mark.parametrize(
    ("changes", "fires"),
    [
        ({"pain_intensity": 7, "trend": "same"}, True),
        ({"pain_intensity": 7, "trend": "worsening"}, True),
        ({"pain_intensity": 6, "trend": "same"}, False),
        ({"pain_intensity": 10, "trend": "improving"}, False),
        ({"pain_intensity": 0, "trend": "worsening"}, True),
        ({"red_flags": ["constant_night_pain"]}, True),
        ({}, False),
    ],
)
def test_u9_infection_risk_without_fever(
    base_answers: dict[str, Any], risk: str, changes: dict[str, Any], fires: bool
) -> None:
    result = run(base_answers, onset="gradual", risk_factors=[risk], **changes)
    got = {r["rule"] for r in result["reasons"]}
    assert ("U9" in got) is fires
    if fires:
        assert result["within"] == "today"
        assert "P5" not in got
    else:
        assert result["level"] != "urgent" and "within" not in result
        # P5 names the risks the doctor should know about, when nothing urgent fired.
        assert ("P5" in got) is (risk in {"recent_spine_procedure_or_hospital_stay", "weakened_immunity",
                                         "injects_drugs"})  # fmt: skip


@pytest.mark.parametrize("risk", ["diabetes", "aortic_aneurysm", "osteoporosis", "cancer_history"])
def test_u9_not_for_other_risk_factors(base_answers: dict[str, Any], risk: str) -> None:
    assert "U9" not in fired(base_answers, onset="gradual", risk_factors=[risk], pain_intensity=9, trend="worsening")


@pytest.mark.parametrize("risk", U9_RISKS)
def test_u9_gives_way_to_e4(base_answers: dict[str, Any], risk: str) -> None:
    got = fired(base_answers, onset="gradual", risk_factors=[risk], red_flags=["fever_or_chills"], trend="worsening")
    assert "E4" in got and "U9" not in got and "U1" not in got


SAME = {"pattern": ["same_whatever_position"]}


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({**SAME, "trend": "same", "age": 50}, {"U11"}),
        ({**SAME, "trend": "same", "age": 49}, {"C0"}),
        ({**SAME, "trend": "improving", "age": 80}, {"C0"}),
        ({**SAME, "trend": "worsening", "age": 50}, {"U11", "P7"}),
        ({**SAME, "trend": "same", "pain_areas": ["mid_back"]}, {"U11"}),
        ({**SAME, "trend": "same", "red_flags": ["constant_night_pain"]}, {"U11", "P6"}),
        ({**SAME, "trend": "improving", "red_flags": ["constant_night_pain"]}, {"P6"}),
        # The second branch: progressive thoracic pain at 50 or over (and then not P8).
        ({"pain_areas": ["mid_back"], "age": 50, "trend": "worsening"}, {"U11", "P7"}),
        ({"pain_areas": ["mid_back"], "age": 49, "trend": "worsening"}, {"P7"}),
        ({"pain_areas": ["low_back"], "age": 50, "trend": "worsening"}, {"P7"}),
        # P8: the mid back at 50 or over without U11.
        ({"pain_areas": ["mid_back"], "age": 50, "trend": "same"}, {"P8"}),
        ({"pain_areas": ["mid_back"], "age": 50, "trend": "improving"}, {"P8"}),
        ({"pain_areas": ["mid_back"], "age": 49, "trend": "same"}, {"C0"}),
        ({"pain_areas": ["low_back", "mid_back"], "age": 50}, {"P8"}),
        ({"pain_areas": ["low_back", "neck"], "age": 50}, {"C0"}),
        ({**SAME, "pain_areas": ["mid_back"], "age": 50, "trend": "same"}, {"U11"}),
    ],
)
def test_u11_and_p8(base_answers: dict[str, Any], changes: dict[str, Any], expected: set[str]) -> None:
    result = run(base_answers, **changes)
    assert {r["rule"] for r in result["reasons"]} == expected
    if "U11" in expected:
        assert result["within"] == "48h"


def test_s6_known_stable_weakness(base_answers: dict[str, Any]) -> None:
    result = run(base_answers, weakness="known_stable")
    assert {r["rule"] for r in result["reasons"]} == {"S6"}
    assert result["level"] == "specialist" and "within" not in result
    assert "S6" not in fired(base_answers, weakness="stable")
    assert "S6" not in fired(base_answers, weakness="none")


def test_p5_for_a_recent_spine_procedure_or_hospital_stay(base_answers: dict[str, Any]) -> None:
    stay = {"risk_factors": ["recent_spine_procedure_or_hospital_stay"]}
    assert fired(base_answers, **stay) == {"P5"}
    assert fired(base_answers, **stay, red_flags=["unexplained_weight_loss"]) == {"U7"}
    # A new urgent rule (U11) also holds P5 back.
    assert fired(base_answers, **stay, pattern=["same_whatever_position"], age=50, trend="same") == {"U11"}
    assert fired(base_answers, risk_factors=["diabetes"]) == {"C0"}


# --- within: how soon ---

# Answer changes that fire exactly one urgent rule, and nothing more urgent.
ONE_URGENT = {
    "U1": {"red_flags": ["fever_or_chills"]},
    "U2": {"risk_factors": ["cancer_history"]},
    "U3": {"onset": "after_minor_injury", "age": 70},
    "U4": {"onset": "after_major_injury", "duration_weeks": 3},
    "U5": {"weakness": "stable"},
    "U6": {"red_flags": ["hand_clumsiness_or_unsteady_walking"]},
    "U7": {"red_flags": ["unexplained_weight_loss"]},
    "U8": {"red_flags": ["constant_night_pain"], "age": 50},
    "U9": {"risk_factors": ["weakened_immunity"], "trend": "worsening"},
    "U10": {"red_flags": ["urinary_pain_or_blood"]},
    "U11": {"pattern": ["same_whatever_position"], "trend": "same", "age": 50},
    "U12": {"pain_areas": ["neck"], "onset": "after_minor_injury", "age": 65, "duration_weeks": 2},
}
TODAY = {"U1", "U5", "U9", "U10", "U12"}


@pytest.mark.parametrize("rule", sorted(ONE_URGENT))
def test_within_for_each_urgent_rule_alone(base_answers: dict[str, Any], rule: str) -> None:
    result = run(base_answers, **ONE_URGENT[rule])
    urgent = {r["rule"] for r in result["reasons"] if r["level"] == "urgent"}
    assert result["level"] == "urgent" and urgent == {rule}
    assert result["within"] == ("today" if rule in TODAY else "48h")


def _compatible(late: str, soon: str) -> bool:
    """The two answer changes set no single-valued answer to two different values."""
    a, b = ONE_URGENT[late], ONE_URGENT[soon]
    return all(isinstance(a[k], list) or a[k] == b[k] for k in set(a) & set(b))


@pytest.mark.parametrize(
    ("late", "soon"),
    [(late, soon) for late in sorted(set(ONE_URGENT) - TODAY) for soon in sorted(TODAY) if _compatible(late, soon)],
)
def test_one_today_rule_makes_the_urgent_result_today(base_answers: dict[str, Any], late: str, soon: str) -> None:
    changes = {**ONE_URGENT[late]}
    for key, value in ONE_URGENT[soon].items():
        if isinstance(value, list) and key in changes:
            changes[key] = sorted({*changes[key], *value})
        else:
            changes[key] = value
    result = run(base_answers, **changes)
    got = {r["rule"] for r in result["reasons"]}
    if (late, soon) == ("U2", "U5"):  # cancer with a new weakness is E5
        assert (result["level"], result["within"]) == ("emergency", "now")
        return
    assert {late, soon} <= got
    assert (result["level"], result["within"]) == ("urgent", "today")


@pytest.mark.parametrize(
    "changes",
    [
        {"red_flags": ["saddle_numbness"]},
        {"red_flags": ["chest_pain_or_breathlessness", "urinary_pain_or_blood"]},
        {"weakness": "worsening", "risk_factors": ["cancer_history"]},
        {"onset": "after_major_injury", "duration_weeks": 0},
    ],
)
def test_within_is_now_for_every_emergency(base_answers: dict[str, Any], changes: dict[str, Any]) -> None:
    result = run(base_answers, **changes)
    assert (result["level"], result["within"]) == ("emergency", "now")


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"weakness": "known_stable"},
        {"duration_weeks": 8, "trend": "worsening"},
        {"pain_intensity": 8},
        {"risk_factors": ["injects_drugs"]},
    ],
)
def test_within_is_absent_below_urgent(base_answers: dict[str, Any], changes: dict[str, Any]) -> None:
    result = run(base_answers, **changes)
    assert result["level"] in ("specialist", "primary_care", "self_care")
    assert "within" not in result


# --- the compiled conditions agree with the rules' own functions ---


@settings(max_examples=1000)
@given(st.one_of(strategies.answers(), edgy_answers()))
def test_the_compiled_conditions_fire_exactly_the_rules_the_functions_fire(a: dict[str, Any]) -> None:
    facts = Facts(validate(a))
    fast, slow = evaluate(facts), evaluate_slowly(facts)
    assert fast == slow
    assert json.dumps(fast) == json.dumps(slow)  # the same keys in the same order: the same bytes out


def test_a_rule_written_with_if_else_is_refused_when_compiled() -> None:
    from backpain_cli.core.policy import Rule, _compile

    def bad(f: Facts, fired: Any) -> Any:
        return f.flag("fever_or_chills") if f.among("onset", "sudden") else {}

    with pytest.raises(TypeError, match="combinators"):
        _compile([Rule("X1", "urgent", "x", "x", "x", bad)])


# --- the signatures behind the cached reasons ---

_SEEN: dict[tuple[Any, ...], str] = {}  # every signature met so far in this run, with its reason in words


@settings(max_examples=1000)
@given(st.one_of(strategies.answers(), edgy_answers()))
def test_a_signature_stands_for_one_rule_with_one_reason(a: dict[str, Any]) -> None:
    """Reasons are made once per signature and shared, so two fired rules with the same signature must have the
    same evidence, written alike (6 and 6.0 are equal but not written alike), and read the same; and every fired
    rule has one, starting with its id."""
    from backpain_cli.core.engine import because
    from backpain_cli.core.policy import evaluate_signed

    fired, signs = evaluate_signed(Facts(validate(a)))
    assert fired == evaluate_slowly(Facts(validate(a)))
    assert list(signs) == list(fired)
    for rule_id, sign in signs.items():
        assert sign[0] == rule_id
        made = (because(rule_id, fired[rule_id], "intl"), msgspec.json.encode(fired[rule_id]))
        assert _SEEN.setdefault(sign, made) == made


@settings(max_examples=500)
@given(st.one_of(strategies.answers(), edgy_answers()))
def test_the_engine_is_told_which_emergency_and_urgent_rules_fired_by_their_bits(a: dict[str, Any]) -> None:
    from backpain_cli.core.policy import EMERGENCY_OR_URGENT, SERIOUS_BITS, evaluate_with

    f = Facts(validate(a))
    fired, serious = evaluate_with(f, {}.get, lambda sign, evidence: evidence)
    assert fired == evaluate_slowly(f)
    assert {r for r, bit in SERIOUS_BITS.items() if serious & bit} == set(fired) & set(EMERGENCY_OR_URGENT)


def test_a_kept_reason_is_taken_as_it_is_and_no_evidence_is_made(base_answers: dict[str, Any]) -> None:
    from backpain_cli.core.policy import evaluate_signed, evaluate_with

    f = Facts(validate({**base_answers, "red_flags": ["saddle_numbness"], "weakness": "stable", "age": 70}))
    made: list[Any] = []
    fired, _ = evaluate_with(f, lambda sign: ("kept", sign), lambda sign, evidence: made.append(sign))
    signs = evaluate_signed(f)[1]
    assert len(fired) >= 2 and made == []
    assert fired == {r: ("kept", sign) for r, sign in signs.items()}


def test_numbers_equal_but_written_differently_have_different_signatures(base_answers: dict[str, Any]) -> None:
    from backpain_cli.core.policy import evaluate_signed

    signs = [
        evaluate_signed(Facts(validate({**base_answers, "duration_weeks": w, "trend": "same"})))[1] for w in (6, 6.0)
    ]
    assert signs[0]["P2"] != signs[1]["P2"]
    results = [run(base_answers, duration_weeks=w, trend="same") for w in (6, 6.0, 6)]
    assert [msgspec.json.encode(r["reasons"]).count(b'"duration_weeks":6.0') for r in results] == [0, 1, 0]


def test_reasons_read_the_same_whether_their_words_are_made_or_kept(
    base_answers: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The words kept by signature are the words made afresh, also when the cache is emptied as it fills."""
    from backpain_cli.core import engine

    monkeypatch.setattr(engine, "REASON_CACHE", 3)
    monkeypatch.setattr(engine, "_KEPT", {})
    variants = [
        {},
        {"red_flags": ["saddle_numbness"], "weakness": "stable"},
        {"duration_weeks": 20, "trend": "same", "pain_intensity": 9},
        {"age": 70, "pain_areas": ["mid_back"], "past_two_weeks": ["low_mood", "fear_of_movement"]},
    ]
    for _ in range(2):  # the second time round, from the kept words (or made again after emptying)
        for changes in variants:
            result = run(base_answers, **changes)
            for reason in result["reasons"]:
                assert reason["because"] == engine.because(reason["rule"], reason["answers"], "intl")
    assert 0 < len(engine._KEPT["intl"].reasons) <= 3


class Formed:
    """What the form in the test below makes of a part: the part, wrapped."""

    def __init__(self, part: Any) -> None:
        self.part = part


def unwrapped(value: Any) -> Any:
    if isinstance(value, Formed):
        return unwrapped(value.part)
    if isinstance(value, dict):
        return {k: unwrapped(v) for k, v in value.items()}
    if isinstance(value, list):
        return [unwrapped(v) for v in value]
    return value


@pytest.mark.parametrize("region", ["intl", "gb"])
def test_a_form_gives_each_shared_part_as_it_made_it_once_and_the_rest_of_the_result_unchanged(
    base_answers: dict[str, Any], region: str
) -> None:
    """`assess(..., form)`: each shared part is what the form made of it, made once and given again, kept apart from
    the parts themselves; with each part as it was, the result is the result without a form."""
    from backpain_cli.core import engine

    made: list[Any] = []

    def form(part: Any) -> Formed:
        made.append(part)
        return Formed(part)

    variants = [
        {"goals": ["less_pain", "better_sleep"], "activity_level": "low"},
        {"red_flags": ["saddle_numbness"], "weakness": "stable", "onset": "after_lifting_or_strain"},
        {"past_two_weeks": ["low_mood"], "treatments_tried": ["injection"], "trend": "worsening"},
        {"radiating_pain": ["below_knee"], "duration_weeks": 3, "pain_intensity": 8, "startback": None},
        {
            "age": 30,
            "duration_weeks": 20,
            "onset": "gradual",
            "trend": "same",
            "pattern": ["better_with_exercise", "not_better_with_rest", "night_pain_eases_on_getting_up"],
        },
    ]
    formed_keys: set[str] = set()
    before_round: list[int] = []
    for _ in range(2):
        before_round.append(len(made))
        for changes in variants:
            answers = validate({k: v for k, v in {**base_answers, **changes}.items() if v is not None})
            plain, formed = assess(answers, region), assess(answers, region, form)
            assert unwrapped(formed) == plain
            assert all(isinstance(r, Formed) for r in formed["reasons"])
            assert all(isinstance(n, Formed) for n in formed["notes"])
            for key in ("action", "rule_out", "care_ladder", "disclaimer", "safety_net"):
                assert isinstance(formed[key], Formed) or (key == "safety_net" and formed[key] is None)
            assert isinstance(formed["scores"].get("screen_note", Formed(None)), Formed)
            for c in formed["contributors"]:  # those that hold no answer of their own are shared
                cid = unwrapped(c)["id"]
                assert isinstance(c, Formed) is (cid in ("muscle_strain", "disc_or_nerve_root"))
                formed_keys.add(cid)
    # S3 fired (its contributor, which is not shared, takes S3's answers although the reason given is formed)
    assert {"muscle_strain", "disc_or_nerve_root", "inflammatory"} <= formed_keys
    assert before_round[1] == len(made)  # the second time round, every part was made already
    assert all(type(r) is dict for r in engine._KEPT[region].reasons.values())  # the parts without a form: untouched


def test_reasons_follow_translations_registered_after_the_first_assessment(base_answers: dict[str, Any]) -> None:
    import gettext

    from backpain_cli.core import i18n

    class Shouting(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return message if "{" in message else message.upper()  # placeholders kept

    first = assess(validate(base_answers), region="intl")
    try:
        i18n.register("zz", gettext.NullTranslations())
        assert assess(validate(base_answers), region="zz")["reasons"] == first["reasons"]
        i18n.register("zz", Shouting())  # replaced: the words kept for zz are made again
        assert assess(validate(base_answers), region="zz")["reasons"][0]["because"].startswith("NONE OF YOUR")
    finally:
        i18n._translators.pop("zz", None)


def test_translations_registered_for_intl_reach_every_text_of_a_result(base_answers: dict[str, Any]) -> None:
    """Each shared part is made from the region's translations, intl's too (the reasons always were; the action,
    the notes and the rest were translated only for the other regions until the parts were made once a region)."""
    import gettext

    from backpain_cli.core import i18n

    class Marked(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return message if "{" in message else "[T] " + message

    answers = validate({**base_answers, "red_flags": ["fever_or_chills"], "weakness": "stable", "goals": ["less_pain"]})
    try:
        i18n.register("intl", Marked())
        result = assess(answers, region="intl")
    finally:
        i18n.register("intl", gettext.NullTranslations())
    texts = [result["action"], result["disclaimer"], result["care_ladder"]["next"], result["reasons"][0]["because"]]
    texts += [c["label"] for c in result["contributors"]] + [r["what"] for r in result["rule_out"]]
    texts += [n["note"] for n in result["notes"]] + ([result["safety_net"]] if result["safety_net"] else [])
    assert len(texts) >= 6 and all(t.startswith("[T] ") for t in texts), texts
    assert not assess(answers, region="intl")["action"].startswith("[T]")  # registered back: as written again


def test_a_new_form_for_every_call_keeps_no_more_than_the_last_few(base_answers: dict[str, Any]) -> None:
    from backpain_cli.core import engine

    answers = validate(base_answers)
    plain = assess(answers, "intl")
    for _ in range(3 * engine.KEPT_MOST):
        assert assess(answers, "intl", lambda part: part) == plain
    assert len(engine._KEPT) <= engine.KEPT_MOST


@pytest.mark.parametrize(
    "template",
    ["{answers}: {why}", "{why} ({answers}; {answers})", "{why}"],
)
def test_a_reason_is_the_regions_template_filled_in_wherever_it_puts_the_answers(
    base_answers: dict[str, Any], template: str
) -> None:
    """A reason is made from its template split once around the answers; a template that gives the answers
    other than once is filled in as it stands."""
    import gettext

    from backpain_cli.core import engine, i18n

    class Reordered(gettext.NullTranslations):
        def gettext(self, message: str) -> str:
            return template if message == "{why} Your answers: {answers}." else message

    answers = validate({**base_answers, "red_flags": ["saddle_numbness"], "weakness": "stable", "age": 70})
    try:
        i18n.register("zz", Reordered())
        for reason in assess(answers, region="zz")["reasons"]:
            rule = next(r for r in RULES if r.id == reason["rule"])
            words = engine.answers_text(reason["answers"], "zz")
            assert reason["because"] == template.format(why=rule.why, answers=words)
            assert engine.because(reason["rule"], reason["answers"], "zz") == reason["because"]
    finally:
        i18n._translators.pop("zz", None)
