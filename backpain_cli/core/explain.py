"""What the result says besides the rules: the next step, likely contributors (never a diagnosis), the care
ladder, notes personalised by goals, activity level and duration, the safety-net and the not-a-diagnosis line.
All text is the project's own. Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from backpain_cli.core.i18n import N_
from backpain_cli.core.policy import (
    EMERGENCY,
    SELF_CARE,
    SERIOUS_BITS,
    SPECIALIST,
    TODAY,
    URGENT,
    Evidence,
    Facts,
)

ACTION: dict[str, str] = {
    EMERGENCY: N_("Go to an emergency department now, or call the emergency number (999, 112 or 911)."),
    URGENT: N_("See a doctor within 48 hours: your GP, an urgent care centre or an out-of-hours service."),
    SPECIALIST: N_("Arrange an appointment with a spine or pain specialist (your GP can refer you)."),
    "primary_care": N_("See a GP or physiotherapist in the next week or two."),
    SELF_CARE: N_(
        "You can look after this at home for now: keep moving, use simple pain relief and heat, "
        "and watch for the warning signs below."
    ),
}

#: The urgent action when a fired rule is marked *today* (`within` is "today").
URGENT_TODAY_ACTION = N_(
    "See a doctor today: call your GP for a same-day appointment, or go to an urgent care centre or an "
    "out-of-hours service."
)


def action(level: str, within: str | None = None, *, inflammatory: bool = False, parts: Parts | None = None) -> Any:
    """The one thing to do, for a level and how soon (`policy.within`); for a specialist when S3 fired
    (`inflammatory`), a rheumatologist among them. In the words of `parts` (default: as written)."""
    parts = AS_WRITTEN if parts is None else parts
    if inflammatory and level == SPECIALIST:
        return parts.rheumatology
    return parts.urgent_today if level == URGENT and within == TODAY else parts.action[level]


RHEUMATOLOGY_ACTION = N_(
    "Arrange an appointment with a specialist: a rheumatologist for the inflammatory pattern, or a spine or pain "
    "specialist (your GP can refer you)."
)

SAFETY_NET = N_(
    "Go to an emergency department at once if you notice any change in bladder or bowel control, numbness "
    "around the genitals or back passage, symptoms spreading to both legs, weakness that is getting worse, or if "
    "chest pain, fainting or a sudden severe pain in the belly comes on."
)

DISCLAIMER = N_(
    "This is not a diagnosis: it suggests a next step from your answers. A doctor or physiotherapist who "
    "examines you can tell you more."
)

SCREEN_NOTE = N_(
    "The two-week screen asks about the same areas as the Keele STarT Back Tool, in our own words; it is not "
    "the validated tool."
)

# What a doctor will want to rule out, by the urgent or emergency rules behind it.
RULE_OUT: tuple[tuple[str, tuple[str, ...]], ...] = (
    (N_("a problem with the heart, the aorta (the main artery) or the lungs"), ("E7",)),
    (N_("an aortic aneurysm (a widened main artery) that is leaking, or a tear in the aorta"), ("E8", "E10")),
    (N_("meningitis, a bleed in the head or a torn artery in the neck"), ("E9",)),
    (N_("pressure on the nerves at the base of the spine (cauda equina syndrome)"), ("E1", "E2")),
    (N_("a nerve being squeezed so that it loses function"), ("E3", "U5")),
    (N_("pressure on the spinal cord"), ("E5", "U6")),
    (N_("an infection in or near the spine"), ("E4", "U1", "U8", "U9", "U11")),
    (N_("cancer affecting the spine"), ("E5", "U2", "U7", "U8", "U11")),
    (N_("a broken bone in the spine"), ("E6", "U3", "U4")),
    (N_("a broken bone in the neck"), ("E11", "U12")),
    (N_("a problem with the kidneys, or another cause in the belly"), ("U10",)),
)


def contributors(f: Facts, serious: int, inflammatory: Evidence | None, *, parts: Parts | None = None) -> list[Any]:
    """Likely contributors, each with the answers that point to it. Never a diagnosis. `serious`: the emergency
    and urgent rules fired (`policy.SERIOUS_BITS`), `inflammatory`: S3's evidence if S3 fired.

    | contributor | when | its answers |
    |---|---|---|
    | muscle_strain | onset `after_lifting_or_strain`, not radicular, no emergency or urgent rule fired | onset |
    | disc_or_nerve_root | radicular, or `worse_sitting_or_bending` in pattern | those of each that holds |
    | spinal_stenosis | age ≥ 50 and `leg_pain_walking_eased_by_sitting` in pattern | age, pattern |
    | degenerative_change | age ≥ 50, and onset `gradual` or `worse_leaning_back` in pattern | age, each that holds |
    | inflammatory | S3 fired | S3's |

    Radicular is as in the policy (`Facts.radicular`): `below_knee` or `arm` in radiating_pain, or numbness_tingling.
    A strain is no explanation to offer beside a red flag: what a doctor must rule out comes first.
    The labels are in the words of `parts` (default: as written).
    """
    # Written out plainly rather than with the rules' combinators: it runs for every record, and is short. The entries
    # whose answers can only be one of a few fixed sets (the strain, the disc or nerve root: all but those with the
    # age, and S3's) are made once for each (`Parts`), and shared.
    parts = AS_WRITTEN if parts is None else parts
    a = f.a
    radiating = a["radiating_pain"]  # (valid answers hold every list, given or defaulted)
    pattern = a["pattern"]
    onset = a.get("onset")
    numbness = a["numbness_tingling"] is True
    below_knee = arm = False
    if radiating:
        below_knee, arm = "below_knee" in radiating, "arm" in radiating
    nerve = below_knee or arm or numbness  # radicular, as Facts.radicular has it
    found: list[Any] = []
    if onset == "after_lifting_or_strain" and not nerve and not serious:
        found.append(parts.muscle_strain)
    sitting = "worse_sitting_or_bending" in pattern
    if sitting or nerve:
        found.append(parts.disc[below_knee + 2 * arm + 4 * numbness + 8 * sitting])
    age = a["age"]
    if age >= 50:
        labels = parts.labels
        if "leg_pain_walking_eased_by_sitting" in pattern:
            ev: Evidence = {"age": age, "pattern": ["leg_pain_walking_eased_by_sitting"]}
            found.append({"id": "spinal_stenosis", "label": labels["spinal_stenosis"], "answers": ev})
        leaning = "worse_leaning_back" in pattern
        if onset == "gradual" or leaning:
            ev = {"age": age}
            if onset == "gradual":
                ev["onset"] = onset
            if leaning:
                ev["pattern"] = ["worse_leaning_back"]
            found.append({"id": "degenerative_change", "label": labels["degenerative_change"], "answers": ev})
    if inflammatory:
        found.append({"id": "inflammatory", "label": parts.labels["inflammatory"], "answers": inflammatory})
    return found


_LABELS = {
    "muscle_strain": N_("a strained or overworked muscle or ligament"),
    "disc_or_nerve_root": N_("a disc problem or an irritated nerve root"),
    "spinal_stenosis": N_("narrowing of the spinal canal (spinal stenosis)"),
    "degenerative_change": N_("wear-and-tear (arthritis or degenerative change) in the spine's joints"),
    "inflammatory": N_("inflammatory back pain"),
}


def _disc_or_nerve_root(label: str, below_knee: bool, arm: bool, numbness: bool, sitting: bool) -> dict[str, Any]:
    """The disc_or_nerve_root contributor for its answers: the radicular ones, as Facts.radicular gives them, then
    the pattern."""
    ev: Evidence = {}
    if below_knee or arm:
        ev["radiating_pain"] = [v for v, given in (("below_knee", below_knee), ("arm", arm)) if given]
    if numbness:
        ev["numbness_tingling"] = True
    if sitting:
        ev["pattern"] = ["worse_sitting_or_bending"]
    return {"id": "disc_or_nerve_root", "label": label, "answers": ev}


def rule_out(fired: Iterable[str]) -> list[dict[str, Any]]:
    """What a doctor will want to rule out, for the rules `fired`."""
    made: list[dict[str, Any]] = rule_out_of(sum(SERIOUS_BITS.get(r, 0) for r in fired))
    return made


def rule_out_of(serious: int, *, parts: Parts | None = None) -> Any:
    """`rule_out`, for the emergency and urgent rules fired as the sum of their bits (`policy.SERIOUS_BITS`), in
    the words of `parts` (default: as written). The same few lists for the same rules fired: made once from the
    lines' parts made once. They are few (about 1,200 sets of rules in 20,000 random records), so when 16,384 are
    kept, which few batches reach, all are simply made again as needed."""
    parts = AS_WRITTEN if parts is None else parts
    kept = parts.rule_out
    made = kept.get(serious)
    if made is None:
        if len(kept) >= 16384:
            kept.clear()
            kept[0] = parts.form([])
        lines = [line[serious & bits] for bits, line in parts.rule_out_lines if serious & bits]
        made = kept[serious] = parts.form(lines)
    return made


def _rule_out_parts(ids: tuple[str, ...], what: str) -> tuple[int, dict[int, dict[str, Any]]]:
    """A line of RULE_OUT as its rules' bits, and its part of a result for each set of them fired: made once."""
    bits = sum(SERIOUS_BITS[r] for r in ids)
    by_fired = {}
    fired = bits
    while fired:  # every non-empty subset of the line's bits, largest first
        by_fired[fired] = {"what": what, "rules": [r for r in ids if SERIOUS_BITS[r] & fired]}
        fired = (fired - 1) & bits
    return bits, by_fired


LADDER: tuple[dict[str, str], ...] = (
    {
        "step": "conservative",
        "name": N_("Conservative care"),
        "what": N_(
            "Physiotherapy to build strength and flexibility, adjusting what you do and moving with a "
            "therapist's guidance, and "
            "medicines where they suit you. Most people need nothing more."
        ),
    },
    {
        "step": "interventional",
        "name": N_("Interventional pain treatment"),
        "what": N_(
            "If pain persists, a specialist may discuss targeted treatments: an epidural steroid injection "
            "for nerve-root pain, or for long-standing pain from the small facet joints a medial branch block "
            "and then radiofrequency denervation. NICE advises against facet joint injections, and against "
            "epidurals for narrowing of the central spinal canal."
        ),
    },
    {
        "step": "advanced",
        "name": N_("Advanced spine care"),
        "what": N_("Spine operations done through small openings, which only a small minority need: about 1 in 20."),
    },
)


#: What comes next on the care ladder, by the case (`care_ladder`).
NEXT_STEP: dict[str, str] = {
    "checks_first": N_("First, the checks a doctor needs to make; the usual steps of care come after that."),
    "conservative_with_specialist": N_(
        "Start with conservative care, such as physiotherapy, alongside the specialist's opinion."
    ),
    "specialist_options": N_("A specialist may discuss interventional options, or other causes, with you."),
    "conservative": N_("Conservative care: most back and neck pain settles with it, without any procedure."),
    "review_injection": N_(
        "Your specialist will review how the injection worked and whether anything else would help."
    ),
    "review_surgery": N_("Your surgeon or spine team should review you."),
}


def care_ladder(f: Facts, level: str, *, parts: Parts | None = None) -> Any:
    """Where the answers stand on the care ladder (the treatments tried), and what comes next (in the words of
    `parts`; default: as written)."""
    tried = f.a.get("treatments_tried", ())
    current = "advanced" if "surgery" in tried else "interventional" if "injection" in tried else "conservative"
    if level in _SERIOUS_LEVELS:
        nxt = "checks_first"
    elif current == "conservative" and level == SPECIALIST:
        # Conservative care tried (Facts.conservative_care_tried), asked of the answers straight away.
        tried_conservative = "physiotherapy" in tried or "exercise_programme" in tried
        nxt = "specialist_options" if tried_conservative else "conservative_with_specialist"
    elif current == "conservative":
        nxt = "conservative"
    elif current == "interventional":
        nxt = "review_injection"
    else:
        nxt = "review_surgery"
    return (AS_WRITTEN if parts is None else parts).ladders[current][nxt]


_SERIOUS_LEVELS = frozenset((EMERGENCY, URGENT))


GOAL_NOTES: dict[str, str] = {
    "less_pain": N_("Pain relief works best alongside movement: use it so that you can stay active, not instead."),
    "better_sleep": N_("A pillow between or under the knees, and a regular bedtime, often make nights easier."),
    "return_to_work": N_(
        "Staying at work, or going back early with lighter duties, usually helps recovery; "
        "ask your employer about adjustments."
    ),
    "sport_or_exercise": N_(
        "Keep exercising at a level the pain allows and build up step by step; "
        "a physiotherapist can plan the way back to your sport."
    ),
    "everyday_tasks": N_("Break tasks into shorter spells with changes of position, and build up week by week."),
    "avoid_surgery": N_("Most people recover without surgery; conservative care comes first for nearly everyone."),
    "understand_cause": N_(
        "Ask whoever examines you what they think is behind the pain; scans are often not needed to plan care."
    ),
}

ACTIVITY_NOTES: dict[str, str] = {
    "low": N_("Gentle, regular walking, building up a little each day, is a good place to start."),
    "moderate": N_("Keep to your usual routine as far as the pain allows; short walks through the day help."),
    "high": N_("Scale your training or physical work down rather than stopping, and return to full load gradually."),
}

DURATION_NOTES: dict[str, str] = {
    "acute": N_("Pain in the first few weeks usually eases a great deal within a month or so."),
    "subacute": N_("At this stage a structured plan helps keep the pain from becoming long-standing."),
    "chronic": N_(
        "Long-standing pain responds best to a plan that combines exercise, activity and support, "
        "rather than to rest or one treatment alone."
    ),
}


#: Goal notes that reassure ("most people recover"): like the duration notes ("usually eases"), never beside an
#: emergency or urgent result.
REASSURING_GOALS = frozenset({"avoid_surgery"})


def personal_notes(f: Facts, level: str, *, parts: Parts | None = None) -> list[Any]:
    """Notes for the duration, the activity level and the goals (in the words of `parts`; default: as written);
    none for an emergency, and none that reassure for an urgent result."""
    if level == EMERGENCY:
        return []
    parts = AS_WRITTEN if parts is None else parts
    a = f.a
    serious = level == URGENT
    notes: list[Any] = [] if serious else [parts.duration_notes[f.duration]]
    activity = a.get("activity_level")
    if activity is not None:
        notes.append(parts.activity_notes[activity])
    goals = a.get("goals")
    if goals:
        goal_notes = parts.goal_notes
        for g in goals:
            if not (serious and g in REASSURING_GOALS):
                notes.append(goal_notes[g])
    return notes


def as_it_is(part: Any) -> Any:
    """Each part as it is, each text as written: `Parts`'s default form, and its default translation."""
    return part


class Parts:
    """The parts of the explanation that many results share, in one region's words (`_` puts a message in them) and
    as `form` makes each (for the layer that writes results: `engine.assess`'s form; default: each as it is). Made
    once for a region (and form), and shared by every result: read them, never change them.

    `action`, `urgent_today`, `rheumatology`, `safety_net`, `disclaimer`, `screen_note`: the texts. `labels`: each
    contributor's label (as it is, for the entries made for a result). `muscle_strain`, `disc`: the contributors
    whose answers can only be one of a few fixed sets, one for each (`disc`: for each set of its answers,
    below_knee + 2 arm + 4 numbness + 8 worse sitting or bending). `ladders`: the care ladder's part, by place and
    next step. `duration_notes`, `activity_notes`, `goal_notes`: each note. `rule_out_lines`: each line of RULE_OUT
    as its rules' bits and its part for each set of them fired; `rule_out`: what to rule out, by the rules fired
    (`rule_out_of`; none fired: the empty list)."""

    def __init__(self, _: Callable[[str], str] = as_it_is, form: Callable[[Any], Any] = as_it_is) -> None:
        self.form = form
        self.action = {level: form(_(text)) for level, text in ACTION.items()}
        self.urgent_today = form(_(URGENT_TODAY_ACTION))
        self.rheumatology = form(_(RHEUMATOLOGY_ACTION))
        self.safety_net = form(_(SAFETY_NET))
        self.disclaimer = form(_(DISCLAIMER))
        self.screen_note = form(_(SCREEN_NOTE))
        self.labels = {key: _(label) for key, label in _LABELS.items()}
        strain = {
            "id": "muscle_strain",
            "label": self.labels["muscle_strain"],
            "answers": {"onset": "after_lifting_or_strain"},
        }
        self.muscle_strain = form(strain)
        disc = self.labels["disc_or_nerve_root"]
        self.disc = [form(_disc_or_nerve_root(disc, *(bool(i & bit) for bit in (1, 2, 4, 8)))) for i in range(16)]
        self.ladders = {
            step["step"]: {nxt: form({"current": step["step"], "next": _(text)}) for nxt, text in NEXT_STEP.items()}
            for step in LADDER
        }
        self.duration_notes, self.activity_notes, self.goal_notes = (
            {key: form({"about": about, "note": _(note)}) for key, note in notes.items()}
            for about, notes in (
                ("duration", DURATION_NOTES),
                ("activity_level", ACTIVITY_NOTES),
                ("goals", GOAL_NOTES),
            )
        )
        self.rule_out_lines = [_rule_out_parts(ids, _(what)) for what, ids in RULE_OUT]
        self.rule_out: dict[int, Any] = {0: form([])}


#: The parts as written (the intl words), as they are.
AS_WRITTEN = Parts()
