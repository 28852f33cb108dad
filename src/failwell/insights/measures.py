"""What the delivery and learning metrics share: the scope they measure, a figure with its
unit, sample size and performance band, and the SQL for durations and percentiles.

Percentiles are continuous (linear interpolation between the two nearest values, as
PostgreSQL's percentile_cont): PostgreSQL computes them itself; SQLite, which has no
such aggregate, reads the values once and they are sorted here. (Deployment lead times,
far more numerous, come from the rollup's histogram instead: failwell.insights.rollup.)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import ColumnElement, CompoundSelect, Float, Select, func, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.selectable import Subquery

from failwell.catalogue.models import Service
from failwell.catalogue.service import service_by_name
from failwell.errors import InvalidInput
from failwell.insights.models import DeploymentRollup
from failwell.people.teams import team_by_name
from failwell.settings import get_settings

# Fewer events than this give a value but no performance band: "not enough data".
MIN_SAMPLE = 5
NOT_ENOUGH_DATA = "not_enough_data"
DEFAULT_WINDOW_DAYS = 90
MAX_WINDOW_DAYS = 3 * 366


@dataclass(frozen=True)
class Scope:
    """What is measured: a window [since, until), the services (None: the whole
    organisation) and the environments that count as production."""

    since: datetime
    until: datetime
    service_ids: tuple[int, ...] | None
    environments: tuple[str, ...]
    service: str | None = None
    team: str | None = None
    team_id: int | None = None

    @property
    def days(self) -> float:
        return (self.until - self.since).total_seconds() / 86_400


@dataclass(frozen=True)
class Figure:
    """One metric: a value (None without data) in a unit, over a sample, with its band."""

    value: float | None
    unit: str
    sample_size: int
    band: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"value": self.value, "unit": self.unit, "sample_size": self.sample_size, "band": self.band}


def production_environments() -> tuple[str, ...]:
    return tuple(get_settings().production_environments)


def resolve_scope(
    session: Session,
    now: datetime,
    *,
    service: str | None = None,
    team: str | None = None,
    environment: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Scope:
    """The scope named by a request's filters (unknown names are refused at their field)."""
    end = until or now
    start = since or end - timedelta(days=DEFAULT_WINDOW_DAYS)
    if end <= start:
        # Without an until the window ends now: a since after it is the one to correct.
        raise (
            InvalidInput.on("until", "must be after since")
            if until
            else InvalidInput.on("since", "is in the future")
        )
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise InvalidInput.on("since", f"the window may span at most {MAX_WINDOW_DAYS} days")
    ids: set[int] | None = None
    team_id = None
    if service:
        ids = {service_by_name(session, service).id}
    if team:
        team_id = team_by_name(session, team).id
        owned = set(session.scalars(select(Service.id).where(Service.owner_team_id == team_id)))
        ids = owned if ids is None else ids & owned
    if environment:
        _check_environment(session, environment)
    envs = (environment,) if environment else production_environments()
    return Scope(
        since=start,
        until=end,
        service_ids=None if ids is None else tuple(sorted(ids)),
        environments=envs,
        service=service,
        team=team,
        team_id=team_id,
    )


def _check_environment(session: Session, environment: str) -> None:
    """Refuses an environment nothing was ever deployed to (a typo would read as "not enough
    data"), unless it is one of the production ones the settings name."""
    if environment in production_environments():
        return
    if session.scalar(
        select(DeploymentRollup.environment).where(DeploymentRollup.environment == environment).limit(1)
    ):
        return
    known = sorted(
        set(session.scalars(select(DeploymentRollup.environment).distinct())) | set(production_environments())
    )
    shown = ", ".join(known[:20]) + (", …" if len(known) > 20 else "")
    raise InvalidInput.on(
        "environment", f"no deployment was ever recorded to '{environment}' (known: {shown})"
    )


def is_postgres(session: Session) -> bool:
    return session.get_bind().dialect.name == "postgresql"


def seconds_between(session: Session, later: Any, earlier: Any) -> ColumnElement[float]:
    """later - earlier in seconds, as SQL (SQLite stores times as text, PostgreSQL as timestamptz)."""
    if is_postgres(session):
        return func.extract("epoch", later - earlier).cast(Float)
    return (func.julianday(later) - func.julianday(earlier)) * 86_400.0


def percentiles(
    session: Session, values: Select[Any] | CompoundSelect[Any], ps: Sequence[float]
) -> tuple[int, list[float | None]]:
    """The number of values (one column, NULLs left out) and their continuous percentiles."""
    sub: Subquery = values.subquery()
    x = sub.c[0]
    if is_postgres(session):
        aggregates = [func.percentile_cont(p).within_group(x) for p in ps]
        row = session.execute(select(func.count(x), *aggregates)).one()
        return int(row[0]), [None if v is None else float(v) for v in row[1:]]
    # One read of the values (tens of thousands at most: failures, reviews, actions) sorted
    # here, rather than a count and an ORDER BY ... OFFSET per percentile.
    found = session.connection().execute(select(x).where(x.is_not(None))).scalars().all()
    return len(found), continuous_percentiles(found, ps)


def continuous_percentiles(values: Sequence[float], ps: Sequence[float]) -> list[float | None]:
    """Percentiles interpolated between the closest ranks, as PostgreSQL's percentile_cont."""
    ordered = np.sort(np.array(values, dtype=np.float64))
    n = len(ordered)
    out: list[float | None] = []
    for p in ps:
        if n == 0:
            out.append(None)
            continue
        position = p * (n - 1)
        low = math.floor(position)
        upper = ordered[min(low + 1, n - 1)]
        out.append(float(ordered[low] + (upper - ordered[low]) * (position - low)))
    return out


def share(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def rounded(value: float | None, digits: int = 2) -> float | None:
    return None if value is None else round(value, digits)
