"""A second, independent implementation of triage policy 2026.2, written from the policy's text alone
(triage-policy.md, answers-contract.md v2) without reading policy.py: plain sets and ifs, no evidence, no
explanation. test_reference.py compares it with the engine on generated answers, so a slip in either shows
up as a disagreement. The 2026.1 reference it replaces is kept in reference_policy_2026_1.py for the
old-records property. Test code only."""

from typing import Any

LEVELS = ["emergency", "urgent", "specialist", "primary_care", "self_care"]
LVL: dict[str, str] = {}
for r in ["E1", "E2", "E3", "E4", "E5", "E6", "E7", "E8", "E9", "E10", "E11"]:
    LVL[r] = "emergency"
for r in ["U1", "U2", "U3", "U4", "U5", "U6", "U7", "U8", "U9", "U10", "U11", "U12"]:
    LVL[r] = "urgent"
for r in ["S1", "S2", "S3", "S4", "S5", "S6"]:
    LVL[r] = "specialist"
for r in ["P1", "P2", "P3", "P4", "P5", "P6", "P7", "P8"]:
    LVL[r] = "primary_care"
LVL["C0"] = "self_care"

# Urgent rules marked "today" in the policy table (U2 only under its own condition, handled apart).
TODAY_ALWAYS = {"U1", "U5", "U9", "U10", "U12"}

INFECTION_RISK_E4 = {
    "weakened_immunity",
    "injects_drugs",
    "recent_bacterial_infection",
    "long_term_steroids",
    "diabetes",
    "recent_spine_procedure_or_hospital_stay",
}
INFECTION_RISK_U9 = {
    "recent_spine_procedure_or_hospital_stay",
    "recent_bacterial_infection",
    "injects_drugs",
    "weakened_immunity",
    "long_term_steroids",
}


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
    psy = len(p2w & {"fear_of_movement", "worrying_thoughts", "feels_it_will_never_improve", "low_mood"})
    if a["bothersomeness"] in ("very", "extremely"):
        psy += 1
    tot = psy + (1 if leg else 0) + len(p2w & {"pain_elsewhere", "walking_limited", "dressing_slower"})
    if a.get("startback") is not None:
        psy = a["startback"]["psychosocial"]
        tot = a["startback"]["total"]
    if psy >= 4:
        rg = "high"
    elif tot <= 3:
        rg = "low"
    else:
        rg = "medium"
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


def ref_assess(a: dict[str, Any]) -> tuple[str, set[str], dict[str, Any], str | None]:
    """(level, fired rule ids, derived values, within) for one valid answer set."""
    D = derived(a)
    d = a["duration_weeks"]
    rf = set(a["red_flags"])
    rk = set(a["risk_factors"])
    rp = set(a["radiating_pain"])
    areas = set(a["pain_areas"])
    tt = set(a.get("treatments_tried", []))
    pat = set(a.get("pattern", []))
    age = a["age"]
    pain = a["pain_intensity"]
    tr = a["trend"]
    wk = a["weakness"]
    nt = a["numbness_tingling"] is True
    on = a["onset"]
    night = "constant_night_pain" in rf
    F: set[str] = set()

    # --- emergency ---
    if "bladder_or_bowel_change" in rf or "saddle_numbness" in rf:
        F.add("E1")
    if "new_symptoms_both_legs" in rf:
        F.add("E2")
    if wk == "worsening":
        F.add("E3")
    if "fever_or_chills" in rf and (rk & INFECTION_RISK_E4 or wk in ("stable", "worsening") or nt):
        F.add("E4")
    if "cancer_history" in rk and (
        wk in ("stable", "worsening")
        or nt
        or "hand_clumsiness_or_unsteady_walking" in rf
        or "below_knee" in rp
        or "arm" in rp
    ):
        F.add("E5")
    if on == "after_major_injury" and d < 2:
        F.add("E6")
    if "chest_pain_or_breathlessness" in rf or "fainting_or_collapse" in rf:
        F.add("E7")
    aneurysm = "aortic_aneurysm" in rk
    if "abdominal_pain_or_pulsing" in rf and (age >= 50 or aneurysm):
        F.add("E8")
    if aneurysm and (on == "sudden" or d < 6):
        F.add("E8")
    if "severe_headache_or_stiff_neck" in rf or "stroke_like_symptoms" in rf:
        F.add("E9")
    if on == "sudden" and d < 1 and pain >= 8 and age >= 60:
        F.add("E10")
    if "neck" in areas and on == "after_minor_injury" and d < 1 and (age >= 65 or nt):
        F.add("E11")

    # --- urgent ---
    u2_today = False
    if "fever_or_chills" in rf and "E4" not in F:
        F.add("U1")
    if "cancer_history" in rk:
        F.add("U2")
        if "mid_back" in areas or "neck" in areas or night or tr == "worsening":
            u2_today = True
    if d < 12:
        bone = "osteoporosis" in rk or "long_term_steroids" in rk
        if bone and on in ("after_minor_injury", "after_lifting_or_strain", "sudden"):
            F.add("U3")
        if age >= 70 and on in ("after_minor_injury", "sudden"):
            F.add("U3")
    if on == "after_major_injury" and 2 <= d < 12:
        F.add("U4")
    if wk == "stable":
        F.add("U5")
    if "hand_clumsiness_or_unsteady_walking" in rf:
        F.add("U6")
    if "unexplained_weight_loss" in rf:
        F.add("U7")
    if night and (age >= 50 or "weakened_immunity" in rk or "injects_drugs" in rk or "long_term_steroids" in rk):
        F.add("U8")
    u9_course = (pain >= 7 and tr != "improving") or tr == "worsening" or night
    if rk & INFECTION_RISK_U9 and u9_course and "E4" not in F:
        F.add("U9")
    if "abdominal_pain_or_pulsing" in rf and "E8" not in F:
        F.add("U10")
    if "urinary_pain_or_blood" in rf:
        F.add("U10")
    if "same_whatever_position" in pat and tr != "improving" and (age >= 50 or "mid_back" in areas or night):
        F.add("U11")
    if "mid_back" in areas and age >= 50 and tr == "worsening":
        F.add("U11")
    if "neck" in areas and on == "after_minor_injury" and age >= 65 and 1 <= d < 6:
        F.add("U12")

    # --- specialist ---
    if D["radicular"] and d >= 6 and tr != "improving":
        F.add("S1")
    if d >= 6 and tr != "improving" and D["cons"] and (D["limits"] or a["sleep_disturbed"] or pain >= 7):
        F.add("S2")
    oa = D["onset_age"]
    if d >= 12 and oa < 45:
        n = 0
        if oa < 40:
            n += 1
        if on == "gradual":
            n += 1
        for feature in ("better_with_exercise", "not_better_with_rest", "night_pain_eases_on_getting_up"):
            if feature in pat:
                n += 1
        if n >= 4:
            F.add("S3")
    if ("injection" in tt or "surgery" in tt) and tr != "improving":
        F.add("S4")
    if tr == "worsening" and d >= 6:
        F.add("S5")
    if wk == "known_stable":
        F.add("S6")

    # --- primary care ---
    if D["radicular"] and "S1" not in F and (nt or tr != "improving"):
        F.add("P1")
    if d >= 4 and tr != "improving" and "S2" not in F:
        F.add("P2")
    if pain >= 8 or a["activity_interference"] >= 8:
        F.add("P3")
    if D["rg"] in ("medium", "high"):
        F.add("P4")
    e_or_u = any(LVL[r] in ("emergency", "urgent") for r in F)
    if rk & {"weakened_immunity", "injects_drugs", "recent_spine_procedure_or_hospital_stay"} and not e_or_u:
        F.add("P5")
    if night and "U8" not in F:
        F.add("P6")
    if tr == "worsening" and "S5" not in F:
        F.add("P7")
    if "mid_back" in areas and age >= 50 and "U11" not in F:
        F.add("P8")

    if not F:
        F.add("C0")
    level = min((LVL[r] for r in F), key=LEVELS.index)
    within: str | None = None
    if level == "emergency":
        within = "now"
    elif level == "urgent":
        within = "today" if (F & TODAY_ALWAYS or u2_today) else "48h"
    return level, F, D, within
