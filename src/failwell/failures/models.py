"""Failures (failed deployments, incidents, near misses), their timelines and tags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, Column, ForeignKey, Index, Integer, String, Table, Text, and_
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.catalogue.models import Service
from failwell.changes.models import Change, Deployment
from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import FailureKind, FailureStatus, ReportChannel, TimelineKind, db_enum
from failwell.people.models import Person

failure_services = Table(
    "failure_services",
    Base.metadata,
    Column("failure_id", ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True),
    Column("service_id", ForeignKey("services.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_failure_services_service_id", "service_id", "failure_id"),
)

# Where a link came from (reported by a person, a webhook, a commit SHA named in the text, or
# suggested by failwell) and whether it holds: only confirmed links count anywhere.
LINK_SOURCES = ("reported", "webhook", "commit", "suggested")
LINK_STATES = ("confirmed", "suggested", "rejected")


def link_provenance() -> list[Column[object]]:
    return [
        Column("source", String(16), nullable=False, server_default="reported"),
        Column("state", String(16), nullable=False, server_default="confirmed"),
        Column("created_at", UTCDateTime, nullable=True, default=utcnow),
    ]


failure_deployments = Table(
    "failure_deployments",
    Base.metadata,
    Column("failure_id", ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True),
    Column("deployment_id", ForeignKey("deployments.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_failure_deployments_deployment_id", "deployment_id"),
    *link_provenance(),
)

failure_changes = Table(
    "failure_changes",
    Base.metadata,
    Column("failure_id", ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True),
    Column("change_id", ForeignKey("changes.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_failure_changes_change_id", "change_id"),
    *link_provenance(),
)

failure_tags = Table(
    "failure_tags",
    Base.metadata,
    Column("failure_id", ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True),
    Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True),
    Index("ix_failure_tags_tag_id", "tag_id", "failure_id"),
)


class SeverityLevel(Base):
    """Severity 1 (worst) to 5; the description of each is the organisation's own."""

    __tablename__ = "severity_levels"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(50))
    description: Mapped[str] = mapped_column(String(2000))


class Tag(Base):
    __tablename__ = "tags"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)


class Failure(Base):
    __tablename__ = "failures"
    __table_args__ = (
        Index("ix_failures_kind_started", "kind", "started_at"),
        Index("ix_failures_status_started", "status", "started_at"),
        Index("ix_failures_severity_started", "severity", "started_at"),
        Index("ix_failures_severity_id", "severity", "id"),
        # The review lag of a window: the failures resolved in it, from the index alone.
        Index("ix_failures_resolved_id", "resolved_at", "id"),
        # Free-text search (?q=) on PostgreSQL: ILIKE '%word%' served by trigram indexes.
        Index(
            "ix_failures_title_trgm",
            "title",
            postgresql_using="gin",
            postgresql_ops={"title": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
        Index(
            "ix_failures_description_trgm",
            "description",
            postgresql_using="gin",
            postgresql_ops={"description": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[FailureKind] = mapped_column(db_enum(FailureKind, "failure_kind"))
    severity: Mapped[int] = mapped_column(ForeignKey("severity_levels.level"))
    status: Mapped[FailureStatus] = mapped_column(
        db_enum(FailureStatus, "failure_status"), default=FailureStatus.open
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    detected_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    mitigated_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    impact_partners: Mapped[str] = mapped_column(Text, default="")
    impact_consumers: Mapped[str] = mapped_column(Text, default="")
    # None when reported anonymously (or by an unattended system): nothing else
    # about the reporter is kept, not even which token was used.
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True, default=None
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    reported_via: Mapped[ReportChannel] = mapped_column(
        db_enum(ReportChannel, "report_channel"), default=ReportChannel.api
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    reporter: Mapped[Person | None] = relationship(lazy="joined")  # every list shows it
    services: Mapped[list[Service]] = relationship(
        secondary=failure_services, order_by="Service.name", lazy="selectin"
    )
    # Confirmed links only: suggestions and rejected suggestions are rows of the same tables.
    deployments: Mapped[list[Deployment]] = relationship(
        secondary=failure_deployments,
        primaryjoin=lambda: and_(
            Failure.id == failure_deployments.c.failure_id, failure_deployments.c.state == "confirmed"
        ),
        order_by="Deployment.id",
        lazy="selectin",
    )
    changes: Mapped[list[Change]] = relationship(
        secondary=failure_changes,
        primaryjoin=lambda: and_(
            Failure.id == failure_changes.c.failure_id, failure_changes.c.state == "confirmed"
        ),
        order_by="Change.id",
        lazy="selectin",
    )
    tags: Mapped[list[Tag]] = relationship(secondary=failure_tags, order_by="Tag.name", lazy="selectin")
    timeline: Mapped[list[TimelineEvent]] = relationship(
        back_populates="failure", cascade="all, delete-orphan", order_by="TimelineEvent.occurred_at"
    )


class TimelineEvent(Base):
    __tablename__ = "timeline_events"
    __table_args__ = (Index("ix_timeline_events_failure_occurred", "failure_id", "occurred_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"))
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[TimelineKind] = mapped_column(db_enum(TimelineKind, "timeline_kind"))
    description: Mapped[str] = mapped_column(Text)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    failure: Mapped[Failure] = relationship(back_populates="timeline")
    author: Mapped[Person | None] = relationship(lazy="joined")
