"""The demo's integrations: a new practice owner finds a CI and an Alertmanager integration, each
with a delivery no rule maps yet, and the documented fix (add the rule, replay) works on them."""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

import pytest
from fastapi.testclient import TestClient

from failwell.db import Database
from failwell.demo.integrations import ALERTS_NAME, CI_NAME, DISK_ALERT_INSTANCE, RENAMED_REPOSITORY
from failwell.demo.organisation import DEMO_LOGIN_EMAIL
from failwell.enums import FailureKind, FailureStatus, ReportChannel
from failwell.failures.models import Failure
from failwell.people import service as people
from failwell.people import tokens as people_tokens
from failwell.people.schemas import TokenIn

pytestmark = pytest.mark.demo_organisation


@pytest.fixture
def owner(db: Database) -> dict[str, str]:
    """API headers of the demo's practice owner (the login `make run` prints)."""
    with db.session() as s:
        actor = people.actor_for(people.person_by_email(s, DEMO_LOGIN_EMAIL))
        _, secret = people_tokens.create_token(s, actor, TokenIn(name="test"))
    return {"Authorization": f"Bearer {secret}"}


def _replay(client: TestClient, owner: dict[str, str], delivery_id: int) -> Any:
    return _ok(client.post(f"/api/v1/integration-deliveries/{delivery_id}/replay", headers=owner))


def _ok(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.text
    return response.json()


def test_each_integration_holds_a_delivery_to_map(client: TestClient, owner: dict[str, str]) -> None:
    listed = {i["name"]: i for i in _ok(client.get("/api/v1/integrations", headers=owner))}
    assert set(listed) == {CI_NAME, ALERTS_NAME}
    assert listed[CI_NAME]["kind"] == "generic" and listed[ALERTS_NAME]["kind"] == "alertmanager"
    ci_rules = _ok(client.get(f"/api/v1/integrations/{listed[CI_NAME]['id']}/rules", headers=owner))
    assert {"identity/auth-service", "payments/checkout-api"} <= {r["pattern"] for r in ci_rules}
    alert_rules = _ok(client.get(f"/api/v1/integrations/{listed[ALERTS_NAME]['id']}/rules", headers=owner))
    assert ("label:cluster", "prod-*", None, "production") in {
        (r["match_field"], r["pattern"], r["service"], r["environment"]) for r in alert_rules
    }
    page = _ok(client.get("/api/v1/integration-deliveries?verdict=unmapped", headers=owner))
    events = sorted((d["integration_id"], d["event"]) for d in page["items"])
    assert events == sorted(
        [
            (listed[CI_NAME]["id"], "deployment"),
            (listed[ALERTS_NAME]["id"], "alerts:firing"),
            (listed[ALERTS_NAME]["id"], "alerts:resolved"),
        ]
    )
    assert all("no rule maps" in d["detail"] for d in page["items"])
    # Said as a person writes labels, not as a Python list.
    alert = next(d for d in page["items"] if d["event"] == "alerts:firing")
    assert "alert labels alertname=NodeFilesystemFillingUp, cluster=prod-eu-1, " in alert["detail"]
    assert "instance=ledger-db-2:9100" in alert["detail"] and "[(" not in alert["detail"]
    # What a rule could match, kept with it for the pages' "Add a rule from this delivery".
    assert alert["result"]["unmapped"]["label:instance"] == "ledger-db-2:9100"
    deployment = next(d for d in page["items"] if d["event"] == "deployment")
    assert deployment["result"] == {"unmapped": {"repository": "identity/auth", "environment": "production"}}
    # Planned like the rest of the demo: before today began, after the integrations were made.
    midnight = datetime.combine(datetime.now(UTC).date(), time.min, tzinfo=UTC)
    made = min(datetime.fromisoformat(i["created_at"]) for i in listed.values())
    assert all(made < datetime.fromisoformat(d["received_at"]) < midnight for d in page["items"])


def test_a_rule_and_a_replay_map_them(client: TestClient, owner: dict[str, str], db: Database) -> None:
    listed = {i["name"]: i["id"] for i in _ok(client.get("/api/v1/integrations", headers=owner))}
    waiting = _ok(client.get("/api/v1/integration-deliveries?verdict=unmapped", headers=owner))["items"]
    by_event = {d["event"]: d["id"] for d in waiting}

    # The renamed repository: one rule, one replay, one production deployment of its service.
    repository, service = RENAMED_REPOSITORY
    rule = {"match_field": "repository", "pattern": repository, "service": service}
    _ok(client.post(f"/api/v1/integrations/{listed[CI_NAME]}/rules", json=rule, headers=owner), 201)
    replayed = _replay(client, owner, by_event["deployment"])
    assert replayed["verdict"] == "accepted", replayed
    (deployment_id,) = replayed["result"]["deployments"]
    deployment = _ok(client.get(f"/api/v1/deployments/{deployment_id}", headers=owner))
    assert (deployment["service"], deployment["environment"], deployment["version"]) == (
        service,
        "production",
        "4.12.0",
    )

    # The disk alert: a rule on its instance label opens an incident of the ledger, resolved
    # when the resolved notification is replayed; the cluster rule says production.
    instance, service = DISK_ALERT_INSTANCE
    rule = {"match_field": "label:instance", "pattern": "ledger-db-*", "service": service}
    _ok(client.post(f"/api/v1/integrations/{listed[ALERTS_NAME]}/rules", json=rule, headers=owner), 201)
    fired = _replay(client, owner, by_event["alerts:firing"])
    assert fired["verdict"] == "accepted", fired
    assert fired["detail"].startswith("1 alert firing: failure "), fired
    (failure_id,) = fired["result"]["failures"]
    ended = _replay(client, owner, by_event["alerts:resolved"])
    assert ended["verdict"] == "accepted" and ended["result"]["failures"] == [failure_id], ended
    with db.session(write=False) as s:
        failure = s.get_one(Failure, failure_id)
        assert failure.kind == FailureKind.incident and failure.reported_via == ReportChannel.webhook
        assert [svc.name for svc in failure.services] == [service]
        assert failure.status == FailureStatus.resolved
        assert failure.reporter_id is None
        assert failure.started_at is not None and failure.resolved_at is not None
        assert (failure.resolved_at - failure.started_at).total_seconds() == 52 * 60
        assert instance.split(":")[0] in failure.title
        # Each alert's labels, then its summary after a colon.
        assert f"instance={instance}, job=node, " in failure.description
        assert (
            "severity=warning: Filesystem /var/lib/postgresql on ledger-db-2 will be full"
            in failure.description
        )
    left = _ok(client.get("/api/v1/integration-deliveries?verdict=unmapped", headers=owner))
    assert left["items"] == []
