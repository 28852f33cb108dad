"""Sign-in throttling: after too many failed sign-ins for one account, or from one client
address, within a window, sign-in is refused until the window ends.

Counts live in the database (people.models.SignInThrottle), so every app process, and
every worker of `failwell serve --workers N`, sees the same ones. The account is keyed by
the e-mail as typed (normalised), whether or not it has an account: an unknown e-mail is
throttled exactly like a known one, so throttling tells nobody which e-mails exist.
"""

from __future__ import annotations

import hashlib
import math
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import case, delete, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from failwell.db import UTCDateTime, utcnow
from failwell.people.models import SignInThrottle


@dataclass(frozen=True)
class ThrottlePolicy:
    per_account: int = 5
    # Higher: many people may share one address (an office behind NAT).
    per_address: int = 50
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Attempt:
    """Whose sign-in this is: the e-mail typed and the client's address (None if unknown)."""

    email: str
    address: str | None

    def limits(self, policy: ThrottlePolicy) -> dict[str, int]:
        keys = {_key("account", self.email.strip().lower()): policy.per_account}
        if self.address:
            keys[_key("address", self.address)] = policy.per_address
        return keys


def _key(kind: str, value: str) -> str:
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def retry_after(session: Session, attempt: Attempt, policy: ThrottlePolicy) -> int | None:
    """Seconds until this attempt may be made, or None when it may be made now."""
    limits = attempt.limits(policy)
    now = utcnow()
    rows = session.execute(
        select(SignInThrottle.key, SignInThrottle.failures, SignInThrottle.window_started_at).where(
            SignInThrottle.key.in_(limits)
        )
    ).all()
    wait = 0.0
    for key, failures, started in rows:
        ends = started + policy.window
        if failures >= limits[key] and ends > now:
            wait = max(wait, (ends - now).total_seconds())
    return math.ceil(wait) if wait > 0 else None


def record_failure(session: Session, attempt: Attempt, policy: ThrottlePolicy) -> None:
    """Counts a failed sign-in against the account and the address, atomically (an upsert),
    starting a new window where the last one has ended."""
    now = utcnow()
    ended_before = now - policy.window
    insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
    for key in attempt.limits(policy):
        stale = SignInThrottle.window_started_at <= literal(ended_before, UTCDateTime())
        stmt = insert(SignInThrottle).values(key=key, failures=1, window_started_at=now)
        session.execute(
            stmt.on_conflict_do_update(
                index_elements=[SignInThrottle.key],
                set_={
                    "failures": case((stale, 1), else_=SignInThrottle.failures + 1),
                    "window_started_at": case(
                        (stale, literal(now, UTCDateTime())), else_=SignInThrottle.window_started_at
                    ),
                },
            )
        )
    # Windows that have ended count nothing: sweep them while writing anyway.
    session.execute(delete(SignInThrottle).where(SignInThrottle.window_started_at <= ended_before))


def record_success(session: Session, attempt: Attempt, policy: ThrottlePolicy) -> None:
    """A right password clears the account's count (not the address's: one person signing in
    does not vouch for everyone else guessing from the same address)."""
    account = next(iter(attempt.limits(policy)))
    session.execute(delete(SignInThrottle).where(SignInThrottle.key == account))
