"""Tables of the recurrence slice: embeddings, recurrence links, problems.

The search documents this slice writes (``FailureSearch``) are defined in the failures slice,
whose lists read them (failwell.failures.search); they are named here too for this slice's code.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import db_enum
from failwell.failures.models import Failure
from failwell.failures.search import FailureSearch
from failwell.recurrence.enums import ProblemStatus

__all__ = [
    "EmbeddingBacklog",
    "FailureEmbedding",
    "FailureSearch",
    "KnownError",
    "Problem",
    "ProblemFailure",
    "RecurrenceLink",
]


class FailureEmbedding(Base):
    """A failure's sentence embedding (float16), shared by every app process through the database."""

    __tablename__ = "failure_embeddings"

    failure_id: Mapped[int] = mapped_column(
        ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    model: Mapped[str] = mapped_column(String(64))
    # Of the text embedded: an edit that leaves the text alone costs no inference.
    text_hash: Mapped[str] = mapped_column(String(64))
    vector: Mapped[bytes] = mapped_column(LargeBinary)
    # In-process caches pick up new and changed vectors by this time.
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class EmbeddingBacklog(Base):
    """Failures whose embedding was left to the worker (reported by a webhook, where a storm of
    alerts or a CI batch must not wait ~50 ms per failure for the model). A row is written in
    the same transaction as the failure, so a crash loses nothing; the worker deletes it once
    the embedding is stored (failwell.recurrence.backlog)."""

    __tablename__ = "embedding_backlog"

    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class RecurrenceLink(Base):
    """A failure recorded as a recurrence of an earlier one."""

    __tablename__ = "recurrence_links"
    __table_args__ = (Index("ix_recurrence_links_earlier_id", "earlier_id"),)

    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True)
    earlier_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True)
    note: Mapped[str] = mapped_column(Text, default="")
    linked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class Problem(Base):
    """An ITIL problem: the cause (known or not) behind one or more failures."""

    __tablename__ = "problems"
    __table_args__ = (Index("ix_problems_status_updated", "status", "updated_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    root_cause: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[ProblemStatus] = mapped_column(
        db_enum(ProblemStatus, "problem_status"), default=ProblemStatus.open
    )
    owner_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), default=None, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    known_errors: Mapped[list[KnownError]] = relationship(
        back_populates="problem", cascade="all, delete-orphan", order_by="KnownError.id", lazy="selectin"
    )
    failures: Mapped[list[Failure]] = relationship(
        secondary="problem_failures", order_by="Failure.started_at", lazy="selectin", viewonly=True
    )


class ProblemFailure(Base):
    __tablename__ = "problem_failures"
    __table_args__ = (Index("ix_problem_failures_failure_id", "failure_id"),)

    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True)
    linked_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class KnownError(Base):
    """A problem whose cause is understood well enough to document, with its workaround."""

    __tablename__ = "known_errors"

    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problems.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    symptoms: Mapped[str] = mapped_column(Text, default="")
    workaround: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    problem: Mapped[Problem] = relationship(back_populates="known_errors")
