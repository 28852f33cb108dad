"""The search box's syntax (failwell.search): what it reads, what each engine is asked, and that no
input, however hostile, makes SQLite's FTS5 or PostgreSQL refuse the query."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import Connection, create_engine, text

from failwell.search import Query, Snippet, Term, parse, snippet
from support import PG_ADMIN_URL, pg_available

HOSTILE = [
    "",
    " ",
    '"',
    '""',
    '"unbalanced phrase',
    'phrase" "',
    "-",
    "--",
    "- -",
    '-""',
    "OR",
    "OR OR",
    "a OR",
    "OR b",
    "NOT",
    "AND OR NOT",
    "NEAR(a b, 2)",
    "^title",
    "title:pool",
    "{title body}: pool",
    "pool*",
    "*",
    "(",
    ")",
    "((pool",
    "pool & cache | !x <-> y",
    "'single' quotes'",
    "\\",
    "%_%",
    "a:*",
    "pool:AB",
    "\x00nul",
    "ünïcödé Ελληνικά 日本語",
    "emoji 🔥 fire",
    "x" * 300,
    " ".join(["w"] * 100),
]


def test_words_match_in_any_order_and_all_must_match() -> None:
    query = parse("checkout api")
    assert query.groups == ((Term(("checkout",)),), (Term(("api",), prefix=True),))
    assert query.fts5() == '{title body} : ("checkout" AND "api"*)'
    assert query.tsquery() == "'checkout':AB & 'api':*AB"


def test_punctuation_and_hyphens_split_words_into_a_phrase() -> None:
    assert parse("connection-pool ").groups == ((Term(("connection", "pool")),),)
    assert parse("db.example.com ").groups == ((Term(("db", "example", "com")),),)
    assert parse("CPU_spike ").groups == ((Term(("cpu", "spike")),),)
    assert parse("connection-pool ").tsquery() == "('connection':AB <-> 'pool':AB)"


def test_the_last_word_is_a_prefix_while_typing() -> None:
    assert parse("pool exhau").groups[-1] == (Term(("exhau",), prefix=True),)
    assert parse("pool exhau ").groups[-1] == (Term(("exhau",)),)  # a space ends the word
    assert parse('"pool exhau"').groups == ((Term(("pool", "exhau")),),)  # a phrase is exact


def test_a_prefix_typed_past_a_stem_also_looks_for_the_stem() -> None:
    # "connection" is stored as "connect": typing "connecti" must still find it.
    assert "connect" in Term(("connecti",), prefix=True).stems()
    assert parse("connecti").fts5() == '{title body} : (("connecti"* OR "connect"))'
    assert parse("connecti").tsquery() == "('connecti':*AB | 'connect':AB)"
    assert Term(("pool",), prefix=True).stems() == ()


def test_phrases_exclusions_and_or() -> None:
    query = parse('"connection pool" -cache timeout OR latency ')
    assert query.groups == (
        (Term(("connection", "pool")),),
        (Term(("timeout",)), Term(("latency",))),
    )
    assert query.excluded == (Term(("cache",)),)
    assert query.fts5() == ('{title body} : (("connection pool" AND ("timeout" OR "latency")) NOT ("cache"))')
    assert query.tsquery() == (
        "('connection':AB <-> 'pool':AB) & ('timeout':AB | 'latency':AB) & !('cache':AB)"
    )
    assert parse('-"dry run" deploy ').excluded == (Term(("dry", "run")),)


def test_stop_words_are_dropped_unless_they_are_all_there_is() -> None:
    assert parse("the pool is exhausted ").words() == ["pool", "exhausted"]
    assert parse("the ").words() == ["the"]
    assert parse('"out of memory"').words() == ["out", "of", "memory"]  # quoted: kept


def test_exclusions_alone_and_nothing_at_all() -> None:
    only = parse("-cache")
    assert not only.empty and only.groups == () and only.fts5() == ""
    assert only.fts5_excluded() == '{title body} : ("cache")'
    assert only.tsquery() == "!('cache':AB)"
    for nothing in ("", "   ", '"', '""', "-", "--", "%", "OR", "***"):
        assert parse(nothing).empty, nothing


def test_words_are_case_folded_and_capped() -> None:
    assert parse("ÜBERLAST").words() == ["überlast"]
    assert len(parse(" ".join(f"w{i}" for i in range(50))).groups) == 16
    assert len(parse("x" * 300).words()[0]) == 64


@pytest.fixture(scope="module")
def fts5() -> Iterator[sqlite3.Connection]:
    db = sqlite3.connect(":memory:")
    db.execute(
        "CREATE VIRTUAL TABLE failure_fts USING fts5(title, body, signatures, "
        "tokenize='porter unicode61 remove_diacritics 2')"
    )
    db.executemany(
        "INSERT INTO failure_fts VALUES (?, ?, '')",
        [
            ("Connection pool exhausted on checkout", "Saw HTTP 503s"),
            ("connection-pool leak", "checkout-api retries"),
            ("Überlastung der Datenbank", "db.example.com"),
        ],
    )
    yield db
    db.close()


def _fts5_rows(db: sqlite3.Connection, query: Query) -> list[str]:
    match = query.fts5() or query.fts5_excluded()
    if not match:
        return []
    return [r[0] for r in db.execute("SELECT title FROM failure_fts WHERE failure_fts MATCH ?", (match,))]


def test_fts5_reads_every_example(fts5: sqlite3.Connection) -> None:
    assert _fts5_rows(fts5, parse("exhausted pool")) == ["Connection pool exhausted on checkout"]
    assert _fts5_rows(fts5, parse("pool exhausted")) == ["Connection pool exhausted on checkout"]
    assert len(_fts5_rows(fts5, parse("connection pool"))) == 2  # hyphenated title too
    assert _fts5_rows(fts5, parse("checkout api")) == ["connection-pool leak"]
    assert len(_fts5_rows(fts5, parse("connecti"))) == 2
    assert _fts5_rows(fts5, parse("uberlast")) == ["Überlastung der Datenbank"]
    assert _fts5_rows(fts5, parse('"example com"')) == ["Überlastung der Datenbank"]
    assert _fts5_rows(fts5, parse("connection -leak")) == ["Connection pool exhausted on checkout"]
    assert _fts5_rows(fts5, parse("retry")) == ["connection-pool leak"]  # stems: retries


@pytest.mark.parametrize("typed", HOSTILE)
def test_fts5_never_refuses_hostile_input(fts5: sqlite3.Connection, typed: str) -> None:
    _fts5_rows(fts5, parse(typed))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.text(alphabet=st.sampled_from(list("ab -\"*():^{}+OR\\'NEAR_.é😀\x00 ")), max_size=40))
def test_fts5_never_refuses_generated_input(fts5: sqlite3.Connection, typed: str) -> None:
    _fts5_rows(fts5, parse(typed))


@pytest.fixture(scope="module")
def pg() -> Iterator[Connection]:
    reason = pg_available()
    if reason:
        pytest.skip(reason)
    engine = create_engine(PG_ADMIN_URL, pool_size=1)
    with engine.connect() as conn:
        yield conn
    engine.dispose()


def test_postgresql_never_refuses_hostile_input(pg: Connection) -> None:
    statement = text(
        "SELECT setweight(to_tsvector('english', 'connection pool exhausted'), 'A') "
        "@@ to_tsquery('english', :q)"
    )
    for typed in HOSTILE:
        query = parse(typed).tsquery()
        if query:
            pg.execute(statement, {"q": query})
    assert pg.execute(statement, {"q": parse("exhausted connecti").tsquery()}).scalar() is True
    assert pg.execute(statement, {"q": parse("pool -exhausted").tsquery()}).scalar() is False


def test_snippet_marks_the_words_in_the_best_field() -> None:
    query = parse("pool exhausted ")
    found = snippet(
        [("title", "Checkout errors"), ("summary", "The pool filled"), ("lessons", "Pool was exhausted.")],
        query,
    )
    assert found is not None and found.field == "lessons"
    assert [found.text[a:b] for a, b in found.highlights] == ["Pool", "exhausted"]
    assert snippet([("title", "Nothing here")], query) is None


def test_snippet_follows_stems_and_prefixes_and_cuts_long_text() -> None:
    long = "word " * 100 + "then the retry budget ran out " + "tail " * 100
    found = snippet([("body", long)], parse("retries"))
    assert isinstance(found, Snippet)
    assert found.text.startswith("…") and found.text.endswith("…") and len(found.text) < 180
    assert [found.text[a:b] for a, b in found.highlights] == ["retry"]
    typed = snippet([("title", "Connection pool exhausted")], parse("exhau"))
    assert typed is not None and [typed.text[a:b] for a, b in typed.highlights] == ["exhausted"]
    assert snippet([("title", "pool")], parse("-pool")) is None  # exclusions are not matches
