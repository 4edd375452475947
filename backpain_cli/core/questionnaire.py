"""The questionnaire, defined once.

Every key of the answers contract (version 2) is a `Question` here: its type, allowed values or range, the
question a person is asked, short help, and when it is asked. Validation (`validation.py`), the JSON Schema
(`schema.py`), `backpain questions` and the interactive prompts all read this one tuple, so they cannot drift.

Pure data: no I/O, no third-party imports.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from backpain_cli.core.i18n import N_, _

CONTRACT_VERSION = 2

Kind = Literal["integer", "number", "boolean", "choice", "multi", "id", "startback"]


@dataclass(frozen=True)
class Condition:
    """When an interactive question (or one of its options) is asked, in words and as a test over the answers
    given so far."""

    text: str
    test: Callable[[Mapping[str, Any]], bool]


@dataclass(frozen=True)
class Group:
    """A screen of its own for some options of one list question (the red flags are asked on two screens: the
    spine's warning signs, then other symptoms with the pain); every group fills the one list."""

    id: str
    prompt: str
    help: str = ""


@dataclass(frozen=True)
class Choice:
    value: str
    label: str
    asked_when: Condition | None = None
    #: The `Group.id` of the screen this option is asked on, for a question with `groups`.
    group: str = ""


@dataclass(frozen=True)
class Question:
    key: str
    kind: Kind
    section: str
    prompt: str
    help: str = ""
    required: bool = True
    default: Any = None
    minimum: float | None = None
    maximum: float | None = None
    choices: tuple[Choice, ...] = ()
    min_items: int = 0
    #: False: a JSON-only key (given by a clinic or a clinician), never asked at the prompt.
    interactive: bool = True
    #: Below this number the answer is refused with `refuse_message` (age under 16).
    refuse_below: float | None = None
    refuse_message: str = ""
    #: Sub-fields of an object answer (`startback`).
    fields: tuple[Question, ...] = ()
    #: Screens that share out the options of a list question, in the order asked (empty: one screen).
    groups: tuple[Group, ...] = ()
    _labels: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        self._labels.update({c.value: c.label for c in self.choices})

    @property
    def values(self) -> tuple[str, ...]:
        return tuple(c.value for c in self.choices)

    def label(self, value: str) -> str:
        return self._labels.get(value, value)

    def in_group(self, group: str) -> tuple[Choice, ...]:
        """The options asked on the screen `group`."""
        return tuple(c for c in self.choices if c.group == group)

    def expected(self) -> str:
        """What a valid answer looks like, in words (used in error messages and `backpain questions`)."""
        low, high = number_text(self.minimum), number_text(self.maximum)
        values = ", ".join(self.values)  # codes: the same in every region
        if self.kind == "integer":
            return _("a whole number from {low} to {high}").format(low=low, high=high)
        if self.kind == "number":
            return _("a number from {low} to {high}").format(low=low, high=high)
        if self.kind == "boolean":
            return _("true or false")
        if self.kind == "choice":
            return _("one of {values}").format(values=values)
        if self.kind == "multi":
            if self.min_items:
                return _("a non-empty list of unique values from {values}").format(values=values)
            return _("a list of unique values from {values}").format(values=values)
        if self.kind == "id":
            return _("a string or a whole number")
        fields = [f"{f.key} ({f.expected()})" for f in self.fields]
        return _("an object with {fields}").format(fields=and_list(fields))


def and_list(items: list[str]) -> str:
    """`a`, `a and b`, `a, b and c`, in the region's words."""
    if len(items) < 2:
        return "".join(items)
    return _("{items} and {last}").format(items=", ".join(items[:-1]), last=items[-1])


def number_text(x: float | None, places: int | None = None) -> str:
    """A number as people write it, the one formatter of the project: a whole value without ".0" (`3`), else
    as given (`0.5`) or, with `places`, to that many decimals (`3.3`); None as nothing."""
    if x is None:
        return ""
    if float(x).is_integer():
        return str(int(x))
    return str(x) if places is None else f"{x:.{places}f}"


# Conditions of the contract's `pattern` rules. The derived values are the policy's: onset age is
# age − duration_weeks / 52; leg pain is buttock_or_thigh or below_knee in radiating_pain.


def _long_and_early(a: Mapping[str, Any]) -> bool:
    return bool(a["duration_weeks"] >= 12 and a["age"] - a["duration_weeks"] / 52 < 45)


def _leg_pain_over_50(a: Mapping[str, Any]) -> bool:
    legs = {"buttock_or_thigh", "below_knee"}
    return a["age"] >= 50 and bool(legs.intersection(a["radiating_pain"]))


LONG_AND_EARLY = Condition(N_("the pain has lasted 12 weeks or more and began before age 45"), _long_and_early)
LEG_PAIN_OVER_50 = Condition(N_("there is leg pain and the person is 50 or older"), _leg_pain_over_50)

WARNING = "Warning signs"
ABOUT = "About you"
PAIN = "Your pain"
NERVES = "Nerves"
IMPACT = "How it affects you"
WEEKS = "The past two weeks"
CARE = "What you have tried and what you want"
PATTERN = "Pattern of the pain"
CLINIC = "Given by a clinic"

#: The screens of the red flags: the spine's warning signs, then other symptoms with the pain.
SPINE_SIGNS = "spine"
OTHER_SYMPTOMS = "other"

SECTIONS = (WARNING, ABOUT, PAIN, NERVES, IMPACT, WEEKS, CARE, PATTERN)


def _scale(key: str, prompt: str, help: str) -> Question:
    return Question(key, "integer", IMPACT, prompt, help, minimum=0, maximum=10)


QUESTIONS: tuple[Question, ...] = (
    Question(
        "red_flags",
        "multi",
        WARNING,
        "Have you noticed any of these? Choose every one that applies, or none.",
        "They are uncommon, but they change what you should do today, so they come first. Each means now, "
        "unless it says otherwise.",
        groups=(
            Group(
                SPINE_SIGNS,
                "Have you noticed any of these? Choose every one that applies, or none.",
                "They are uncommon, but they change what you should do today, so they come first. Each means "
                "now, unless it says otherwise.",
            ),
            Group(
                OTHER_SYMPTOMS,
                "Have you had any of these along with the pain? Choose every one that applies, or none.",
                "Problems elsewhere in the body can show up as back or neck pain. Feeling very ill means a fever, "
                "vomiting, a rash, confusion or light hurting the eyes (a sore neck's usual stiffness does not "
                "count). Dizziness counts with double vision, slurred speech, trouble swallowing, or a face that "
                "droops or is numb.",
            ),
        ),
        choices=(
            Choice(
                "bladder_or_bowel_change",
                "New trouble passing or holding urine or stool, or less feeling doing so",
                group=SPINE_SIGNS,
            ),
            Choice(
                "saddle_numbness",
                "Numbness or tingling around the genitals, buttocks or back passage",
                group=SPINE_SIGNS,
            ),
            Choice(
                "new_symptoms_both_legs",
                "Pain, numbness, tingling or weakness new in both legs (not just walking)",
                group=SPINE_SIGNS,
            ),
            Choice(
                "fever_or_chills",
                "Fever (38 °C / 100.4 °F or more) or shaking chills in the last two weeks",
                group=SPINE_SIGNS,
            ),
            Choice("unexplained_weight_loss", "Losing weight without trying", group=SPINE_SIGNS),
            Choice("constant_night_pain", "Pain at night that no position eases", group=SPINE_SIGNS),
            Choice(
                "hand_clumsiness_or_unsteady_walking",
                "Hands newly clumsy (buttons, writing), or walking unsteady, or falls",
                group=SPINE_SIGNS,
            ),
            Choice(
                "chest_pain_or_breathlessness",
                "New chest pain or tightness in the last 12 hours, or new breathlessness",
                group=OTHER_SYMPTOMS,
            ),
            Choice("fainting_or_collapse", "Fainting or collapsing in the last week", group=OTHER_SYMPTOMS),
            Choice(
                "abdominal_pain_or_pulsing",
                "Belly pain new since this back pain began, or a pulsing lump in it",
                group=OTHER_SYMPTOMS,
            ),
            Choice(
                "severe_headache_or_stiff_neck",
                "Sudden worst-ever headache; or headache, stiff neck and feeling very ill",
                group=OTHER_SYMPTOMS,
            ),
            Choice(
                "stroke_like_symptoms",
                "New dizziness with double vision, slurred speech, or a drooping face",
                group=OTHER_SYMPTOMS,
            ),
            Choice(
                "urinary_pain_or_blood",
                "Pain or burning when passing urine, or blood in the urine",
                group=OTHER_SYMPTOMS,
            ),
        ),
    ),
    Question(
        "age",
        "integer",
        ABOUT,
        "How old are you?",
        "In whole years.",
        minimum=16,
        maximum=120,
        refuse_below=16,
        refuse_message=(
            "this questionnaire is for people aged 16 and over; back or neck pain in a child or young "
            "teenager should be checked by a doctor: the same day after an injury or with fever, and at an "
            "emergency department at once with any change in bladder or bowel control, numbness around the "
            "genitals or back passage, symptoms in both legs, or weakness that is getting worse"
        ),
    ),
    Question(
        "risk_factors",
        "multi",
        ABOUT,
        "Does any of this apply to you? Choose every one that applies, or none.",
        "Your background changes what some symptoms mean.",
        choices=(
            Choice("cancer_history", "Cancer now or in the past (not skin cancer, except melanoma)"),
            Choice("osteoporosis", "Osteoporosis (fragile bones), or a bone broken before in a minor fall"),
            Choice("long_term_steroids", "Steroid tablets (such as prednisolone) taken for months"),
            Choice("weakened_immunity", "A weakened immune system (from an illness or medicines)"),
            Choice("injects_drugs", "Injecting drugs, now or in the last year"),
            Choice(
                "recent_bacterial_infection",
                "A bacterial infection (urine, skin, chest, an abscess) in the last weeks",
            ),
            Choice("diabetes", "Diabetes"),
            Choice(
                "recent_spine_procedure_or_hospital_stay",
                "Spine operation or injection, or a hospital stay, in the last 3 months",
            ),
            Choice("aortic_aneurysm", "An aortic aneurysm (a widened main artery) found by a doctor"),
        ),
    ),
    Question(
        "pain_areas",
        "multi",
        PAIN,
        "Where is the pain?",
        "Choose at least one.",
        min_items=1,
        choices=(
            Choice("low_back", "Lower back"),
            Choice("mid_back", "Middle of the back (between the shoulder blades and the waist)"),
            Choice("neck", "Neck"),
        ),
    ),
    Question(
        "duration_weeks",
        "number",
        PAIN,
        "How long since this episode began?",
        "For example 3 days, 2 weeks, 6 months or 1 year; a plain number means weeks.",
        minimum=0,
        maximum=5200,
    ),
    Question(
        "onset",
        "choice",
        PAIN,
        "How did it begin?",
        "A major injury: a fall from over a metre (3 ft) or five stairs, a road crash at speed, a rollover or "
        "being thrown from a vehicle, being hit by a vehicle, a bike or motorbike crash, a dive or a heavy weight "
        "onto the head. A minor one: a trip, a stumble, a fall from standing, a low-speed rear-end car crash.",
        choices=(
            Choice("gradual", "Gradually, for no clear reason"),
            Choice("sudden", "Suddenly, for no clear reason"),
            Choice("after_lifting_or_strain", "After lifting, twisting or a strain"),
            Choice("after_minor_injury", "After a minor injury (a trip, a stumble, a fall from standing)"),
            Choice("after_major_injury", "After a major injury (a bad fall, a fast crash, a dive: see above)"),
        ),
    ),
    Question(
        "weakness",
        "choice",
        NERVES,
        "Is an arm or a leg weak?",
        "For example a foot that catches or slaps when you walk, or a grip that gives way.",
        choices=(
            Choice("none", "No weakness"),
            Choice("known_stable", "Yes, examined before by a doctor or physio, and no change since"),
            Choice("stable", "Yes, not getting worse, but not examined yet"),
            Choice("worsening", "Yes, and it is getting worse"),
        ),
    ),
    Question(
        "numbness_tingling",
        "boolean",
        NERVES,
        "Do you have numbness, pins and needles or tingling in an arm or a leg?",
    ),
    Question(
        "radiating_pain",
        "multi",
        NERVES,
        "Does the pain spread anywhere? Choose every one that applies, or none.",
        choices=(
            Choice("buttock_or_thigh", "Into the buttock or thigh"),
            Choice("below_knee", "Down the leg below the knee"),
            Choice("arm", "Into an arm"),
        ),
    ),
    _scale(
        "pain_intensity",
        "Over the past week, how bad has the pain been on average?",
        "0 is no pain, 10 is the worst you can imagine.",
    ),
    _scale(
        "enjoyment_interference",
        "Over the past week, how much has the pain got in the way of enjoying life?",
        "0 is not at all, 10 is completely.",
    ),
    _scale(
        "activity_interference",
        "Over the past week, how much has the pain got in the way of your usual activities?",
        "0 is not at all, 10 is completely.",
    ),
    Question(
        "trend",
        "choice",
        IMPACT,
        "Over the past two weeks, is the pain getting better, staying the same or getting worse?",
        choices=(
            Choice("improving", "Getting better"),
            Choice("same", "About the same"),
            Choice("worsening", "Getting worse"),
        ),
    ),
    Question("sleep_disturbed", "boolean", IMPACT, "Does the pain disturb your sleep?"),
    Question(
        "past_two_weeks",
        "multi",
        WEEKS,
        "Thinking of the last two weeks, which of these fit you? Choose every one that applies, or none.",
        "These help judge how much support you may need to recover; there are no wrong answers.",
        choices=(
            Choice("pain_elsewhere", "My shoulders or other joints have hurt as well"),
            Choice("walking_limited", "The pain has kept me from walking more than a short way"),
            Choice("dressing_slower", "Dressing myself has taken longer than it normally does"),
            Choice("fear_of_movement", "Being active has felt risky with this pain"),
            Choice("worrying_thoughts", "Much of the time, my mind has been full of worries"),
            Choice("feels_it_will_never_improve", "I have come to think this pain is here for good"),
            Choice("low_mood", "The things I normally look forward to have felt flat"),
        ),
    ),
    Question(
        "bothersomeness",
        "choice",
        WEEKS,
        "Over the past two weeks, how much has the pain bothered you?",
        choices=(
            Choice("not_at_all", "Not at all"),
            Choice("slightly", "A little"),
            Choice("moderately", "A fair amount"),
            Choice("very", "A great deal"),
            Choice("extremely", "Overwhelmingly"),
        ),
    ),
    Question(
        "treatments_tried",
        "multi",
        CARE,
        "What have you tried for this episode so far? Choose every one that applies, or none.",
        required=False,
        default=(),
        choices=(
            Choice("rest", "Rest"),
            Choice("heat_or_ice", "Heat or ice"),
            Choice("otc_painkillers", "Painkillers bought without a prescription"),
            Choice("prescription_medication", "Prescribed medicine"),
            Choice("physiotherapy", "Physiotherapy"),
            Choice("exercise_programme", "A structured exercise programme"),
            Choice("manual_therapy", "Manual therapy (osteopathy, chiropractic, massage)"),
            Choice("psychological_support", "Talking therapy or other psychological support"),
            Choice("injection", "An injection into the spine"),
            Choice("surgery", "Spine surgery"),
        ),
    ),
    Question(
        "activity_level",
        "choice",
        CARE,
        "Before this pain, how active was your daily life?",
        "Work, getting about, sport and hobbies together.",
        required=False,
        choices=(
            Choice("low", "Mostly sitting or resting"),
            Choice("moderate", "Moderately active"),
            Choice("high", "Very active (physical work or regular sport)"),
        ),
    ),
    Question(
        "goals",
        "multi",
        CARE,
        "What matters most to you now? Choose any.",
        required=False,
        default=(),
        choices=(
            Choice("less_pain", "Less pain"),
            Choice("better_sleep", "Better sleep"),
            Choice("return_to_work", "Getting back to work"),
            Choice("sport_or_exercise", "Getting back to sport or exercise"),
            Choice("everyday_tasks", "Managing everyday tasks"),
            Choice("avoid_surgery", "Avoiding surgery"),
            Choice("understand_cause", "Understanding what is causing it"),
        ),
    ),
    Question(
        "pattern",
        "multi",
        PATTERN,
        "Do any of these describe your pain? Choose every one that applies, or none.",
        required=False,
        default=(),
        choices=(
            Choice("better_with_exercise", "It gets better when I exercise", LONG_AND_EARLY),
            Choice("not_better_with_rest", "Resting does not make it better", LONG_AND_EARLY),
            Choice(
                "night_pain_eases_on_getting_up",
                "It wakes me in the second half of the night and eases when I get up",
                LONG_AND_EARLY,
            ),
            Choice(
                "morning_stiffness_over_30_min",
                "My back is stiff for more than half an hour in the morning",
                LONG_AND_EARLY,
            ),
            Choice(
                "leg_pain_walking_eased_by_sitting",
                "Walking brings on leg pain that eases when I sit down or bend forward",
                LEG_PAIN_OVER_50,
            ),
            Choice("worse_sitting_or_bending", "It is worse when I sit or bend forward"),
            Choice("worse_leaning_back", "It is worse when I lean backwards"),
            Choice("same_whatever_position", "It stays the same whatever position I am in and however I move"),
        ),
    ),
    Question(
        "startback",
        "startback",
        CLINIC,
        "Keele STarT Back Tool scores, if a clinician has given you the questionnaire.",
        "Given by a clinician with the licensed tool; when present they replace the built-in screen.",
        required=False,
        interactive=False,
        fields=(
            Question("total", "integer", CLINIC, "Overall score.", minimum=0, maximum=9),
            Question("psychosocial", "integer", CLINIC, "Psychosocial subscore.", minimum=0, maximum=5),
        ),
    ),
    Question(
        "id",
        "id",
        CLINIC,
        "Your reference for this record.",
        "Echoed back in the result.",
        required=False,
        interactive=False,
    ),
)

BY_KEY: dict[str, Question] = {q.key: q for q in QUESTIONS}
REQUIRED: tuple[str, ...] = tuple(q.key for q in QUESTIONS if q.required)


#: Short names of the keys, for reasons and summaries ("weeks since it began: 10").
SHORT_NAMES: dict[str, str] = {
    "red_flags": "warning signs",
    "age": "age",
    "risk_factors": "background",
    "pain_areas": "where it hurts",
    "duration_weeks": "weeks since it began",
    "onset": "how it began",
    "weakness": "weakness",
    "numbness_tingling": "numbness or tingling",
    "radiating_pain": "pain spreads",
    "pain_intensity": "pain (0-10)",
    "enjoyment_interference": "gets in the way of enjoying life (0-10)",
    "activity_interference": "gets in the way of activities (0-10)",
    "trend": "over two weeks",
    "sleep_disturbed": "sleep disturbed",
    "past_two_weeks": "past two weeks",
    "bothersomeness": "how bothersome",
    "treatments_tried": "tried",
    "activity_level": "activity before the pain",
    "goals": "goals",
    "pattern": "pattern",
    "startback": "STarT Back scores",
    "id": "reference",
}


def label(key: str, value: str) -> str:
    """The plain-language label of one answer value, e.g. label("onset", "sudden")."""
    return BY_KEY[key].label(value)


def asked_choices(question: Question, answers: Mapping[str, Any]) -> tuple[Choice, ...]:
    """The options of `question` that the interactive questionnaire offers, given the answers so far."""
    return tuple(c for c in question.choices if c.asked_when is None or c.asked_when.test(answers))
