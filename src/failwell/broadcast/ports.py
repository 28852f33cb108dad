"""What the broadcast slice needs from the floors above it, wired by failwell.bootstrap.

The weekly digest reads reviews, actions, failures, the outbox and read receipts together:
that query lives on the read side (failwell.insights.digest), above this slice, so the
scheduler and the digest routes reach it through this port instead of importing it.

Housekeeping jobs (e.g. purging old webhook deliveries) belong to slices above this one; the
delivery worker is the process that runs periodically, so they register here and it runs them
(failwell.broadcast.housekeeping). Background jobs are the same for work that must follow
within seconds (embedding failures reported by webhooks), run every few seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from sqlalchemy.orm import Session

from failwell.broadcast.digest_model import Digest
from failwell.db import Database
from failwell.people.models import Team


class DigestBuilder(Protocol):
    def __call__(self, session: Session, week: str, team: Team | None = None) -> Digest:
        """The digest of an ISO week ('2026-W47'), of one team or (None) the organisation."""
        ...


class DigestBuilderNotWired(RuntimeError):
    pass


_digest_builder: DigestBuilder | None = None


def use_digest_builder(builder: DigestBuilder) -> None:
    global _digest_builder
    _digest_builder = builder


def digest_builder() -> DigestBuilder:
    if _digest_builder is None:
        raise DigestBuilderNotWired(
            "no digest builder: failwell.bootstrap.bootstrap() wires failwell.insights.digest.build_digest"
        )
    return _digest_builder


# A job gets its own unit of work (committed when it returns) and may answer what it did.
HousekeepingJob = Callable[[Session], object]

_housekeeping: dict[str, HousekeepingJob] = {}


def add_housekeeping(name: str, job: HousekeepingJob) -> None:
    """Registers a periodic job under a name (registering the name again replaces it)."""
    _housekeeping[name] = job


def housekeeping_jobs() -> list[tuple[str, HousekeepingJob]]:
    return list(_housekeeping.items())


# A background job manages its own units of work (e.g. compute outside a transaction, then
# write) and answers how many items it handled; it must be safe from several workers at once.
BackgroundJob = Callable[[Database], int]

_background: dict[str, BackgroundJob] = {}


def add_background_job(name: str, job: BackgroundJob) -> None:
    """Registers a job the worker runs every few seconds (the name again replaces it)."""
    _background[name] = job


def background_jobs() -> list[tuple[str, BackgroundJob]]:
    return list(_background.items())
