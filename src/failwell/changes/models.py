"""Changes and the deployments that release them, kept distinct as ITIL 4 does."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, String, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.catalogue.models import Service
from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import ChangeType, DeploymentOutcome, Risk, db_enum


class Change(Base):
    __tablename__ = "changes"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    change_type: Mapped[ChangeType] = mapped_column(db_enum(ChangeType, "change_type"))
    risk: Mapped[Risk] = mapped_column(db_enum(Risk, "risk"), default=Risk.low)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"), index=True)
    external_ref: Mapped[str | None] = mapped_column(String(300), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)

    service: Mapped[Service] = relationship(lazy="joined")


class Deployment(Base):
    __tablename__ = "deployments"
    __table_args__ = (
        Index("ix_deployments_service_started", "service_id", "started_at", "id"),
        Index("ix_deployments_outcome_started", "outcome", "started_at"),
        Index("ix_deployments_service_outcome_started", "service_id", "outcome", "started_at"),
        # An integration's own id for what it reported (a GitHub deployment, a pipeline run):
        # retries and later statuses of the same deployment update one row.
        UniqueConstraint("integration_id", "external_id", name="uq_deployments_integration_external"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    change_id: Mapped[int | None] = mapped_column(ForeignKey("changes.id"), index=True, default=None)
    environment: Mapped[str] = mapped_column(String(64))
    version: Mapped[str] = mapped_column(String(128))
    commit_shas: Mapped[list[str]] = mapped_column(JSON, default=list)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    outcome: Mapped[DeploymentOutcome] = mapped_column(db_enum(DeploymentOutcome, "deployment_outcome"))
    pipeline_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    integration_id: Mapped[int | None] = mapped_column(
        ForeignKey("integrations.id", ondelete="SET NULL"), default=None
    )
    external_id: Mapped[str | None] = mapped_column(String(200), default=None)
    # The earliest commit time of what it released: the start of its change lead time.
    first_commit_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    # Unplanned: made because of a production failure (a hotfix, a rollback).
    rework: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    service: Mapped[Service] = relationship(lazy="joined")
