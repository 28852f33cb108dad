"""PagerDuty webhooks (v3): incident.triggered opens a failure (kind incident) for the mapped
service, acknowledged adds to its timeline, resolved resolves it. One failure per incident id."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from failwell.catalogue.models import Service
from failwell.enums import FailureKind, FailureStatus, ReportChannel, TimelineKind
from failwell.errors import InvalidInput
from failwell.failures.schemas import FailureIn, TimelineEventIn
from failwell.failures.timeline import add_event
from failwell.integrations.context import Context, Unmapped
from failwell.integrations.failure_groups import change_status, group_failure, open_or_update
from failwell.integrations.mapping import label_facts
from failwell.integrations.payload import dig, parse_time

URGENCY_SEVERITY = {"high": 2, "low": 3}


def _labels(incident: dict[str, Any]) -> dict[str, str]:
    """What rules can match, as label:<name>: service, service_id, urgency, team, priority."""
    teams = incident.get("teams") or [{}]
    values = {
        "service": dig(incident, "service", "summary"),
        "service_id": dig(incident, "service", "id"),
        "urgency": incident.get("urgency"),
        "team": teams[0].get("summary") if isinstance(teams[0], dict) else None,
        "priority": dig(incident, "priority", "summary"),
    }
    return {k: str(v) for k, v in values.items() if v}


def _service(ctx: Context, labels: dict[str, str]) -> str:
    mapped = ctx.mapped({}, labels).service
    if mapped:
        return mapped
    named = labels.get("service")
    if named and ctx.session.scalar(select(Service.name).where(Service.name == named)):
        return named
    raise Unmapped(
        f"no rule maps PagerDuty service '{labels.get('service', '-')}' to a service", label_facts(labels)
    )


def _open(ctx: Context, key: str, incident: dict[str, Any], service: str) -> int:
    started = parse_time(incident.get("created_at"))
    number = incident.get("number")
    failure = open_or_update(
        ctx,
        key,
        FailureIn(
            title=str(incident.get("title") or f"PagerDuty incident {number}")[:300],
            description=f"PagerDuty incident #{number}: {incident.get('html_url') or ''}".strip(),
            kind=FailureKind.incident,
            severity=URGENCY_SEVERITY.get(str(incident.get("urgency")), ctx.options.severity),
            started_at=started,
            detected_at=started,
            services=[service],
            reported_via=ReportChannel.webhook,
        ),
    )
    return failure.id


def handle(ctx: Context, event: str, payload: Any) -> None:
    body = dig(payload, "event")
    incident = dig(body, "data")
    if not isinstance(body, dict) or not isinstance(incident, dict):
        raise InvalidInput.on("event", "missing: not a PagerDuty v3 webhook payload")
    if body.get("resource_type") != "incident" or event not in (
        "incident.triggered",
        "incident.acknowledged",
        "incident.resolved",
    ):
        ctx.outcome.detail = f"event '{event}' is not used"
        return
    if not incident.get("id"):
        raise InvalidInput.on("event.data.id", "missing")
    key = f"incident:{incident['id']}"
    known = group_failure(ctx, key) if event != "incident.triggered" else None
    if known is not None:
        failure_id = known.id
        ctx.outcome.add("failures", failure_id)
    else:  # triggered, or a later event of an incident whose trigger never arrived
        failure_id = _open(ctx, key, incident, _service(ctx, _labels(incident)))
    at = parse_time(body.get("occurred_at"))
    if event == "incident.acknowledged":
        who = dig(body, "agent", "summary") or "someone"
        add_event(
            ctx.session,
            ctx.actor,
            failure_id,
            TimelineEventIn(
                occurred_at=at,
                kind=TimelineKind.diagnosis,
                description=f"Acknowledged in PagerDuty by {who}.",
            ),
        )
    elif event == "incident.resolved":
        change_status(ctx, key, FailureStatus.resolved, at)
    ctx.outcome.detail = f"{event}: failure {failure_id}"
