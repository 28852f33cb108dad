"""The metrics reports the API, the CLI and the pages share: a scope from a query's filters,
then DORA's five keys, the learning figures or their trend, as plain dictionaries."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from failwell.insights.delivery import dora
from failwell.insights.learning import learning
from failwell.insights.measures import Scope, resolve_scope
from failwell.insights.metrics_schemas import MetricsQuery, TrendQuery
from failwell.insights.trends import trend


def scope_of(session: Session, query: MetricsQuery, now: datetime) -> Scope:
    return resolve_scope(
        session,
        now,
        service=query.service,
        team=query.team,
        environment=query.environment,
        since=query.since,
        until=query.until,
    )


def scope_dict(scope: Scope) -> dict[str, Any]:
    return {
        "since": scope.since,
        "until": scope.until,
        "service": scope.service,
        "team": scope.team,
        "environments": list(scope.environments),
    }


def dora_report(session: Session, query: MetricsQuery, now: datetime) -> dict[str, Any]:
    scope = scope_of(session, query, now)
    return {"scope": scope_dict(scope), **dora(session, scope).as_dict()}


def learning_report(session: Session, query: MetricsQuery, now: datetime) -> dict[str, Any]:
    scope = scope_of(session, query, now)
    return {"scope": scope_dict(scope), **learning(session, scope, now).as_dict()}


def trend_report(session: Session, query: TrendQuery, now: datetime) -> dict[str, Any]:
    scope = scope_of(session, query, now)
    points = [p.as_dict() for p in trend(session, scope, query.period)]
    return {"scope": scope_dict(scope), "period": query.period, "points": points}
