"""Tokens, clauses and subjects for the blameless-language coach.

A small, rule-based reading of one sentence: split it into word tokens, find where each
clause starts, and decide whether the subject of a clause is a person ("Bob", "the
on-call engineer", "she"), a system ("the health check", "Terraform") or cannot be told.
No part-of-speech model: the cues are word tables (coach_lexicon) and capitalisation."""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import Enum

from failwell.reviews.coach_lexicon import (
    CAPITAL_ROLES,
    GIVEN_NAMES,
    META_LEADS,
    NEGATIONS,
    NOT_NAMES,
    ORG_WORDS,
    PERSON_PRONOUNS,
    ROLE_NOUNS,
    THING_PRONOUNS,
    words,
)

_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9'\-]*[A-Za-z0-9]|[A-Za-z0-9]|[^\sA-Za-z0-9]")
# Where a clause starts; "who", "that", "which" and coordination pass the subject along.
BOUNDARY_WORDS = words(
    "and but or because since when while after before so although though which who whom that "
    "whereas if until where as then unless nor yet whose what how why whether"
)
_PUNCT_BOUNDARIES = frozenset(",;:()[]!?\u2014\u2013")  # and em and en dashes
_OWN_SUBJECT = frozenset(";:()[]")
_NEGATIVE_WORDS = words("no none nobody no-one neither")
_POSTMODIFIERS = words("responsible involved concerned assigned present in charge")
_AUXILIARIES = words(
    "was were is are be been being had has have did does do didn't doesn't don't wasn't weren't "
    "isn't aren't hasn't haven't hadn't should could would will can may might must shall "
    "should've could've would've shouldn't couldn't wouldn't won't can't cannot mustn't ought "
    "never not also just simply then still again clearly obviously apparently accidentally "
    "mistakenly inadvertently carelessly blindly promptly quickly later already even only "
    "really actually eventually finally initially immediately keep keeps kept continue continues "
    "tend tends often always routinely regularly repeatedly usually sometimes"
)
_LEADING_FILLERS = words(
    "then also so finally later eventually clearly obviously apparently unfortunately again once "
    "still just simply actually instead meanwhile ultimately sadly frankly honestly"
)
_DETERMINERS = words("the a an our their his her its this that these those my your each every")
PREPOSITIONS = words("of from in on at for with to by under during about over into via")
_IRREGULAR_PAST = words(
    "set put ran sent wrote took made left hit cut shut gave got went broke chose let kept told "
    "thought saw knew found lost brought began spent built held meant paid said came did had "
    "drove fell forgot froze grew hid led overslept oversaw read rode rose sold shook slept spoke "
    "stood stuck threw understood woke won undid misread mistook overrode rewrote reran upset quit "
    "split spread struck swept dealt fed fought hung laid met sat sought shot sank slid spun "
    "taught wound caught"
)
_LY_ADJECTIVES = words("daily weekly monthly hourly nightly early only likely costly friendly")
_SYSTEM_SUFFIXES = ("ing", "tion", "sion", "ment", "ness", "ity", "ance", "ence", "age", "ery")


class Who(Enum):
    PERSON = "person"
    MAYBE = "maybe a person"  # an unknown capitalised word: a name only before a human act
    SYSTEM = "system"
    NONE = "none"  # no subject in sight (a fragment, an imperative)


@dataclass(frozen=True)
class Token:
    text: str
    low: str  # lower case, without a possessive 's
    start: int
    end: int
    possessive: bool

    @property
    def capital(self) -> bool:
        return self.text[:1].isupper()

    @property
    def word(self) -> bool:
        return self.text[:1].isalnum()


@dataclass(frozen=True)
class Subject:
    who: Who
    text: str = ""
    owner_is_person: bool = False  # "Bob's change": the thing belongs to a person
    head: str = ""

    @property
    def person(self) -> bool:
        return self.who is Who.PERSON

    @property
    def negative(self) -> bool:
        """A person, but none in particular and none at fault: "nobody", "no engineer"."""
        first = self.text.split(" ", 1)[0].lower() if self.text else ""
        return first in _NEGATIVE_WORDS or self.head in _NEGATIVE_WORDS


NO_SUBJECT = Subject(Who.NONE)


def tokenize(text: str) -> list[Token]:
    tokens = []
    for m in _TOKEN.finditer(text):
        raw = m.group()
        low = raw.lower()
        possessive = low.endswith("'s") and len(low) > 2
        if possessive:
            low = low[:-2]
        elif low.endswith("s'"):  # the engineers' warnings
            low, possessive = low[:-1], True
        tokens.append(Token(raw, low, m.start(), m.end(), possessive))
    return tokens


def token_at(tokens: list[Token], position: int) -> int:
    """Index of the first token that ends after a character position."""
    for i, t in enumerate(tokens):
        if t.end > position:
            return i
    return len(tokens)


def _is_boundary(t: Token) -> bool:
    return t.text in _PUNCT_BOUNDARIES or t.low in BOUNDARY_WORDS


def clause_start(tokens: list[Token], i: int) -> tuple[int, Token | None]:
    """Where the clause holding token i starts, and the boundary before it."""
    j = i - 1
    while j >= 0:
        if _is_boundary(tokens[j]):
            return j + 1, tokens[j]
        j -= 1
    return 0, None


def _verb_like(t: Token, previous: Token | None, first: bool) -> bool:
    if t.low in _AUXILIARIES or t.low in _IRREGULAR_PAST:
        return True
    if t.capital and (t.low in GIVEN_NAMES or not first):
        return False  # Ahmed, Mohammed: names, not verbs in -ed
    after_determiner = previous is not None and previous.low in _DETERMINERS
    if t.low.endswith("ed") and len(t.low) > 3 and not after_determiner:
        return True
    if t.low.endswith("ly") and len(t.low) > 4 and t.low not in _LY_ADJECTIVES:
        return not after_determiner
    return False


def _complete(t: Token, first: bool) -> bool:
    """Pronouns and names end a noun phrase; roles may go on ("team lead"). A capitalised
    word that starts the sentence is a name only if it is a known given name."""
    if t.low in PERSON_PRONOUNS or t.low in THING_PRONOUNS:
        return True
    return t.capital and _name_like(t) and (not first or t.low in GIVEN_NAMES)


def noun_phrase(tokens: list[Token], start: int, limit: int | None = None) -> list[Token]:
    """The noun phrase that starts at `start`, read up to its verb (or `limit`)."""
    stop = len(tokens) if limit is None else limit
    k = start
    while k < stop and tokens[k].low in _LEADING_FILLERS:
        k += 1
    phrase: list[Token] = []
    while k < stop:
        t = tokens[k]
        previous = phrase[-1] if phrase else None
        if not t.word and t.text != "&":
            break
        if t.low in BOUNDARY_WORDS and t.low not in ("and", "that"):
            break
        if phrase and t.low == "that":
            break
        if _verb_like(t, previous, k == 0):
            break
        ends = previous is not None and not previous.possessive and _complete(previous, k - 1 == 0)
        if ends and t.low not in PREPOSITIONS and t.low not in ("and", "&") and not t.capital:
            break
        phrase.append(t)
        k += 1
    return phrase


def _name_like(t: Token) -> bool:
    text = t.text.removesuffix("'s").removesuffix("'")
    if t.low in NOT_NAMES or text.isupper() or any(c.isdigit() for c in text):
        return False
    return not any(c.isupper() for c in text[1:])  # GitHub, PagerDuty: products


def _resolve_they(tokens: list[Token], before: int) -> Who:
    for t in reversed(tokens[:before]):
        if t.low in ROLE_NOUNS or t.low in GIVEN_NAMES:
            return Who.PERSON
        plural = t.word and t.low.endswith("s") and len(t.low) > 3 and not t.capital
        if plural and t.low not in PERSON_PRONOUNS and t.low not in _AUXILIARIES:
            return Who.SYSTEM
    return Who.PERSON


def classify(tokens: list[Token], phrase: list[Token], sentence_start: bool = False) -> Subject:
    """Whether a noun phrase names a person, a system, or perhaps a person."""
    if not phrase:
        return NO_SUBJECT
    cut = next((i for i, t in enumerate(phrase) if i and t.low in PREPOSITIONS), len(phrase))
    core = phrase[:cut]
    text = " ".join(t.text for t in core)
    owner = any(t.possessive and is_person_word(t, sentence_start) for t in core[:-1])
    head = core[-1]
    if len(core) > 1 and head.low in _POSTMODIFIERS and is_person_word(core[-2]):
        head = core[-2]  # "the engineer responsible", "the developers involved"
    if head.low in ("they", "them"):
        first = tokens.index(phrase[0]) if phrase[0] in tokens else 0
        return Subject(_resolve_they(tokens, first), text, owner, head.low)
    if head.low in PERSON_PRONOUNS or head.low == "no-one":
        return Subject(Who.PERSON, text, owner, head.low)
    if head.low in THING_PRONOUNS:
        return Subject(Who.SYSTEM, text, owner, head.low)
    if is_person_word(head, sentence_start and len(core) == 1):
        return Subject(Who.PERSON, text, owner, head.low)
    if head.low in ORG_WORDS and all(t.low in _DETERMINERS for t in core[:-1]):
        return Subject(Who.PERSON, text, owner, head.low)
    if any(t.capital and not t.possessive and t.low in GIVEN_NAMES and _name_like(t) for t in core):
        return Subject(Who.PERSON, text, owner, head.low)
    maybe = head.capital and _name_like(head) and not any(t.low in _DETERMINERS for t in core[:-1])
    if maybe and not (head.low.endswith(_SYSTEM_SUFFIXES) and head.low not in GIVEN_NAMES):
        return Subject(Who.MAYBE, text, owner, head.low)
    return Subject(Who.SYSTEM, text, owner, head.low)


def is_person_word(t: Token, at_start: bool = False) -> bool:
    """A single word that names a person or a group of people."""
    if t.low in ROLE_NOUNS or t.text.removesuffix("'s") in CAPITAL_ROLES:
        return True
    return t.capital and t.low in GIVEN_NAMES and _name_like(t)


def subject_of(tokens: list[Token], i: int, depth: int = 0) -> Subject:
    """The subject of the clause holding token i, following "who", "that", "which" and
    coordination ("Mark rushed the deploy and broke checkout") back to their subject."""
    start, boundary = clause_start(tokens, i)
    phrase = noun_phrase(tokens, start, i)
    if phrase:
        return classify(tokens, phrase, sentence_start=start == 0)
    if boundary is None or depth > 3:
        return NO_SUBJECT
    if boundary.low == "who":
        return Subject(Who.PERSON, "who", head="who")
    if boundary.low in ("what", "how", "why"):
        return Subject(Who.SYSTEM, boundary.low, head=boundary.low)
    if boundary.text in _OWN_SUBJECT:
        return NO_SUBJECT
    # A clause without a subject of its own shares the one before ("and broke checkout").
    return subject_of(tokens, start - 1, depth + 1)


def phrase_after(tokens: list[Token], i: int) -> Subject:
    """The noun phrase that starts at token i, classified (for "caused by X", "root cause: X")."""
    return classify(tokens, noun_phrase(tokens, i), sentence_start=i == 0)


@dataclass
class Sentence:
    """One sentence as the rules read it: the text with markdown marks blanked out (same
    length, so offsets hold), its tokens, and the parts that are quoted or talk about blame."""

    text: str
    factor: bool = False  # a contributing factor's description: a person there is a factor

    def __post_init__(self) -> None:
        self.low = self.text.lower()
        self.tokens = tokenize(self.text)
        self.quoted = [(m.start(), m.end()) for m in _QUOTED.finditer(self.text)]
        meta = re.search(rf"\b(?:{META_LEADS})\b", self.low)
        self.meta_from = meta.start() if meta else len(self.text)

    def ignored(self, position: int) -> bool:
        """Quoted words and words after "instead of asking ..." are talked about, not said."""
        return position >= self.meta_from or any(a <= position < b for a, b in self.quoted)

    def index(self, position: int) -> int:
        return token_at(self.tokens, position)

    def subject(self, position: int) -> Subject:
        return subject_of(self.tokens, self.index(position))

    def after(self, position: int) -> Subject:
        i = self.index(position)
        return classify(self.tokens, noun_phrase(self.tokens, i), sentence_start=i == 0)

    def next_words(self, position: int, n: int) -> list[Token]:
        i = self.index(position)
        return [t for t in self.tokens[i : i + n] if t.word]

    def negated(self, position: int, window: int = 4) -> bool:
        i = self.index(position)
        before = self.tokens[max(0, i - window) : i]
        return any(t.low in NEGATIONS or t.low.endswith("n't") for t in before)


_QUOTED = re.compile(r"\"[^\"]{1,200}\"|(?:(?<=\s)|^)'[^']{1,200}'(?=[\s.,;:!?)]|$)")
