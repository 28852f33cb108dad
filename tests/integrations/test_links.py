"""Failure links with provenance: reported, commit SHAs named in the text, suggestions, rework."""

from __future__ import annotations

from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, iso, make_deployment, make_failure, utc
from failwell.authz import SYSTEM
from failwell.changes.models import Deployment
from failwell.db import Database
from failwell.failures.models import failure_deployments
from failwell.integrations import links
from failwell.integrations.config import get_integration_settings
from support import Org

START = utc(2026, 3, 10, 12)


def link_rows(db: Database, failure_id: int) -> dict[int, tuple[str, str]]:
    with db.session(write=False) as s:
        rows = s.execute(
            select(
                failure_deployments.c.deployment_id, failure_deployments.c.source, failure_deployments.c.state
            ).where(failure_deployments.c.failure_id == failure_id)
        ).all()
    return {dep: (source, state) for dep, source, state in rows}


def test_reported_links_are_reported_and_confirmed(client: TestClient, org: Org, db: Database) -> None:
    dep = make_deployment(client, org, started_at=iso(START - timedelta(days=5)))
    failure = make_failure(client, org, started_at=iso(START), deployment_ids=[dep["id"]])
    assert link_rows(db, failure["id"]) == {dep["id"]: ("reported", "confirmed")}
    assert failure["deployment_ids"] == [dep["id"]]


def test_recent_production_deployment_is_suggested_not_counted(
    client: TestClient, org: Org, db: Database
) -> None:
    recent = make_deployment(client, org, "2.0.0", started_at=iso(START - timedelta(hours=3)))
    old = make_deployment(client, org, "1.9.0", started_at=iso(START - timedelta(hours=30)))
    staging = make_deployment(
        client, org, "2.0.1", environment="staging", started_at=iso(START - timedelta(hours=1))
    )
    after = make_deployment(client, org, "2.0.2", started_at=iso(START + timedelta(hours=1)))
    failure = make_failure(client, org, started_at=iso(START))
    assert link_rows(db, failure["id"]) == {recent["id"]: ("suggested", "suggested")}
    # Suggestions never show as links until a person confirms them.
    got = client.get(f"{API}/failures/{failure['id']}", headers=org.headers()).json()
    assert got["deployment_ids"] == []
    assert {old["id"], staging["id"], after["id"]}.isdisjoint(link_rows(db, failure["id"]))


def test_a_busy_service_gets_only_its_latest_deployments_suggested(
    client: TestClient, org: Org, db: Database
) -> None:
    # Seven production deployments in the window: a list to confirm or reject stays short.
    deployments = [
        make_deployment(client, org, f"5.0.{h}", started_at=iso(START - timedelta(hours=h)))
        for h in range(1, 8)
    ]
    failure = make_failure(client, org, started_at=iso(START))
    latest = {d["id"] for d in deployments[: get_integration_settings().suggestion_limit]}
    assert get_integration_settings().suggestion_limit == 5
    assert link_rows(db, failure["id"]) == {d: ("suggested", "suggested") for d in latest}


def test_confirm_and_reject_a_suggestion(client: TestClient, org: Org, db: Database) -> None:
    first = make_deployment(client, org, "3.0.0", started_at=iso(START - timedelta(hours=2)))
    second = make_deployment(client, org, "3.0.1", started_at=iso(START - timedelta(hours=1)))
    failure = make_failure(client, org, started_at=iso(START))
    with db.session() as s:
        assert links.decide(s, SYSTEM, failure["id"], "deployment", first["id"], confirm=True) == "confirmed"
        assert links.decide(s, SYSTEM, failure["id"], "deployment", second["id"], confirm=False) == "rejected"
    assert link_rows(db, failure["id"]) == {
        first["id"]: ("suggested", "confirmed"),
        second["id"]: ("suggested", "rejected"),
    }
    got = client.get(f"{API}/failures/{failure['id']}", headers=org.headers()).json()
    assert got["deployment_ids"] == [first["id"]]
    # Editing the failure again never brings a rejected suggestion back.
    patched = client.patch(
        f"{API}/failures/{failure['id']}", headers=org.headers(), json={"title": "Checkout errors again"}
    )
    assert patched.status_code == 200, patched.text
    assert link_rows(db, failure["id"])[second["id"]] == ("suggested", "rejected")
    # A person may still link it by hand: then it is theirs, reported and confirmed.
    patched = client.patch(
        f"{API}/failures/{failure['id']}",
        headers=org.headers(),
        json={"deployment_ids": [first["id"], second["id"]]},
    )
    assert patched.status_code == 200, patched.text
    assert sorted(patched.json()["deployment_ids"]) == sorted([first["id"], second["id"]])
    assert link_rows(db, failure["id"])[second["id"]] == ("reported", "confirmed")


def test_moving_the_start_withdraws_a_suggestion(client: TestClient, org: Org, db: Database) -> None:
    dep = make_deployment(client, org, started_at=iso(START - timedelta(hours=2)))
    failure = make_failure(client, org, started_at=iso(START))
    assert dep["id"] in link_rows(db, failure["id"])
    later = START + timedelta(days=3)
    client.patch(f"{API}/failures/{failure['id']}", headers=org.headers(), json={"started_at": iso(later)})
    assert link_rows(db, failure["id"]) == {}


def test_a_commit_sha_named_in_the_text_links_its_deployment(
    client: TestClient, org: Org, db: Database
) -> None:
    sha = "9f2c4e1d7b3a5c6e8f0a1b2c3d4e5f6a7b8c9d0e"
    dep = make_deployment(
        client,
        org,
        "4.0.0",
        commit_shas=[sha],
        environment="staging",
        started_at=iso(START - timedelta(days=3)),
    )
    other = make_deployment(client, org, "4.0.1", commit_shas=["1234567aaaa"], started_at=iso(START))
    failure = make_failure(
        client,
        org,
        title="Refunds fail after 9f2c4e1",
        description="Reverting defaced 0123456 did not help.",
        started_at=iso(START),
    )
    rows = link_rows(db, failure["id"])
    assert rows[dep["id"]] == ("commit", "confirmed")
    assert other["id"] not in rows or rows[other["id"]][0] != "commit"
    got = client.get(f"{API}/failures/{failure['id']}", headers=org.headers()).json()
    assert dep["id"] in got["deployment_ids"]


def test_shas_in_text() -> None:
    assert links.shas_in("fix in 9f2c4e1, see ABCDEF0123 and deadbeefcafe") == [
        "9f2c4e1",
        "abcdef0123",
        "deadbeefcafe",
    ]
    assert links.shas_in("defaced 1234567 effaced") == []


def test_a_fix_deployed_after_the_failure_started_is_rework(
    client: TestClient, org: Org, db: Database
) -> None:
    cause = make_deployment(client, org, "5.0.0", started_at=iso(START - timedelta(hours=1)))
    fix = make_deployment(client, org, "5.0.1", started_at=iso(START + timedelta(hours=1)))
    failure = make_failure(client, org, started_at=iso(START))
    client.patch(
        f"{API}/failures/{failure['id']}",
        headers=org.headers(),
        json={"deployment_ids": [cause["id"], fix["id"]]},
    )
    with db.session(write=False) as s:
        rework = {dep_id: flag for dep_id, flag in s.execute(select(Deployment.id, Deployment.rework))}
    assert rework[fix["id"]] is True
    assert rework[cause["id"]] is False


def test_only_confirmed_links_are_evidence_of_the_same_deployment(
    client: TestClient, org: Org, db: Database
) -> None:
    from failwell.recurrence.service import similar_to_failure

    dep = make_deployment(client, org, "4.0.0", started_at=iso(START - timedelta(hours=3)))
    linked = make_failure(
        client, org, "Checkout errors after 4.0.0", started_at=iso(START), deployment_ids=[dep["id"]]
    )
    guessed = make_failure(
        client, org, "Checkout errors after the release", started_at=iso(START + timedelta(hours=1))
    )
    assert link_rows(db, guessed["id"]) == {dep["id"]: ("suggested", "suggested")}
    later = make_failure(
        client,
        org,
        "Checkout errors again",
        started_at=iso(START + timedelta(hours=2)),
        deployment_ids=[dep["id"]],
    )
    with db.session(write=False) as s:
        found = similar_to_failure(s, later["id"])
    kinds = {x.failure_id: {r.kind for r in x.reasons} for x in found.items}
    assert "same_deployment" in kinds.get(linked["id"], set())
    # A suggested link is a guess that nobody confirmed: no evidence of the same deployment.
    assert "same_deployment" not in kinds.get(guessed["id"], set())
