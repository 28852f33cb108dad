"""A detection, mitigation or resolution on the timeline can set the failure's matching time and
status in the same unit of work."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from factories import API, assert_problem, iso, make_failure, parse_ts
from failwell.db import utcnow
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]


def add(client: TestClient, org: Org, failure_id: int, kind: str, hours_ago: float, **more: Any) -> Any:
    body = {
        "kind": kind,
        "occurred_at": iso(utcnow() - timedelta(hours=hours_ago)),
        "description": kind,
        **more,
    }
    return client.post(f"{API}/failures/{failure_id}/timeline", headers=org.headers(), json=body)


def test_milestone_events_set_times_and_status(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, started_at=iso(utcnow() - timedelta(hours=5)))["id"]
    path = f"{API}/failures/{failure}"

    assert add(client, org, failure, "detection", 4).status_code == 201  # without asking: unchanged
    assert client.get(path, headers=org.headers()).json()["detected_at"] is None

    detected = add(client, org, failure, "detection", 4, set_failure_time=True).json()
    mitigated = add(client, org, failure, "mitigation", 3, set_failure_time=True).json()
    body = client.get(path, headers=org.headers()).json()
    assert parse_ts(body["detected_at"]) == parse_ts(detected["occurred_at"])
    assert parse_ts(body["mitigated_at"]) == parse_ts(mitigated["occurred_at"])
    assert body["status"] == "mitigated"

    resolved = add(client, org, failure, "resolution", 1, set_failure_time=True).json()
    body = client.get(path, headers=org.headers()).json()
    assert parse_ts(body["resolved_at"]) == parse_ts(resolved["occurred_at"]) and body["status"] == "resolved"

    # A note asks for nothing to be set, whatever the flag says.
    assert add(client, org, failure, "note", 0.5, set_failure_time=True).status_code == 201
    assert client.get(path, headers=org.headers()).json()["status"] == "resolved"


def test_a_time_the_failure_cannot_take_refuses_the_event_too(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, started_at=iso(utcnow() - timedelta(hours=2)))["id"]
    refused = add(client, org, failure, "detection", 3, set_failure_time=True)
    assert_problem(refused, 422, "occurred_at")
    assert "started_at" in refused.json()["errors"][0]["reason"]
    events = client.get(f"{API}/failures/{failure}/timeline", headers=org.headers()).json()
    assert events == [] or events.get("items") == []
    assert client.get(f"{API}/failures/{failure}", headers=org.headers()).json()["detected_at"] is None


def test_form_offers_the_choice_and_swaps_the_summary(client: TestClient, org: Org, pages: Pages) -> None:
    failure = make_failure(client, org, started_at=iso(utcnow() - timedelta(hours=5)))["id"]
    me = pages(Role.practitioner)
    page = me.get(f"/failures/{failure}").text
    assert 'data-empty-kinds="detection mitigation resolution"' in page
    assert 'name="event_set_failure_time" type="checkbox" value="true" checked' in page

    when = (utcnow() - timedelta(hours=4)).strftime("%Y-%m-%dT%H:%M")
    data = {"event_kind": "mitigation", "event_occurred_at": when, "event_description": "Rolled back"}
    fragment = me.post(
        f"/failures/{failure}/timeline",
        data={**data, "event_set_failure_time": "true"},
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert 'id="failure-state" hx-swap-oob="true"' in fragment.text
    assert 'id="failure-badges" hx-swap-oob="true"' in fragment.text
    body = client.get(f"{API}/failures/{failure}", headers=org.headers()).json()
    assert body["status"] == "mitigated" and body["mitigated_at"] is not None
    assert 'data-empty-kinds="detection resolution"' in fragment.text

    # Unchecked (the box is absent from the post): only the event is added.
    me.post(f"/failures/{failure}/timeline", data={**data, "event_kind": "detection"})
    assert client.get(f"{API}/failures/{failure}", headers=org.headers()).json()["detected_at"] is None
