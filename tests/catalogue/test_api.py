"""The service catalogue through the HTTP API: services, owners, tiers and consumers."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, counts, make_service, page
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceFilter, ServiceIn, ServiceUpdate
from failwell.db import Database
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput
from support import Org


def test_service_create_read_update_with_consumers(client: TestClient, org: Org, db: Database) -> None:
    r = client.post(
        f"{API}/services",
        headers=org.headers(Role.practice_manager),
        json={
            "name": " search ",
            "description": "Product search",
            "owner_team": org.other_team,
            "tier": "tier2",
            "consumers": [
                {"name": "Mobile app", "kind": "consumer"},
                {"name": "Affiliates", "kind": "partner"},
                {"name": "Mobile app", "kind": "consumer"},  # repeated: kept once
            ],
        },
    )
    assert r.status_code == 201, r.text
    svc = r.json()
    assert svc["name"] == "search" and svc["description"] == "Product search"
    assert svc["owner_team"] == org.other_team and svc["tier"] == "tier2"
    assert svc["consumers"] == [
        {"name": "Affiliates", "kind": "partner"},
        {"name": "Mobile app", "kind": "consumer"},
    ]

    got = client.get(f"{API}/services/{svc['id']}", headers=org.headers(Role.viewer))
    assert got.status_code == 200 and got.json() == svc

    r = client.patch(
        f"{API}/services/{svc['id']}",
        headers=org.headers(Role.practice_manager),
        json={
            "owner_team": org.team,
            "tier": "tier1",
            "consumers": [{"name": "Back office", "kind": "internal"}],
        },
    )
    assert r.status_code == 200, r.text
    updated = client.get(f"{API}/services/{svc['id']}", headers=org.headers()).json()
    assert updated["owner_team"] == org.team and updated["tier"] == "tier1"
    assert updated["consumers"] == [{"name": "Back office", "kind": "internal"}]  # replaced, not merged
    assert updated["name"] == "search" and updated["description"] == "Product search"
    assert updated["owner_team_id"] != svc["owner_team_id"]

    r = client.patch(f"{API}/services/{svc['id']}", headers=org.headers(), json={"consumers": []})
    assert r.status_code == 200 and r.json()["consumers"] == []
    r = client.patch(f"{API}/services/{svc['id']}", headers=org.headers(), json={"name": "find"})
    assert r.status_code == 200 and r.json()["name"] == "find"

    assert_problem(
        client.patch(f"{API}/services/{svc['id']}", headers=org.headers(), json={"name": org.service}),
        409,
        "name",
    )
    assert_problem(
        client.patch(f"{API}/services/{svc['id']}", headers=org.headers(), json={"owner_team": "nobody"}),
        422,
        "owner_team",
    )
    assert_problem(
        client.post(f"{API}/services", headers=org.headers(), json={"name": "x", "owner_team": "nobody"}),
        422,
        "owner_team",
    )
    assert_problem(
        client.post(
            f"{API}/services",
            headers=org.headers(),
            json={"name": "x", "owner_team": org.team, "consumers": [{"name": "A", "kind": "friend"}]},
        ),
        422,
        "consumers[0].kind",
    )
    assert_problem(client.get(f"{API}/services/999999", headers=org.headers()), 404)
    assert client.get(f"{API}/services/{svc['id']}", headers=org.headers()).json()["name"] == "find"

    # The service layer directly.
    manager = org.actors[Role.practice_manager]
    before = counts(db)
    with pytest.raises(Conflict), db.session() as s:
        catalogue.create_service(s, manager, ServiceIn(name=org.service, owner_team=org.team))
    with pytest.raises(InvalidInput) as caught, db.session() as s:
        catalogue.create_service(s, manager, ServiceIn(name="new", owner_team="nobody"))
    assert [e.field for e in caught.value.errors] == ["owner_team"]
    assert counts(db) == before

    with db.session() as s:
        svc = catalogue.create_service(s, manager, ServiceIn(name="queue", owner_team=org.other_team))
        catalogue.update_service(s, manager, svc.id, ServiceUpdate(description="Jobs"))
    with db.session(write=False) as s:
        rows, total, _ = catalogue.list_services(s, ServiceFilter(team=org.other_team))
        assert [(r.name, r.description) for r in rows] == [("queue", "Jobs")] and total == 1
        with pytest.raises(InvalidInput) as caught:
            catalogue.services_by_names(s, [org.service, "nope"])
        assert caught.value.errors[0].field == "services[1]"


def test_service_list_filters_sort_pagination(client: TestClient, org: Org) -> None:
    make_service(client, org, "search", owner_team=org.other_team, tier="tier2", description="Finds products")
    make_service(client, org, "ledger", tier="tier1", description="Double-entry book keeping")
    make_service(client, org, "wiki", owner_team=org.other_team, tier="tier4")

    everything = page(client, org, "/services")
    assert [s["name"] for s in everything["items"]] == ["ledger", "payments", "search", "wiki"]
    assert everything["total"] == 4 and everything["total_exact"] is True
    assert [s["name"] for s in page(client, org, "/services", sort="-name")["items"]] == [
        "wiki",
        "search",
        "payments",
        "ledger",
    ]
    assert [s["name"] for s in page(client, org, "/services", sort="tier")["items"]] == [
        "payments",
        "ledger",
        "search",
        "wiki",
    ]  # tier1, tier1 (ties broken by id), tier2, tier4
    assert [s["name"] for s in page(client, org, "/services", sort="-created_at")["items"]] == [
        "wiki",
        "ledger",
        "search",
        "payments",
    ]

    assert [s["name"] for s in page(client, org, "/services", team=org.other_team)["items"]] == [
        "search",
        "wiki",
    ]
    assert [s["name"] for s in page(client, org, "/services", team=org.team)["items"]] == [
        "ledger",
        "payments",
    ]
    assert [s["name"] for s in page(client, org, "/services", tier="tier1")["items"]] == [
        "ledger",
        "payments",
    ]
    assert [
        s["name"] for s in page(client, org, "/services", tier="tier1", team=org.other_team)["items"]
    ] == []
    assert [s["name"] for s in page(client, org, "/services", q="BOOK")["items"]] == ["ledger"]
    assert [s["name"] for s in page(client, org, "/services", q="wik")["items"]] == ["wiki"]

    second = page(client, org, "/services", limit=3, offset=3)
    assert [s["name"] for s in second["items"]] == ["wiki"] and second["total"] == 4

    assert_problem(
        client.get(f"{API}/services", headers=org.headers(), params={"team": "nobody"}), 422, "team"
    )
    assert_problem(client.get(f"{API}/services", headers=org.headers(), params={"tier": "gold"}), 422, "tier")
    assert_problem(
        client.get(f"{API}/services", headers=org.headers(), params={"sort": "-owner"}), 422, "sort"
    )
