"""The blameless-language coach: marks sentences of a review that blame a person, judge
with hindsight or name "human error" as a cause, each with a reason and a suggestion.

Pure functions, no database: `coach(text)` reads markdown (headings, code and tables are
skipped; list items are sentences of their own) and returns one mark per marked sentence,
with character offsets into the text it was given. It advises; nothing is ever refused.

System subjects are not marked: "the health check failed to detect ...", and also "the
alert should have fired at 90%": said of a system, "should have" states what the design
promised, which is exactly what a review should examine. Said of people ("she should have
escalated"), or of what people do ("this should have been caught in review"), it is
hindsight. See docs/blameless-language.md."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from failwell.reviews import coach_rules as rules
from failwell.reviews.coach_causes import causes, person_as_factor
from failwell.reviews.coach_lexicon import words
from failwell.reviews.coach_rules import Hit, Rule, character, hindsight, person_as_agent
from failwell.reviews.coach_text import Sentence

MAX_TEXT = 50_000
# Longer "sentences" (a pasted log, a list without full stops) are read in pieces of this
# size, which also bounds the rules' work per piece.
MAX_SENTENCE = 600


@dataclass(frozen=True)
class Mark:
    sentence: str  # the sentence, its line breaks and markdown list markers folded to spaces
    start: int  # where the sentence starts and ends in the text that was checked
    end: int
    rule: str
    phrase: str  # the words that triggered the mark
    reason: str
    suggestion: str

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Span:
    text: str
    start: int
    end: int


# ---- what each rule says -------------------------------------------------------------

_ADVICE: dict[str, tuple[str, str]] = {
    rules.PERSON_BLAMED: (
        "“{phrase}” makes {who} the cause: it says what a person did wrong, not what made it easy to do.",
        "Describe what {who_plain} saw and knew at that moment, then ask what made this easy to "
        "miss: the tooling, the alerts, the process, the time pressure?",
    ),
    rules.HINDSIGHT: (
        "“{phrase}” judges with hindsight: it measures the past against what we know now.",
        "Say what people knew and saw at the time and why their actions made sense then; what "
        "would have made the risk visible before the outcome was known?",
    ),
    rules.COUNTERFACTUAL: (
        "“{phrase}” describes what did not happen instead of what did, and implies that the "
        "other path was easy.",
        "Describe what happened and what made the other path hard to take; what would make it "
        "the easy one next time?",
    ),
    rules.CHARACTER: (
        "“{phrase}” judges a person's care or character, which explains nothing about how "
        "the failure came about.",
        "Describe the conditions instead: what made careful work hard here (interruptions, "
        "similar-looking environments, missing checks, fatigue)?",
    ),
    rules.HUMAN_ERROR: (
        "“{phrase}” is given as a cause; it is where an inquiry starts, not where it ends.",
        "Ask what made the slip likely and its effect large: the interface, the defaults, the "
        "missing safeguard, the step that relied on memory.",
    ),
    rules.PERSON_AS_CAUSE: (
        "“{phrase}” names {who} as the cause or the one at fault.",
        "Name the condition that let one action cause an outage: which safeguard was missing, "
        "and why did the action look right at the time?",
    ),
    rules.PERSON_AS_FACTOR: (
        "“{phrase}” lists {who} as a contributing factor; factors are conditions, not people.",
        "Name the gap the person ran into instead: a missing runbook, unfamiliar tooling, no "
        "second pair of eyes, an onboarding that skipped this system.",
    ),
}


_LOWER_FIRST = words("the a an our their his her my your this that these those he she they we you")


def _advice(hit: Hit, text: str) -> tuple[str, str]:
    reason, suggestion = _ADVICE[hit.rule]
    phrase = " ".join(text[hit.start : hit.end].split())
    named = hit.who if hit.who.lower() not in ("", "who") else ""
    first, _, rest = named.partition(" ")
    if first.lower() in _LOWER_FIRST:  # "The on-call engineer" inside a sentence
        named = f"{first.lower()} {rest}".strip()
    who = f"“{named}”" if named else "a person"
    who_plain = named if named and named.lower() != "i" else "people"
    return reason.format(phrase=phrase, who=who), suggestion.format(who_plain=who_plain)


# ---- reading markdown into sentences ---------------------------------------------------

_FENCE = re.compile(r"^\s{0,3}(?:```|~~~)")
_SKIPPED_LINE = re.compile(
    r"^\s{0,3}(?:#{1,6}(?:\s|$)|\||(?:[-*_]\s*){3,}$|=+\s*$|-+\s*$|<!--|\[[^\]]+\]:\s)"
)
_PREFIX = re.compile(r"^\s*(?:>\s?)*\s*(?P<item>(?:[-*+]|\d{1,3}[.)])\s+(?:\[[ xX]\]\s+)?)?")
_SENTENCE_END = re.compile(r"[.!?]+[\"'\u201d\u2019)\]*_]*(?=\s+|$)")
_ABBREVIATIONS = words(
    "e.g i.e etc vs mr mrs ms dr approx incl no fig cf st jr sr inc ltd co al eg ie min max est resp dept"
)
# Markdown marks and typographic quotes become blanks or plain quotes, one for one, so the
# rules see plain words at the same offsets.
_BLANKS = str.maketrans({"*": " ", "_": " ", "`": " ", "~": " ", "[": " ", "]": " "})
_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u201c": '"', "\u201d": '"'})
_LINK_TARGET = re.compile(r"(?<=\])\([^)\s]*\)")
_NO_ONE = re.compile(r"\b([Nn]o) (one)\b")


def _blocks(text: str) -> list[list[tuple[int, int]]]:
    """Paragraphs and list items, each as the (start, end) ranges of its lines' content."""
    blocks: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    fenced = False
    position = 0
    for line in text.splitlines(keepends=True):
        start, position = position, position + len(line)
        body = line.rstrip("\r\n")
        if _FENCE.match(body):
            fenced = not fenced
        if fenced or _FENCE.match(body) or not body.strip() or _SKIPPED_LINE.match(body):
            if current:
                blocks.append(current)
            current = []
            continue
        prefix = _PREFIX.match(body)
        if prefix and prefix.group("item") and current:
            blocks.append(current)
            current = []
        offset = prefix.end() if prefix else 0
        current.append((start + offset, start + len(body)))
    if current:
        blocks.append(current)
    return blocks


def split_sentences(text: str) -> list[Span]:
    """The sentences of a markdown text, with their offsets in it."""
    spans: list[Span] = []
    for block in _blocks(text):
        view, where = "", []  # the block's lines joined by spaces; where[i]: offset in text
        for start, end in block:
            if view:
                view += " "
                where.append(start)
            view += text[start:end]
            where.extend(range(start, end))
        begin = 0
        for m in _SENTENCE_END.finditer(view):
            word = re.search(r"([\w.]+)[.!?]*$", view[begin : m.start() + 1])
            if word and word.group(1).lower().rstrip(".") in _ABBREVIATIONS and m.end() < len(view):
                continue
            spans.extend(_span(view, where, begin, m.end()))
            begin = m.end()
        spans.extend(_span(view, where, begin, len(view)))
    return spans


def _span(view: str, where: list[int], begin: int, end: int) -> list[Span]:
    piece = view[begin:end]
    stripped = piece.strip()
    if not any(c.isalpha() for c in stripped):
        return []
    lead = len(piece) - len(piece.lstrip())
    first, last = begin + lead, begin + lead + len(stripped) - 1
    if len(stripped) > MAX_SENTENCE:  # no real sentence is this long: read it in pieces
        cut = view.rfind(" ", first, first + MAX_SENTENCE)
        cut = cut if cut > first else first + MAX_SENTENCE
        return _span(view, where, first, cut) + _span(view, where, cut, last + 1)
    return [Span(stripped, where[first], where[last] + 1)]


def plain(sentence: str) -> str:
    """The sentence as the rules read it: same length, markdown marks blanked."""
    text = _LINK_TARGET.sub(lambda m: " " * len(m.group()), sentence)
    text = _NO_ONE.sub(r"\1-\2", text.translate(_QUOTES).translate(_BLANKS))
    return text


# ---- the coach --------------------------------------------------------------------------

RULES: tuple[Rule, ...] = (person_as_agent, hindsight, character, causes, person_as_factor)


def hits(sentence: Sentence) -> list[Hit]:
    """Every rule's hits on one sentence, minus what is quoted or talked about, in order."""
    found = [h for rule in RULES for h in rule(sentence) if not sentence.ignored(h.start)]
    return sorted(found, key=lambda h: (h.start, h.end))


def coach(text: str, factor: bool = False) -> list[Mark]:
    """Marks the sentences of `text` that blame; `factor=True` reads it as the description of
    a contributing factor, where naming a person is itself the problem."""
    marks = []
    for span in split_sentences(text):
        found = hits(Sentence(plain(span.text), factor=factor))
        if not found:
            continue
        first = found[0]
        reason, suggestion = _advice(first, span.text)
        marks.append(
            Mark(
                sentence=span.text,
                start=span.start,
                end=span.end,
                rule=first.rule,
                phrase=" ".join(span.text[first.start : first.end].split()),
                reason=reason,
                suggestion=suggestion,
            )
        )
    return marks


def is_blaming(text: str) -> bool:
    return bool(coach(text))
