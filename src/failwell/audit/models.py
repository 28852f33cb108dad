"""The audit trail's tables: the entries, and the purge window the append-only triggers check."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from failwell.db import Base, UTCDateTime, utcnow


class ActorKind(StrEnum):
    person = "person"  # signed in to the pages
    token = "token"  # an API token (the CLI's server verbs, CI)
    system = "system"  # administration verbs on the database, the worker, inbound integrations
    anonymous = "anonymous"  # an anonymous failure report: nothing about who sent it


class AuditEntry(Base):
    """One recorded change or refusal. Never updated or deleted (triggers refuse both), except by
    the retention purge. Who acted is a snapshot (id and name at the time), not a foreign key:
    removing a person must not remove, or rewrite, the history of what they did."""

    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_at", "at", "id"),
        Index("ix_audit_entries_subject", "subject_type", "subject_id", "at"),
        Index("ix_audit_entries_actor", "actor_person_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    actor_kind: Mapped[str] = mapped_column(String(16))
    actor_person_id: Mapped[int | None] = mapped_column(Integer, default=None)
    actor_name: Mapped[str] = mapped_column(String(200), default="")
    token_id: Mapped[int | None] = mapped_column(Integer, default=None)
    action: Mapped[str] = mapped_column(String(32), index=True)
    subject_type: Mapped[str] = mapped_column(String(64))
    subject_id: Mapped[str] = mapped_column(String(64), default="")
    summary: Mapped[str] = mapped_column(String(500), default="")
    # {field: [before, after]}; secrets appear only as a mask.
    changes: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # For refusals: what was asked for.
    request_method: Mapped[str | None] = mapped_column(String(10), default=None)
    request_path: Mapped[str | None] = mapped_column(Text, default=None)


class AuditPurgeWindow(Base):
    """Open only inside the retention purge's own transaction: while a row here says so, the
    triggers let entries older than purge_before be deleted, and nothing else."""

    __tablename__ = "audit_purge_window"

    id: Mapped[int] = mapped_column(primary_key=True)
    purge_before: Mapped[datetime] = mapped_column(UTCDateTime)
