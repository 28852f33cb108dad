"""The factor taxonomy through the HTTP API: creating and retiring categories, and which
reviews may use a retired one."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import API, assert_problem, make_failure, make_review
from failwell.enums import Role
from support import Org


def test_factor_categories_create_retire_and_use(client: TestClient, org: Org) -> None:
    default = client.get(f"{API}/factor-categories", headers=org.headers(Role.viewer))
    assert default.status_code == 200
    keys = [c["key"] for c in default.json()]
    assert len(keys) == 11 and {"capacity", "dependency", "detection_gap", "other"} <= set(keys)
    assert all(c["is_active"] for c in default.json())

    r = client.post(
        f"{API}/factor-categories",
        headers=org.headers(),
        json={
            "key": "feature_flags",
            "name": "Feature flags",
            "description": "A flag flipped unexpectedly.",
            "position": 5,
        },
    )
    assert r.status_code == 201, r.text
    flags = r.json()
    assert flags["key"] == "feature_flags" and flags["is_active"] is True and flags["position"] == 5
    listed = [c["key"] for c in client.get(f"{API}/factor-categories", headers=org.headers()).json()]
    assert "feature_flags" in listed and len(listed) == 12
    assert_problem(
        client.post(
            f"{API}/factor-categories", headers=org.headers(), json={"key": "feature_flags", "name": "Again"}
        ),
        409,
        "key",
    )
    assert_problem(
        client.post(
            f"{API}/factor-categories", headers=org.headers(), json={"key": "has spaces", "name": "Bad"}
        ),
        422,
        "key",
    )

    # A review uses it, then the category is retired.
    old = make_failure(client, org, "Old")
    old_review = make_review(
        client, org, old["id"], factors=[{"category": "feature_flags", "description": "Flag on for all."}]
    )
    r = client.patch(
        f"{API}/factor-categories/{flags['id']}",
        headers=org.headers(),
        json={"is_active": False, "name": "Feature flags (retired)"},
    )
    assert r.status_code == 200 and r.json()["is_active"] is False
    active = [c["key"] for c in client.get(f"{API}/factor-categories", headers=org.headers()).json()]
    assert "feature_flags" not in active and len(active) == 11
    everything = client.get(
        f"{API}/factor-categories", headers=org.headers(), params={"include_retired": True}
    )
    assert {c["key"]: c["is_active"] for c in everything.json()}["feature_flags"] is False

    # Retired: not usable on a new review, nor newly on an existing one...
    new = make_failure(client, org, "New")
    assert_problem(
        client.post(
            f"{API}/failures/{new['id']}/review",
            headers=org.headers(),
            json={"factors": [{"category": "feature_flags", "description": "x"}]},
        ),
        422,
        "factors[0].category",
    )
    assert_problem(client.get(f"{API}/failures/{new['id']}/review", headers=org.headers()), 404)
    fresh = make_review(client, org, new["id"])
    assert_problem(
        client.patch(
            f"{API}/reviews/{fresh['id']}",
            headers=org.headers(),
            json={
                "factors": [
                    {"category": "other", "description": "y"},
                    {"category": "feature_flags", "description": "x"},
                ]
            },
        ),
        422,
        "factors[1].category",
    )
    # ...but a review that already had it keeps it, and still shows it.
    r = client.patch(
        f"{API}/reviews/{old_review['id']}",
        headers=org.headers(),
        json={
            "factors": [
                {"category": "feature_flags", "description": "Flag on for everyone."},
                {"category": "process", "description": "No flag review."},
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert [(f["category"], f["category_name"]) for f in r.json()["factors"]] == [
        ("feature_flags", "Feature flags (retired)"),
        ("process", "Process"),
    ]

    r = client.patch(
        f"{API}/factor-categories/{flags['id']}", headers=org.headers(), json={"is_active": True}
    )
    assert r.status_code == 200
    r = client.patch(
        f"{API}/reviews/{fresh['id']}",
        headers=org.headers(),
        json={"factors": [{"category": "feature_flags", "description": "x"}]},
    )
    assert r.status_code == 200, r.text
    assert_problem(
        client.patch(f"{API}/factor-categories/999999", headers=org.headers(), json={"name": "x"}), 404
    )


def test_category_keys_are_lower_cased(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)
    r = client.post(
        f"{API}/failures/{failure['id']}/review",
        headers=org.headers(),
        json={"factors": [{"category": "Capacity", "description": "Pool too small"}]},
    )
    assert r.status_code == 201, r.text
    assert r.json()["factors"][0]["category"] == "capacity"
