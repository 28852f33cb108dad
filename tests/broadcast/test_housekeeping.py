"""Housekeeping jobs registered by the slices above broadcast: each in its own unit of work,
a failure logged and never fatal, run by the delivery worker at most once an hour."""

from __future__ import annotations

import logging
import time

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from broadcast.conftest import FAST
from failwell.broadcast import ports
from failwell.broadcast import worker as worker_module
from failwell.broadcast.housekeeping import HOUSEKEEPING_EVERY_S, run_housekeeping
from failwell.broadcast.worker import Worker
from failwell.db import Database
from failwell.people.models import Team


@pytest.fixture(autouse=True)
def _own_registry(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only this test's jobs; the ones bootstrap() registered are back afterwards."""
    monkeypatch.setattr(ports, "_housekeeping", {})


def _teams(db: Database) -> list[str]:
    with db.session(write=False) as s:
        return list(s.scalars(select(Team.name).order_by(Team.name)))


def test_each_job_has_its_own_unit_of_work_and_a_failure_is_only_logged(
    db: Database, caplog: pytest.LogCaptureFixture
) -> None:
    def breaks_halfway(session: Session) -> None:
        session.add(Team(name="half-done"))
        session.flush()
        raise RuntimeError("disk full")

    def adds_a_team(session: Session) -> int:
        session.add(Team(name="tidy"))
        return 1

    ports.add_housekeeping("breaks", breaks_halfway)
    ports.add_housekeeping("adds", adds_a_team)
    with caplog.at_level(logging.ERROR, logger="failwell.broadcast"):
        done = run_housekeeping(db)
    assert done == {"adds": 1}
    assert "tidy" in _teams(db) and "half-done" not in _teams(db)
    assert any("housekeeping job 'breaks' failed" in r.getMessage() for r in caplog.records)


def test_registering_a_name_again_replaces_the_job() -> None:
    ports.add_housekeeping("purge", lambda s: 1)
    ports.add_housekeeping("purge", lambda s: 2)
    [(name, job)] = ports.housekeeping_jobs()
    assert name == "purge" and job(None) == 2  # type: ignore[arg-type]


def test_the_worker_runs_housekeeping_at_most_once_per_period(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[float] = []
    ports.add_housekeeping("count", lambda s: calls.append(time.monotonic()))
    monkeypatch.setattr(Worker, "_run_schedule", lambda self: None)  # reminders are not the subject
    monkeypatch.setattr(worker_module, "HOUSEKEEPING_EVERY_S", 0.3)
    worker = Worker(db, FAST, schedule=True)
    try:
        worker.run_once()
        worker.run_once()
        assert len(calls) == 1
        time.sleep(0.35)
        worker.run_once()
        worker.run_once()
        assert len(calls) == 2
    finally:
        worker.stop()
    quiet = Worker(db, FAST, schedule=False)
    try:
        quiet.run_once()
    finally:
        quiet.stop()
    assert len(calls) == 2, "a worker without the schedule runs no housekeeping"


def test_the_hourly_period_is_an_hour() -> None:
    assert HOUSEKEEPING_EVERY_S == 3600.0
