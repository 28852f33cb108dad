"""The delivery worker: claims due deliveries, sends them, records the outcome.

Claiming is one short write transaction. On PostgreSQL, ``SELECT ... FOR UPDATE SKIP LOCKED``
lets any number of workers claim at once without waiting on, or taking, each other's rows; on
SQLite the write transaction (BEGIN IMMEDIATE, behind the process-wide write gate) admits one
claimer at a time. A claim is a lease: the row says who holds it until when. A worker that
dies (even by SIGKILL) simply stops renewing nothing; once the lease runs out the delivery is
due again and another worker sends it, with the same idempotency key. So every delivery is
sent at least once, and a receiver that remembers keys sees it exactly once.

Each attempt is counted when claimed, so a delivery that crashes its worker every time still
ends parked after ``max_attempts``.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, or_, select, update
from sqlalchemy.sql.elements import ColumnElement

from failwell.broadcast.channels import Outgoing, send, warm_up
from failwell.broadcast.config import BroadcastSettings, get_broadcast_settings
from failwell.broadcast.housekeeping import HOUSEKEEPING_EVERY_S, run_housekeeping
from failwell.broadcast.models import Channel, Delivery, DeliveryStatus, OutboxEvent
from failwell.broadcast.outbox import forget_waker, on_new_work
from failwell.broadcast.ports import background_jobs
from failwell.broadcast.secrets import SecretUnreadable, unseal
from failwell.db import Database, utcnow

log = logging.getLogger("failwell.broadcast")


def due_clause(now: datetime) -> ColumnElement[bool]:
    return or_(
        and_(Delivery.status == DeliveryStatus.pending, Delivery.next_attempt_at <= now),
        # A claim whose worker went quiet (crashed, killed, cut off) is up for grabs again.
        and_(Delivery.status == DeliveryStatus.sending, Delivery.lease_until < now),
    )


def backoff_s(attempts: int, cfg: BroadcastSettings) -> float:
    """Exponential: base, 2 x base, 4 x base ... capped; jittered so parked bursts spread out."""
    delay: float = min(cfg.backoff_max_s, cfg.backoff_base_s * 2.0 ** max(0, attempts - 1))
    return delay * random.uniform(0.75, 1.0)


@dataclass(frozen=True)
class Claim:
    delivery_id: int
    attempts: int
    outgoing: Outgoing | None
    refusal: str | None = None  # why it cannot be sent at all (channel gone, key missing)


@dataclass
class Stats:
    delivered: int = 0
    retried: int = 0
    parked: int = 0


class Worker:
    def __init__(
        self,
        db: Database,
        cfg: BroadcastSettings | None = None,
        name: str | None = None,
        *,
        schedule: bool = True,
        sender: Callable[[Outgoing, float], str | None] = send,
    ) -> None:
        self.db = db
        self.cfg = cfg or get_broadcast_settings()
        self.id = name or f"{socket.gethostname()}:{os.getpid()}:{random.randrange(16**6):06x}"
        self.stats = Stats()
        self._stats_lock = threading.Lock()
        self._send = sender
        self._schedule = schedule
        self._next_schedule = 0.0
        self._next_housekeeping = 0.0
        self._next_background = 0.0
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pool = ThreadPoolExecutor(self.cfg.send_threads, thread_name_prefix="failwell-send")
        self._thread: threading.Thread | None = None

    # ---- claiming ----------------------------------------------------------------

    def claim(self, limit: int | None = None) -> list[Claim]:
        now = utcnow()
        limit = limit or self.cfg.batch_size
        # Idle polling reads first: on SQLite a write transaction would take the write lock.
        with self.db.session(write=False) as s:
            if s.scalar(select(Delivery.id).where(due_clause(now)).limit(1)) is None:
                return []
        with self.db.session() as s:
            pick = select(Delivery.id).where(due_clause(now)).order_by(Delivery.next_attempt_at).limit(limit)
            if not self.db.embedded:
                pick = pick.with_for_update(skip_locked=True)
            ids = list(s.scalars(pick))
            if not ids:
                return []
            s.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids))
                .values(
                    status=DeliveryStatus.sending,
                    lease_until=now + timedelta(seconds=self.cfg.lease_s),
                    claimed_by=self.id,
                    attempts=Delivery.attempts + 1,
                )
                .execution_options(synchronize_session=False)
            )
            rows = s.execute(
                select(Delivery, OutboxEvent, Channel)
                .join(OutboxEvent, OutboxEvent.id == Delivery.outbox_id)
                .outerjoin(Channel, Channel.id == Delivery.channel_id)
                .where(Delivery.id.in_(ids))
                .order_by(Delivery.id)
                .execution_options(populate_existing=True)
            ).all()
            return [self._claim(d, e, c) for d, e, c in rows]

    def _claim(self, d: Delivery, e: OutboxEvent, channel: Channel | None) -> Claim:
        if channel is None:
            return Claim(d.id, d.attempts, None, "its channel was removed")
        if not channel.enabled:
            return Claim(d.id, d.attempts, None, f"channel '{channel.name}' is disabled")
        try:
            url = unseal(channel.secret_url)
        except SecretUnreadable as exc:
            return Claim(d.id, d.attempts, None, exc.detail)
        recipient = d.destination.removeprefix("email:") if d.destination.startswith("email:") else None
        outgoing = Outgoing(
            url=url,
            kind=channel.kind,
            title=e.title,
            text=e.text,
            html=e.html,
            idempotency_key=d.idempotency_key,
            topic=e.topic,
            event_uid=e.uid,
            recipient=recipient,
        )
        return Claim(d.id, d.attempts, outgoing)

    # ---- recording ---------------------------------------------------------------

    def record(self, claim: Claim, error: str | None, *, park: bool = False) -> None:
        now = utcnow()
        mine = and_(
            Delivery.id == claim.delivery_id,
            Delivery.claimed_by == self.id,
            Delivery.status == DeliveryStatus.sending,
        )
        if error is None:
            values: dict[str, object] = {
                "status": DeliveryStatus.delivered,
                "delivered_at": now,
                "last_error": None,
            }
            outcome = "delivered"
        elif park or claim.attempts >= self.cfg.max_attempts:
            values = {"status": DeliveryStatus.failed, "last_error": error}
            outcome = "parked"
            log.warning("delivery %s parked after %s attempts: %s", claim.delivery_id, claim.attempts, error)
        else:
            values = {
                "status": DeliveryStatus.pending,
                "next_attempt_at": now + timedelta(seconds=backoff_s(claim.attempts, self.cfg)),
                "last_error": error,
            }
            outcome = "retried"
        values["lease_until"] = None
        with self.db.session() as s:
            # Only while the claim is still ours: a lease that ran out belongs to someone else now.
            s.execute(
                update(Delivery).where(mine).values(**values).execution_options(synchronize_session=False)
            )
        with self._stats_lock:
            setattr(self.stats, outcome, getattr(self.stats, outcome) + 1)

    # ---- the loop ----------------------------------------------------------------

    def run_once(self) -> int:
        """Claims one batch, sends it, records each outcome as it comes; returns the batch size."""
        if self._schedule and time.monotonic() >= self._next_schedule:
            self._next_schedule = time.monotonic() + self.cfg.schedule_every_s
            self._run_schedule()
        if self._schedule and time.monotonic() >= self._next_housekeeping:
            self._next_housekeeping = time.monotonic() + HOUSEKEEPING_EVERY_S
            run_housekeeping(self.db)  # logs a failing job; never raises
        # Not tied to --no-schedule: queued work such as embeddings must not wait for another worker.
        if time.monotonic() >= self._next_background:
            self._next_background = time.monotonic() + self.cfg.background_every_s
            self._run_background()
        claims = self.claim()
        # Each delivery is sent and then recorded by the same pool thread: the database round
        # trips of recording overlap like the sends do (it matters on PostgreSQL).
        futures = [self._pool.submit(self._deliver, claim) for claim in claims]
        for future in as_completed(futures):
            future.result()
        return len(claims)

    def _deliver(self, claim: Claim) -> None:
        if claim.outgoing is None:
            self.record(claim, claim.refusal, park=True)
            return
        try:
            error = self._send(claim.outgoing, self.cfg.send_timeout_s)
        except Exception as exc:  # the sender itself failed: one failed attempt
            error = type(exc).__name__
        self.record(claim, error)

    def _run_schedule(self) -> None:
        from failwell.broadcast.schedule import run_schedule

        try:
            run_schedule(self.db, self.cfg)
        except Exception:  # reminders must never stop deliveries; the next tick tries again
            log.exception("broadcast schedule failed")

    def _run_background(self) -> None:
        for name, job in background_jobs():
            try:
                job(self.db)
            except Exception:  # the work stays queued; the next round tries again
                log.exception("background job '%s' failed", name)

    def run(self, until: Callable[[], bool] | None = None) -> None:
        """Delivers until stopped (stop(), or `until` returning True)."""
        on_new_work(self.wake)
        warm_up()
        try:
            while not self._stop.is_set() and not (until and until()):
                try:
                    busy = self.run_once()
                except Exception:  # e.g. the database restarting: wait and try again
                    log.exception("broadcast worker loop failed; retrying")
                    busy = 0
                if not busy:
                    self._wake.wait(self.cfg.poll_s)
                    self._wake.clear()
        finally:
            forget_waker(self.wake)

    def drain(self, timeout_s: float = 30.0) -> Stats:
        """Runs until nothing is due (or the timeout); for the CLI's --once and for tests."""
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and not self._stop.is_set() and self.run_once():
            pass
        return self.stats

    def wake(self) -> None:
        self._wake.set()

    def start(self) -> Worker:
        self._thread = threading.Thread(target=self.run, name="failwell-broadcast", daemon=True)
        self._thread.start()
        return self

    def request_stop(self) -> None:
        """Asks the loop to finish the batch in hand (sent and recorded), then return."""
        self._stop.set()
        self._wake.set()

    def stop(self, timeout_s: float = 15.0) -> None:
        self.request_stop()
        if self._thread is not None:
            self._thread.join(timeout_s)
        # Sends still running after the timeout are abandoned; their claims return with the lease.
        self._pool.shutdown(wait=False, cancel_futures=True)
