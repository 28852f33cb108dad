"""Shared fixtures: every database test runs on SQLite and on PostgreSQL.

Each test gets a fresh, migrated database: a copy of a migrated SQLite file, or a
PostgreSQL database copied from a migrated template (or reset to exactly that copy's rows
after an earlier test, see pg_reuse). PostgreSQL tests skip with a
reason when no server answers, unless FAILWELL_REQUIRE_POSTGRES=1 (CI), where they fail.
"""

from __future__ import annotations

import copy
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from failwell.app import create_app
from failwell.authz import SYSTEM, Actor
from failwell.bootstrap import bootstrap
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn
from failwell.db import Database
from failwell.demo.loader import load_demo
from failwell.enums import Role
from failwell.migrate import upgrade
from failwell.people import service as people
from failwell.people import sign_in, teams
from failwell.people import tokens as people_tokens
from failwell.people.schemas import PersonIn, TeamIn, TokenIn
from failwell.people.security import use_password_parameters
from failwell.recurrence.embedding import remember_embeddings
from failwell.settings import Settings, get_settings
from pg_reuse import Pool
from route_cache import install as reuse_route_builds
from support import (
    REQUIRE_PG,
    Org,
    PageClient,
    create_pg_database,
    drop_database_later,
    pg_available,
    scratch_pg_database,
    serving,
    wait_for_dropped_databases,
)

BACKENDS = ["sqlite", "postgresql"]
# FAILWELL_TEST_REUSE_DATABASES=0: every PostgreSQL test copies and drops a database of its own
# (to rule the reuse out when a test behaves differently in the full run).
REUSE_PG_DATABASES = os.environ.get("FAILWELL_TEST_REUSE_DATABASES", "1") != "0"

# Tests call services directly, as the app and the CLI do after wiring the composition root.
bootstrap()
# argon2's production cost (about 0.2 s of CPU a hash) buys tests nothing; strength is checked
# in tests/people/test_password_cost.py, in a process of its own.
TEST_PASSWORD_TIME_COST, TEST_PASSWORD_MEMORY_KIB = 1, 8
use_password_parameters(TEST_PASSWORD_TIME_COST, TEST_PASSWORD_MEMORY_KIB)
# Tests embed the same texts again and again (the demo organisation, the same failure titles):
# an identical embed call returns the vectors it returned before (at most 30 MB of them).
TEST_EMBEDDING_MEMORY_ROWS = 20_000
remember_embeddings(TEST_EMBEDDING_MEMORY_ROWS)
# Every test app shares one build of each API route (see route_cache).
reuse_route_builds()


@pytest.fixture(scope="session", autouse=True)
def _drop_scratch_databases() -> Iterator[None]:
    """PostgreSQL scratch databases are dropped in the background (support._Dropper): the
    session ends once they are all gone. Set up first, so torn down last."""
    yield
    wait_for_dropped_databases()


@pytest.fixture(scope="session")
def pg_pool(_drop_scratch_databases: None) -> Iterator[Pool]:
    """This process's PostgreSQL test databases, reset for the next test instead of dropped
    (see pg_reuse); torn down before the drops are waited for."""
    pool = Pool(f"failwell_t_{os.getpid()}_{uuid.uuid4().hex[:6]}")
    yield pool
    pool.close()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> Iterator[str]:
    reason = pg_available()
    if reason:
        if REQUIRE_PG:
            pytest.fail(reason + " (FAILWELL_REQUIRE_POSTGRES=1)")
        pytest.skip(reason)
    name = f"failwell_tmpl_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    with scratch_pg_database(name) as url:
        upgrade(url)
        yield name


@dataclass
class SeededTemplates:
    """Migrated databases seeded as a test would seed its own (the demo organisation, the org
    fixture's), per backend, day and kind: {(backend, day, kind): (SQLite file or PG name, Org)}."""

    ready: dict[tuple[str, date, str], tuple[str, Org | None]] = field(default_factory=dict)
    made_on_postgresql: list[str] = field(default_factory=list)  # dropped at the session's end


@pytest.fixture(scope="session")
def seeded_templates() -> Iterator[SeededTemplates]:
    templates = SeededTemplates()
    yield templates
    for name in templates.made_on_postgresql:
        drop_database_later(name)


def seeded_template(backend: str, kind: str, request: pytest.FixtureRequest) -> tuple[str, Org | None]:
    """Today's (UTC) template of this kind, built when first needed. "demo": the database
    load_demo(db) fills today; "org": the one the org fixture makes. Keyed by the day, so a
    copy is always what the test would have made itself that day."""
    templates: SeededTemplates = request.getfixturevalue("seeded_templates")
    day = datetime.now(UTC).date()
    key = (backend, day, kind)
    if key in templates.ready:
        return templates.ready[key]
    if backend == "sqlite":
        folder = request.getfixturevalue("tmp_path_factory").mktemp(f"{kind}-template")
        name = str(folder / f"{kind}.db")
        shutil.copyfile(request.getfixturevalue("sqlite_template"), name)
        url = f"sqlite:///{name}"
    else:
        name = f"failwell_tmpl_{kind}_{os.getpid()}_{uuid.uuid4().hex[:6]}"
        templates.made_on_postgresql.append(name)
        url = create_pg_database(name, request.getfixturevalue("pg_template"))
    database = Database(url, pool_size=2)
    seeded: Org | None = None
    try:
        if kind == "org":
            seeded = create_org(database)
        else:
            load_demo(database, today=day)
    finally:
        database.dispose()  # a PostgreSQL template must have no connections when copied
    templates.ready[key] = (name, seeded)
    return templates.ready[key]


SEEDED_ORG = pytest.StashKey[Org]()


def fresh_database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh copy of a template: today's demo one for the tests marked demo_organisation,
    today's org one for the tests using the org fixture (which then hands out its Org), else the
    migrated, empty one."""
    kind = None
    if request.node.get_closest_marker("demo_organisation") is not None:
        kind = "demo"
    elif "org" in request.fixturenames:
        kind = "org"
    if kind is None:
        source = request.getfixturevalue("sqlite_template" if backend == "sqlite" else "pg_template")
    else:
        source, seeded = seeded_template(backend, kind, request)
        if seeded is not None:
            request.node.stash[SEEDED_ORG] = seeded
    if backend == "sqlite":
        path = tmp_path / "failwell.db"
        shutil.copyfile(source, path)
        yield f"sqlite:///{path}"
        return
    if not REUSE_PG_DATABASES:
        with scratch_pg_database(f"failwell_t_{os.getpid()}_{uuid.uuid4().hex[:8]}", source) as url:
            yield url
        return
    with request.getfixturevalue("pg_pool").database(source) as url:
        yield url


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def database_url(backend: str, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    yield from fresh_database_url(backend, request, tmp_path)


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    database = Database(database_url, pool_size=4)
    yield database
    database.dispose()


@pytest.fixture
def org(db: Database, request: pytest.FixtureRequest) -> Org:
    """The small organisation of support.Org: copied with the database from today's org template
    (see fresh_database_url), or made here when the database started otherwise."""
    seeded = request.node.stash.get(SEEDED_ORG, None)
    # A copy each: a test may change its Org without the next one seeing it.
    return copy.deepcopy(seeded) if seeded is not None else create_org(db)


def create_org(db: Database) -> Org:
    actors: dict[Role, Actor] = {}
    tokens: dict[Role, str] = {}
    emails: dict[Role, str] = {}
    with db.session() as s:
        teams.create_team(s, SYSTEM, TeamIn(name="payments-team", description="Runs payments"))
        teams.create_team(s, SYSTEM, TeamIn(name="platform", description="Runs the platform"))
        for role in Role:
            email = f"{role.value.replace('_', '.')}@example.com"
            person = people.create_person(
                s,
                SYSTEM,
                PersonIn(
                    name=role.value.replace("_", " ").title(),
                    email=email,
                    role=role,
                    # argon2 is slow by design: only one account needs a password.
                    password="correct horse battery" if role == Role.practice_owner else None,
                    teams=["payments-team"],
                ),
            )
            actor = people.actor_for(person)
            _, secret = people_tokens.create_token(s, actor, TokenIn(name="tests"))
            actors[role], tokens[role], emails[role] = actor, secret, email
        catalogue.create_service(
            s,
            SYSTEM,
            ServiceIn(
                name="payments",
                owner_team="payments-team",
                tier="tier1",
                consumers=[{"name": "Web shops", "kind": "partner"}],
            ),  # type: ignore[list-item]
        )
    return Org(
        team="payments-team",
        other_team="platform",
        service="payments",
        actors=actors,
        tokens=tokens,
        emails=emails,
    )


@pytest.fixture
def client(db: Database, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), db)
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def live_url(db: Database, database_url: str) -> Iterator[str]:
    """A real uvicorn server on a loopback port, serving the test database."""
    with serving(database_url, db) as url:
        yield url


@pytest.fixture
def local_env(database_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Points the CLI's administration verbs at the test database."""
    monkeypatch.setenv("FAILWELL_DATABASE_URL", database_url)
    get_settings.cache_clear()
    yield database_url
    get_settings.cache_clear()


@pytest.fixture
def pages(db: Database, database_url: str, org: Org) -> Iterator[Callable[[Role], PageClient]]:
    """Signed-in page clients by role (sessions made directly: argon2 sign-in is tested once)."""
    app = create_app(Settings(database_url=database_url), db)
    opened: list[TestClient] = []

    def signed_in(role: Role) -> PageClient:
        with db.session() as s:
            person = people.person_by_email(s, org.emails[role])
            web, secret = sign_in.start_web_session(s, person, days=1)
            csrf = web.csrf_token
        client = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
        client.cookies.set("fw_session", secret)
        opened.append(client)
        return PageClient(client, csrf)

    yield signed_in
    for client in opened:
        client.close()


# ---- xdist scheduling: the longest files first --------------------------------------------
# `make test` hands out whole files (--dist loadfile). xdist's default order, the files with
# the most tests first, left the few long browser files for last, with one core idle while
# the other finished them. tests/durations.json holds each file's measured seconds (refresh it
# with `pytest -n 3 --dist loadfile --record-durations`); files it does not know yet count as
# DEFAULT_FILE_SECONDS. The order changes under xdist only: a plain `pytest` run is as before.
DURATIONS_FILE = Path(__file__).with_name("durations.json")
DEFAULT_FILE_SECONDS = 2.0


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--record-durations",
        action="store_true",
        help=f"write each test file's total duration to {DURATIONS_FILE.name} (to order xdist's work)",
    )


def _under_xdist(config: pytest.Config) -> bool:
    return hasattr(config, "workerinput") or getattr(config.option, "dist", "no") != "no"


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "demo_organisation: the test database starts with the demo organisation (of today)"
    )
    if _under_xdist(config) and hasattr(config.option, "loadscopereorder"):
        # Hand files out in the order collected (below), not by their number of tests.
        config.option.loadscopereorder = False
    if config.getoption("record_durations") and not hasattr(config, "workerinput"):
        config.pluginmanager.register(_DurationRecorder(), "failwell-duration-recorder")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    if not hasattr(config, "workerinput") or not DURATIONS_FILE.exists():
        return
    seconds: dict[str, float] = json.loads(DURATIONS_FILE.read_text())
    # A stable sort: each file's tests stay together and in their own order.
    items.sort(key=lambda item: -seconds.get(item.nodeid.split("::")[0], DEFAULT_FILE_SECONDS))


class _DurationRecorder:
    """Sums each file's set-up, call and teardown times (on the xdist controller) and writes them."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        path = report.nodeid.split("::")[0]
        self.seconds[path] = self.seconds.get(path, 0.0) + report.duration

    def pytest_sessionfinish(self, session: pytest.Session) -> None:
        rounded = {path: round(value, 1) for path, value in sorted(self.seconds.items())}
        DURATIONS_FILE.write_text(json.dumps(rounded, indent=1) + "\n")
