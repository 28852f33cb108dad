"""Append-only on both databases: a direct UPDATE or DELETE fails, whoever sends it; only the
retention purge removes entries, and only those past the retention."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import delete, insert, select, text, update
from sqlalchemy.exc import DBAPIError

from audit.helpers import entries
from failwell.audit import service
from failwell.audit.capture import entry, write
from failwell.audit.models import AuditEntry, AuditPurgeWindow
from failwell.broadcast.worker import Worker
from failwell.db import Database, utcnow
from failwell.errors import InvalidInput
from support import Org


def _aged(db: Database, days: int, summary: str) -> None:
    row = entry({"actor_kind": "system", "actor_name": "failwell"}, "updated", "team", 1, summary)
    row["at"] = utcnow() - timedelta(days=days)
    with db.session() as s:
        write(s, [row])


def test_update_and_delete_are_refused(db: Database, org: Org) -> None:
    assert entries(db), "the org fixture's set-up is recorded"
    for statement in (
        update(AuditEntry).values(summary="rewritten"),
        delete(AuditEntry),
        text("UPDATE audit_entries SET actor_name = 'someone else'"),
        text("DELETE FROM audit_entries"),
    ):
        with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
            s.execute(statement)
    assert all(e["summary"] != "rewritten" and e["actor_name"] != "someone else" for e in entries(db))


def test_a_window_allows_only_entries_older_than_its_cutoff(db: Database, org: Org) -> None:
    _aged(db, 500, "old")
    count = len(entries(db))
    with pytest.raises(DBAPIError, match="append-only"), db.session() as s:
        s.execute(insert(AuditPurgeWindow).values(purge_before=utcnow() - timedelta(days=400)))
        s.execute(delete(AuditEntry))  # the recent ones are still refused
    assert len(entries(db)) == count
    with db.session() as s:  # an open window still refuses every UPDATE
        s.execute(insert(AuditPurgeWindow).values(purge_before=utcnow()))
        with pytest.raises(DBAPIError, match="append-only"):
            s.execute(update(AuditEntry).values(summary="x"))
        s.rollback()


def test_purge_removes_only_what_is_past_the_retention(db: Database, org: Org) -> None:
    _aged(db, 500, "past retention")
    _aged(db, 100, "within retention")
    with db.session() as s:
        assert service.purge(s) == 1
    summaries = {e["summary"] for e in entries(db)}
    assert "past retention" not in summaries and "within retention" in summaries
    with db.session(write=False) as s:
        assert s.scalar(select(AuditPurgeWindow.id)) is None  # the window closed with the purge
    with db.session() as s:
        assert service.purge(s, days=90) == 1
    with pytest.raises(InvalidInput, match="retention_days"), db.session() as s:
        service.purge(s, days=29)


def test_retention_from_the_environment(db: Database, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    from pydantic import ValidationError

    from failwell.audit.config import AuditSettings, get_audit_settings

    monkeypatch.setenv("FAILWELL_AUDIT_RETENTION_DAYS", "60")
    get_audit_settings.cache_clear()
    try:
        _aged(db, 70, "seventy days old")
        with db.session() as s:
            assert service.purge(s) == 1
        monkeypatch.setenv("FAILWELL_AUDIT_RETENTION_DAYS", "10")
        with pytest.raises(ValidationError):
            AuditSettings()
    finally:
        get_audit_settings.cache_clear()


def test_worker_housekeeping_purges(db: Database, org: Org) -> None:
    _aged(db, 1000, "ancient")
    worker = Worker(db, schedule=True)
    try:
        worker.run_once()
    finally:
        worker.stop()
    assert "ancient" not in {e["summary"] for e in entries(db)}
