"""Tables of the integrations slice: integrations, their mapping rules, every delivery kept raw,
commit times, and the alert or deployment groups that each open one failure."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import db_enum


class IntegrationKind(StrEnum):
    github = "github"
    gitlab = "gitlab"
    alertmanager = "alertmanager"
    pagerduty = "pagerduty"
    generic = "generic"


class Verdict(StrEnum):
    accepted = "accepted"
    duplicate = "duplicate"  # answered, never stored: the first delivery of that key is
    unmapped = "unmapped"  # kept for a practice owner to map, then replay
    refused = "refused"  # authenticated, but the payload could not be used
    error = "error"  # failwell failed while processing it; replay once fixed


class Integration(Base):
    __tablename__ = "integrations"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[IntegrationKind] = mapped_column(db_enum(IntegrationKind, "integration_kind"))
    name: Mapped[str] = mapped_column(String(100), unique=True)
    # Sealed with failwell.broadcast.secrets (Fernet when a key is configured): HMAC checks
    # need the plain secret, so it is encrypted rather than hashed.
    secret_sealed: Mapped[str] = mapped_column(Text)
    secret_hint: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntegrationRule(Base):
    """Maps what an event names (repository, environment, an alert label) to a service and/or
    an environment. Rules are tried by position; the first match of each target wins."""

    __tablename__ = "integration_rules"
    __table_args__ = (Index("ix_integration_rules_integration_position", "integration_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer, default=0)
    match_field: Mapped[str] = mapped_column(String(100))  # repository | environment | label:<name>
    pattern: Mapped[str] = mapped_column(String(300))  # exact, or a glob with * ? [..]
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), index=True, default=None
    )
    environment: Mapped[str | None] = mapped_column(String(64), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IntegrationDelivery(Base):
    """One inbound request that passed authentication, kept raw (bounded) with its verdict."""

    __tablename__ = "integration_deliveries"
    __table_args__ = (
        UniqueConstraint("integration_id", "delivery_key", name="uq_integration_deliveries_key"),
        Index("ix_integration_deliveries_integration_received", "integration_id", "received_at"),
        Index("ix_integration_deliveries_verdict_received", "verdict", "received_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    delivery_key: Mapped[str] = mapped_column(String(200))
    event: Mapped[str] = mapped_column(String(64))
    received_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    body: Mapped[bytes] = mapped_column(LargeBinary)
    headers: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    verdict: Mapped[Verdict] = mapped_column(db_enum(Verdict, "delivery_verdict"))
    detail: Mapped[str] = mapped_column(Text, default="")
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    replayed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class Commit(Base):
    """When a commit was made (and pushed): the start of change lead time."""

    __tablename__ = "commits"
    __table_args__ = (UniqueConstraint("repository", "sha", name="uq_commits_repository_sha"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    repository: Mapped[str] = mapped_column(String(300))
    sha: Mapped[str] = mapped_column(String(64))
    committed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    pushed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)


class FailureGroup(Base):
    """Keeps one failure per alert group (Alertmanager groupKey, a PagerDuty incident id) or
    per failed deployment, so a storm of notifications or CI retries opens a single failure."""

    __tablename__ = "integration_failure_groups"
    __table_args__ = (
        UniqueConstraint("integration_id", "group_key", name="uq_integration_failure_groups_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    integration_id: Mapped[int] = mapped_column(ForeignKey("integrations.id", ondelete="CASCADE"))
    group_key: Mapped[str] = mapped_column(String(300))
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
