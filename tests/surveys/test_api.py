"""Culture surveys through the HTTP API: campaigns, answering once as the token's person, results."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient

from factories import API, assert_problem
from failwell.db import Database, utcnow
from failwell.enums import Role
from support import Org


def _campaign(client: TestClient, org: Org, **changes: object) -> dict[str, object]:
    today = utcnow().date()
    body = {
        "title": "Quarterly pulse",
        "opens_on": (today - timedelta(days=1)).isoformat(),
        "closes_on": (today + timedelta(days=7)).isoformat(),
        "custom_items": ["Our on-call load is fair."],
        **changes,
    }
    r = client.post(f"{API}/surveys", headers=org.headers(), json=body)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def test_campaign_lifecycle_and_answers(client: TestClient, org: Org, db: Database) -> None:
    campaign = _campaign(client, org, teams=[org.team])
    assert campaign["status"] == "draft" and campaign["scope"] == "teams" and campaign["teams"] == [org.team]
    cid = campaign["id"]
    r = client.post(f"{API}/surveys/{cid}/open", headers=org.headers())
    assert r.status_code == 200 and r.json()["invited"] == 4  # every role of the fixture is in the team
    items = client.get(f"{API}/surveys/instruments", headers=org.headers(Role.viewer)).json()
    keys = [i["key"] for inst in items["instruments"] for i in inst["items"]] + ["custom_1"]
    body = {"answers": dict.fromkeys(keys, 5)}
    r = client.post(f"{API}/surveys/{cid}/answers", headers=org.headers(Role.viewer), json=body)
    assert r.status_code == 201, r.text
    assert "person" not in r.text
    r = client.post(f"{API}/surveys/{cid}/answers", headers=org.headers(Role.viewer), json=body)
    assert_problem(r, 409)
    r = client.post(f"{API}/surveys/{cid}/answers", headers=org.headers(), json={"answers": {"westrum_1": 9}})
    assert_problem(r, 422)
    r = client.get(f"{API}/surveys/{cid}/results", headers=org.headers(Role.viewer))
    assert r.status_code == 200 and r.json()["available"] is False
    r = client.post(f"{API}/surveys/{cid}/close", headers=org.headers())
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["answered"] == 1
    results = client.get(f"{API}/surveys/{cid}/results", headers=org.headers(Role.viewer)).json()
    assert results["available"] and results["organisation"]["shown"] is False  # 1 < k
    listed = client.get(f"{API}/surveys", headers=org.headers(Role.viewer)).json()
    assert [c["id"] for c in listed] == [cid]


def test_only_practice_owners_manage_campaigns(client: TestClient, org: Org) -> None:
    today = utcnow().date().isoformat()
    body = {"title": "Mine", "opens_on": today, "closes_on": today}
    r = client.post(f"{API}/surveys", headers=org.headers(Role.practice_manager), json=body)
    assert_problem(r, 403)
    cid = _campaign(client, org)["id"]
    assert_problem(client.post(f"{API}/surveys/{cid}/open", headers=org.headers(Role.practitioner)), 403)
    assert_problem(client.delete(f"{API}/surveys/{cid}", headers=org.headers(Role.practitioner)), 403)
    assert client.delete(f"{API}/surveys/{cid}", headers=org.headers()).status_code == 204


def test_bad_campaigns_name_the_field(client: TestClient, org: Org) -> None:
    r = client.post(
        f"{API}/surveys",
        headers=org.headers(),
        json={"title": "Odd", "opens_on": "2026-02-01", "closes_on": "2026-01-01"},
    )
    assert_problem(r, 422)
    r = client.post(
        f"{API}/surveys",
        headers=org.headers(),
        json={"title": "Who?", "opens_on": "2026-01-01", "closes_on": "2026-01-02", "teams": ["nobody"]},
    )
    assert_problem(r, 422)
    assert "teams" in r.text
    assert_problem(client.get(f"{API}/surveys/999/results", headers=org.headers()), 404)
