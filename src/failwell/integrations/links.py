"""Failure links with provenance: commit SHAs named in a failure's text, suggestions from
recent production deployments, a person's confirm or reject, and rework marking.

A link row says where it came from (``source``) and whether it holds (``state``). Only
confirmed links count (the ORM's ``Failure.deployments`` shows only those). A rejected
suggestion stays as a row, so it is never suggested again.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

import orjson
from sqlalchemy import Integer, Table, and_, bindparam, column, delete, insert, select, text, update
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.changes.commit_index import naming_commits
from failwell.changes.models import Deployment
from failwell.db import UTCDateTime, utcnow
from failwell.enums import Role
from failwell.errors import InvalidInput, NotFound
from failwell.events import FAILURE_REPORTED, FAILURE_UPDATED, BulkForms, DomainEvent, HandlerTable, emit
from failwell.failures.models import Failure, failure_changes, failure_deployments, failure_services
from failwell.integrations.config import get_integration_settings

# Environments that count as production for suggestions (and for failures opened from CI).
PRODUCTION_ENVIRONMENTS = ("production", "prod")

LinkSource = Literal["reported", "webhook", "commit", "suggested"]
LinkKind = Literal["deployment", "change"]

# A SHA named in text: 7 to 40 hex characters standing alone. Short ones must mix letters and
# digits, so words like "defaced" and plain numbers are not taken for commits.
_SHA_TOKEN = re.compile(r"(?<![0-9a-z])[0-9a-f]{7,40}(?![0-9a-z])")
# How far back a named SHA may have been deployed.
SHA_HORIZON = timedelta(days=365)


def _tables(kind: LinkKind) -> tuple[Table, str]:
    if kind == "deployment":
        return failure_deployments, "deployment_id"
    return failure_changes, "change_id"


def shas_in(text: str) -> list[str]:
    found = []
    for token in _SHA_TOKEN.findall(text.lower()):
        mixed = any(c.isdigit() for c in token) and any(c.isalpha() for c in token)
        if mixed or len(token) >= 12:
            found.append(token)
    return list(dict.fromkeys(found))


def link(
    session: Session,
    failure_id: int,
    kind: LinkKind,
    target_id: int,
    source: LinkSource,
    *,
    state: Literal["confirmed", "suggested"] = "confirmed",
) -> bool:
    """Adds a link unless one is there; a confirmed link upgrades a suggestion. A rejected
    suggestion is left alone: a person said no. True when something changed."""
    table, column = _tables(kind)
    where = and_(table.c.failure_id == failure_id, table.c[column] == target_id)
    current = session.execute(select(table.c.state).where(where)).scalar_one_or_none()
    if current is None:
        session.execute(
            insert(table).values(
                {
                    "failure_id": failure_id,
                    column: target_id,
                    "source": source,
                    "state": state,
                    "created_at": utcnow(),
                }
            )
        )
    elif current == "suggested" and state == "confirmed":
        session.execute(update(table).where(where).values(source=source, state="confirmed"))
    else:
        return False
    _forget_loaded_links(session, failure_id)
    return True


def link_all(session: Session, kind: LinkKind, pairs: Sequence[tuple[int, int]], source: LinkSource) -> None:
    """``link`` (confirmed) for many (failure id, target id) pairs, in a statement or three."""
    table, column = _tables(kind)
    wanted = list(dict.fromkeys(pairs))
    if not wanted:
        return
    failure_ids = sorted({f for f, _ in wanted})
    current = {
        (f, t): state
        for f, t, state in session.execute(
            select(table.c.failure_id, table.c[column], table.c.state).where(
                table.c.failure_id.in_(failure_ids)
            )
        )
    }
    new = [p for p in wanted if p not in current]
    upgraded = [p for p in wanted if current.get(p) == "suggested"]
    now = utcnow()
    if new:
        rows = [
            {"failure_id": f, column: t, "source": source, "state": "confirmed", "created_at": now}
            for f, t in new
        ]
        session.execute(insert(table), rows)
    if upgraded:
        confirm = (
            update(table)
            .where(table.c.failure_id == bindparam("f_id"), table.c[column] == bindparam("t_id"))
            .values(source=source, state="confirmed")
        )
        session.connection().execute(confirm, [{"f_id": f, "t_id": t} for f, t in upgraded])
    for failure_id in sorted({f for f, _ in [*new, *upgraded]}):
        _forget_loaded_links(session, failure_id)


def _forget_loaded_links(session: Session, failure_id: int) -> None:
    """Rows written here bypass the ORM: a loaded failure must read its links again."""
    failure = session.identity_map.get((Failure, (failure_id,), None))
    if failure is not None:
        session.expire(failure, ["deployments", "changes"])


def link_named_commits(session: Session, failure: Failure) -> list[int]:
    """Confirms links to the deployments that released a commit the failure's text names."""
    shas = shas_in(f"{failure.title}\n{failure.description}")
    if not shas:
        return []
    ids = session.scalars(
        select(Deployment.id).where(
            naming_commits(shas),
            Deployment.started_at >= failure.started_at - SHA_HORIZON,
            Deployment.started_at <= failure.started_at + timedelta(days=1),
        )
    ).all()
    return [dep_id for dep_id in ids if link(session, failure.id, "deployment", dep_id, "commit")]


_PRODUCTION_SQL = ", ".join(f"'{e}'" for e in PRODUCTION_ENVIRONMENTS)
# For each (failure, service, since, until): the latest production deployments of the service in
# the window, newest first, through the index (service, start): a busy organisation's whole
# window is never read, and a CI batch's tens of failures ask in one statement, not one each.
_LATEST_COLUMNS = (column("failure_id", Integer), column("id", Integer), column("started_at", UTCDateTime))
_LATEST_PRODUCTION = {
    "postgresql": text(
        "SELECT w.failure_id, d.id, d.started_at FROM unnest(CAST(:failure_ids AS integer[]),"
        " CAST(:service_ids AS integer[]), CAST(:sinces AS timestamptz[]), CAST(:untils AS timestamptz[]))"
        " AS w(failure_id, service_id, since, until) CROSS JOIN LATERAL (SELECT id, started_at"
        f" FROM deployments WHERE service_id = w.service_id AND environment IN ({_PRODUCTION_SQL})"
        " AND started_at >= w.since AND started_at <= w.until ORDER BY started_at DESC, id DESC"
        " LIMIT :limit) AS d"
    ).columns(*_LATEST_COLUMNS),
    "sqlite": text(
        "SELECT json_extract(w.value, '$[0]'), d.id, d.started_at FROM json_each(:wanted) AS w"
        " JOIN deployments AS d ON d.id IN (SELECT id FROM deployments"
        f" WHERE service_id = json_extract(w.value, '$[1]') AND environment IN ({_PRODUCTION_SQL})"
        " AND started_at >= json_extract(w.value, '$[2]') AND started_at <= json_extract(w.value, '$[3]')"
        " ORDER BY started_at DESC, id DESC LIMIT :limit)"
    ).columns(*_LATEST_COLUMNS),
}


def _latest_production(
    session: Session, wanted: list[tuple[int, int, datetime, datetime]], limit: int
) -> list[tuple[int, int, datetime]]:
    """(failure, deployment, started) for each wanted (failure, service, since, until)."""
    if not wanted:
        return []
    connection = session.connection()
    dialect = connection.dialect
    params: dict[str, object] = {"limit": limit}
    if dialect.name == "postgresql":
        names = ("failure_ids", "service_ids", "sinces", "untils")
        params.update((n, list(c)) for n, c in zip(names, zip(*wanted, strict=True), strict=True))
    else:  # the times as SQLite stores them, so that they compare as text
        stored = UTCDateTime().bind_processor(dialect)
        assert stored is not None
        as_json = [[f, s, stored(since), stored(until)] for f, s, since, until in wanted]
        params["wanted"] = orjson.dumps(as_json).decode()
    return [(int(f), int(d), at) for f, d, at in connection.execute(_LATEST_PRODUCTION[dialect.name], params)]


def suggest_deployments(session: Session, failures: Sequence[Failure]) -> None:
    """Suggests, for each failure, the latest production deployments of its services (at most
    the suggestion limit) in the window before it started; withdraws suggestions that no longer
    fit (its start or services changed)."""
    if not failures:
        return
    settings = get_integration_settings()
    window, limit = timedelta(hours=settings.suggestion_window_hours), settings.suggestion_limit
    ids = [f.id for f in failures]
    services: dict[int, list[int]] = {i: [] for i in ids}
    for failure_id, service_id in session.execute(
        select(failure_services.c.failure_id, failure_services.c.service_id).where(
            failure_services.c.failure_id.in_(ids)
        )
    ):
        services[failure_id].append(service_id)
    wanted = [(f.id, s, f.started_at - window, f.started_at) for f in failures for s in services[f.id]]
    latest: dict[int, list[tuple[datetime, int]]] = {i: [] for i in ids}
    for failure_id, deployment_id, at in _latest_production(session, wanted, limit):
        latest[failure_id].append((at, deployment_id))
    # The latest few of all its services together.
    candidates = {i: {d for _at, d in heapq.nlargest(limit, latest[i])} for i in ids}
    rows = session.execute(
        select(
            failure_deployments.c.failure_id, failure_deployments.c.deployment_id, failure_deployments.c.state
        ).where(failure_deployments.c.failure_id.in_(ids))
    ).all()
    now = utcnow()
    suggested: list[dict[str, object]] = []
    touched: set[int] = set()
    for failure_id in ids:
        mine = [(d, state) for f, d, state in rows if f == failure_id]
        stale = [d for d, state in mine if state == "suggested" and d not in candidates[failure_id]]
        if stale:
            session.execute(
                delete(failure_deployments).where(
                    failure_deployments.c.failure_id == failure_id,
                    failure_deployments.c.deployment_id.in_(stale),
                )
            )
        present = {d for d, _state in mine}
        suggested += [
            {
                "failure_id": failure_id,
                "deployment_id": d,
                "source": "suggested",
                "state": "suggested",
                "created_at": now,
            }
            for d in sorted(candidates[failure_id] - present)
        ]
        if candidates[failure_id] - present:
            touched.add(failure_id)
    if suggested:  # known to be absent: one multi-row insert (a busy service deploys many times an hour)
        session.execute(insert(failure_deployments), suggested)
        for failure_id in sorted(touched):
            _forget_loaded_links(session, failure_id)


def mark_rework(session: Session, failures: Sequence[Failure]) -> None:
    """A deployment confirmed as linked that started after its failure did was made because
    of it (a hotfix, a rollback): rework."""
    if not failures:
        return
    started = {f.id: f.started_at for f in failures}
    linked = session.execute(
        select(failure_deployments.c.failure_id, Deployment.id, Deployment.started_at)
        .join(Deployment, Deployment.id == failure_deployments.c.deployment_id)
        .where(
            failure_deployments.c.failure_id.in_(list(started)),
            failure_deployments.c.state == "confirmed",
            Deployment.rework.is_(False),
        )
    ).all()
    rework = sorted({d for f, d, at in linked if at > started[f]})
    if rework:
        session.execute(
            update(Deployment)
            .where(Deployment.id.in_(rework))
            .values(rework=True)
            .execution_options(synchronize_session=False)
        )


def refresh_links(session: Session, failure_ids: Sequence[int]) -> None:
    failures = [f for f in (session.get(Failure, i) for i in dict.fromkeys(failure_ids)) if f is not None]
    for failure in failures:
        link_named_commits(session, failure)
    suggest_deployments(session, failures)
    mark_rework(session, failures)


def _failure_changed(session: Session, actor: Actor, event: DomainEvent) -> None:
    _failures_changed(session, actor, [event])


def _failures_changed(session: Session, _actor: Actor, events: Sequence[DomainEvent]) -> None:
    # decide() below raises links_only: nothing the suggestions depend on moved.
    refresh_links(session, [e.subject_id for e in events if not e.data.get("links_only")])


HANDLERS: HandlerTable = [(FAILURE_REPORTED, _failure_changed), (FAILURE_UPDATED, _failure_changed)]
BULK_FORMS: BulkForms = ((_failure_changed, _failures_changed),)


# ---- a person's decision ---------------------------------------------------------------


@dataclass(frozen=True)
class SuggestedLink:
    failure_id: int
    deployment: Deployment
    state: str
    source: str


def suggestions(session: Session, failure_id: int) -> Sequence[SuggestedLink]:
    """Links waiting for a person: suggested deployments, newest first."""
    rows = session.execute(
        select(Deployment, failure_deployments.c.state, failure_deployments.c.source)
        .join(failure_deployments, failure_deployments.c.deployment_id == Deployment.id)
        .where(failure_deployments.c.failure_id == failure_id, failure_deployments.c.state == "suggested")
        .order_by(Deployment.started_at.desc(), Deployment.id.desc())
    ).all()
    return [SuggestedLink(failure_id, dep, state, source) for dep, state, source in rows]


def decide(
    session: Session, actor: Actor, failure_id: int, kind: LinkKind, target_id: int, *, confirm: bool
) -> str:
    """Confirms or rejects a suggested link; answers the new state."""
    require(actor, Role.practitioner, "Confirming or rejecting a suggested link")
    table, column = _tables(kind)
    where = and_(table.c.failure_id == failure_id, table.c[column] == target_id)
    state = session.execute(select(table.c.state).where(where)).scalar_one_or_none()
    if state is None:
        raise NotFound(detail=f"No suggested {kind} {target_id} on failure {failure_id}.")
    if state != "suggested":
        raise InvalidInput.on("state", f"the link is already {state}")
    new_state = "confirmed" if confirm else "rejected"
    session.execute(update(table).where(where).values(state=new_state))
    _forget_loaded_links(session, failure_id)
    failure = session.get(Failure, failure_id)
    if failure is not None and confirm:
        mark_rework(session, [failure])
    if failure is not None:
        failure.updated_at = utcnow()
        session.flush()
    field = "deployment_ids" if kind == "deployment" else "change_ids"
    emit(session, actor, DomainEvent(FAILURE_UPDATED, failure_id, {"fields": [field], "links_only": True}))
    return new_state
