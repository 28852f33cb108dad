"""Deliveries that arrive together on SQLite are recorded in one transaction.

SQLite has one writer, so the endpoint runs a delivery's transaction on the event loop itself (a
thread would only queue for the same lock), and each delivery paid for its own BEGIN, stamp
check and COMMIT: about a third of its cost. Here the deliveries whose requests reached the
endpoint in the same turn of the loop are admitted one by one (size, signature) and then
recorded together: one stamp check per integration, the handlers in order, each delivery stored
with its verdict, one commit. Nothing is answered before that commit.

Only the usual case is done together: every delivery accepted, its key new, its integration
unchanged. Anything else (a refusal, an unmapped event, a duplicate, an error) undoes the
group's transaction and records each delivery alone, through exactly the path it would have
taken by itself, so verdicts, duplicates and stored errors are as if each had come alone.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence

from failwell.db import Database
from failwell.integrations import cache
from failwell.integrations.context import Context
from failwell.integrations.models import Verdict
from failwell.integrations.receive import Inbound, Received, handled, record, store_delivery

log = logging.getLogger("failwell.integrations")

# Deliveries per transaction at most: a few tens of milliseconds of work under load.
MOST = 64


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
    answers = []
    with db.session() as session:
        confirmed: set[int] = set()
        for inbound in group:
            if inbound.integration_id not in confirmed:
                if cache.current(db, session, inbound.integration_id, inbound.entry) is not inbound.entry:
                    raise _Alone  # edited since it was read: each is checked again alone
                confirmed.add(inbound.integration_id)
            entry = inbound.entry
            ctx = Context(session, entry.integration, known_options=entry.options, known_rules=entry.rules)
            outcome = handled(ctx, inbound.event, inbound.payload)
            if outcome.verdict != Verdict.accepted:
                raise _Alone
            delivery_id = store_delivery(session, inbound, outcome)
            if delivery_id is None:
                raise _Alone
            answers.append(Received(delivery_id, outcome.verdict, outcome.detail, outcome.result))
    return answers


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
