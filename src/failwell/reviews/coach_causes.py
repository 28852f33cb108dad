"""The rule families about causes: "human error" given as a cause, a person named as the
cause or the one at fault, and a person listed as a contributing factor."""

from __future__ import annotations

import re
from collections.abc import Iterator

from failwell.reviews import coach_lexicon as lex
from failwell.reviews.coach_lexicon import words
from failwell.reviews.coach_rules import (
    HUMAN_ERROR,
    PERSON_AS_CAUSE,
    PERSON_AS_FACTOR,
    PERSON_BLAMED,
    Hit,
    hit,
    rx,
)
from failwell.reviews.coach_text import Sentence, Token, Who, classify, noun_phrase

# ---- human error and people as causes ------------------------------------------------

_HUMAN_ERROR = re.compile(
    rf"(?<![\w-])(?:{lex.HUMAN_ERROR})(?![\w-])(?! (?:{lex.HUMAN_ERROR_NOT_CAUSE})(?![\w-]))"
)
_NOT_A_CAUSE_AFTER = re.compile(
    r"^\W*(?:is|was|isn't|wasn't|are|remains)\W+(?:not|never|rarely|only|a symptom|a label|"
    r"where|the start|the beginning|no)\b|^\W*(?:explains nothing|tells us nothing)"
)
_META_BEFORE = words(
    "beyond past than instead label labelled labeled labelling labeling call calling called blame "
    "blaming stop stopping cite citing as phrase term word words"
)
_CAUSED_BY = rx(
    r"(?:caused|triggered|started|introduced) by|due to|because of|"
    r"(?:the|a) (?:direct |clear |simple |predictable )?result of|"
    r"attributable to|stemmed from|stems from|resulted from|came down to|comes down to|"
    r"blame (?:it |this )?on|(?:was|is) down to|fault of|"
    r"fault lies with|this is on|that is on|it's on|it is on|"
    r"(?:blame|responsibility|fault)(?: for [^.;]{1,60}?)? (?:lies|rests|falls|sits) (?:with|on)|"
    r"failure (?:of|by)"
)
_ROOT_CAUSE = rx(r"root causes?(?: of [^:;,]{1,60}?)?(?: was| is|:| =| -|—)")
_AT_FAULT = rx(r"at fault|to blame|responsible for|accountable for|was blamed|were blamed")
_CULPRIT = rx(r"(?:the|a|main|real) culprit(?: (?:was|is))?")
_MISTAKE_BY = rx(
    r"(?:mistakes?|errors?|typos?|oversights?|slips?|blunders?|missteps?|lapses?|omissions?) "
    r"(?:made |committed )?by|failure to [\w-]+(?: [\w-]+){0,4}? by|"
    r"(?:rushed|hasty|careless|sloppy|reckless|untested|unreviewed|botched|bad|faulty|broken|"
    r"incorrect|wrong) (?:[\w-]+ ){0,2}?(?:change|deploy|deployment|fix|hotfix|commit|release|"
    r"edit|migration|rollout|merge|config|configuration|command|query|script)s? "
    r"(?:made |pushed |deployed |written |run |applied )?by"
)
_PASSIVE_BY = rx(
    r"(?:was|were|been) (?:\w+ )?(?:ignored|overlooked|missed|broken|botched|mishandled|forgotten|"
    r"neglected|skipped|made|rushed|rushed through|misconfigured|deleted by mistake|caused) by"
)
_IGNORED_SIGNALS = rx(
    r"(?:warnings?|alerts?|pages?|advice|runbook|process|policy|procedure|checklist|freeze|"
    r"notices?|concerns|feedback|recommendations?|steps?|reminders?) (?:was|were) (?:simply |"
    r"just |completely |repeatedly )?(?:ignored|disregarded|neglected|forgotten)(?! by)"
)


def causes(s: Sentence) -> Iterator[Hit]:
    for m in _HUMAN_ERROR.finditer(s.low):
        before = s.tokens[max(0, s.index(m.start()) - 5) : s.index(m.start())]
        if any(t.low in lex.NEGATIONS or t.low in _META_BEFORE for t in before):
            continue
        if _NOT_A_CAUSE_AFTER.match(s.low[m.end() :]):
            continue
        yield hit(HUMAN_ERROR, m)
    for pattern in (_CAUSED_BY, _ROOT_CAUSE, _PASSIVE_BY, _MISTAKE_BY, _CULPRIT):
        for m in pattern.finditer(s.low):
            named = s.after(m.end())
            if pattern is _CULPRIT and not named.person:
                named = s.subject(m.start())
            owned = named.owner_is_person and pattern is _PASSIVE_BY  # "broken by Rosa's change"
            if (named.person and not named.negative) or owned or _owned_mistake(s, m.end()):
                yield hit(PERSON_AS_CAUSE, m, named)
    for m in _AT_FAULT.finditer(s.low):
        subject = s.subject(m.start())
        if m.group().startswith(("responsible", "accountable")) and not _bad_outcome(s, m.end()):
            continue
        if subject.person and not subject.negative and not s.negated(m.start(), 2):
            yield hit(PERSON_AS_CAUSE, m, subject)
    for m in _IGNORED_SIGNALS.finditer(s.low):
        yield hit(PERSON_BLAMED, m)
    yield from _owned_mistakes(s)


def _bad_outcome(s: Sentence, end: int) -> bool:
    return any(t.low in lex.BAD_OUTCOMES for t in s.next_words(end, 3))


def _owned_mistake(s: Sentence, end: int) -> bool:
    following = s.next_words(end, 5)
    return any(
        t.possessive and _names_person(s, t) and _mistake_within(following[i + 1 :])
        for i, t in enumerate(following)
    )


def _mistake_within(tokens: list[Token]) -> bool:
    return any(t.low in lex.MISTAKE_NOUNS for t in tokens[:3])


def _names_person(s: Sentence, t: Token) -> bool:
    return classify(s.tokens, [t]).who in (Who.PERSON, Who.MAYBE)


def _owned_mistakes(s: Sentence) -> Iterator[Hit]:
    """A person's mistake as the cause: "Bob's typo", "the engineer's failure to escalate"."""
    for i, t in enumerate(s.tokens):
        if not t.possessive or not _names_person(s, t):
            continue
        following = [w for w in s.tokens[i + 1 : i + 4] if w.word]
        noun = next((w for w in following if w.low in lex.MISTAKE_NOUNS), None)
        if noun is not None and not s.negated(t.start, 3):
            yield Hit(PERSON_AS_CAUSE, t.start, noun.end, t.text.removesuffix("'s"))


# ---- a person as a contributing factor ------------------------------------------------

_FACTOR_LABEL = rx(r"(?:contributing |main |root )?(?:factors?|causes?)\s*:")
_WAS_A_FACTOR = rx(
    r"(?:was|were|is|are) (?:a |an |the |one of the )?(?:main |major |key |primary |big |"
    r"significant |contributing )*factors?|contributed to|played a (?:\w+ )?(?:role|part) in"
)


def person_as_factor(s: Sentence) -> Iterator[Hit]:
    for m in _FACTOR_LABEL.finditer(s.low):
        named = s.after(m.end())
        if named.person or named.who is Who.MAYBE or named.owner_is_person:
            yield hit(PERSON_AS_FACTOR, m, named)
    for m in _WAS_A_FACTOR.finditer(s.low):
        subject = s.subject(m.start())
        if m.group() == "contributed to" and not _bad_outcome(s, m.end()):
            continue
        if subject.person or subject.owner_is_person:
            yield hit(PERSON_AS_FACTOR, m, subject)
    if s.factor and s.tokens:
        named = classify(s.tokens, noun_phrase(s.tokens, 0), sentence_start=True)
        if named.person or named.who is Who.MAYBE or named.owner_is_person:
            end = s.tokens[min(len(named.text.split()), len(s.tokens)) - 1].end
            yield Hit(PERSON_AS_FACTOR, 0, end, named.text)
