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


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![\w-])(?:{pattern})(?![\w-])")


def _person_or_human(s: Sentence, subject: Subject, end: int) -> bool:
    """A person, or an unknown capitalised word followed by something only people do."""
    if subject.person:
        return True
    if subject.who is Who.MAYBE:
        following = s.next_words(end, 2)
        return any(t.low in HUMAN_VERB_FORMS for t in following)
    return False


def _hit(rule: str, m: re.Match[str], subject: Subject | None = None) -> Hit:
    who = subject.text if subject is not None and subject.who is not Who.SYSTEM else ""
    return Hit(rule, m.start(), m.end(), who)


Rule = Callable[[Sentence], Iterator[Hit]]


# ---- a person as the agent of a mistake -------------------------------------------

_HUMAN_ONLY = _rx(lex.HUMAN_ONLY_ACTS)
_SUBJECT_DEPENDENT = _rx(lex.SUBJECT_DEPENDENT_ACTS)
_NOT_DOING = _rx(
    rf"(?:did not|didn't|did n't|never|had not|hadn't|has not|hasn't) (?:(?:actually|even|really|"
    rf"properly|just|ever|once|carefully|fully|always|bother to|think to|care to) )?(?:{_HUMAN_ALT})"
)
# Acts so clearly judged that even the passive blames someone ("the deploy was botched").
_JUDGED_PASSIVE = words("botched bungled fumbled neglected rubber-stamped")
_MANNER = _rx(lex.MISTAKE_MANNER)
_NOBODY = _rx(
    r"(?:nobody|no-one) (?:[\w-]+ ){0,4}?(?:had |ever )?(?:bothered|cared|checked|tested|verified|"
    r"reviewed|read|looked|thought|asked|double-checked|followed up)"
)


def person_as_agent(s: Sentence) -> Iterator[Hit]:
    for m in _HUMAN_ONLY.finditer(s.low):
        i = s.index(m.start())
        before = s.tokens[i - 1] if i else None
        if before is not None and before.low in ("was", "were", "been", "got"):
            if m.group() in _JUDGED_PASSIVE:  # "the deploy was botched"
                yield _hit(PERSON_BLAMED, m)
            continue
        if _describes_a_thing(s, m) or s.negated(m.start(), 1):
            continue  # "misconfigured DNS", "did not forget"
        following = s.next_words(m.end(), 1)
        if following and following[0].low in ("nothing", "none"):
            continue  # "forgot nothing"
        subject = s.subject(m.start())
        if subject.who is not Who.SYSTEM and not subject.negative:
            yield _hit(PERSON_BLAMED, m, subject)
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
            yield _hit(PERSON_BLAMED, m, subject)
        elif phrase in ("caused", "broke") and subject.owner_is_person:
            yield _hit(PERSON_AS_CAUSE, m, subject)
    for m in _NOT_DOING.finditer(s.low):
        subject = s.subject(m.start())
        fragment = subject.who is Who.NONE and s.index(m.start()) == 0
        if fragment or (subject.who in (Who.PERSON, Who.MAYBE) and not subject.negative):
            yield _hit(PERSON_BLAMED, m, subject)
    for m in _MANNER.finditer(s.low):
        subject = s.subject(m.start())
        needs_person = "wrong" in m.group()
        if subject.person or (subject.who is Who.MAYBE and not needs_person):
            yield _hit(PERSON_BLAMED, m, subject)
    for m in _NOBODY.finditer(s.low):
        yield _hit(PERSON_BLAMED, m)


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


def _heeds(s: Sentence, end: int) -> bool:
    return any(t.low in lex.SIGNAL_NOUNS for t in s.next_words(end, 4))


def _blocked(s: Sentence, end: int) -> bool:
    following = s.next_words(end, 1)
    return bool(following) and following[0].low in lex.BLOCKED_VERBS


def _missed_a_target(s: Sentence, end: int) -> bool:
    return any(t.low in lex.MISSED_NOT_BLAME for t in s.next_words(end, 4))


# ---- hindsight and counterfactuals --------------------------------------------------

_SHOULD_HAVE = _rx(r"(?:should|shouldn't|should not|ought to|oughtn't to) (?:have|'ve)|should've|shoulda")
_COULD_HAVE = _rx(
    r"(?:could|could easily|could simply) (?:have|'ve) (?:easily |simply |just )?"
    r"(?:checked|caught|noticed|spotted|prevented|avoided|stopped|seen|asked|tested|verified|"
    r"read|looked|known|double-checked|escalated|reverted)|could've"
)
_KNOWN_BETTER = _rx(r"known better|know better")
_EASY_IN_HINDSIGHT = _rx(
    r"if only|(?:anyone|anybody|any (?:competent|reasonable|sensible|experienced|good) \w+)"
    r"(?: [\w'-]+){0,6} would (?:have|'ve)|"
    r"an? (?:more |better )?(?:experienced|careful|senior|competent|attentive|seasoned|diligent|"
    r"skilled) \w+ would (?:have|'ve)|"
    r"(?:a|one) (?:simple|quick|basic|single|cursory|five-minute|two-minute|trivial) (?:[\w-]+ )?"
    r"(?:check|test|look|grep|glance|review|query|search|question|command|step)s? would (?:have|'ve)|"
    r"all (?:he|she|they|you|we|someone|anyone|it|the \w+) (?:had|needed) to do was"
)
_IF = _rx(r"if")
_HAD = _rx(r"had")


def hindsight(s: Sentence) -> Iterator[Hit]:
    for m in _SHOULD_HAVE.finditer(s.low):
        subject = s.subject(m.start())
        following = s.next_words(m.end(), 3)
        if subject.negative:
            continue
        if following and following[0].low == "been":
            # "should have been caught" judges what people did; "... been paged" what they lacked
            if any(t.low in lex.HINDSIGHT_PASSIVES for t in following[1:]):
                yield _hit(HINDSIGHT, m, subject)
            continue
        if following and following[0].low == "had":  # "should have had a runbook": a lack
            continue
        fragment = subject.who is Who.NONE and s.index(m.start()) <= 1
        if fragment or _person_or_human(s, subject, m.end()):
            yield _hit(HINDSIGHT, m, subject)
    for m in _COULD_HAVE.finditer(s.low):
        subject = s.subject(m.start())
        if subject.person and not subject.negative:
            yield _hit(HINDSIGHT, m, subject)
    for m in _KNOWN_BETTER.finditer(s.low):
        yield _hit(HINDSIGHT, m)
    for m in _EASY_IN_HINDSIGHT.finditer(s.low):
        yield _hit(COUNTERFACTUAL, m)
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

_CHARACTER = _rx(lex.CHARACTER_WORDS)
_CHARACTER_EXCEPTIONS = _rx(lex.CHARACTER_EXCEPTIONS)


def character(s: Sentence) -> Iterator[Hit]:
    excused = {m.start() for m in _CHARACTER_EXCEPTIONS.finditer(s.low)}
    for m in _CHARACTER.finditer(s.low):
        if m.start() in excused or s.negated(m.start(), 3):
            continue
        yield _hit(CHARACTER, m)


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
_CAUSED_BY = _rx(
    r"(?:caused|triggered|started|introduced) by|due to|because of|"
    r"(?:the|a) (?:direct |clear |simple |predictable )?result of|"
    r"attributable to|stemmed from|stems from|resulted from|came down to|comes down to|"
    r"blame (?:it |this )?on|(?:was|is) down to|fault of|blame (?:lies|rests|falls) (?:with|on)|"
    r"fault lies with|this is on|that is on|it's on|it is on|"
    r"responsibility (?:for [^.;]{1,60}? )?(?:lies|rests|falls) (?:with|on)"
)
_ROOT_CAUSE = _rx(r"root causes?(?: of [^:;,]{1,60}?)?(?: was| is|:| =| -|—)")
_AT_FAULT = _rx(r"at fault|to blame|responsible for|accountable for|was blamed|were blamed")
_CULPRIT = _rx(r"(?:the|a|main|real) culprit(?: (?:was|is))?")
_MISTAKE_BY = _rx(
    r"(?:mistakes?|errors?|typos?|oversights?|slips?|blunders?|missteps?|lapses?|omissions?) "
    r"(?:made |committed )?by"
)
_PASSIVE_BY = _rx(
    r"(?:was|were|been) (?:\w+ )?(?:ignored|overlooked|missed|broken|botched|mishandled|forgotten|"
    r"neglected|skipped|made|rushed|rushed through|misconfigured|deleted by mistake|caused) by"
)
_IGNORED_SIGNALS = _rx(
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
        yield _hit(HUMAN_ERROR, m)
    for pattern in (_CAUSED_BY, _ROOT_CAUSE, _PASSIVE_BY, _MISTAKE_BY, _CULPRIT):
        for m in pattern.finditer(s.low):
            named = s.after(m.end())
            if pattern is _CULPRIT and not named.person:
                named = s.subject(m.start())
            owned = named.owner_is_person and pattern is _PASSIVE_BY  # "broken by Rosa's change"
            if (named.person and not named.negative) or owned or _owned_mistake(s, m.end()):
                yield _hit(PERSON_AS_CAUSE, m, named)
    for m in _AT_FAULT.finditer(s.low):
        subject = s.subject(m.start())
        if m.group().startswith(("responsible", "accountable")) and not _bad_outcome(s, m.end()):
            continue
        if subject.person and not subject.negative and not s.negated(m.start(), 2):
            yield _hit(PERSON_AS_CAUSE, m, subject)
    for m in _IGNORED_SIGNALS.finditer(s.low):
        yield _hit(PERSON_BLAMED, m)
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

_FACTOR_LABEL = _rx(r"(?:contributing |main |root )?(?:factors?|causes?)\s*:")
_WAS_A_FACTOR = _rx(
    r"(?:was|were|is|are) (?:a |an |the |one of the )?(?:main |major |key |primary |big |"
    r"significant |contributing )*factors?|contributed to|played a (?:\w+ )?(?:role|part) in"
)


def person_as_factor(s: Sentence) -> Iterator[Hit]:
    for m in _FACTOR_LABEL.finditer(s.low):
        named = s.after(m.end())
        if named.person or named.who is Who.MAYBE or named.owner_is_person:
            yield _hit(PERSON_AS_FACTOR, m, named)
    for m in _WAS_A_FACTOR.finditer(s.low):
        subject = s.subject(m.start())
        if m.group() == "contributed to" and not _bad_outcome(s, m.end()):
            continue
        if subject.person or subject.owner_is_person:
            yield _hit(PERSON_AS_FACTOR, m, subject)
    if s.factor and s.tokens:
        named = classify(s.tokens, noun_phrase(s.tokens, 0), sentence_start=True)
        if named.person or named.who is Who.MAYBE or named.owner_is_person:
            end = s.tokens[min(len(named.text.split()), len(s.tokens)) - 1].end
            yield Hit(PERSON_AS_FACTOR, 0, end, named.text)


RULES: tuple[Rule, ...] = (person_as_agent, hindsight, character, causes, person_as_factor)


def hits(sentence: Sentence) -> list[Hit]:
    """Every rule's hits on one sentence, minus what is quoted or talked about, in order."""
    found = [h for rule in RULES for h in rule(sentence) if not sentence.ignored(h.start)]
    return sorted(found, key=lambda h: (h.start, h.end))
