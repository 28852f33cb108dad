"""The demo's integrations: what a practice owner finds under Admin → Integrations on day one.

Two senders, as an organisation like the demo's would connect them: its CI (the generic JSON
endpoint; the demo's pipelines are its own), whose rules map each repository to its service, and
Alertmanager for the production clusters, whose rules map an alert's `job` label to its service
and its `cluster` label to the environment. Each holds one thing a real sender leaves sooner or
later: a delivery no rule maps yet (a renamed repository; a disk alert from a database host),
kept with its verdict, for a practice owner to add the missing rule and replay it.

The payloads are real ones (the generic endpoint's fields; Alertmanager's version 4 webhook) and
their verdicts come from the real handlers, run in a savepoint (`receive.process`). A delivery
that would record a deployment or open a failure is not planted: its rows would carry the
clock's time, and the history above is planned, not clocked. Nothing here draws on the
generators, so the rest of the demo is as it was without it.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import orjson

from failwell.authz import SYSTEM
from failwell.demo.content.organisation import DEMO_DOMAIN
from failwell.demo.world import World
from failwell.integrations import service as integrations
from failwell.integrations.models import (
    Integration,
    IntegrationDelivery,
    IntegrationKind,
    IntegrationRule,
    Verdict,
)
from failwell.integrations.receive import KEPT_HEADERS, delivery_key, event_name, process
from failwell.integrations.schemas import IntegrationIn, RuleIn

CI_NAME = "CI pipelines"
ALERTS_NAME = "Alertmanager (production)"
# The identity team renamed its repository; no rule knows the new name yet.
RENAMED_REPOSITORY = ("identity/auth", "auth-service")
# A node exporter alert names its host, not a service: the ledger's database host.
DISK_ALERT_INSTANCE = ("ledger-db-2:9100", "ledger")


def add_integrations(w: World) -> list[Integration]:
    """The two integrations with their rules and each one's delivery waiting to be mapped."""
    connected = w.now - timedelta(days=120)
    ci = _integration(w, CI_NAME, IntegrationKind.generic, connected)
    _rules(w, ci, [("repository", f"{svc.team.name}/{name}", name, None) for name, svc in w.svcs.items()])
    alerts = _integration(w, ALERTS_NAME, IntegrationKind.alertmanager, connected + timedelta(days=3))
    rules = [("label:job", name, name, None) for name in w.svcs]
    _rules(w, alerts, [*rules, ("label:cluster", "prod-*", None, "production")])

    repository, _ = RENAMED_REPOSITORY
    pushed = w.now - timedelta(days=2, hours=9, minutes=55)
    _plant(w, ci, pushed, {"content-type": "application/json", "user-agent": "ci-runner/17.4"},
           _ci_deployment(repository, pushed))  # fmt: skip
    fired = w.now - timedelta(hours=20, minutes=48)
    resolved = fired + timedelta(minutes=52)
    headers = {"content-type": "application/json", "user-agent": "Alertmanager/0.25.0"}
    _plant(w, alerts, fired + timedelta(seconds=30), headers, _disk_alert(fired, None))
    _plant(w, alerts, resolved + timedelta(seconds=30), headers, _disk_alert(fired, resolved))
    return [ci, alerts]


def _integration(w: World, name: str, kind: IntegrationKind, at: datetime) -> Integration:
    # Its secret is made and forgotten: a practice owner connecting a sender makes a new one.
    data = IntegrationIn(kind=kind, name=name)
    integration, _secret = integrations.create_integration(w.s, SYSTEM, data)
    integration.created_at = at
    return integration


def _rules(w: World, integration: Integration, rules: list[tuple[str, str, str | None, str | None]]) -> None:
    for position, (field, pattern, service, environment) in enumerate(rules):
        data = RuleIn(
            match_field=field, pattern=pattern, service=service, environment=environment, position=position
        )
        made = integrations.create_rule(w.s, SYSTEM, integration.id, data)
        w.s.get_one(IntegrationRule, made.id).created_at = integration.created_at


def _plant(
    w: World, integration: Integration, at: datetime, headers: Mapping[str, str], payload: dict[str, Any]
) -> None:
    """Stores the delivery with the verdict the real handler gives it."""
    body = orjson.dumps(payload)
    event = event_name(integration.kind, headers, payload, None)
    outcome = process(w.s, integration, event, body, payload)
    if outcome.verdict != Verdict.unmapped:  # it wrote rows with the clock's time: see the docstring
        raise RuntimeError(f"a demo delivery to {integration.name} was {outcome.verdict}: {outcome.detail}")
    w.s.add(
        IntegrationDelivery(
            integration_id=integration.id,
            delivery_key=delivery_key(integration.kind, headers, body),
            event=event,
            received_at=at,
            body=body,
            headers={k: v for k, v in headers.items() if k in KEPT_HEADERS},
            verdict=outcome.verdict,
            detail=outcome.detail,
            result=outcome.result,
        )
    )
    w.s.flush()


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _ci_deployment(repository: str, finished: datetime) -> dict[str, Any]:
    started = finished - timedelta(minutes=7)
    return {
        "repository": repository,
        "environment": "production",
        "version": "4.12.0",
        "commit_shas": ["5f0c9e2a41d7b3c8e9f6a1b2c3d4e5f60718293a"],
        "started_at": _iso(started),
        "finished_at": _iso(finished),
        "outcome": "succeeded",
        "pipeline_url": f"https://ci.{DEMO_DOMAIN}/auth/pipelines/48213",
        "external_id": "pipeline-48213",
    }


def _disk_alert(fired: datetime, resolved: datetime | None) -> dict[str, Any]:
    """One group of one alert, as Alertmanager's webhook receiver posts it (version 4)."""
    instance, _ = DISK_ALERT_INSTANCE
    labels = {
        "alertname": "NodeFilesystemFillingUp",
        "cluster": "prod-eu-1",
        "device": "/dev/nvme1n1",
        "instance": instance,
        "job": "node",
        "mountpoint": "/var/lib/postgresql",
        "severity": "warning",
    }
    annotations = {
        "summary": "Filesystem /var/lib/postgresql on ledger-db-2 will be full within 24 hours",
        "description": "Only 11% space left and still growing by 4% an hour.",
    }
    status = "resolved" if resolved else "firing"
    alert = {
        "status": status,
        "labels": labels,
        "annotations": annotations,
        "startsAt": _iso(fired),
        "endsAt": _iso(resolved) if resolved else "0001-01-01T00:00:00Z",
        "generatorURL": f"https://prometheus.{DEMO_DOMAIN}/graph?g0.expr=node_filesystem_avail_bytes",
        "fingerprint": "3c6d5a0b9e21f4d7",
    }
    group = {"alertname": labels["alertname"], "cluster": labels["cluster"]}
    return {
        "version": "4",
        "groupKey": '{}/{severity="warning"}:{alertname="NodeFilesystemFillingUp", cluster="prod-eu-1"}',
        "truncatedAlerts": 0,
        "status": status,
        "receiver": "failwell",
        "groupLabels": group,
        "commonLabels": labels,
        "commonAnnotations": annotations,
        "externalURL": f"https://alertmanager.{DEMO_DOMAIN}",
        "alerts": [alert],
    }
