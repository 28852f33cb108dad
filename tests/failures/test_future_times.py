"""Times of a failure and of its timeline cannot lie in the future beyond a small clock skew."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, counts, iso, make_failure
from failwell.db import Database, utcnow
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
YEARS_AHEAD = timedelta(days=3 * 365)


@pytest.mark.parametrize("field", ["started_at", "detected_at", "mitigated_at", "resolved_at"])
def test_report_refuses_a_time_years_ahead(client: TestClient, org: Org, db: Database, field: str) -> None:
    before = counts(db)
    times = {"started_at": iso(utcnow() - timedelta(hours=2)), field: iso(utcnow() + YEARS_AHEAD)}
    body = {"title": "Typo in the year", "kind": "incident", **times}
    problem = assert_problem(client.post(f"{API}/failures", headers=org.headers(), json=body), 422, field)
    assert "future" in problem["errors"][0]["reason"]
    assert counts(db) == before


def test_small_clock_skew_is_accepted(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, started_at=iso(utcnow() + timedelta(minutes=5)))
    assert failure["started_at"]
    event = client.post(
        f"{API}/failures/{failure['id']}/timeline",
        headers=org.headers(),
        json={"occurred_at": iso(utcnow() + timedelta(minutes=5)), "description": "Pager fired"},
    )
    assert event.status_code == 201, event.text


def test_updates_and_timeline_refuse_the_future(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, started_at=iso(utcnow() - timedelta(hours=3)))
    path = f"{API}/failures/{failure['id']}"
    ahead = iso(utcnow() + timedelta(hours=2))
    assert_problem(client.patch(path, headers=org.headers(), json={"resolved_at": ahead}), 422, "resolved_at")
    assert_problem(client.patch(path, headers=org.headers(), json={"started_at": ahead}), 422, "started_at")
    refused = client.post(
        f"{path}/timeline", headers=org.headers(), json={"occurred_at": ahead, "description": "Tomorrow"}
    )
    assert_problem(refused, 422, "occurred_at")
    event = client.post(f"{path}/timeline", headers=org.headers(), json={"description": "Now"}).json()
    moved = client.patch(f"{path}/timeline/{event['id']}", headers=org.headers(), json={"occurred_at": ahead})
    assert_problem(moved, 422, "occurred_at")
    assert client.get(path, headers=org.headers()).json()["resolved_at"] is None


def test_pages_show_the_refusal_at_the_field(
    client: TestClient, org: Org, db: Database, pages: Pages
) -> None:
    me = pages(Role.practitioner)
    before = counts(db)
    ahead = (utcnow() + YEARS_AHEAD).strftime("%Y-%m-%dT%H:%M")
    report = me.post("/failures/new", data={"title": "Typo", "kind": "incident", "started_at": ahead})
    assert report.status_code == 422 and 'id="started_at-error"' in report.text
    assert "is in the future" in report.text
    assert counts(db) == before

    failure = make_failure(client, org, started_at=iso(utcnow() - timedelta(hours=3)))
    data = {"event_kind": "note", "event_occurred_at": ahead, "event_description": "Next year"}
    page = me.post(f"/failures/{failure['id']}/timeline", data=data)
    assert page.status_code == 422 and 'id="event_occurred_at-error"' in page.text
    fragment = me.post(f"/failures/{failure['id']}/timeline", data=data, headers={"HX-Request": "true"})
    assert fragment.status_code == 200 and 'id="event_occurred_at-error"' in fragment.text
    assert "Next year" in fragment.text  # the input comes back to be corrected
