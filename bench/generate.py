"""Generates a large, realistic organisation fast, and caches it.

Rows are made in Python as plain values (aware UTC datetimes, lists, dates) and
loaded in bulk: SQLite through the driver's executemany in 10k-row chunks (values
converted by SQLAlchemy's own bind processors, so they are stored exactly as the
ORM would store them), PostgreSQL through COPY. Secondary indexes are dropped
first and rebuilt from their own saved DDL after the load, which is several times
faster than maintaining them row by row and leaves exactly the migrated schema.
The generated SQLite file and the PostgreSQL database are reused by later runs
while the scale, the generator and the schema (Alembic head) are unchanged.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import orjson
import psycopg
from sqlalchemy import TypeDecorator, create_engine, select, text
from sqlalchemy.engine import Dialect, make_url

import failwell.models  # noqa: F401  (registers every table on Base.metadata)
from bench.common import OUT, Backend, pg_admin, pg_create, pg_drop, pg_url, sqlite_url
from failwell.db import Base, Database
from failwell.failures.models import Failure
from failwell.insights.failure_rollup import rebuild_failure_rollup
from failwell.insights.rollup import rebuild_rollup
from failwell.migrate import head_revision, upgrade
from failwell.people.security import hash_token, new_token
from failwell.recurrence.index import reindex_all

# Bump when the generated data change shape, so cached databases are rebuilt.
GENERATOR_VERSION = 4
CHUNK = 10_000
PG_LARGE_PREFIX = "failwell_bench_large"

# "Now" for the generated history: a fixed day, so runs on different dates see the same data.
# Failures and deployments span the two years before it.
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
HISTORY = timedelta(days=730)


@dataclass(frozen=True)
class Scale:
    name: str
    deployments: int
    failures: int
    services: int = 100
    teams: int = 20
    people: int = 300
    changes: int = 20_000
    tags: int = 60

    def key(self) -> str:
        raw = json.dumps([asdict(self), GENERATOR_VERSION, head_revision()], sort_keys=True)
        return hashlib.sha256(raw.encode()).hexdigest()[:10]


LARGE = Scale("large", deployments=1_000_000, failures=100_000, changes=50_000)
QUICK = Scale("quick", deployments=50_000, failures=5_000, changes=2_500)
TINY = Scale("tiny", deployments=3_000, failures=300, services=12, teams=4, people=30, changes=200, tags=12)
SCALES = {s.name: s for s in (LARGE, QUICK, TINY)}


@dataclass
class OrgMeta:
    """What the list benchmark needs to know about a generated organisation."""

    backend: Backend
    url: str
    key: str
    scale: dict[str, Any]
    token: str
    services: list[str]
    teams: list[str]
    tags: list[str]
    common_words: list[str]
    rare_words: list[str]
    start: str
    end: str
    row_counts: dict[str, int] = field(default_factory=dict)
    generation_s: float = 0.0
    cached: bool = False


# ---- vocabulary --------------------------------------------------------------

_NOUNS = [
    "checkout",
    "payments",
    "ledger",
    "search",
    "catalog",
    "pricing",
    "inventory",
    "shipping",
    "billing",
    "auth",
    "identity",
    "profile",
    "notifications",
    "email",
    "sms",
    "gateway",
    "edge",
    "cdn",
    "images",
    "media",
    "reports",
    "analytics",
    "recommendations",
    "cart",
    "orders",
    "refunds",
    "fraud",
    "loyalty",
]
_SUFFIXES = ("api", "worker", "db", "web", "stream")
_TEAM_WORDS = [
    "atlas",
    "borealis",
    "comet",
    "delta",
    "ember",
    "fjord",
    "granite",
    "harbor",
    "iris",
    "juniper",
    "kestrel",
    "lumen",
    "meridian",
    "nimbus",
    "onyx",
    "polaris",
    "quartz",
    "rivet",
    "sierra",
    "tundra",
    "umbra",
    "vertex",
    "willow",
    "xenon",
    "yarrow",
    "zephyr",
]
# Common symptoms appear in many failure texts, rare ones in few: `q` searches use both.
COMMON_WORDS = ("timeout", "latency", "errors", "memory", "certificate", "deadlock", "quota", "rollback")
RARE_WORDS = ("kerberos", "leapsecond", "bitflip", "thundering")
_TRIGGERS = (
    "a configuration change",
    "a dependency upgrade",
    "a traffic spike",
    "a failed migration",
    "an expired credential",
    "a node failure",
    "a feature flag flip",
    "a cron job overlap",
)
_EFFECTS = (
    "customers saw errors at checkout",
    "partners could not reach the API",
    "reports were delayed",
    "some requests were retried twice",
    "the queue backed up for an hour",
    "nobody noticed for a while",
)


def _service_names(n: int) -> list[str]:
    names = [f"{noun}-{suffix}" for suffix in _SUFFIXES for noun in _NOUNS]
    names += [f"service-{i}" for i in range(max(0, n - len(names)))]
    return names[:n]


def _team_names(n: int) -> list[str]:
    return [f"team-{_TEAM_WORDS[i % len(_TEAM_WORDS)]}{'' if i < len(_TEAM_WORDS) else i}" for i in range(n)]


def _tag_names(n: int) -> list[str]:
    base = [
        "dns",
        "tls",
        "database",
        "network",
        "kubernetes",
        "config",
        "capacity",
        "third-party",
        "deploy",
        "monitoring",
        "security",
        "storage",
        "cache",
        "queue",
        "payments",
        "customer-facing",
    ]
    return [base[i] if i < len(base) else f"area:{i}" for i in range(n)]


# ---- row generation ----------------------------------------------------------

Row = tuple[Any, ...]


@dataclass
class TableLoad:
    table: str
    columns: tuple[str, ...]
    rows: Iterable[Row]


def _times(rng: random.Random, n: int) -> list[datetime]:
    """n ascending instants spread over the history (ids grow with time, as in real use)."""
    start = NOW - HISTORY
    step = HISTORY.total_seconds() / max(n, 1)
    return [start + timedelta(seconds=i * step + rng.random() * step) for i in range(n)]


def _skewed_weights(n: int, exponent: float = 0.7) -> list[float]:
    # A few services deploy (and fail) far more than the rest, as in any real estate.
    return [1 / (i + 1) ** exponent for i in range(n)]


def generate(
    scale: Scale, category_ids: Sequence[int], seed: int = 7
) -> tuple[list[TableLoad], dict[str, Any]]:
    """Returns the tables to load, in foreign-key order, and facts the benchmark needs."""
    rng = random.Random(seed)
    teams = _team_names(scale.teams)
    services = _service_names(scale.services)
    tags = _tag_names(scale.tags)
    created = NOW - HISTORY - timedelta(days=30)
    loads: list[TableLoad] = []

    loads.append(
        TableLoad(
            "teams",
            ("id", "name", "description", "created_at"),
            [(i + 1, name, f"The {name} team", created) for i, name in enumerate(teams)],
        )
    )
    people_rows = [
        (i + 1, f"Person {i + 1}", f"person{i + 1}@example.com", "practitioner", None, True, created)
        for i in range(scale.people)
    ]
    bench_person = scale.people + 1
    people_rows.append((bench_person, "Bench reader", "bench@example.com", "viewer", None, True, created))
    loads.append(
        TableLoad(
            "people", ("id", "name", "email", "role", "password_hash", "is_active", "created_at"), people_rows
        )
    )
    loads.append(
        TableLoad(
            "team_members",
            ("team_id", "person_id"),
            [(i % scale.teams + 1, i + 1) for i in range(scale.people)],
        )
    )
    token = new_token()
    loads.append(
        TableLoad(
            "api_tokens",
            ("id", "person_id", "name", "token_hash", "prefix", "created_at", "expires_at", "revoked_at"),
            [(1, bench_person, "bench", hash_token(token), token[:10], created, None, None)],
        )
    )
    tiers = ("tier1", "tier2", "tier3", "tier4")
    loads.append(
        TableLoad(
            "services",
            ("id", "name", "description", "owner_team_id", "tier", "created_at"),
            [
                (i + 1, name, f"The {name} service", i % scale.teams + 1, tiers[i % 4], created)
                for i, name in enumerate(services)
            ],
        )
    )
    loads.append(TableLoad("tags", ("id", "name"), [(i + 1, name) for i, name in enumerate(tags)]))

    svc_weights = _skewed_weights(scale.services)
    change_times = _times(rng, scale.changes)
    change_svcs = rng.choices(range(1, scale.services + 1), svc_weights, k=scale.changes)
    loads.append(
        TableLoad(
            "changes",
            ("id", "title", "description", "change_type", "risk", "service_id", "external_ref", "created_at"),
            [
                (
                    i + 1,
                    f"Change {i + 1} to {services[change_svcs[i] - 1]}",
                    "Routine change.",
                    rng.choice(("standard", "normal", "emergency")),
                    rng.choice(("low", "medium", "high")),
                    change_svcs[i],
                    f"CHG-{100000 + i}",
                    change_times[i],
                )
                for i in range(scale.changes)
            ],
        )
    )

    n_dep = scale.deployments
    dep_svcs = rng.choices(range(1, scale.services + 1), svc_weights, k=n_dep)
    dep_outcomes = rng.choices(("succeeded", "failed", "rolled_back"), (88, 8, 4), k=n_dep)
    dep_envs = rng.choices(("production", "staging", "canary"), (6, 3, 1), k=n_dep)
    dep_times = _times(rng, n_dep)
    failed_deployments = [i + 1 for i, o in enumerate(dep_outcomes) if o != "succeeded"]

    def deployment_rows() -> Iterator[Row]:
        counters = [0] * (scale.services + 1)
        bits = rng.getrandbits
        for i in range(n_dep):
            svc = dep_svcs[i]
            counters[svc] += 1
            v = counters[svc]
            started = dep_times[i]
            finished = started + timedelta(seconds=60 + (v * 37) % 840)
            shas = [f"{bits(160):040x}" for _ in range(1 + v % 3)]
            change_id = 1 + (i * 7919) % scale.changes if i % 20 == 0 and scale.changes else None
            yield (
                i + 1,
                svc,
                change_id,
                dep_envs[i],
                f"{1 + v // 400}.{(v // 20) % 20}.{v % 20}",
                shas,
                started,
                finished,
                dep_outcomes[i],
                f"https://ci.example.com/{svc}/pipelines/{i + 1}",
                finished,
            )

    loads.append(
        TableLoad(
            "deployments",
            (
                "id",
                "service_id",
                "change_id",
                "environment",
                "version",
                "commit_shas",
                "started_at",
                "finished_at",
                "outcome",
                "pipeline_url",
                "created_at",
            ),
            deployment_rows(),
        )
    )

    n_f = scale.failures
    f_times = _times(rng, n_f)
    kinds = rng.choices(("failed_deployment", "incident", "near_miss"), (35, 50, 15), k=n_f)
    severities = rng.choices((1, 2, 3, 4, 5), (3, 12, 35, 30, 20), k=n_f)
    recent = NOW - timedelta(days=30)
    statuses = [
        rng.choices(
            ("open", "mitigated", "resolved", "closed"), (40, 20, 30, 10) if t > recent else (1, 1, 28, 70)
        )[0]
        for t in f_times
    ]
    fs_rows: list[Row] = []
    fd_rows: list[Row] = []
    ft_rows: list[Row] = []
    tag_weights = _skewed_weights(scale.tags, 1.0)

    def failure_rows() -> Iterator[Row]:
        for i in range(n_f):
            fid = i + 1
            started = f_times[i]
            svc_ids = sorted(set(rng.choices(range(1, scale.services + 1), svc_weights, k=rng.randint(1, 3))))
            fs_rows.extend((fid, s) for s in svc_ids)
            for t in sorted(set(rng.choices(range(1, scale.tags + 1), tag_weights, k=rng.randint(0, 3)))):
                ft_rows.append((fid, t))
            if kinds[i] == "failed_deployment" and failed_deployments:
                fd_rows.append((fid, failed_deployments[(i * 104729) % len(failed_deployments)]))
            svc_name = services[svc_ids[0] - 1]
            word = rng.choice(COMMON_WORDS)
            rare = f" Root cause involved {rng.choice(RARE_WORDS)}." if rng.random() < 0.003 else ""
            description = (
                f"{word.capitalize()} on {svc_name} after {rng.choice(_TRIGGERS)}; "
                f"{rng.choice(_EFFECTS)}.{rare} Detected by an alert on the error budget."
            )
            status = statuses[i]
            detected = started + timedelta(minutes=1 + fid % 55)
            mitigated = detected + timedelta(minutes=5 + fid % 90) if status != "open" else None
            resolved = (
                mitigated + timedelta(hours=1 + fid % 20)
                if mitigated is not None and status in ("resolved", "closed")
                else None
            )
            anonymous = fid % 10 == 0
            reporter = None if anonymous else 1 + (fid * 31) % scale.people
            yield (
                fid,
                f"{word.capitalize()} in {svc_name}",
                description,
                kinds[i],
                severities[i],
                status,
                started,
                detected,
                mitigated,
                resolved,
                "",
                "Some consumers saw errors." if fid % 3 else "",
                reporter,
                anonymous,
                "api",
                detected,
                resolved or mitigated or detected,
            )

    loads.append(
        TableLoad(
            "failures",
            (
                "id",
                "title",
                "description",
                "kind",
                "severity",
                "status",
                "started_at",
                "detected_at",
                "mitigated_at",
                "resolved_at",
                "impact_partners",
                "impact_consumers",
                "reporter_id",
                "anonymous",
                "reported_via",
                "created_at",
                "updated_at",
            ),
            failure_rows(),
        )
    )
    # The link lists fill while the failures above are generated, which happens before
    # these loads run (loads run in order).
    loads.append(TableLoad("failure_services", ("failure_id", "service_id"), fs_rows))
    loads.append(TableLoad("failure_deployments", ("failure_id", "deployment_id"), fd_rows))
    loads.append(TableLoad("failure_tags", ("failure_id", "tag_id"), ft_rows))

    reviewed = [i for i in range(n_f) if statuses[i] in ("resolved", "closed") and i % 4 == 0]
    tl_rows: list[Row] = []
    for n, i in enumerate(i for i in range(n_f) if i % 5 == 0):
        base = f_times[i]
        for j, kind in enumerate(("detection", "diagnosis", "mitigation")):
            tl_rows.append(
                (
                    3 * n + j + 1,
                    i + 1,
                    base + timedelta(minutes=10 * (j + 1)),
                    kind,
                    f"{kind.capitalize()} step.",
                    1 + i % scale.people,
                    base,
                )
            )
    loads.append(
        TableLoad(
            "timeline_events",
            ("id", "failure_id", "occurred_at", "kind", "description", "author_id", "created_at"),
            tl_rows,
        )
    )

    rv_rows: list[Row] = []
    cf_rows: list[Row] = []
    act_rows: list[Row] = []
    today = NOW.date()
    for n, i in enumerate(reviewed):
        rid, fid, started = n + 1, i + 1, f_times[i]
        status = (
            "published",
            "published",
            "published",
            "published",
            "published",
            "published",
            "published",
            "in_review",
            "draft",
            "draft",
        )[n % 10]
        updated = started + timedelta(days=3 + n % 10)
        rv_rows.append(
            (
                rid,
                fid,
                status,
                f"Summary of failure {fid}.",
                "Some impact.",
                "Alerting worked.",
                "The change was not canaried.",
                "It was a quiet day.",
                "Canary every change.",
                1 + fid % scale.people,
                started + timedelta(days=1),
                updated,
                updated if status == "published" else None,
            )
        )
        for pos in range(2):
            cf_rows.append(
                (
                    2 * n + pos + 1,
                    rid,
                    category_ids[(n + pos) % len(category_ids)],
                    "A contributing condition.",
                    pos,
                )
            )
        for k in range(1 + n % 2):
            due = started.date() + timedelta(days=14 + (n * 7 + k) % 50)
            if due >= today:
                a_status = ("open", "in_progress", "done")[(n + k) % 3]
            else:
                a_status = rng.choices(("done", "wont_do", "open", "in_progress"), (75, 8, 12, 5))[0]
            closed_at = started + timedelta(days=20) if a_status in ("done", "wont_do") else None
            act_rows.append(
                (
                    len(act_rows) + 1,
                    fid,
                    f"Prevent failure {fid} from recurring ({k + 1})",
                    "Add a guard rail.",
                    ("mitigate", "prevent", "detect", "process")[(n + k) % 4],
                    1 + (n + k) % scale.teams,
                    1 + (n * 3 + k) % scale.people if k == 0 else None,
                    due,
                    ("critical", "high", "medium", "low")[(n + k) % 4],
                    a_status,
                    "Superseded by a redesign." if a_status == "wont_do" else None,
                    None,
                    closed_at,
                    started + timedelta(days=2),
                    closed_at or started + timedelta(days=2),
                )
            )
    loads.append(
        TableLoad(
            "reviews",
            (
                "id",
                "failure_id",
                "status",
                "summary",
                "impact",
                "what_went_well",
                "what_went_wrong",
                "where_we_got_lucky",
                "lessons_learned",
                "author_id",
                "created_at",
                "updated_at",
                "published_at",
            ),
            rv_rows,
        )
    )
    loads.append(
        TableLoad(
            "contributing_factors", ("id", "review_id", "category_id", "description", "position"), cf_rows
        )
    )
    loads.append(
        TableLoad(
            "corrective_actions",
            (
                "id",
                "failure_id",
                "title",
                "description",
                "action_type",
                "owner_team_id",
                "owner_person_id",
                "due_date",
                "priority",
                "status",
                "wont_do_reason",
                "external_url",
                "completed_at",
                "created_at",
                "updated_at",
            ),
            act_rows,
        )
    )
    facts = {
        "token": token,
        "services": services,
        "teams": teams,
        "tags": tags,
        "start": (NOW - HISTORY).isoformat(),
        "end": NOW.isoformat(),
    }
    return loads, facts


def _chunks(rows: Iterable[Row], size: int) -> Iterator[list[Row]]:
    chunk: list[Row] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---- SQLite loading ----------------------------------------------------------


def _sqlite_converters(dialect: Dialect, load: TableLoad) -> list[tuple[int, Callable[[Any], Any]]]:
    """SQLAlchemy's own bind processors per column, so stored values match the ORM's exactly.

    UTCDateTime's own step (normalise to UTC) is skipped: every generated time is UTC already.
    """
    table = Base.metadata.tables[load.table]
    out: list[tuple[int, Callable[[Any], Any]]] = []
    for index, name in enumerate(load.columns):
        col_type = table.c[name].type
        if isinstance(col_type, TypeDecorator):
            col_type = col_type.impl_instance
        proc = col_type.dialect_impl(dialect).bind_processor(dialect)
        if proc is not None:
            out.append((index, proc))
    return out


def _load_sqlite(
    path: Path, scale: Scale, log: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, int]]:
    url = sqlite_url(path)
    upgrade(url)
    engine = create_engine(url)
    dialect = engine.dialect
    engine.dispose()
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        # A throwaway file being filled: no crash safety needed until it is complete.
        for pragma in (
            "journal_mode=OFF",
            "synchronous=OFF",
            "foreign_keys=OFF",
            "cache_size=-1000000",
            "temp_store=MEMORY",
        ):
            conn.execute(f"PRAGMA {pragma}")
        category_ids = [r[0] for r in conn.execute("SELECT id FROM factor_categories ORDER BY position, id")]
        loads, facts = generate(scale, category_ids)
        saved = conn.execute(
            "SELECT name, sql FROM sqlite_master"
            " WHERE type = 'index' AND sql IS NOT NULL AND sql NOT LIKE '%UNIQUE%'"
        ).fetchall()
        for name, _sql in saved:
            conn.execute(f'DROP INDEX "{name}"')
        counts: dict[str, int] = {}
        for load in loads:
            t0 = time.perf_counter()
            converters = _sqlite_converters(dialect, load)
            sql = (
                f"INSERT INTO {load.table} ({', '.join(load.columns)}) "
                f"VALUES ({', '.join('?' * len(load.columns))})"
            )
            n = 0
            conn.execute("BEGIN")
            for chunk in _chunks(load.rows, CHUNK):
                if converters:
                    converted = []
                    for row in chunk:
                        values = list(row)
                        for index, proc in converters:
                            if values[index] is not None:
                                values[index] = proc(values[index])
                        converted.append(values)
                    conn.executemany(sql, converted)
                else:
                    conn.executemany(sql, chunk)
                n += len(chunk)
            conn.execute("COMMIT")
            counts[load.table] = n
            if n >= 50_000:
                log(f"      {load.table}: {n:,} rows in {time.perf_counter() - t0:.1f}s")
        t0 = time.perf_counter()
        conn.execute("BEGIN")
        for _name, sql in saved:
            conn.execute(sql)
        conn.execute("COMMIT")
        log(f"      {len(saved)} indexes rebuilt in {time.perf_counter() - t0:.1f}s")
        conn.execute("PRAGMA journal_mode=WAL")
    finally:
        conn.close()
    _index_text(url, log)
    _roll_up(url, log)
    return facts, counts


def _index_text(url: str, log: Callable[[str], None]) -> None:
    """Every failure's search row, as the event handlers keep them in production: ?q= reads them
    (the full-text index follows: FTS5's triggers, PostgreSQL's tsvector)."""
    db = Database(url, pool_size=1)
    try:
        with db.session(write=False) as session:
            ids = list(session.scalars(select(Failure.id).order_by(Failure.id)))

        def sessions() -> Iterator[Any]:
            with db.session() as session:
                yield session

        t0 = time.perf_counter()
        reindex_all(sessions, ids, batch=2000, semantic=False)
        log(f"      search rows for {len(ids):,} failures in {time.perf_counter() - t0:.1f}s")
    finally:
        db.dispose()


def _roll_up(url: str, log: Callable[[str], None]) -> None:
    """The deployment and failure rollups the metrics read, which the services keep on every write."""
    db = Database(url, pool_size=1)
    try:
        t0 = time.perf_counter()
        with db.session() as session:
            rows = rebuild_rollup(session)
            days = rebuild_failure_rollup(session)
        took = time.perf_counter() - t0
        log(f"      deployment and failure rollups: {rows:,} + {days:,} rows in {took:.1f}s")
    finally:
        db.dispose()


# ---- PostgreSQL loading ------------------------------------------------------


def _pg_conninfo(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


def _pg_value(value: Any) -> Any:
    if isinstance(value, list):
        return orjson.dumps(value).decode()
    return value


def _load_postgres(
    url: str, scale: Scale, log: Callable[[str], None]
) -> tuple[dict[str, Any], dict[str, int]]:
    upgrade(url)
    counts: dict[str, int] = {}
    with psycopg.connect(_pg_conninfo(url), autocommit=True) as conn:
        category_ids = [r[0] for r in conn.execute("SELECT id FROM factor_categories ORDER BY position, id")]
        loads, facts = generate(scale, category_ids)
        saved = conn.execute(
            """SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
               JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
               JOIN pg_namespace n ON n.oid = t.relnamespace
               WHERE n.nspname = 'public' AND NOT x.indisprimary AND NOT x.indisunique"""
        ).fetchall()
        for name, _ddl in saved:
            conn.execute(f'DROP INDEX "{name}"')
        # Foreign keys are enforced by triggers; the generator keeps them consistent by
        # construction, so skip the per-row checks while loading.
        conn.execute("SET session_replication_role = replica")
        for load in loads:
            t0 = time.perf_counter()
            n = 0
            has_json = "commit_shas" in load.columns
            sql = f"COPY {load.table} ({', '.join(load.columns)}) FROM STDIN"
            with conn.transaction(), conn.cursor() as cur, cur.copy(sql) as copy:
                for row in load.rows:
                    copy.write_row(tuple(_pg_value(v) for v in row) if has_json else row)
                    n += 1
            counts[load.table] = n
            if n >= 50_000:
                log(f"      {load.table}: {n:,} rows in {time.perf_counter() - t0:.1f}s")
        conn.execute("SET session_replication_role = DEFAULT")
        t0 = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '512MB'")
        for _name, ddl in saved:
            conn.execute(ddl)
        log(f"      {len(saved)} indexes rebuilt in {time.perf_counter() - t0:.1f}s")
        # Explicit ids were loaded: move each sequence past them for later inserts.
        for load in loads:
            if "id" in load.columns:
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{load.table}', 'id'), "
                    f"(SELECT coalesce(max(id), 0) + 1 FROM {load.table}), false)"
                )
        _index_text(url, log)
        _roll_up(url, log)
        t0 = time.perf_counter()
        # Autovacuum would get here on its own soon after a real load; do it now so
        # plans and index-only scans reflect a settled database.
        conn.execute("VACUUM ANALYZE")
        log(f"      VACUUM ANALYZE in {time.perf_counter() - t0:.1f}s")
    return facts, counts


# ---- cache -------------------------------------------------------------------


def _meta_path(backend: Backend, scale: Scale) -> Path:
    return OUT / f"org-{backend}-{scale.name}-{scale.key()}.json"


def _pg_name(scale: Scale) -> str:
    return PG_LARGE_PREFIX if scale.name == "large" else f"{PG_LARGE_PREFIX}_{scale.name}"


def _pg_comment(name: str) -> str | None:
    engine = pg_admin()
    try:
        with engine.connect() as conn:
            return conn.execute(
                text("SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = :n"),
                {"n": name},
            ).scalar()
    finally:
        engine.dispose()


def prepare_org(
    backend: Backend,
    scale: Scale,
    log: Callable[[str], None],
    *,
    sqlite_analyze: bool = False,
    fresh: bool = False,
) -> OrgMeta:
    """The generated organisation for this backend and scale, from the cache when it is current."""
    OUT.mkdir(parents=True, exist_ok=True)
    key = scale.key()
    meta_path = _meta_path(backend, scale)
    if backend == "sqlite":
        path = OUT / f"org-{scale.name}-{key}.db"
        target_url = sqlite_url(path)
        cached = not fresh and path.exists() and meta_path.exists()
    else:
        name = _pg_name(scale)
        target_url = pg_url(name)
        cached = not fresh and meta_path.exists() and _pg_comment(name) == key
    if cached:
        meta = OrgMeta(**json.loads(meta_path.read_text()))
        meta.cached = True
        meta.url = target_url
        log(f"  [{backend}] reusing cached {scale.name} organisation ({meta.generation_s:.0f}s to generate)")
        if backend == "postgresql" and not _token_known(target_url, meta.token):
            # The PostgreSQL cache is shared by every checkout on this machine, the token file is
            # not: another checkout rebuilt the database since. A new token, not a rebuild.
            meta.token = _mint_token(target_url)
            meta_path.write_text(json.dumps(asdict(meta), indent=1))
            log("    (rebuilt by another checkout: a new API token for this one)")
    else:
        log(
            f"  [{backend}] generating the {scale.name} organisation "
            f"({scale.deployments:,} deployments, {scale.failures:,} failures)"
        )
        t0 = time.perf_counter()
        if backend == "sqlite":
            for old in OUT.glob(f"org-{scale.name}-*.db*"):
                old.unlink()
            tmp = OUT / f"org-{scale.name}-{key}.db.tmp"
            tmp.unlink(missing_ok=True)
            facts, counts = _load_sqlite(tmp, scale, log)
            os.replace(tmp, OUT / f"org-{scale.name}-{key}.db")
        else:
            building = f"{name}_new"
            facts, counts = _load_postgres(pg_create(building), scale, log)
            pg_drop(name)
            engine = pg_admin()
            try:
                with engine.connect() as conn:
                    conn.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{name}"'))
                    # The comment marks the database complete and says what it holds.
                    conn.execute(text(f"COMMENT ON DATABASE \"{name}\" IS '{key}'"))
            finally:
                engine.dispose()
        for old in OUT.glob(f"org-{backend}-{scale.name}-*.json"):
            old.unlink()
        meta = OrgMeta(
            backend=backend,
            url=target_url,
            key=key,
            scale=asdict(scale),
            token=facts["token"],
            services=facts["services"],
            teams=facts["teams"],
            tags=facts["tags"],
            common_words=list(COMMON_WORDS),
            rare_words=list(RARE_WORDS),
            start=facts["start"],
            end=facts["end"],
            row_counts=counts,
            generation_s=time.perf_counter() - t0,
        )
        meta_path.write_text(json.dumps(asdict(meta), indent=1))
        log(f"    generated in {meta.generation_s:.1f}s")
    if backend == "sqlite":
        _set_sqlite_stats(Path(make_url(meta.url).database or ""), sqlite_analyze)
    return meta


def _token_known(url: str, token: str) -> bool:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM api_tokens WHERE token_hash = :h AND revoked_at IS NULL"),
                {"h": hash_token(token)},
            ).first()
        return found is not None
    finally:
        engine.dispose()


def _mint_token(url: str) -> str:
    """A new API token for the generated organisation's bench user (the one of its first token)."""
    token = new_token()
    engine = create_engine(url)
    try:
        with engine.begin() as conn:
            person_id, next_id = conn.execute(
                text("SELECT (SELECT person_id FROM api_tokens WHERE id = 1), MAX(id) + 1 FROM api_tokens")
            ).one()
            conn.execute(
                text(
                    "INSERT INTO api_tokens (id, person_id, name, token_hash, prefix, created_at) "
                    "VALUES (:id, :person_id, 'bench', :hash, :prefix, :now)"
                ),
                {
                    "id": next_id,
                    "person_id": person_id,
                    "hash": hash_token(token),
                    "prefix": token[:10],
                    "now": datetime.now(UTC),
                },
            )
    finally:
        engine.dispose()
    return token


def _set_sqlite_stats(path: Path, analyze: bool) -> None:
    """failwell never runs ANALYZE on SQLite, so by default the benchmark plans without
    statistics, as production would; --sqlite-analyze measures the difference."""
    conn = sqlite3.connect(path, isolation_level=None)
    try:
        if analyze:
            conn.execute("ANALYZE")
        else:
            has_stats = conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone()
            if has_stats:
                conn.execute("DELETE FROM sqlite_stat1")
    finally:
        conn.close()


def drop_cached_pg(scale: Scale) -> None:
    pg_drop(_pg_name(scale))
