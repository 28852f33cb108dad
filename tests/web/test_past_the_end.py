"""Every paged list, opened at an offset past its end (a stale or hand-edited link), says it is
past the end and links to its last page, and does not also say it is empty: its rows exist."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from failwell.app import create_app
from failwell.db import Database
from failwell.demo.organisation import DEMO_LOGIN_EMAIL
from failwell.people import service as people
from failwell.people import sign_in
from failwell.settings import Settings
from support import ON_SQLITE_ONLY

# The templates decide what is said, whatever the database: SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = [pytest.mark.demo_organisation, ON_SQLITE_ONLY]

# Each list the demo organisation fills, and what it says when it has nothing at all.
LISTS = (
    ("/failures", "No failures match"),
    ("/lessons", "No published"),
    ("/actions", "No corrective actions match"),
    ("/problems", "No problems recorded"),
    ("/ideas", "No ideas"),
    ("/recognition", "No kudos yet"),
    ("/services", "No services match"),
    ("/teams", "No teams match"),
    ("/admin/users", "Nobody matches"),
    ("/admin/integration-deliveries", "No deliveries"),
)


@pytest.fixture
def owner(db: Database, database_url: str) -> Iterator[TestClient]:
    app = create_app(Settings(database_url=database_url), db)
    with db.session() as s:
        _, secret = sign_in.start_web_session(s, people.person_by_email(s, DEMO_LOGIN_EMAIL), days=1)
    with TestClient(app, raise_server_exceptions=False, follow_redirects=False) as client:
        client.cookies.set("fw_session", secret)
        yield client


def test_a_page_past_the_end_says_so_and_only_so(owner: TestClient) -> None:
    for path, empty in LISTS:
        first = owner.get(path)
        assert first.status_code == 200, path
        assert empty not in first.text and "Showing 1\u2013" in first.text, path
        past = owner.get(f"{path}?offset=100000")
        assert past.status_code == 200, path
        assert "This page is past the end: the list has" in past.text, path
        assert ">Its last page</a>" in past.text, path
        assert empty not in past.text, path
