"""Failures reported by webhooks are searchable at once and embedded by the worker: the report
does not wait for the model, and the queued work survives in the database until it is done."""

from __future__ import annotations

from sqlalchemy import select

from failwell.authz import SYSTEM
from failwell.broadcast.ports import background_jobs
from failwell.broadcast.worker import Worker
from failwell.db import Database
from failwell.enums import FailureKind, ReportChannel
from failwell.failures.schemas import FailureIn
from failwell.failures.service import delete_failure, report_failure
from failwell.portability.format import EXCLUDED_TABLES
from failwell.recurrence.backlog import embed_backlog, pending
from failwell.recurrence.models import FailureEmbedding, FailureSearch
from support import Org


def _report(db: Database, org: Org, title: str, via: ReportChannel) -> int:
    with db.session() as s:
        failure = report_failure(
            s,
            SYSTEM,
            FailureIn(
                title=title,
                description="Connection pool exhausted on the primary after the 2.4 deployment.",
                kind=FailureKind.incident,
                services=[org.service],
                reported_via=via,
            ),
        )
        return failure.id


def _embedded(db: Database) -> set[int]:
    with db.session(write=False) as s:
        return set(s.scalars(select(FailureEmbedding.failure_id)))


def test_a_webhook_report_is_searchable_at_once_and_embedded_by_the_backlog(db: Database, org: Org) -> None:
    by_hook = _report(db, org, "Checkout pool exhausted", ReportChannel.webhook)
    by_person = _report(db, org, "Checkout pool exhausted again", ReportChannel.web)
    with db.session(write=False) as s:
        searchable = set(s.scalars(select(FailureSearch.failure_id)))
        assert {by_hook, by_person} <= searchable
        assert pending(s) == 1
    assert _embedded(db) == {by_person}  # a person's report is embedded in its own transaction

    assert embed_backlog(db) == 1
    assert _embedded(db) == {by_hook, by_person}
    with db.session(write=False) as s:
        assert pending(s) == 0
    assert embed_backlog(db) == 0  # nothing left: a cheap look


def test_the_worker_drains_the_backlog_through_the_registered_job(db: Database, org: Org) -> None:
    assert "embed failures reported by webhooks" in dict(background_jobs())
    queued = [_report(db, org, f"Alert storm {n}", ReportChannel.webhook) for n in range(3)]
    worker = Worker(db, schedule=True)
    try:
        worker.run_once()
    finally:
        worker.stop()
    assert set(queued) <= _embedded(db)
    with db.session(write=False) as s:
        assert pending(s) == 0


def test_a_deleted_failure_leaves_the_backlog(db: Database, org: Org) -> None:
    gone = _report(db, org, "Reported then deleted", ReportChannel.webhook)
    with db.session() as s:
        delete_failure(s, SYSTEM, gone)
    with db.session(write=False) as s:
        assert pending(s) == 0
    assert embed_backlog(db) == 0


def test_the_backlog_does_not_travel_in_exports() -> None:
    assert "embedding_backlog" in EXCLUDED_TABLES
