"""Prometheus Alertmanager webhooks (payload version 4): a firing group opens one failure (kind
incident) for the mapped service, or updates the one it opened; a resolved group resolves it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from failwell.catalogue.models import Service
from failwell.enums import FailureKind, FailureStatus, ReportChannel
from failwell.errors import InvalidInput
from failwell.failures.schemas import FailureIn
from failwell.integrations.context import Context, Unmapped
from failwell.integrations.failure_groups import change_status, open_or_update
from failwell.integrations.mapping import label_facts
from failwell.integrations.payload import parse_time

# Alertmanager's customary severity labels, on failwell's scale (1 is worst).
SEVERITIES = {"critical": 2, "page": 2, "error": 3, "warning": 4, "info": 5}


def _labels(payload: dict[str, Any]) -> dict[str, str]:
    labels: dict[str, str] = {}
    for alert in payload.get("alerts") or []:
        for key, value in (alert.get("labels") or {}).items():
            labels.setdefault(str(key), str(value))
    labels.update({str(k): str(v) for k, v in (payload.get("commonLabels") or {}).items()})
    return labels


def _service(ctx: Context, labels: dict[str, str]) -> str:
    environment = labels.get("environment") or labels.get("env") or ""
    mapped = ctx.mapped({"environment": environment}, labels).service
    if mapped:
        return mapped
    # A 'service' label that names a catalogue service needs no rule.
    named = labels.get("service")
    if named and ctx.session.scalar(select(Service.name).where(Service.name == named)):
        return named
    ordered = sorted(labels.items())
    shown = ", ".join(f"{k}={v}" for k, v in ordered[:8])
    more = f" and {len(labels) - 8} more" if len(labels) > 8 else ""
    raise Unmapped(
        f"no rule maps the alert labels {shown or '(none)'}{more} to a service", label_facts(labels)
    )


def _description(payload: dict[str, Any]) -> str:
    source = payload.get("externalURL") or "no URL"
    lines = [f"Alerts from Alertmanager ({source}), group {payload.get('groupKey')}:"]
    for alert in (payload.get("alerts") or [])[:50]:
        labels = ", ".join(f"{k}={v}" for k, v in sorted((alert.get("labels") or {}).items()))
        summary = (alert.get("annotations") or {}).get("summary") or (alert.get("annotations") or {}).get(
            "description", ""
        )
        lines.append(f"- [{alert.get('status')}] {labels}" + (f": {summary}" if summary else ""))
    return "\n".join(lines)[:50_000]


def handle(ctx: Context, event: str, payload: Any) -> None:
    if not isinstance(payload, dict) or not isinstance(payload.get("alerts"), list):
        raise InvalidInput.on("alerts", "missing: not an Alertmanager webhook payload")
    alerts = payload["alerts"]
    first = alerts[0] if alerts else {}
    key = str(payload.get("groupKey") or first.get("fingerprint") or "")[:300]
    if not key:
        raise InvalidInput.on("groupKey", "missing, and no alert has a fingerprint")
    labels = _labels(payload)
    service = _service(ctx, labels)
    if payload.get("status") == "resolved":
        ends = [t for a in alerts if (t := parse_time(a.get("endsAt"))) is not None]
        failure = change_status(ctx, key, FailureStatus.resolved, max(ends) if ends else None)
        ctx.outcome.detail = f"resolved failure {failure.id}" if failure else "resolved; no failure was open"
        return
    starts = [t for a in alerts if (t := parse_time(a.get("startsAt"))) is not None]
    annotations = payload.get("commonAnnotations") or first.get("annotations") or {}
    title = annotations.get("summary") or labels.get("alertname") or "Alert from Alertmanager"
    failure = open_or_update(
        ctx,
        key,
        FailureIn(
            title=str(title)[:300],
            description=_description(payload),
            kind=FailureKind.incident,
            severity=SEVERITIES.get(labels.get("severity", "").lower(), ctx.options.severity),
            started_at=min(starts) if starts else None,
            detected_at=min(starts) if starts else None,
            services=[service],
            reported_via=ReportChannel.webhook,
        ),
    )
    count = f"{len(alerts)} alert{'' if len(alerts) == 1 else 's'}"
    ctx.outcome.detail = f"{count} firing: failure {failure.id}"
