"""A second, independent implementation of triage policy 2026.1, written from the policy's text alone by a
reviewer who had not read policy.py: plain sets and ifs, no evidence, no explanation. The property test in
test_reference.py compares it with the engine on generated answers, so a slip in either shows up as a
disagreement. Test code only."""

from typing import Any

LEVELS = ["emergency", "urgent", "specialist", "primary_care", "self_care"]
LVL: dict[str, str] = {}
for r in ["E1", "E2", "E3", "E4", "E5", "E6"]:
    LVL[r] = "emergency"
for r in ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8"]:
    LVL[r] = "urgent"
for r in ["S1", "S2", "S3", "S4", "S5"]:
    LVL[r] = "specialist"
for r in ["P1", "P2", "P3", "P4", "P5", "P6", "P7"]:
    LVL[r] = "primary_care"
LVL["C0"] = "self_care"


def derived(a: dict[str, Any]) -> dict[str, Any]:
    d = a["duration_weeks"]
    rp = set(a["radiating_pain"])
    p2w = set(a["past_two_weeks"])
    dur = "acute" if d < 6 else ("subacute" if d < 12 else "chronic")
    radicular = bool(rp & {"below_knee", "arm"}) or a["numbness_tingling"] is True
    leg = bool(rp & {"buttock_or_thigh", "below_knee"})
    limits = a["activity_interference"] >= 5
    tt = set(a.get("treatments_tried", []))
    cons = bool(tt & {"physiotherapy", "exercise_programme"})
    onset_age = a["age"] - d / 52
    pi = round((a["pain_intensity"] + a["enjoyment_interference"] + a["activity_interference"]) / 3, 1)
    psy = len(p2w & {"fear_of_movement", "worrying_thoughts", "feels_it_will_never_improve", "low_mood"}) + (
        1 if a["bothersomeness"] in ("very", "extremely") else 0
    )
    tot = psy + (1 if leg else 0) + len(p2w & {"pain_elsewhere", "walking_limited", "dressing_slower"})
    if a.get("startback") is not None:
        psy = a["startback"]["psychosocial"]
        tot = a["startback"]["total"]
    rg = "high" if psy >= 4 else ("low" if tot <= 3 else "medium")
    return dict(
        duration=dur,
        radicular=radicular,
        leg=leg,
        limits=limits,
        cons=cons,
        onset_age=onset_age,
        pain_impact=pi,
        psy=psy,
        tot=tot,
        rg=rg,
    )


def ref_assess(a: dict[str, Any]) -> tuple[str, set[str], dict[str, Any]]:
    D = derived(a)
    d = a["duration_weeks"]
    rf = set(a["red_flags"])
    rk = set(a["risk_factors"])
    rp = set(a["radiating_pain"])
    tt = set(a.get("treatments_tried", []))
    pat = set(a.get("pattern", []))
    age = a["age"]
    tr = a["trend"]
    wk = a["weakness"]
    nt = a["numbness_tingling"]
    on = a["onset"]
    F = set()
    if rf & {"bladder_or_bowel_change", "saddle_numbness"}:
        F.add("E1")
    if "new_symptoms_both_legs" in rf:
        F.add("E2")
    if wk == "worsening":
        F.add("E3")
    if "fever_or_chills" in rf and rk & {"weakened_immunity", "injects_drugs", "recent_bacterial_infection"}:
        F.add("E4")
    if "cancer_history" in rk and (
        wk != "none" or nt or "hand_clumsiness_or_unsteady_walking" in rf or rp & {"below_knee", "arm"}
    ):
        F.add("E5")
    if on == "after_major_injury" and d < 2:
        F.add("E6")
    if "fever_or_chills" in rf and "E4" not in F:
        F.add("U1")
    if "cancer_history" in rk:
        F.add("U2")
    if (on == "after_minor_injury" and (rk & {"osteoporosis", "long_term_steroids"} or age >= 70)) or (
        on == "sudden" and rk & {"osteoporosis", "long_term_steroids"}
    ):
        F.add("U3")
    if on == "after_major_injury" and d >= 2:
        F.add("U4")
    if wk == "stable":
        F.add("U5")
    if "hand_clumsiness_or_unsteady_walking" in rf:
        F.add("U6")
    if "unexplained_weight_loss" in rf:
        F.add("U7")
    if "constant_night_pain" in rf and (age >= 50 or rk & {"weakened_immunity", "injects_drugs"}):
        F.add("U8")
    if D["radicular"] and d >= 6 and tr != "improving":
        F.add("S1")
    if d >= 6 and tr != "improving" and (D["limits"] or a["sleep_disturbed"] or a["pain_intensity"] >= 7) and D["cons"]:
        F.add("S2")
    oa = D["onset_age"]
    if d >= 12 and oa < 45:
        n = (
            (oa < 40)
            + (on == "gradual")
            + ("better_with_exercise" in pat)
            + ("not_better_with_rest" in pat)
            + ("night_pain_eases_on_getting_up" in pat)
        )
        if n >= 4:
            F.add("S3")
    if tt & {"injection", "surgery"} and tr != "improving":
        F.add("S4")
    if tr == "worsening" and d >= 6:
        F.add("S5")
    if D["radicular"] and "S1" not in F and (nt or tr != "improving"):
        F.add("P1")
    if d >= 4 and tr != "improving" and "S2" not in F:
        F.add("P2")
    if a["pain_intensity"] >= 8 or a["activity_interference"] >= 8:
        F.add("P3")
    if D["rg"] in ("medium", "high"):
        F.add("P4")
    if rk & {"weakened_immunity", "injects_drugs"} and not any(r[0] in "EU" for r in F):
        F.add("P5")
    if "constant_night_pain" in rf and "U8" not in F:
        F.add("P6")
    if tr == "worsening" and "S5" not in F:
        F.add("P7")
    if not F:
        F.add("C0")
    level = min((LVL[r] for r in F), key=LEVELS.index)
    return level, F, D
