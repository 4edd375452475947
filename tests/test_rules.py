"""Each rule of triage-policy 2026.1 at its boundaries: one side fires, the other does not."""

from __future__ import annotations

from typing import Any

import pytest

from backpain_cli.core.engine import assess
from backpain_cli.core.policy import LEVELS, RULES
from backpain_cli.core.validation import validate


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
    assert ids == [*(f"E{i}" for i in range(1, 7)), *(f"U{i}" for i in range(1, 9)),
                   *(f"S{i}" for i in range(1, 6)), *(f"P{i}" for i in range(1, 8)), "C0"]  # fmt: skip
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
    # Sudden onset at 70 without bone risk is not U3 (age only counts after a minor injury).
    assert "U3" not in fired(base_answers, onset="sudden", age=80)
    assert "U3" not in fired(base_answers, onset="gradual", risk_factors=["osteoporosis"])


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
    assert result["policy_version"] == "2026.1"
    assert result["safety_net"] is None  # the emergency action replaces it
    for reason in result["reasons"]:
        assert set(reason) >= {"rule", "level", "because", "answers"}
        assert "Your answers:" in reason["because"]
    assert "not a diagnosis" in result["disclaimer"]
    assert "id" not in run(base_answers)


def test_because_keeps_the_labels_own_capitals(base_answers: dict[str, Any]) -> None:
    result = run(base_answers, age=30, duration_weeks=20, onset="gradual", trend="same", pattern=INFLAMMATORY)
    s3 = next(r for r in result["reasons"] if r["rule"] == "S3")
    assert "when I exercise" in s3["because"]


def test_no_muscle_strain_beside_a_red_flag(base_answers: dict[str, Any]) -> None:
    assert [c["id"] for c in run(base_answers)["contributors"]] == ["muscle_strain"]
    assert run(base_answers, red_flags=["bladder_or_bowel_change"])["contributors"] == []
