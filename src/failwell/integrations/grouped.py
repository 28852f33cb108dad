"""Deliveries that arrive together on SQLite are recorded in one transaction.

SQLite has one writer, so the endpoint runs a delivery's transaction on the event loop itself (a
thread would only queue for the same lock), and each delivery paid for its own BEGIN, stamp
check and COMMIT: about a third of its cost. Here the deliveries whose requests reached the
endpoint in the same turn of the loop are admitted one by one (size, signature) and then
recorded together: one stamp check per integration, one look-up of their keys, the handlers in
order, the deliveries stored with their verdicts in one statement, one commit. Nothing is
answered before that commit.

Most deliveries only record one deployment (a final GitHub deployment status, a generic CI
deployment): consecutive ones are recorded as a CI batch is (`batch.record_each`), a few
statements for all of them instead of four each, each delivery's outcome its own.

Only the usual case is done together: every delivery accepted, its key new (and not twice in
the group), its integration unchanged. Anything else (a refusal, an unmapped event, a duplicate,
an error) undoes the group's transaction and records each delivery alone, through exactly the
path it would have taken by itself, so verdicts, duplicates and stored errors are as if each had
come alone. The keys are looked up before the write, and that is exact because SQLite's write
transaction is the only writer (the endpoint groups only on SQLite).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.orm import Session

from failwell.db import Database, insert_many_ids
from failwell.errors import DomainError
from failwell.integrations import cache, generic, github
from failwell.integrations.batch import record_each
from failwell.integrations.context import Context, Unmapped
from failwell.integrations.models import IntegrationDelivery, IntegrationKind, Verdict
from failwell.integrations.receive import Inbound, Received, any_taken, delivery_row, handled, record
from failwell.integrations.schemas import GenericDeployment

log = logging.getLogger("failwell.integrations")

# Deliveries per transaction at most: a few tens of milliseconds of work under load.
MOST = 64

# Per kind: the one deployment a delivery records when that is all it does (else None), and the
# detail its outcome then says.
Describe = Callable[[GenericDeployment, int], str]
ONE_DEPLOYMENT: dict[IntegrationKind, tuple[Callable[[str, Any], GenericDeployment | None], Describe]] = {
    IntegrationKind.github: (github.one_deployment, github.recorded_status),
    IntegrationKind.generic: (generic.one_deployment, generic.recorded),
}

# A delivery whose one deployment waits to be recorded with the next ones.
_Pending = tuple[Context, GenericDeployment, Describe]

_DELIVERIES: Table = IntegrationDelivery.__table__  # type: ignore[assignment]  # declarative types it loosely


class _Alone(Exception):
    """A delivery of the group needs its own transaction."""


def record_together(db: Database, group: Sequence[Inbound]) -> list[Received | Exception]:
    """Records the deliveries, in order, in one transaction when every one is accepted and new;
    else each in its own (`receive.record`). One delivery's exception is its own answer."""
    # A body that is not JSON is refused: such a group goes alone without opening a transaction.
    if len(group) > 1 and not any(inbound.problem for inbound in group):
        try:
            return [*_together(db, group)]
        except _Alone:
            pass
        except Exception:  # e.g. the commit itself: nothing was stored; each tries alone
            log.warning("%d deliveries could not be recorded together; each alone", len(group), exc_info=True)
    answers: list[Received | Exception] = []
    for inbound in group:
        try:
            answers.append(record(db, inbound))
        except Exception as exc:  # the endpoint answers it for this delivery only
            answers.append(exc)
    return answers


def _together(db: Database, group: Sequence[Inbound]) -> list[Received]:
    keys: dict[int, list[str]] = {}
    for inbound in group:
        keys.setdefault(inbound.integration_id, []).append(inbound.key)
    if sum(len(set(k)) for k in keys.values()) < len(group):
        raise _Alone  # a retry beside its first delivery: the second is a duplicate
    with db.session() as session:
        if any(any_taken(session, integration_id, wanted) for integration_id, wanted in keys.items()):
            raise _Alone  # a duplicate: alone, it is answered as one
        contexts = _handled(db, session, group)
        rows = [delivery_row(inbound, ctx.outcome) for inbound, ctx in zip(group, contexts, strict=True)]
        ids = insert_many_ids(session.connection(), _DELIVERIES, rows)
    return [
        Received(delivery_id, ctx.outcome.verdict, ctx.outcome.detail, ctx.outcome.result)
        for delivery_id, ctx in zip(ids, contexts, strict=True)
    ]


def _handled(db: Database, session: Session, group: Sequence[Inbound]) -> list[Context]:
    """Each delivery handled in its own context, in order, consecutive single deployments
    recorded together; raises _Alone unless every one is accepted."""
    confirmed: set[int] = set()
    contexts: list[Context] = []
    run: list[_Pending] = []
    for inbound in group:
        if inbound.integration_id not in confirmed:
            if cache.current(db, session, inbound.integration_id, inbound.entry) is not inbound.entry:
                raise _Alone  # edited since it was read: each is checked again alone
            confirmed.add(inbound.integration_id)
        entry = inbound.entry
        ctx = Context(session, entry.integration, known_options=entry.options, known_rules=entry.rules)
        contexts.append(ctx)
        one = ONE_DEPLOYMENT.get(inbound.kind)
        try:
            item = one[0](inbound.event, inbound.payload) if one is not None else None
        except Exception:  # refused, or failing: alone, it is stored with why (and an error logged)
            raise _Alone from None
        if one is not None and item is not None:
            run.append((ctx, item, one[1]))
            continue
        _record_run(run)
        if handled(ctx, inbound.event, inbound.payload).verdict != Verdict.accepted:
            raise _Alone
    _record_run(run)
    return contexts


def _record_run(run: list[_Pending]) -> None:
    """Records the single deployments gathered so far, each integration's together, and empties
    the run."""
    by_integration: dict[int, list[_Pending]] = {}
    for entry in run:
        by_integration.setdefault(entry[0].integration.id, []).append(entry)
    run.clear()
    for entries in by_integration.values():
        try:
            ids = record_each([ctx for ctx, _, _ in entries], [item for _, item, _ in entries])
            entries[0][0].session.flush()
        except (Unmapped, ValidationError, DomainError):
            raise _Alone from None  # not accepted: each alone says why
        for (ctx, item, describe), dep_id in zip(entries, ids, strict=True):
            ctx.outcome.detail = describe(item, dep_id)


class Grouper:
    """Collects the deliveries admitted in one turn of the event loop and records them together
    at the start of the next (one per event loop: futures belong to their loop)."""

    def __init__(self, db: Database, loop: asyncio.AbstractEventLoop) -> None:
        self.db = db
        self.loop = loop
        self._waiting: list[tuple[Inbound, asyncio.Future[Received]]] = []
        self._scheduled = False

    async def record(self, inbound: Inbound) -> Received:
        future: asyncio.Future[Received] = self.loop.create_future()
        self._waiting.append((inbound, future))
        if not self._scheduled:
            self._scheduled = True
            self.loop.call_soon(self._drain)
        return await future

    def _drain(self) -> None:
        group, self._waiting = self._waiting[:MOST], self._waiting[MOST:]
        self._scheduled = bool(self._waiting)
        if self._scheduled:
            self.loop.call_soon(self._drain)
        answers: list[Received | Exception]
        try:
            answers = record_together(self.db, [inbound for inbound, _ in group])
        except Exception as exc:  # never leave a request waiting for an answer
            answers = [exc] * len(group)
        for (_, future), answer in zip(group, answers, strict=True):
            if future.done():  # the request was cancelled (its client went away)
                continue
            if isinstance(answer, Exception):
                future.set_exception(answer)
            else:
                future.set_result(answer)
