"""Reading the audit trail back in tests."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from failwell.audit.models import AuditEntry
from failwell.audit.schemas import AuditEntryOut
from failwell.db import Database


def entries(db: Database, **where: Any) -> list[dict[str, Any]]:
    """Entries in the order written, as the API shows them; `where` filters on columns."""
    stmt = select(AuditEntry).order_by(AuditEntry.id)
    for column, value in where.items():
        stmt = stmt.where(getattr(AuditEntry, column) == value)
    with db.session(write=False) as s:
        return [AuditEntryOut.model_validate(e).model_dump(mode="json") for e in s.scalars(stmt)]


def last(db: Database, **where: Any) -> dict[str, Any]:
    found = entries(db, **where)
    assert found, f"no audit entry with {where}"
    return found[-1]
