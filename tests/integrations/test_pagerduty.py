"""PagerDuty v3 webhooks: signatures (several during a secret rotation), and an incident
triggered, acknowledged and resolved. Payloads follow PagerDuty's documented v3 examples
(developer.pagerduty.com, "Webhooks v3 overview": incident.triggered and friends)."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
from fastapi.testclient import TestClient

from factories import API, assert_problem, counts
from failwell.db import Database
from integrations.conftest import Hook, sign
from support import Org

INCIDENT = {
    "id": "PGR0VU2",
    "type": "incident",
    "self": "https://api.pagerduty.com/incidents/PGR0VU2",
    "html_url": "https://acme.pagerduty.com/incidents/PGR0VU2",
    "number": 2,
    "status": "triggered",
    "incident_key": "d3640fbd41094207a1c11e58e46b1662",
    "created_at": "2026-04-09T15:16:27Z",
    "title": "Checkout API latency above 2 s",
    "service": {
        "html_url": "https://acme.pagerduty.com/services/PF9KMXH",
        "id": "PF9KMXH",
        "self": "https://api.pagerduty.com/services/PF9KMXH",
        "summary": "Checkout API",
        "type": "service_reference",
    },
    "assignees": [],
    "escalation_policy": {"id": "PQ9R1ZR", "summary": "Default", "type": "escalation_policy_reference"},
    "teams": [{"id": "PFCVPS0", "summary": "Payments", "type": "team_reference"}],
    "priority": {"id": "PSO75BM", "summary": "P1", "type": "priority_reference"},
    "urgency": "high",
    "conference_bridge": None,
    "resolve_reason": None,
}


def event(event_type: str, event_id: str, occurred_at: str, **data: Any) -> dict[str, Any]:
    return {
        "event": {
            "id": event_id,
            "event_type": event_type,
            "resource_type": "incident",
            "occurred_at": occurred_at,
            "agent": {"id": "PLH1HKV", "summary": "Tenex Engineer", "type": "user_reference"},
            "client": None,
            "data": {**copy.deepcopy(INCIDENT), **data},
        }
    }


def deliver(hook: Hook, payload: Any, signatures: list[str] | None = None) -> httpx.Response:
    body = json.dumps(payload).encode()
    header = ",".join(f"v1={s}" for s in (signatures or [sign(hook.secret, body)]))
    return hook.post(body, {"X-PagerDuty-Signature": header, "X-Webhook-Id": payload["event"]["id"]})


def test_incident_triggered_acknowledged_resolved(
    client: TestClient, org: Org, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("pagerduty", secret="pd-signing-secret-0123456789abcdef")
    assert hook.secret == "pd-signing-secret-0123456789abcdef"
    hook.rule(match_field="label:service", pattern="Checkout API", service="payments")
    got = deliver(hook, event("incident.triggered", "01A", "2026-04-09T15:16:28Z")).json()
    assert got["verdict"] == "accepted", got
    [failure_id] = got["result"]["failures"]
    ack = deliver(hook, event("incident.acknowledged", "01B", "2026-04-09T15:20:00Z", status="acknowledged"))
    assert ack.json()["result"]["failures"] == [failure_id]
    timeline = client.get(f"{API}/failures/{failure_id}/timeline", headers=org.headers()).json()
    assert any("Acknowledged in PagerDuty by Tenex Engineer" in e["description"] for e in timeline)
    deliver(hook, event("incident.resolved", "01C", "2026-04-09T16:00:00Z", status="resolved"))
    failure = client.get(f"{API}/failures/{failure_id}", headers=org.headers()).json()
    assert failure["status"] == "resolved"
    assert failure["resolved_at"].startswith("2026-04-09T16:00:00")
    assert (failure["kind"], failure["severity"], failure["services"]) == ("incident", 2, ["payments"])
    # The same event again (PagerDuty retries) is a duplicate; other events are not used.
    again = deliver(hook, event("incident.resolved", "01C", "2026-04-09T16:00:00Z", status="resolved"))
    assert again.json()["verdict"] == "duplicate"
    other = event("incident.priority_updated", "01D", "2026-04-09T16:01:00Z")
    assert deliver(hook, other).json()["detail"] == "event 'incident.priority_updated' is not used"
    assert client.get(f"{API}/failures", headers=org.headers()).json()["total"] == 1


def test_signatures_during_rotation(db: Database, make_hook: Callable[..., Hook]) -> None:
    hook = make_hook("pagerduty")
    hook.rule(match_field="label:team", pattern="Pay*", service="payments")
    payload = event("incident.triggered", "02A", "2026-04-09T15:16:28Z")
    body = json.dumps(payload).encode()
    before = counts(db)
    assert_problem(hook.post(body, {}), 401)
    assert_problem(deliver(hook, payload, [sign("old-secret", body)]), 401)
    assert_problem(deliver(hook, payload, ["zz"]), 401)
    assert_problem(hook.post(body, {"X-PagerDuty-Signature": "v0=" + sign(hook.secret, body)}), 401)
    tampered = body.replace(b"Checkout", b"Chekcout")
    assert_problem(hook.post(tampered, {"X-PagerDuty-Signature": "v1=" + sign(hook.secret, body)}), 401)
    assert counts(db) == before
    # While PagerDuty rotates its signing secret it sends one signature per secret.
    got = deliver(hook, payload, [sign("old-secret", body), sign(hook.secret, body)])
    assert got.json()["verdict"] == "accepted", got.text
