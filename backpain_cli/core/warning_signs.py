"""The warning signs of a record that is not assessed: found, named, and given the advice they call for.

A rejected record is never assessed, so the warning signs it states would go unanswered. `unassessed_warning`
finds them in two ways: `signs_given` reads them from the keys that hold them (read generously: a misspelt key,
the wrong list, another case, a clinical synonym, at any depth), and `signs_mentioned` finds them anywhere in the
record's text (JSON escapes decoded, at any size), in the contract's words or in common clinical wording
(`SYNONYMS`). What is found only in the text is worded as a mention to check, not as a sign given. A negated
mention ("no fever") is still a mention: the record was not assessed, so whoever reads it is asked to check.

Every scan is linear in the record's size and bounded per byte: one regular expression pass whose every
sub-pattern has a bounded length, text decoded by C codecs, and the fuzzy matching of small slips only on short
windows around an exact word of a flag, a bounded number of times per word. Tables and patterns are built once.
Pure: no I/O, no third-party imports.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from backpain_cli.core.explain import action
from backpain_cli.core.i18n import _
from backpain_cli.core.policy import EMERGENCY, NOW, PRIMARY_CARE, RANK, TODAY, URGENT, WITHIN_48H
from backpain_cli.core.questionnaire import BY_KEY

#: Every warning about a record not assessed begins so, wherever it is shown, in every region (a marker to look for).
WARNING_START = "NOT ASSESSED"
#: The values of `weakness` that are a warning sign, least worrying first (`known_stable` is not one).
WEAK = ("stable", "worsening")
ABDOMINAL = "abdominal_pain_or_pulsing"

#: What each warning sign alone calls for, and how soon (triage policy 2026.2: E1-E3, E7, E9; U1, U5-U7, U10;
#: P6). `abdominal_pain_or_pulsing` alone is U10 (today); at age 50 or over, or with an aortic aneurysm, it is E8
#: (emergency): see `Warning.aneurysm_or_50`.
SIGN_URGENCY: dict[str, tuple[str, str | None]] = {
    "bladder_or_bowel_change": (EMERGENCY, NOW),
    "saddle_numbness": (EMERGENCY, NOW),
    "new_symptoms_both_legs": (EMERGENCY, NOW),
    "worsening": (EMERGENCY, NOW),
    "chest_pain_or_breathlessness": (EMERGENCY, NOW),
    "fainting_or_collapse": (EMERGENCY, NOW),
    "severe_headache_or_stiff_neck": (EMERGENCY, NOW),
    "stroke_like_symptoms": (EMERGENCY, NOW),
    "fever_or_chills": (URGENT, TODAY),
    "stable": (URGENT, TODAY),
    ABDOMINAL: (URGENT, TODAY),
    "urinary_pain_or_blood": (URGENT, TODAY),
    "unexplained_weight_loss": (URGENT, WITHIN_48H),
    "hand_clumsiness_or_unsteady_walking": (URGENT, WITHIN_48H),
    "constant_night_pain": (PRIMARY_CARE, None),
}
#: The level alone of each sign.
SIGN_LEVEL = {sign: level for sign, (level, _) in SIGN_URGENCY.items()}
_SOON = {NOW: 0, TODAY: 1, WITHIN_48H: 2, None: 3}

#: Common clinical wordings of each sign, beside its value and label (which are always read): word order,
#: short forms, British and American spelling. Words are matched whole, in any case, with any separators (or
#: none) between them, and a plural s; `!word` after a phrase: not when that word follows. Small words (in, the,
#: my) are written in each wording that has them, so that the table is all there is to read.
SYNONYMS: dict[str, tuple[str, ...]] = {
    "bladder_or_bowel_change": (
        "bladder or bowel change", "bowel or bladder change", "bladder or bowel", "bowel or bladder",
        "bladder and bowel", "bowel and bladder", "bladder bowel", "bowel bladder", "loss of bladder control",
        "bladder change", "bowel change", "bladder problem", "bowel problem", "bladder dysfunction",
        "bowel dysfunction", "bladder control", "bowel control", "incontinence", "incontinent",
        "urinary incontinence", "faecal incontinence", "fecal incontinence", "urinary retention", "urine retention",
        "retention of urine", "retaining urine", "cannot pass urine", "can't pass urine", "unable to pass urine",
        "unable to urinate", "not passing urine", "cannot urinate", "can't urinate", "difficulty passing urine",
        "difficulty urinating", "trouble passing urine", "sphincter disturbance", "sphincter dysfunction",
        "wet myself", "wetting myself", "soiled myself", "cauda equina", "ces", "cauda equina syndrome",
    ),
    "saddle_numbness": (
        "saddle numbness", "saddle numb", "numb saddle", "saddle anaesthesia", "saddle anesthesia",
        "saddle paraesthesia",
        "saddle paresthesia", "saddle hypoaesthesia", "saddle hypoesthesia", "saddle tingling", "saddle sensory loss",
        "saddle area numbness", "perineal numbness", "perianal numbness", "genital numbness", "numb genitals",
        "numbness around the genitals", "numbness around the back passage", "groin numbness", "numb groin",
        "numb bum", "numb buttocks", "cauda equina", "ces", "cauda equina syndrome",
    ),
    "new_symptoms_both_legs": (
        "both legs", "both of my legs", "both my legs", "bilateral sciatica", "bilateral leg pain",
        "bilateral leg numbness", "bilateral leg weakness", "bilateral leg symptoms", "bilateral radiculopathy",
        "bilateral leg", "bilateral legs", "sciatica bilateral", "symptoms both legs",
    ),
    "fever_or_chills": (
        "fever", "fevers", "feverish", "febrile", "pyrexia", "pyrexial", "high temperature", "raised temperature",
        "temperature of 38", "chills", "rigors", "rigor", "shaking chills", "shivering", "night sweats",
    ),
    "unexplained_weight_loss": (
        "weight loss", "weightloss", "loss of weight", "losing weight", "lost weight", "unintentional weight loss",
        "unintended weight loss", "unexplained weight loss", "cachexia",
    ),
    "constant_night_pain": (
        "night pain !eases", "nocturnal pain", "pain at night", "night time pain", "nighttime pain",
        "pain worse at night", "night-time pain",
    ),
    "hand_clumsiness_or_unsteady_walking": (
        "clumsy hands", "clumsy hand", "hand clumsiness", "clumsiness", "clumsy", "unsteady walking", "unsteady gait",
        "unsteady on my feet", "unsteadiness", "unsteady", "gait disturbance", "ataxia", "ataxic", "balance problems",
        "poor balance", "loss of balance", "myelopathy", "cervical myelopathy", "dropping things",
    ),
    "chest_pain_or_breathlessness": (
        "chest pain", "chest pains", "chest tightness", "tight chest", "tightness in chest", "chest pressure",
        "tightness in the chest", "tightness in my chest", "pressure in chest", "pressure in the chest",
        "chest discomfort", "angina", "shortness of breath", "short of breath", "breathless", "breathlessness",
        "dyspnoea", "dyspnea", "difficulty breathing", "trouble breathing", "heart attack", "pulmonary embolism",
        "aortic dissection",
    ),
    "fainting_or_collapse": (
        "fainting", "fainted", "faint", "syncope", "syncopal", "collapse", "collapsed", "collapsing", "passed out",
        "passing out", "pass out", "blackout", "blacked out", "black out", "loss of consciousness",
        "lost consciousness",
    ),
    ABDOMINAL: (
        "abdominal pain", "abdo pain", "belly pain", "stomach pain", "tummy pain", "pain in belly",
        "pain in my belly", "pain in the belly", "pain in abdomen", "pain in the abdomen", "abdominal pains",
        "abdominal mass", "pulsatile mass", "pulsating mass", "pulsing lump", "pulsating lump",
        "pulsatile abdominal mass", "pulsing mass", "aaa", "abdominal aortic aneurysm", "ruptured aneurysm",
        "leaking aneurysm",
    ),
    "severe_headache_or_stiff_neck": (
        "thunderclap headache", "thunderclap", "worst headache", "worst ever headache", "worst headache ever",
        "sudden severe headache", "severe headache", "meningism", "meningismus", "meningitis", "neck stiffness",
        "stiff neck", "photophobia", "subarachnoid haemorrhage", "subarachnoid hemorrhage", "sah", "brain bleed",
        "bleed on brain", "bleed on the brain", "bleeding in the brain",
    ),
    "stroke_like_symptoms": (
        "stroke", "mini stroke", "tia", "transient ischaemic attack", "transient ischemic attack", "cva",
        "dysarthria", "slurred speech", "slurring", "diplopia", "double vision", "dysphagia", "trouble swallowing",
        "difficulty swallowing", "facial droop", "face drooping", "drooping face", "droopy face", "facial numbness",
        "numb face", "vertebral artery dissection", "cervical artery dissection",
    ),
    "urinary_pain_or_blood": (
        "dysuria", "haematuria", "hematuria", "blood in urine", "blood in the urine", "blood in my urine",
        "bloody urine", "burning urine", "burning on passing urine", "pain on passing urine",
        "burning when passing urine", "burning when peeing", "painful urination", "pain passing urine",
        "pain when urinating", "pain when peeing", "urine infection", "urinary infection", "urinary tract infection",
        "uti", "kidney infection", "pyelonephritis", "kidney stone", "renal colic",
    ),
    # weakness (the contract's `weakness`): present but not yet examined, or getting worse
    "stable": (
        "foot drop", "drop foot", "footdrop", "dropfoot", "weak leg", "weak arm", "weak legs", "weak arms", "paresis",
        "motor deficit", "neurological deficit", "grip giving way",
    ),
    "worsening": (
        "progressive weakness", "worsening weakness", "increasing weakness", "progressive foot drop",
        "worsening foot drop", "progressive neurological deficit", "progressive deficit", "getting weaker",
        "growing weaker", "weaker and weaker", "increasingly weak",
    ),
}  # fmt: skip

_RED_FLAGS = BY_KEY["red_flags"]
_FLAGS: tuple[str, ...] = _RED_FLAGS.values
_YES = frozenset({"yes", "y", "true", "1", "present", "x"})
#: Answers under a weakness key that say there is none, or nothing.
_NO_WEAKNESS = frozenset({"none", "no", "n", "false", "0", "nil", "na", "absent", "notatall", "unknown", "unsure"})
#: Words that say weakness is getting worse: worse, weaker, deteriorating, increasing, progressive, spreading.
_WORSE = ("worse", "weaker", "deteriorat", "increas", "progress", "spread")
#: Words that say weakness was examined and has not changed: `known_stable`, not a warning sign.
_KNOWN = ("known", "examined", "unchanged", "nochange", "checked", "assessed", "seenby", "diagnosed")
_UNKNOWN = ("notexamined", "notyetexamined", "neverexamined", "unexamined", "notbeenexamined", "notchecked")


# ── advice ──


def _advice(urgency: tuple[str, str | None]) -> str:
    text = _(action(*urgency))
    return text[:1].lower() + text[1:].rstrip(".")


class _Advice(dict[tuple[str, str | None], str]):
    """Looked up in the words of the process's region (a US batch's warnings say 911, as its results do)."""

    def __getitem__(self, urgency: tuple[str, str | None]) -> str:
        return _advice(urgency)


#: The advice for each (level, within) a sign calls for: the result's own action for it.
ADVICE = _Advice({u: _advice(u) for u in set(SIGN_URGENCY.values()) | {(EMERGENCY, NOW)}})


@dataclass(frozen=True)
class Warning:
    """The warning signs a rejected record states: `given` under a key that holds them, `mentioned` only
    somewhere in its text. Each sign is a red flag value, or `stable`/`worsening` for weakness.
    `aneurysm_or_50`: the record readably gives an age of 50 or over, or an aortic aneurysm, so that belly pain
    or a pulsing lump calls for an emergency department (E8), the safer reading."""

    given: tuple[str, ...]
    mentioned: tuple[str, ...] = ()
    aneurysm_or_50: bool = False

    def urgency(self, signs: Iterable[str]) -> tuple[str, str | None]:
        """(level, within) of the most urgent of `signs`."""
        return min((self._urgency(s) for s in signs), key=_rank)

    def _urgency(self, sign: str) -> tuple[str, str | None]:
        if sign == ABDOMINAL and self.aneurysm_or_50:
            return (EMERGENCY, NOW)
        return SIGN_URGENCY[sign]

    def __str__(self) -> str:
        """The warning in the region's words; `WARNING_START` and the signs' codes as they are in every region."""
        if self.given:
            most = self.urgency(self.given)
            text = _("{start}, but warning signs were given: {signs}. {advice}").format(
                start=WARNING_START, signs=_names(self.given), advice=_cap(ADVICE[most])
            )
            if self.mentioned:
                also = self.urgency(self.mentioned)
                text += ". " + _("It also mentions {signs}: check it").format(signs=_names(self.mentioned))
                if _rank(also) < _rank(most):  # a mention more urgent than what was given: its own advice
                    more = (
                        _(", and if this is present, {advice}")
                        if len(self.mentioned) == 1
                        else _(", and if these are present, {advice}")
                    )
                    text += more.format(advice=ADVICE[also])
            return text
        if len(self.mentioned) == 1:
            text = _(
                "{start}: this record mentions {signs}; it was not assessed: check it, and if this is present, {advice}"
            )
        else:
            text = _(
                "{start}: this record mentions {signs}; it was not assessed: check it, and if these are present, "
                "{advice}"
            )
        return text.format(
            start=WARNING_START, signs=_names(self.mentioned), advice=ADVICE[self.urgency(self.mentioned)]
        )


def _rank(urgency: tuple[str, str | None]) -> tuple[int, int]:
    return RANK[urgency[0]], _SOON[urgency[1]]


def _cap(text: str) -> str:
    return text[:1].upper() + text[1:]


def _names(signs: tuple[str, ...]) -> str:
    out = [f"{_(_RED_FLAGS.label(s))} ({s})" for s in signs if s in _FLAGS]
    out += [f"{_('weakness')}: {_(BY_KEY['weakness'].label(s)).lower()} ({s})" for s in signs if s in WEAK]
    return "; ".join(out)


# ── the text scan ──

#: Between two words of a phrase: a few separators (made spaces by `_text`), or none; never a quote, bracket,
#: brace, colon or comma, so that a phrase is never read across two answers.
_SEP = rb" {0,4}"
#: Every byte but a letter, a digit, and those that end an answer, made a space.
_SPACES = bytes(c if chr(c) in 'abcdefghijklmnopqrstuvwxyz0123456789"[]{}:,;|\n' else 32 for c in range(256))
_END = rb"(?:e?s)?(?![a-z0-9])"


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.casefold())


def _phrase_regex(phrase: str) -> bytes:
    """The pattern of one phrase, without its first character (which the trie holds)."""
    words = _words(phrase.split("!")[0])
    body = _SEP.join(re.escape(w.encode()) for w in words)
    for word in phrase.split("!")[1:]:
        body += _END + rb"(?!" + _SEP + re.escape(word.strip().encode()) + rb")"
    return body


def _phrases() -> dict[str, tuple[str, ...]]:
    """Every phrase of each sign: its value, its label and its synonyms."""
    out: dict[str, tuple[str, ...]] = {}
    for sign, synonyms in SYNONYMS.items():
        own = (sign.replace("_", " "), _RED_FLAGS.label(sign)) if sign in _FLAGS else ()
        out[sign] = tuple(dict.fromkeys((*own, *synonyms)))
    return out


PHRASES = _phrases()
#: Which signs a phrase (its words joined by a space, or by nothing) names, to tell which sign a match is.
_SIGN_OF: dict[bytes, tuple[str, ...]] = {}
for _sign, _phrases_of in PHRASES.items():
    for _p in _phrases_of:
        _w = [w.encode() for w in _words(_p.split("!")[0])]
        for _key in {b" ".join(_w), b"".join(_w)}:
            if _sign not in _SIGN_OF.get(_key, ()):
                _SIGN_OF[_key] = (*_SIGN_OF.get(_key, ()), _sign)


def _signs_of(hit: bytes) -> tuple[str, ...]:
    """The signs the phrase `hit` (a match of `_scanner`) names; () for an anchor word."""
    words = hit.split()
    for key in (b" ".join(words), b"".join(words)):
        for cut in (0, 1, 2):
            if cut and not key.endswith(b"es"[2 - cut :]):
                continue
            found = _SIGN_OF.get(key[: len(key) - cut])
            if found:
                return found
    return ()


#: The words of the flags' values that a small slip of a flag leaves whole (5 letters or more): where the text
#: is looked at more closely.
_ANCHORS: dict[str, tuple[str, ...]] = {}
for _flag in _FLAGS:
    for _part in _flag.split("_"):
        if len(_part) >= 5:
            _ANCHORS[_part] = (*_ANCHORS.get(_part, ()), _flag)


_ALL = frozenset(PHRASES)
#: The first letters of every phrase.
_FIRST = frozenset(bytes([c]) for p in (p for ps in PHRASES.values() for p in ps) for c in _words(p)[0][:1].encode())
_NO_ANCHORS: frozenset[str] = frozenset()


@lru_cache(maxsize=64)
def _scanner(signs: frozenset[str], anchors: frozenset[str]) -> re.Pattern[bytes]:
    """One pattern for the phrases of `signs` and the words `anchors`, as a trie on the first letter: at each
    word start the engine tries a handful of letters, not every phrase. A match begins with the byte before the
    word."""
    alternatives = [(p, _phrase_regex(p) + _END) for s in signs for p in PHRASES[s]]
    alternatives += [(a, re.escape(a.encode()) + rb"[a-z]{0,3}(?![a-z0-9])") for a in anchors]
    by_first: dict[bytes, list[tuple[int, bytes]]] = {}
    for source, regex in alternatives:
        by_first.setdefault(regex[:1], []).append((-len(source), regex[1:]))
    trie = b"|".join(
        re.escape(first) + rb"(?:" + b"|".join(r for _, r in sorted(rest)) + rb")"
        for first, rest in sorted(by_first.items())
    )
    return re.compile(rb"[^a-z0-9](?:" + trie + rb")")  # no group: a capture costs a third more


def _text(raw: bytes | str) -> bytes:
    """The record's text to scan: JSON escapes decoded (twice over, for a record encoded twice), in lower case.
    Letters outside ASCII become `?` or stay as UTF-8 bytes: every phrase is ASCII. Linear, at C speed."""
    data = raw.encode("utf-8", "replace") if isinstance(raw, str) else raw
    for _round in range(3):
        if b"\\" not in data:
            break
        with warnings.catch_warnings():  # "\?" and the like: an invalid escape, kept as it is
            warnings.simplefilter("ignore", DeprecationWarning)
            data = data.decode("unicode_escape", "replace").encode("latin-1", "replace")
    return b" " + data.lower().translate(_SPACES)


#: A match of a sign or anchor that adds nothing is wasted; after this many, the pattern is rebuilt without
#: what was already found, so that a text repeating a phrase costs one pass, not one step a repeat.
_WASTE = 16
#: How many windows around one anchor word are looked at for small slips before the word is given up.
_WINDOWS_PER_ANCHOR = 64
_CLAUSE_BREAK = re.compile(rb"[\"',:;{}\[\]\n]")


def _scan(text: bytes) -> list[str]:
    """The signs whose phrases (or small slips of a flag's value) are in `text` (from `_text`)."""
    signs = set(PHRASES)
    anchors = set(_ANCHORS)
    found: list[str] = []
    tried: dict[str, int] = {}
    pos = 0
    wasted = 0
    pattern = _scanner(frozenset(signs), frozenset(anchors))
    while signs:
        m = pattern.search(text, pos)
        if m is None:
            break
        pos = m.end()
        hit = m.group()[1:]
        new = [s for s in _signs_of(hit) if s in signs]
        if not new:
            word = re.match(rb"[a-z]+", hit)
            anchor = next((a for a in _ANCHORS if word and word.group().startswith(a.encode())), None)
            if anchor in anchors:
                new = [f for f in _slips(text, m.start() + 1, m.end()) if f in signs]
                tried[anchor] = tried.get(anchor, 0) + 1
                if tried[anchor] >= _WINDOWS_PER_ANCHOR:
                    anchors.discard(anchor)
        if new:
            found += new
            signs.difference_update(new)
            anchors = {a for a in anchors if any(f in signs for f in _ANCHORS[a])}
        else:
            wasted += 1
        if wasted >= _WASTE:
            pattern = _scanner(frozenset(signs), frozenset(anchors))
            wasted = 0
    return found


def _slips(text: bytes, start: int, end: int) -> list[str]:
    """The flags written with a small slip in the clause around `text[start:end]` (at most 60 bytes each way,
    never across a quote, comma or bracket): runs of words, each near the flag's own word."""
    left = text[max(0, start - 60) : start]
    right = text[end : end + 60]
    cut = [m.end() for m in _CLAUSE_BREAK.finditer(left)]
    left = left[cut[-1] :] if cut else left
    stop = _CLAUSE_BREAK.search(right)
    right = right[: stop.start()] if stop else right
    words = re.findall(rb"[a-z0-9]+", left + text[start:end] + right)
    return [flag for flag in _FLAGS if _run_of(words, flag)]


def _run_of(words: list[bytes], flag: str) -> bool:
    parts = [p.encode() for p in flag.split("_")]
    n = len(parts)
    starts = range(len(words) - n + 1)
    return any(all(_near(w, p) for w, p in zip(words[i : i + n], parts, strict=True)) for i in starts)


@lru_cache(maxsize=4096)
def _near(word: bytes, part: bytes) -> bool:
    """`word` is `part` of a flag's value, or a slip of it (`numbnes`, `bowels`); short words must be exact."""
    if len(part) <= 3:
        return word == part
    if abs(len(word) - len(part)) > 2 or len(word) > 40:
        return False
    from difflib import SequenceMatcher

    return SequenceMatcher(None, word, part).ratio() >= 0.8


#: Weakness in free text: "weak…", then within a few words and without crossing to another answer (a comma or
#: bracket), how it goes; "weakened immunity" is a risk factor, not weakness; "not", "no" and words saying it was
#: examined before (`known_stable`) stop the reading. Every part has a bounded length, so each "weak" costs a
#: bounded number of steps: linear however often "weak" repeats.
_WEAK = rb"weak(?<![a-z0-9]weak)(?!ened[^a-z0-9]{1,4}immun)[a-z]{0,8}+"
_GAP_W = rb"[^a-z0-9,;{}\[\]]{1,6}+"
_STOP = rb"(?:not|no|none|never|known|examined|unchanged|checked)"
_ON_THE_WAY = rb"(?:(?!" + _STOP + rb"(?![a-z0-9]))[a-z0-9]{1,20}+" + _GAP_W + rb"){0,6}?"
_WORSE_WORDS = rb"(?:worsening|worse|weaker|progress|deteriorat|increasing|spreading)"
_WEAK_STATE = re.compile(_WEAK + _GAP_W + _ON_THE_WAY + rb"(?:(" + _WORSE_WORDS + rb")|stable|yes|present)(?![a-z0-9])")
_WEAK_WORSE = re.compile(_WEAK + _GAP_W + _ON_THE_WAY + _WORSE_WORDS)
_AGE = re.compile(rb'"age"[^a-z0-9"]{0,4}"?(\d{1,3})(?![0-9])')
_ANEURYSM = re.compile(rb"aneurysm|(?<![a-z0-9])aaa(?![a-z0-9])")


def signs_mentioned(raw: bytes | str) -> tuple[list[str], list[str]]:
    """(red flags, weakness values) anywhere in a record's text, read loosely: JSON escapes decoded, in any case,
    with any separators, in clinical synonyms, a plural s or a small slip; used when the record cannot be read as
    answers, or says more than its keys."""
    return _split(_scan_all(_text(raw)))


def _scan_all(text: bytes) -> list[str]:
    found = _scan(text)
    m = _WEAK_STATE.search(text)  # one pass when there is nothing: the first state, then a worse one after it
    if m is not None:
        found.append("worsening" if m.group(1) or _WEAK_WORSE.search(text, m.start() + 1) else "stable")
    return found


def _split(signs: Iterable[str]) -> tuple[list[str], list[str]]:
    signs = list(signs)
    return [s for s in signs if s in _FLAGS], [s for s in signs if s in WEAK]


def _text_says_aneurysm_or_50(text: bytes) -> bool:
    if _ANEURYSM.search(text):
        return True
    return any(int(m.group(1)) >= 50 for m, _ in zip(_AGE.finditer(text), range(100), strict=False))


# ── the signs given under keys ──

#: Fuzzy comparisons (difflib) allowed per record in its keys and values; past them, exact table look-ups only
#: (the text scan still reads all of the record). Bounds the cost of a record of a million unknown keys.
_FUZZY_BUDGET = 1000


class _Budget:
    def __init__(self) -> None:
        self.left = _FUZZY_BUDGET

    def spend(self) -> bool:
        self.left -= 1
        return self.left >= 0


_NOT_ALNUM = re.compile(r"[\W_]+")


def _plain(text: str) -> str:
    """A key or value with case, `_`, `-` and spaces set aside: `Red_Flags`, `red-flags` and `redflags` agree."""
    return _NOT_ALNUM.sub("", text.casefold())


_BY_VALUE = {_plain(v): v for v in _FLAGS}


@lru_cache(maxsize=8192)
def _exact_signs(text: str) -> tuple[str, ...]:
    """The signs `text` names as a whole, in the words of a phrase of `PHRASES` (with a plural s)."""
    if len(text) > 200:  # longer than any phrase, with room to spare
        return ()
    clean = text.encode("utf-8", "replace").lower().translate(_SPACES).strip()  # already decoded: no escapes
    if not clean or clean[:1] not in _FIRST:
        return ()
    m = _scanner(_ALL, _NO_ANCHORS).fullmatch(b" " + clean)
    return _signs_of(m.group()[1:]) if m else ()


@lru_cache(maxsize=8192)
def _fuzzy_flag(text: str) -> str | None:
    """The red flag `text` names with a small slip (`saddle_numbnes`, `Saddle-Numbnes`)."""
    plain = _plain(text)
    if not plain or len(plain) > 60:
        return None
    from difflib import get_close_matches

    close = get_close_matches(plain, list(_BY_VALUE), n=1, cutoff=0.85)
    if close:
        return _BY_VALUE[close[0]]
    words = re.findall(rb"[a-z0-9]+", text.casefold().encode("ascii", "replace"))
    return next((f for f in _FLAGS if _run_of(words, f)), None)


def _as_signs(text: str, budget: _Budget, within: bool = False) -> tuple[str, ...]:
    """The signs `text` names: a flag's value or label, a synonym, in any case and with any separators, a plural
    s or (within the budget) a small slip. `within`: also the signs named inside a longer answer ("pain in both
    legs"), unless it has a word of negation ("no fever"), which is left to the text scan, as a mention."""
    exact = _exact_signs(text)
    if exact or len(text) > 200 or not budget.spend():
        return exact
    flag = _fuzzy_flag(text)
    if flag:
        return (flag,)
    if within and not _NEGATION.search(text):
        return tuple(_scan_all(_text(text)))
    return ()


_NEGATION = re.compile(r"(?i)\b(?:no|not|none|never|without|denies|denied|negative|absent|nil)\b|n't\b")


def _as_flag(text: str) -> str | None:
    """The first red flag `text` names (see `_as_signs`)."""
    return next((s for s in _as_signs(text, _Budget()) if s in _FLAGS), None)


def _as_weakness(value: Any) -> str | None:
    """`worsening` or `stable` when `value` says weakness is there (in the contract's words or near them); None
    for no weakness, and for `known_stable` (examined before and unchanged), which is not a warning sign."""
    if value is True or (_is_number(value) and value == 1):
        return "stable"
    if isinstance(value, list):
        found = {_as_weakness(v) for v in value[:100]}
        return next((w for w in WEAK[::-1] if w in found), None)
    if not isinstance(value, str) or len(value) > 200:
        return None
    return _weakness_in(value)


@lru_cache(maxsize=1024)
def _weakness_in(value: str) -> str | None:
    plain = _plain(value)
    if not plain or plain in _NO_WEAKNESS:
        return None
    if any(stem in plain for stem in _WORSE) and "not" not in plain:
        return "worsening"
    from difflib import SequenceMatcher

    if SequenceMatcher(None, plain, "worsening").ratio() >= 0.8:
        return "worsening"
    if any(k in plain for k in _KNOWN) and not any(u in plain for u in _UNKNOWN):
        return None  # known_stable: examined before, unchanged
    return "stable"  # any other answer that is not a no says weakness is there, in some form


def _is_number(v: Any) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _truthy(value: Any) -> bool:
    if value is True:
        return True
    if _is_number(value):
        return bool(value == 1)
    return isinstance(value, str) and len(value) < 20 and _plain(value) in _YES


def _is_red_flags_key(a: str, budget: _Budget) -> bool:
    """The key whose `_plain` form is `a` is red_flags, or a slip of it (`red_flgs`, `warning_signs`)."""
    if a in ("redflags", "warningsigns", "redflag"):
        return True
    if not 5 <= len(a) <= 16 or a[:1] not in "rw":
        return False
    return budget.spend() and _close_to_red_flags(a)


@lru_cache(maxsize=4096)
def _close_to_red_flags(a: str) -> bool:
    from difflib import SequenceMatcher

    return any(SequenceMatcher(None, a, b).ratio() >= 0.8 for b in ("redflags", "warningsigns", "redflag"))


def _is_weakness_key(a: str, budget: _Budget) -> bool:
    """The key whose `_plain` form is `a` is likely a slip for `weakness` (`weaknes`), or names it with more words
    (`muscle_weakness`). Stricter than the "did you mean" suggestion: a sign read from a key that is not one
    (`sickness`) would be over-triage."""
    b = "weakness"
    if a == b or b in a or (a.startswith("weak") and len(a) <= len(b)):
        return True
    if not 6 <= len(a) <= 12:
        return False
    return budget.spend() and _close_to_weakness(a)


@lru_cache(maxsize=4096)
def _close_to_weakness(a: str) -> bool:
    from difflib import SequenceMatcher

    return SequenceMatcher(None, a, "weakness").ratio() >= 0.8


_PARTS = re.compile(r"[,;/|\n]+")


def _flags_in(value: Any, budget: _Budget) -> list[str]:
    """The signs a value under a red_flags-like key holds: a list (nested too), a string (several may be
    separated by commas), an object of flags set to true or "yes"."""
    out: list[str] = []
    stack = [value]
    while stack:
        v = stack.pop()
        if isinstance(v, str):
            parts = _PARTS.split(v) if len(v) <= 1000 else []
            for part in [v, *parts] if len(parts) > 1 else [v]:
                out += _as_signs(part, budget, within=True)
        elif isinstance(v, list):
            stack.extend(reversed(v))
        elif isinstance(v, dict):
            out += [s for k, x in v.items() if _truthy(x) for s in _as_signs(str(k), budget)]
    return out


_VALUES = {q.key: frozenset(q.values) for q in BY_KEY.values()}


def signs_given(obj: Mapping[Any, Any], more: Any = ()) -> tuple[list[str], list[str]]:
    """(red flags, weakness values) stated under keys that hold them, in `obj` and every object in it, at any
    depth: under red_flags or a key like it, a flag (or synonym) as a key set to true, under weakness or a key
    like it, or as a value of another list of the contract. `more`: further (key, value) pairs (every copy of a
    key given twice)."""
    budget = _Budget()
    signs: list[str] = []
    weakness: list[str] = []
    stack: list[Any] = [obj]
    pairs: Iterable[tuple[Any, Any]] = more
    while stack or pairs:
        if not pairs:
            v = stack.pop()
            if isinstance(v, list):
                stack.extend(x for x in v if isinstance(x, (dict, list)))
                continue
            pairs = v.items()
        for key, value in pairs:
            if isinstance(value, (dict, list)):
                stack.append(value)
            if not isinstance(key, str) or key == "id":
                continue
            if key in _VALUES:  # a key of the contract: only red_flags and weakness hold signs; others, exactly
                if key == "red_flags":
                    signs += _flags_in(value, budget)
                elif key == "weakness" and (w := _as_weakness(value)) is not None:
                    weakness.append(w)
                elif key != "weakness":
                    items = value if isinstance(value, list) else [value]
                    signs += [_BY_VALUE[p] for v in items if isinstance(v, str) and (p := _plain(v)) in _BY_VALUE]
                continue
            a = _plain(key) if len(key) <= 200 else ""
            if _is_red_flags_key(a, budget):
                signs += _flags_in(value, budget)
            elif _truthy(value):
                signs += _as_signs(key, budget)
            if a and _is_weakness_key(a, budget) and (w := _as_weakness(value)) is not None:
                weakness.append(w)
        pairs = ()
    flags, weak = _split(signs)
    return flags, weakness + weak


def _aneurysm_or_50(obj: Any) -> bool:
    """The record (read as JSON) gives an age of 50 or over, or an aortic aneurysm, anywhere in it."""
    stack = [obj]
    seen = 0
    while stack and seen < 100_000:
        v = stack.pop()
        seen += 1
        if isinstance(v, dict):
            age = v.get("age")
            if isinstance(age, (int, float)) and not isinstance(age, bool) and age >= 50:
                return True
            if isinstance(age, str) and re.fullmatch(r"\s*\d{1,3}(\.\d*)?\s*", age) and float(age) >= 50:
                return True
            stack.extend(v.values())
            stack.extend(k for k in v if isinstance(k, str) and "aneurysm" in k.casefold())
        elif isinstance(v, list):
            stack.extend(v)
        elif isinstance(v, str) and len(v) <= 200 and ("aneurysm" in v.casefold() or _plain(v) == "aaa"):
            return True
    return False


def unassessed_warning(obj: Any, more: Any = (), raw: bytes | str | None = None) -> Warning | None:
    """A rejected record is never assessed, so the warning signs it states would go unanswered: name them in the
    questionnaire's words, with the advice the most urgent of them calls for. Under-triage is the worst error, so
    signs are read generously (see `signs_given`); with `raw`, its text is also searched (`signs_mentioned`), and
    what is found only there is worded as a mention to check, not as a sign given."""
    flags, weakness = signs_given(obj, more) if isinstance(obj, Mapping) else ([], [])
    given = _ordered(flags, weakness)
    mentioned: tuple[str, ...] = ()
    text = b""
    if raw is not None:
        text = _text(raw)
        loose = _ordered(*_split(_scan_all(text)))
        mentioned = tuple(s for s in loose if s not in given and not (s == "stable" and "worsening" in given))
        if "worsening" in mentioned and "stable" in given:
            given = tuple(s for s in given if s != "stable")
    if not given and not mentioned:
        return None
    aaa = ABDOMINAL in given + mentioned and (_aneurysm_or_50(obj) or _text_says_aneurysm_or_50(text))
    return Warning(given, mentioned, aaa)


def _ordered(flags: list[str], weakness: list[str]) -> tuple[str, ...]:
    out = sorted(set(flags), key=_FLAGS.index)
    for w in WEAK[::-1]:
        if w in weakness:
            out.append(w)
            break
    return tuple(out)
