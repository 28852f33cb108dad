"""The read side's own tables: deployments summed per day, service and environment; failures
per day."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from failwell.db import Base


class DeploymentRollup(Base):
    """What DORA's keys need from one day (UTC) of one service's deployments to one
    environment, so a year is read from a few tens of thousands of rows instead of every
    deployment. Kept by failwell.insights.rollup; ``lead_times`` is a sparse histogram of
    change lead times, in hex (see that module)."""

    __tablename__ = "deployment_rollup"
    # Reads name the environments and a range of days: the key leads with them, and SQLite
    # keeps the rows in key order (no rowid), so a year is one contiguous run per environment.
    __table_args__ = (
        Index("ix_deployment_rollup_service_day", "service_id", "day"),
        {"sqlite_with_rowid": False},
    )

    environment: Mapped[str] = mapped_column(String(64), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    deployments: Mapped[int] = mapped_column(Integer, default=0)
    failed: Mapped[int] = mapped_column(Integer, default=0)
    rolled_back: Mapped[int] = mapped_column(Integer, default=0)
    rework: Mapped[int] = mapped_column(Integer, default=0)
    # Successful deployments with a confirmed link to a failure other than a near miss.
    linked: Mapped[int] = mapped_column(Integer, default=0)
    lead_times: Mapped[str] = mapped_column(Text, default="")


class FailureRollup(Base):
    """What the failure figures of an organisation-wide window need from one day (UTC) of
    failures, by their start: counts by kind and the exact recovery times, so a year reads 365
    rows instead of every failure. Kept by failwell.insights.failure_rollup; ``recovery`` holds
    the resolved failed deployments' seconds (float64, hex), ``linked_recovery`` those of the
    resolved incidents with the environments of their confirmed deployment links (JSON), and
    ``review_lags`` the review lags of the failures resolved that day (float64, hex)."""

    __tablename__ = "failure_rollup"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    near_misses: Mapped[int] = mapped_column(Integer, default=0)
    incidents: Mapped[int] = mapped_column(Integer, default=0)
    recovery: Mapped[str] = mapped_column(Text, default="")
    linked_recovery: Mapped[str] = mapped_column(Text, default="")
    # Seconds from resolution to the published review of the failures *resolved* that day.
    review_lags: Mapped[str] = mapped_column(Text, default="")
