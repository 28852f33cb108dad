"""The rule families of the blameless-language coach, each a function over one sentence.

A rule finds a phrase (from the word tables in coach_lexicon), then asks who it is about:
"failed to detect" after "the health check" is a system at work, after "the on-call
engineer" it is blame. Every hit names its rule and the phrase, so each mark can say why."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from failwell.reviews import coach_lexicon as lex
from failwell.reviews.coach_lexicon import words
from failwell.reviews.coach_text import (
    Sentence,
    Subject,
    Token,
    Who,
    classify,
    clause_start,
    noun_phrase,
)

PERSON_BLAMED = "person-blamed"
HINDSIGHT = "hindsight"
COUNTERFACTUAL = "counterfactual"
CHARACTER = "character-judgement"
HUMAN_ERROR = "human-error"
PERSON_AS_CAUSE = "person-as-cause"
PERSON_AS_FACTOR = "person-as-factor"


@dataclass(frozen=True)
class Hit:
    rule: str
    start: int  # character offsets of the phrase within the sentence
    end: int
    who: str = ""  # the person named, when the rule found one


def _forms(verbs: frozenset[str]) -> set[str]:
    """Base, past, -s and -ing forms of regular verbs, plus the irregular ones."""
    out: set[str] = set()
    for verb in verbs:
        stem = verb[:-1] if verb.endswith("e") else verb
        out |= {verb, verb + "s", stem + "ed", stem + "ing"}
        out |= set(lex.IRREGULAR_FORMS.get(verb, ()))
    return out


HUMAN_VERB_FORMS = frozenset(_forms(lex.HUMAN_VERBS))
_HUMAN_ALT = "|".join(sorted(HUMAN_VERB_FORMS, key=len, reverse=True))


def rx(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])")


def _person_or_human(s: Sentence, subject: Subject, end: int) -> bool:
    """A person, or an unknown capitalised word followed by something only people do."""
    if subject.person:
        return True
    if subject.who is Who.MAYBE:
        following = s.next_words(end, 2)
        return any(t.low in HUMAN_VERB_FORMS for t in following)
    return False


def hit(rule: str, m: re.Match[str], subject: Subject | None = None) -> Hit:
    who = subject.text if subject is not None and subject.who is not Who.SYSTEM else ""
    return Hit(rule, m.start(), m.end(), who)


Rule = Callable[[Sentence], Iterator[Hit]]


# ---- a person as the agent of a mistake -------------------------------------------

_HUMAN_ONLY = rx(lex.HUMAN_ONLY_ACTS)
_SUBJECT_DEPENDENT = rx(lex.SUBJECT_DEPENDENT_ACTS)
_NOT_DOING = rx(
    rf"(?:did not|didn't|did n't|never|had not|hadn't|has not|hasn't) (?:(?:actually|even|really|"
    rf"properly|just|ever|once|carefully|fully|always|bother to|think to|care to) )?(?:{_HUMAN_ALT})"
)
# Acts so clearly judged that even the passive blames someone ("the deploy was botched").
_JUDGED_PASSIVE = words("botched bungled fumbled neglected rubber-stamped")
_MANNER = rx(lex.MISTAKE_MANNER)
_NOBODY = rx(
    r"(?:nobody|no-one) (?:[\w-]+ ){0,4}?(?:had |ever )?(?:bothered|cared|checked|tested|verified|"
    r"reviewed|read|looked|thought|asked|double-checked|followed up)"
)


def person_as_agent(s: Sentence) -> Iterator[Hit]:
    for m in _HUMAN_ONLY.finditer(s.low):
        i = s.index(m.start())
        before = s.tokens[i - 1] if i else None
        if before is not None and before.low in ("was", "were", "been", "got"):
            if m.group() in _JUDGED_PASSIVE:  # "the deploy was botched"
                yield hit(PERSON_BLAMED, m)
            continue
        if _describes_a_thing(s, m) or s.negated(m.start(), 1):
            continue  # "misconfigured DNS", "did not forget"
        following = s.next_words(m.end(), 1)
        if following and following[0].low in ("nothing", "none"):
            continue  # "forgot nothing"
        subject = s.subject(m.start())
        if subject.who is not Who.SYSTEM and not subject.negative:
            yield hit(PERSON_BLAMED, m, subject)
    for m in _SUBJECT_DEPENDENT.finditer(s.low):
        subject = s.subject(m.start())
        phrase = m.group()
        if phrase == "missed" and _missed_a_target(s, m.end()):
            continue
        if phrase.startswith("fail") and _blocked(s, m.end()):
            continue
        if subject.negative:
            continue
        maybe_ignored = phrase.startswith("ignor") and subject.who is Who.MAYBE and _heeds(s, m.end())
        maybe_failed = phrase.startswith("fail") and _person_or_human(s, subject, m.end())
        if subject.person or maybe_ignored or maybe_failed:
            yield hit(PERSON_BLAMED, m, subject)
        elif phrase in ("caused", "broke") and subject.owner_is_person:
            yield hit(PERSON_AS_CAUSE, m, subject)
    for m in _NOT_DOING.finditer(s.low):
        if _object_before(s, m):
            continue  # "a channel that the team did not follow": the object is the channel
        subject = s.subject(m.start())
        fragment = subject.who is Who.NONE and s.index(m.start()) == 0
        if fragment or (subject.who in (Who.PERSON, Who.MAYBE) and not subject.negative):
            yield hit(PERSON_BLAMED, m, subject)
    for m in _MANNER.finditer(s.low):
        subject = s.subject(m.start())
        if not subject.person:
            subject = _passive_agent(s, m.start()) or subject  # "pushed by Gareth without review"
        if subject.who in (Who.PERSON, Who.MAYBE) and not subject.negative:
            yield hit(PERSON_BLAMED, m, subject)
    for m in _NOBODY.finditer(s.low):
        yield hit(PERSON_BLAMED, m)


_NOT_A_NOUN = words("to the a an that this his her their our my your it them up about")


def _describes_a_thing(s: Sentence, m: re.Match[str]) -> bool:
    """A participle used as an adjective: "a misconfigured record", "neglected alerts"."""
    if " " in m.group():
        return False
    i = s.index(m.start())
    before = s.tokens[i - 1] if i else None
    attributive = before is None or not before.word or before.low in _LEADS_A_NOUN
    following = s.next_words(m.end(), 1)
    return attributive and bool(following) and following[0].low not in _NOT_A_NOUN


_LEADS_A_NOUN = words("the a an and or of with by from in on for his her their our its")


def _passive_agent(s: Sentence, position: int) -> Subject | None:
    """The person after "by" in the same clause before `position`, if any."""
    start, _ = clause_start(s.tokens, s.index(position))
    for k in range(start, s.index(position)):
        if s.tokens[k].low == "by":
            agent = classify(s.tokens, noun_phrase(s.tokens, k + 1))
            if agent.who in (Who.PERSON, Who.MAYBE):
                return agent
    return None


def _object_before(s: Sentence, m: re.Match[str]) -> bool:
    """A relative clause whose verb ends it: its object is the noun before "that"/"which"."""
    following = s.tokens[s.index(m.end()) : s.index(m.end()) + 1]
    if following and following[0].word:
        return False
    _, boundary = clause_start(s.tokens, s.index(m.start()))
    return boundary is not None and boundary.low in ("that", "which")


def _heeds(s: Sentence, end: int) -> bool:
    return any(t.low in lex.SIGNAL_NOUNS for t in s.next_words(end, 4))


def _blocked(s: Sentence, end: int) -> bool:
    following = s.next_words(end, 1)
    return bool(following) and following[0].low in lex.BLOCKED_VERBS


def _missed_a_target(s: Sentence, end: int) -> bool:
    return any(t.low in lex.MISSED_NOT_BLAME for t in s.next_words(end, 4))


# ---- hindsight and counterfactuals --------------------------------------------------

_SHOULD_HAVE = rx(
    r"(?:should|shouldn't|should not|ought to|oughtn't to) (?:never |not |really |definitely |"
    r"clearly |obviously |probably |at least |just )?(?:have|'ve)|should've|shoulda"
)
_COULD_HAVE = rx(
    r"(?:could|could easily|could simply) (?:have|'ve) (?:easily |simply |just )?"
    r"(?:checked|caught|noticed|spotted|prevented|avoided|stopped|seen|asked|tested|verified|"
    r"read|looked|known|double-checked|escalated|reverted)|could've"
)
_KNOWN_BETTER = rx(r"known better|know better")
_EASY_IN_HINDSIGHT = rx(
    r"if only|(?:anyone|anybody|any (?:competent|reasonable|sensible|experienced|good) \w+)"
    r"(?: [\w'-]+){0,6} would (?:have|'ve)|"
    r"an? (?:more |better )?(?:experienced|careful|senior|competent|attentive|seasoned|diligent|"
    r"skilled) \w+ would (?:have|'ve)|"
    r"(?:a|one) (?:simple|quick|basic|single|cursory|five-minute|two-minute|trivial) (?:[\w-]+ )?"
    r"(?:check|test|look|grep|glance|review|query|search|question|command|step)s? would (?:have|'ve)|"
    r"all (?:he|she|they|you|we|someone|anyone|it|the \w+) (?:had|needed) to do was"
)
_IF = rx(r"if")
_HAD = rx(r"had")


def hindsight(s: Sentence) -> Iterator[Hit]:
    for m in _SHOULD_HAVE.finditer(s.low):
        subject = s.subject(m.start())
        following = s.next_words(m.end(), 3)
        if subject.negative:
            continue
        if following and following[0].low == "been":
            # "should have been caught" judges what people did; "... been paged" what they lacked
            if any(t.low in lex.HINDSIGHT_PASSIVES for t in following[1:]):
                yield hit(HINDSIGHT, m, subject)
            continue
        if following and following[0].low == "had":  # "should have had a runbook": a lack
            continue
        fragment = subject.who is Who.NONE and s.index(m.start()) <= 1
        if fragment or _person_or_human(s, subject, m.end()):
            yield hit(HINDSIGHT, m, subject)
    for m in _COULD_HAVE.finditer(s.low):
        subject = s.subject(m.start())
        if subject.person and not subject.negative:
            yield hit(HINDSIGHT, m, subject)
    for m in _KNOWN_BETTER.finditer(s.low):
        yield hit(HINDSIGHT, m)
    for m in _EASY_IN_HINDSIGHT.finditer(s.low):
        yield hit(COUNTERFACTUAL, m)
    yield from _if_had(s)


def _if_had(s: Sentence) -> Iterator[Hit]:
    """Counterfactuals about a person: "if Bob had checked ...", "had the engineer read ..."."""
    for m in _IF.finditer(s.low):
        i = s.index(m.end())
        phrase = noun_phrase(s.tokens, i)
        nxt = i + len(phrase)
        if phrase and nxt < len(s.tokens) and s.tokens[nxt].low in ("had", "hadn't"):
            subject = classify(s.tokens, phrase)
            if _person_or_human(s, subject, s.tokens[nxt].end):
                yield Hit(COUNTERFACTUAL, m.start(), s.tokens[nxt].end, subject.text)
    for m in _HAD.finditer(s.low):
        i = s.index(m.start())
        start, _ = clause_start(s.tokens, i)
        if start != i and not _inverts(s.tokens[i - 1]):
            continue
        phrase = noun_phrase(s.tokens, i + 1)
        if phrase:
            subject = classify(s.tokens, phrase)
            if _person_or_human(s, subject, phrase[-1].end):
                yield Hit(COUNTERFACTUAL, m.start(), phrase[-1].end, subject.text)


_BEFORE_INVERSION = words("sooner earlier differently worse better prevented avoided caught")


def _inverts(previous: Token) -> bool:
    """After an adjective, "had" opens a condition: "... preventable had Mark been ..."."""
    return previous.low.endswith(("able", "ly")) or previous.low in _BEFORE_INVERSION


# ---- judging people -----------------------------------------------------------------

_CHARACTER = rx(lex.CHARACTER_WORDS)
_CHARACTER_EXCEPTIONS = rx(lex.CHARACTER_EXCEPTIONS)


def character(s: Sentence) -> Iterator[Hit]:
    excused = {m.start() for m in _CHARACTER_EXCEPTIONS.finditer(s.low)}
    for m in _CHARACTER.finditer(s.low):
        if m.start() in excused or s.negated(m.start(), 3):
            continue
        yield hit(CHARACTER, m)
