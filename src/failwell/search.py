"""What people type in a search box, read the way web search engines read it, for both databases.

Words match in any order and every one must match; ``"quoted words"`` must match as a phrase;
``-word`` or ``-"a phrase"`` excludes; ``a OR b`` accepts either. Punctuation and hyphens split
words ("connection-pool" is the phrase "connection pool"), and the last word matches as a prefix
unless the text ends in a space (people are still typing it). Nothing typed is ever passed to an
engine as syntax: every word is rebuilt from letters and digits, so no input can make a query fail.

``Query.fts5()`` is an SQLite FTS5 MATCH expression and ``Query.tsquery()`` a PostgreSQL
to_tsquery text; ``snippet`` finds where a query matched a text, for result lists.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import BaseModel, Field

WORD = re.compile(r"[^\W_]+")
# A quoted phrase (closing quote optional), or a run of anything but space and quotes.
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(-?)([^\s"]+)')
MAX_TERMS = 16
MAX_WORD = 64
# Common English words both engines would otherwise treat differently (PostgreSQL drops them,
# FTS5 requires them): left out unless quoted or the only words.
_STOP_TEXT = """a an and are as at be but by for from has have how i in is it its of on or that the their
this to was we were what when where which who why will with"""
STOPWORDS = frozenset(_STOP_TEXT.split())
# Endings the stemmers cut: "connecti" (typing "connection") cannot prefix-match the stored stem
# "connect", so a prefix that reads as stem + the start of an ending also looks for that stem.
_ENDINGS = ("ion", "ions", "ing", "ings", "ed", "er", "ers", "es", "ies", "ity", "ive", "ize", "ment", "ness")


@dataclass(frozen=True)
class Term:
    """One word, or a phrase (words in this order); ``prefix``: its last word is a prefix."""

    words: tuple[str, ...]
    prefix: bool = False

    def stems(self) -> tuple[str, ...]:
        """For a one-word prefix, the shorter stems it may be typed past (see _ENDINGS)."""
        if not self.prefix or len(self.words) != 1:
            return ()
        word = self.words[0]
        found = []
        for cut in range(1, 4):
            stem, rest = word[:-cut], word[-cut:]
            if len(stem) >= 4 and any(e.startswith(rest) for e in _ENDINGS):
                found.append(stem)
        return tuple(found)


@dataclass(frozen=True)
class Query:
    """Groups that must all match (a group matches when any of its terms does), and exclusions."""

    groups: tuple[tuple[Term, ...], ...] = ()
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        """Nothing searchable was typed (only punctuation, quotes or dashes)."""
        return not self.groups and not self.excluded

    def words(self) -> list[str]:
        """The words the query looks for (not the excluded ones), for highlighting."""
        return list(dict.fromkeys(w for group in self.groups for term in group for w in term.words))

    def prefixes(self) -> set[str]:
        return {t.words[-1] for group in self.groups for t in group if t.prefix}

    def fts5(self) -> str:
        """An FTS5 MATCH expression over the columns ``title`` and ``body``; '' when empty."""
        positive = " AND ".join(_fts5_group(g) for g in self.groups)
        if not positive:
            return ""
        if self.excluded:
            positive = f"({positive}) NOT ({' OR '.join(_fts5_term(t) for t in self.excluded)})"
        return "{title body} : (" + positive + ")"

    def fts5_excluded(self) -> str:
        """The exclusions alone as an FTS5 expression (for a query of exclusions only)."""
        if not self.excluded:
            return ""
        return "{title body} : (" + " OR ".join(_fts5_term(t) for t in self.excluded) + ")"

    def tsquery(self) -> str:
        """A PostgreSQL to_tsquery text (the database's stemmer and stop words apply); '' when empty."""
        parts = [_ts_group(g) for g in self.groups]
        parts += [f"!({_ts_term(t)})" for t in self.excluded]
        return " & ".join(parts)


def _quote_fts5(words: Sequence[str]) -> str:
    return '"' + " ".join(words) + '"'  # words are letters and digits only: nothing to escape


def _fts5_term(term: Term) -> str:
    text = _quote_fts5(term.words) + ("*" if term.prefix else "")
    stems = term.stems()
    return f"({' OR '.join([text, *(_quote_fts5([s]) for s in stems)])})" if stems else text


def _fts5_group(group: tuple[Term, ...]) -> str:
    inner = " OR ".join(_fts5_term(t) for t in group)
    return f"({inner})" if len(group) > 1 else inner


def _ts_word(word: str, prefix: bool = False) -> str:
    # Weights A and B: the title and the body (C is recurrence's error signatures).
    return "'" + word + "'" + (":*AB" if prefix else ":AB")


def _ts_term(term: Term) -> str:
    last = len(term.words) - 1
    text = " <-> ".join(_ts_word(w, term.prefix and i == last) for i, w in enumerate(term.words))
    if len(term.words) > 1:
        text = f"({text})"
    stems = term.stems()
    return f"({' | '.join([text, *(_ts_word(s) for s in stems)])})" if stems else text


def _ts_group(group: tuple[Term, ...]) -> str:
    inner = " | ".join(_ts_term(t) for t in group)
    return f"({inner})" if len(group) > 1 else inner


def _words(text: str) -> tuple[str, ...]:
    return tuple(w.casefold()[:MAX_WORD] for w in WORD.findall(text))


def parse(text: str | None) -> Query:
    """Reads a search box's text (see the module's docstring); never raises."""
    raw = (text or "")[:1000]
    items: list[tuple[Term, bool] | None] = []  # (term, excluded); None stands for OR
    matches = list(_TOKEN.finditer(raw))
    # Still typing the last word only when the text ends inside it: a space, a quote or
    # punctuation after it ("100%") says the word is whole.
    typing_last = bool(raw) and raw[-1].isalnum()
    for n, match in enumerate(matches):
        quoted = match.group(2) is not None
        body = match.group(2) if quoted else match.group(4)
        excluded = bool(match.group(1) if quoted else match.group(3))
        if not quoted and body == "OR":
            items.append(None)
            continue
        words = _words(body)
        if not words:
            continue
        prefix = not quoted and not excluded and typing_last and n == len(matches) - 1
        items.append((Term(words, prefix), excluded))
    return _assemble(items)


def _assemble(items: list[tuple[Term, bool] | None]) -> Query:
    real = [i for i in items if i is not None]
    meaningful = [i for i in real if not (len(i[0].words) == 1 and i[0].words[0] in STOPWORDS)]
    keep = meaningful if meaningful else real
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    for item in items:
        if item is None:
            join_next = bool(groups)
            continue
        if item not in keep:
            continue
        term, is_excluded = item
        if is_excluded:
            excluded.append(term)
            join_next = False
        elif join_next:
            groups[-1].append(term)
            join_next = False
        else:
            groups.append([term])
    groups = groups[:MAX_TERMS]
    return Query(tuple(tuple(dict.fromkeys(g)) for g in groups), tuple(dict.fromkeys(excluded))[:MAX_TERMS])


# ---- where a query matched: a short excerpt with the matched words marked ------------


class Snippet(BaseModel):
    """Where a search matched a result: an excerpt of one field, and the matched words in it."""

    field: str = Field(description="Which text matched, e.g. title, description, lessons.")
    text: str = Field(description="About 160 characters of that text around the match.")
    highlights: list[tuple[int, int]] = Field(
        default_factory=list, description="Matched words as [start, end) character offsets in text."
    )


@dataclass
class _Found:
    label: str
    text: str
    spans: list[tuple[int, int]] = field(default_factory=list)
    distinct: int = 0


def _common_prefix(a: str, b: str) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n


def _word_matches(word: str, wanted: str, prefix: bool) -> bool:
    """Whether a word of a text would be found by a query word (engines stem; this is close)."""
    if word == wanted or (prefix and word.startswith(wanted)):
        return True
    shared = _common_prefix(word, wanted)
    return shared >= max(3, min(len(word), len(wanted)) - 3) and shared >= min(len(wanted), 4)


def _spans(text: str, wanted: Sequence[str], prefixes: set[str]) -> tuple[list[tuple[int, int]], int]:
    spans, seen = [], set()
    for match in WORD.finditer(text):
        word = match.group(0).casefold()
        for w in wanted:
            if _word_matches(word, w, w in prefixes):
                spans.append(match.span())
                seen.add(w)
                break
    return spans, len(seen)


def snippet(fields: Sequence[tuple[str, str | None]], query: Query, width: int = 160) -> Snippet | None:
    """An excerpt of the labelled field that matches most of the query's words (the first such),
    about ``width`` characters around its first match; None when no field contains any."""
    wanted = query.words()
    if not wanted:
        return None
    prefixes = query.prefixes()
    best: _Found | None = None
    for label, raw in fields:
        if not raw:
            continue
        flat = " ".join(raw.split())
        spans, distinct = _spans(flat, wanted, prefixes)
        if distinct and (best is None or distinct > best.distinct):
            best = _Found(label, flat, spans, distinct)
    if best is None:
        return None
    return _excerpt(best, width)


def _excerpt(found: _Found, width: int) -> Snippet:
    text, first = found.text, found.spans[0][0]
    start = max(0, first - width // 3)
    if start > 0:
        space = text.find(" ", start, first)
        start = space + 1 if space >= 0 else start
    end = min(len(text), start + width)
    if end < len(text):
        space = text.rfind(" ", found.spans[0][1], end)
        end = space if space >= 0 else end
    head = "…" if start > 0 else ""
    tail = "…" if end < len(text) else ""
    shift = len(head) - start
    spans = [(a + shift, b + shift) for a, b in found.spans if a >= start and b <= end]
    return Snippet(field=found.label, text=head + text[start:end] + tail, highlights=spans)
