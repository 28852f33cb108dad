"""Commit times from deliveries: kept (first seen wins), and read back as a deployment's first
commit time, which change lead time starts from."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from failwell.changes.models import Deployment
from failwell.db import utcnow
from failwell.enums import DeploymentOutcome
from failwell.integrations.context import Context
from failwell.integrations.models import Commit


def store_commits(ctx: Context, repository: str, commits: Iterable[tuple[str, datetime]]) -> int:
    """Keeps commit times (first seen wins); answers how many were new."""
    wanted = {sha.lower(): at for sha, at in commits}
    if not wanted:
        return 0
    known = set(
        ctx.session.scalars(
            select(Commit.sha).where(Commit.repository == repository, Commit.sha.in_(list(wanted)))
        )
    )
    now = utcnow()
    new = [
        Commit(repository=repository, sha=s, committed_at=at, pushed_at=now)
        for s, at in wanted.items()
        if s not in known
    ]
    ctx.session.add_all(new)
    ctx.session.flush()
    return len(new)


def first_commit_time(
    session: Session,
    repository: str | None,
    shas: list[str],
    service_id: int,
    environment: str,
    started: datetime,
) -> datetime | None:
    """The earliest commit this deployment released: the commits of the repository made after
    the head of the previous deployment of the service to that environment, up to this head."""
    if not repository or not shas:
        return None
    params = {"repository": repository, "shas": shas}
    times: list[datetime] = list(session.connection().execute(_COMMIT_TIMES, params).scalars())
    if not times:
        return None
    head = max(times)
    previous = session.scalars(
        select(Deployment.commit_shas)
        .where(
            Deployment.service_id == service_id,
            Deployment.environment == environment,
            Deployment.started_at < started,
            Deployment.outcome == DeploymentOutcome.succeeded,
        )
        .order_by(Deployment.started_at.desc())
        .limit(1)
    ).first()
    since = None
    if previous:
        since = session.scalar(
            select(func.max(Commit.committed_at)).where(
                Commit.repository == repository, Commit.sha.in_(previous)
            )
        )
    if since is None:
        return min(times)
    earliest = session.scalar(
        select(func.min(Commit.committed_at)).where(
            Commit.repository == repository, Commit.committed_at > since, Commit.committed_at <= head
        )
    )
    return earliest or min(times)


_COMMITS: Table = Commit.__table__  # type: ignore[assignment]  # declarative types it loosely
_COMMIT_TIMES = select(_COMMITS.c.committed_at).where(
    _COMMITS.c.repository == bindparam("repository"), _COMMITS.c.sha.in_(bindparam("shas", expanding=True))
)
_ANY_COMMIT = _COMMIT_TIMES.limit(1)
# A deployment names one commit most of the time: no list to expand.
_THE_COMMIT = select(_COMMITS.c.id).where(
    _COMMITS.c.repository == bindparam("repository"), _COMMITS.c.sha == bindparam("sha")
)
_DEPLOYMENTS: Table = Deployment.__table__  # type: ignore[assignment]  # declarative types it loosely


_SERVICE_ID = select(_DEPLOYMENTS.c.service_id).where(_DEPLOYMENTS.c.id == bindparam("id"))
# Most deployments name no commit failwell knows; for those that do, the first commit's time is
# found once the row is in (it reads the service's previous deployments).
_SET_FIRST_COMMIT = (
    update(_DEPLOYMENTS)
    .where(_DEPLOYMENTS.c.id == bindparam("deployment_id"))
    .values(first_commit_at=bindparam("first_commit_at"))
)


def known_commit(session: Session, repository: str, shas: list[str]) -> bool:
    if len(shas) == 1:
        params: dict[str, Any] = {"repository": repository, "sha": shas[0]}
        return session.connection().execute(_THE_COMMIT, params).first() is not None
    params = {"repository": repository, "shas": shas}
    return session.connection().execute(_ANY_COMMIT, params).first() is not None


def set_first_commit(
    session: Session, dep_id: int, repository: str, shas: list[str], environment: str, started: datetime
) -> None:
    """The first commit time of a new deployment that names a commit failwell knows (one
    look-up settles that most name none)."""
    if not known_commit(session, repository, shas):
        return
    service_id = session.connection().execute(_SERVICE_ID, {"id": dep_id}).scalar_one()
    first = first_commit_time(session, repository, shas, service_id, environment, started)
    if first is not None:
        session.connection().execute(_SET_FIRST_COMMIT, {"deployment_id": dep_id, "first_commit_at": first})
