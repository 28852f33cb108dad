"""Reading the audit trail (practice owners only), exporting it, and the retention purge."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator, Sequence
from datetime import timedelta
from typing import Any, Literal

from sqlalchemy import Select, delete, insert, select
from sqlalchemy.orm import Session

from failwell.audit.config import MIN_RETENTION_DAYS, get_audit_settings
from failwell.audit.models import AuditEntry, AuditPurgeWindow
from failwell.audit.schemas import AuditEntryOut, AuditFilter
from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import InvalidInput
from failwell.listing import paginate, text_match

READING = "Reading the audit trail"
ExportFormat = Literal["csv", "jsonl"]
# An export is built in memory; past this many entries, narrow the dates and export again.
EXPORT_CAP = 100_000
_EXPORT_BATCH = 1_000
CSV_COLUMNS = (
    "id",
    "at",
    "actor_kind",
    "actor_person_id",
    "actor_name",
    "token_id",
    "action",
    "subject_type",
    "subject_id",
    "summary",
    "changes",
    "request_method",
    "request_path",
)


def _filtered(filters: AuditFilter) -> Select[AuditEntry]:
    stmt = select(AuditEntry)
    if filters.since and filters.until and filters.until <= filters.since:
        raise InvalidInput.on("until", "must be after 'since'")
    conditions = {
        AuditEntry.actor_person_id: filters.actor_person_id,
        AuditEntry.actor_kind: filters.actor_kind.value if filters.actor_kind else None,
        AuditEntry.action: filters.action,
        AuditEntry.subject_type: filters.subject_type,
        AuditEntry.subject_id: filters.subject_id,
    }
    for column, value in conditions.items():
        if value is not None and value != "":
            stmt = stmt.where(column == value)
    if filters.actor and filters.actor.strip():
        stmt = stmt.where(text_match(filters.actor, AuditEntry.actor_name))
    if filters.since is not None:
        stmt = stmt.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        stmt = stmt.where(AuditEntry.at < filters.until)
    return stmt


def list_entries(
    session: Session, actor: Actor, filters: AuditFilter
) -> tuple[Sequence[AuditEntry], int, bool]:
    """Newest first."""
    require(actor, Role.practice_owner, READING)
    stmt = _filtered(filters).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    return paginate(session, stmt, filters)


def entry_out(entry: AuditEntry) -> AuditEntryOut:
    return AuditEntryOut.model_validate(entry)


def _all_matching(session: Session, filters: AuditFilter) -> Iterator[AuditEntry]:
    """Oldest first, in batches by id (the order entries were written)."""
    after = 0
    sent = 0
    while sent < EXPORT_CAP:
        stmt = _filtered(filters).where(AuditEntry.id > after).order_by(AuditEntry.id).limit(_EXPORT_BATCH)
        batch = session.scalars(stmt).all()
        if not batch:
            return
        yield from batch[: EXPORT_CAP - sent]
        sent += len(batch)
        after = batch[-1].id


def _row(entry: AuditEntry) -> dict[str, Any]:
    return entry_out(entry).model_dump(mode="json")


def export(session: Session, actor: Actor, filters: AuditFilter, fmt: ExportFormat) -> str:
    """Every matching entry (up to EXPORT_CAP), oldest first, as CSV or JSON lines."""
    require(actor, Role.practice_owner, "Exporting the audit trail")
    if fmt == "jsonl":
        return "".join(
            json.dumps(_row(e), ensure_ascii=False) + "\n" for e in _all_matching(session, filters)
        )
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(CSV_COLUMNS)
    for entry in _all_matching(session, filters):
        row = _row(entry)
        row["changes"] = json.dumps(row["changes"], ensure_ascii=False)
        writer.writerow(["" if row[c] is None else row[c] for c in CSV_COLUMNS])
    return out.getvalue()


def purge(session: Session, days: int | None = None) -> int:
    """Removes entries older than the retention; answers how many.

    The triggers refuse every delete unless a purge window is open, and then only of entries
    older than its cutoff; the window is opened and closed inside this one transaction, so no
    other transaction ever sees it open."""
    keep = days if days is not None else get_audit_settings().retention_days
    if keep < MIN_RETENTION_DAYS:
        raise InvalidInput.on("retention_days", f"must be at least {MIN_RETENTION_DAYS}")
    cutoff = utcnow() - timedelta(days=keep)
    window: Any = session.execute(insert(AuditPurgeWindow).values(purge_before=cutoff))
    window_id = window.inserted_primary_key[0]
    result: Any = session.execute(delete(AuditEntry).where(AuditEntry.at < cutoff))
    session.execute(delete(AuditPurgeWindow).where(AuditPurgeWindow.id == window_id))
    return int(result.rowcount or 0)
