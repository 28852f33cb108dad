"""Lexical relevance from the database's own full-text engine.

SQLite: the FTS5 table ``failure_fts`` ranked by bm25 (title counts most, then signatures).
PostgreSQL: ``failure_search.tsv`` (GIN) ranked by ts_rank with length normalisation.
A query is the OR of its most telling words, so a long description still matches reports
that share only some of them, and stays fast.
"""

from __future__ import annotations

import re
import threading
import time
from collections import Counter
from datetime import datetime

from sqlalchemy import text as sql
from sqlalchemy.orm import Session

from failwell.db import UTCDateTime

# Words that say nothing about a cause; both engines would match (and rank) them everywhere.
STOPWORDS = frozenset(
    """
    a about above after again against all also am an and any are as at be because been before being
    below between both but by can could did do does doing down during each few for from further had
    has have having he her here hers him his how i if in into is it its itself just me more most my
    no nor not now of off on once only or other our out over own same she should so some such than
    that the their them then there these they this those through to too under until up very was we
    were what when where which while who whom why will with would you your yours should would shall
    may might must get got getting one two via per etc e.g i.e using used use
    """.split()  # noqa: SIM905  (a list of 150 quoted words reads worse)
)
WORD = re.compile(r"[^\W_]+", re.UNICODE)
MAX_TERMS = 32
# Ranking reads at most this much of a query; the rest is stored but not searched.
QUERY_TEXT_LIMIT = 20_000


_IDENTIFIER = re.compile(r"\b[A-Za-z][a-z0-9]*[A-Z][A-Za-z0-9]*\b")
# Class names of this many words or more are also searched by their initials (4: "abfs" from
# AzureBlobFileSystem; three-letter initials like "ais" for AbfsInputStream match too much).
ACRONYM_FROM = 4
_CAMEL_PART = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+|[0-9]+")


def identifier_parts(text: str) -> list[str]:
    """The words inside camelCase identifiers ("readVectored" -> read, vectored), which neither
    full-text engine splits, and the initials of longer ones ("AzureBlobFileSystem" -> abfs):
    reports name the same code in different shapes, and people shorten long names so."""
    parts: list[str] = []
    for match in _IDENTIFIER.finditer(text[:QUERY_TEXT_LIMIT]):
        pieces = [p.lower() for p in _CAMEL_PART.findall(match.group(0))]
        if len(pieces) > 1:
            parts.extend(p for p in pieces if len(p) > 1 and not p.isdigit())
        words = [p for p in pieces if p.isalpha()]
        if len(words) >= ACRONYM_FROM and match.group(0)[0].isupper():
            parts.append("".join(w[0] for w in words))
    return parts


def words(text: str) -> list[str]:
    """Searchable words of a text, lower-cased, without stop words and bare numbers."""
    found = (m.group(0).lower() for m in WORD.finditer(text[:QUERY_TEXT_LIMIT]))
    plain = [w for w in found if len(w) > 1 and w not in STOPWORDS and not w.isdigit() and len(w) <= 40]
    return plain + [w for w in identifier_parts(text) if w not in STOPWORDS]


def query_terms(title: str, body: str = "", limit: int = MAX_TERMS) -> list[str]:
    """The words to search by: title words first, then the body's most repeated ones."""

    picked = list(dict.fromkeys(words(title)))
    counts = Counter(words(body))
    for word, _n in counts.most_common():
        if len(picked) >= limit:
            break
        if word not in picked:
            picked.append(word)
    return picked[:limit]


def _fts5_query(terms: list[str], op: str = "OR") -> str:
    # Every term double-quoted: FTS5 then reads it as a plain string, never as syntax.
    return f" {op} ".join('"' + t.replace('"', '""') + '"' for t in terms)


# A term in more than this share of failures tells little (BM25's IDF of a 5% term is a quarter
# of a rare one's) but makes the engine score a large part of the table: on a large database such
# terms are left out, and of the rest the rarest are kept while the rows they match stay within
# MATCH_SHARE of the table. If no term is rare enough, the query asks for failures with all of
# (up to) three of them instead of any.
COMMON_SHARE = 0.05
MATCH_SHARE = 0.04
# Below this many failures every query is cheap, and nothing is left out.
PRUNE_FROM = 5_000
_DF_TTL_S = 600.0
_df_cache: dict[tuple[str, str], tuple[float, int]] = {}
_totals: dict[str, tuple[float, int]] = {}
_cache_lock = threading.Lock()


def _db_key(session: Session) -> str:
    return session.get_bind().engine.url.render_as_string(hide_password=True)


def _total(session: Session, key: str) -> int:
    now = time.monotonic()
    cached = _totals.get(key)
    if cached and now - cached[0] < 60:
        return cached[1]
    total = int(session.execute(sql("SELECT count(*) FROM failure_search")).scalar() or 0)
    _totals[key] = (now, total)
    return total


def _frequency(session: Session, term: str, cap: int, dialect: str) -> int:
    """How many failures contain the term, counted up to ``cap`` (a bounded scan, done once)."""
    if dialect == "sqlite":
        stmt = "SELECT count(*) FROM (SELECT 1 FROM failure_fts WHERE failure_fts MATCH :q LIMIT :cap)"
        q = _fts5_query([term])
    else:
        stmt = (
            "SELECT count(*) FROM (SELECT 1 FROM failure_search "
            "WHERE tsv @@ to_tsquery('english', :q) LIMIT :cap) x"
        )
        q = term
    return int(session.execute(sql(stmt), {"q": q, "cap": cap}).scalar() or 0)


_mce: dict[str, tuple[float, dict[str, float] | None]] = {}
_LEXEME = re.compile(r"'((?:[^']|'')*)'")


def _pg_common_lexemes(session: Session, key: str) -> dict[str, float] | None:
    """PostgreSQL's own statistics of the index column: its most common lexemes and their
    frequencies (ANALYZE keeps them; every lexeme in 5% of rows is among them). None before
    the first ANALYZE."""
    now = time.monotonic()
    cached = _mce.get(key)
    if cached and now - cached[0] < _DF_TTL_S:
        return cached[1]
    row = session.execute(
        sql(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats "
            "WHERE tablename = 'failure_search' AND attname = 'tsv' AND schemaname = current_schema()"
        )
    ).first()
    found = None
    if row is not None and row[0] is not None:
        found = dict(zip(row[0], (float(f) for f in row[1]), strict=False))
    _mce[key] = (now, found)
    return found


def _pg_frequencies(session: Session, key: str, terms: list[str], total: int) -> dict[str, int] | None:
    """Estimated failures per term from the statistics, without reading the table."""
    common = _pg_common_lexemes(session, key)
    if common is None:
        return None
    rows = session.execute(
        sql("SELECT t, to_tsvector('english', t)::text FROM unnest(CAST(:terms AS text[])) AS t"),
        {"terms": terms},
    ).all()
    out: dict[str, int] = {}
    for term, vector in rows:
        lexemes = [m.replace("''", "'") for m in _LEXEME.findall(vector or "")]
        # A stop word has no lexeme and can match nothing: as good as absent.
        share = max((common.get(lex, 0.0) for lex in lexemes), default=1.0)
        out[term] = int(share * total)
    return out


def choose_terms(session: Session, terms: list[str]) -> tuple[list[str], bool]:
    """The terms worth searching by and whether all of them must match (see COMMON_SHARE);
    each term's frequency is remembered for ten minutes per database."""
    key = _db_key(session)
    total = _total(session, key)
    if total < PRUNE_FROM or not terms:
        return terms, False
    cap = int(total * COMMON_SHARE) + 1
    dialect = session.get_bind().dialect.name
    now = time.monotonic()
    frequency: dict[str, int] = {}
    if dialect == "postgresql":
        estimated = _pg_frequencies(session, key, terms, total)
        if estimated is not None:
            frequency = estimated
    for term in (t for t in terms if t not in frequency):
        cached = _df_cache.get((key, term))
        if cached is None or now - cached[0] > _DF_TTL_S:
            count = _frequency(session, term, cap, dialect)
            with _cache_lock:
                if len(_df_cache) > 100_000:
                    _df_cache.clear()
                _df_cache[(key, term)] = (now, count)
        else:
            count = cached[1]
        frequency[term] = count
    rare = sorted((t for t in terms if frequency[t] < cap), key=lambda t: frequency[t])
    if not rare:
        return terms[:3], True
    budget = int(total * MATCH_SHARE)
    kept, matched = [rare[0]], frequency[rare[0]]
    for term in rare[1:]:
        if matched + frequency[term] > budget:
            break
        kept.append(term)
        matched += frequency[term]
    return kept, False


def search_terms(
    session: Session,
    terms: list[str],
    limit: int,
    *,
    before: tuple[datetime, int] | None = None,
    exclude: int | None = None,
    title_only: bool = False,
) -> list[tuple[int, float]]:
    """(failure_id, score) best first; scores are positive, larger is better.

    ``before`` = (started_at, id): only failures that started earlier (ties by id) are found.
    ``title_only``: match the terms against titles (mostly), for a query's own title."""
    terms, every = choose_terms(session, terms)
    if not terms or (every and title_only):  # a title of common words adds nothing to the full query
        return []
    bind = session.get_bind()
    params: dict[str, object] = {"limit": limit, "exclude": exclude or 0}
    where = ""
    if before is not None:
        params.update(started=UTCDateTime().process_bind_param(before[0], bind.dialect), before_id=before[1])
        where = " AND (f.started_at < :started OR (f.started_at = :started AND f.id < :before_id))"
    if bind.dialect.name == "sqlite":
        # Column weights for bm25: title, body, signatures.
        weights = "1.0, 0.3, 0.0" if title_only else "8.0, 1.0, 2.0"
        match = _fts5_query(terms, "AND" if every else "OR")
        params["q"] = "{title body} : (" + match + ")" if title_only else match
        stmt = (
            f"SELECT m.rowid, -bm25(failure_fts, {weights}) AS score FROM failure_fts m "
            + ("JOIN failures f ON f.id = m.rowid " if before is not None else "")
            + "WHERE failure_fts MATCH :q AND m.rowid <> :exclude"
            + where
            + f" ORDER BY bm25(failure_fts, {weights}) LIMIT :limit"
        )
    else:
        # Title words carry weight A, body words B, signatures C (see index_sql).
        params["q"] = (" & " if every else " | ").join(f"{t}:A" if title_only else t for t in terms)
        stmt = (
            "SELECT s.failure_id, ts_rank('{0.1, 0.25, 0.125, 1.0}', s.tsv, q, 1) AS score "
            "FROM failure_search s, to_tsquery('english', :q) q "
            + ("" if before is None else ", failures f ")
            + "WHERE s.tsv @@ q AND s.failure_id <> :exclude"
            + ("" if before is None else " AND f.id = s.failure_id" + where)
            + " ORDER BY score DESC, s.failure_id DESC LIMIT :limit"
        )
    rows = session.execute(sql(stmt), params).all()
    return [(int(fid), float(score)) for fid, score in rows]


# PostgreSQL's parser keeps "db.example.com", "a/b" or "v2.1" whole; FTS5 (and every query,
# see failwell.search) splits them at punctuation. Both databases index the words between.
TSV_SQL = (
    "setweight(to_tsvector('english', regexp_replace(title, '[[:punct:]]+', ' ', 'g')), 'A') || "
    "setweight(to_tsvector('simple', signatures), 'C') || "
    "setweight(to_tsvector('english', regexp_replace(body, '[[:punct:]]+', ' ', 'g')), 'B')"
)


def index_sql(dialect: str) -> str | None:
    """The statement that refreshes a failure's tsvector after its search row changed (PostgreSQL)."""
    if dialect != "postgresql":
        return None
    return f"UPDATE failure_search SET tsv = {TSV_SQL} WHERE failure_id = ANY(:ids)"
