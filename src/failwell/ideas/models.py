"""Ideas, the failures they are about, who supports them, and the discussion on them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import IdeaStatus, db_enum
from failwell.people.models import Person


class Idea(Base):
    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_status_created", "status", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text, default="")  # markdown
    # None when proposed anonymously: nothing else stored leads back to the proposer.
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None, index=True
    )
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[IdeaStatus] = mapped_column(db_enum(IdeaStatus, "idea_status"), default=IdeaStatus.open)
    close_reason: Mapped[str | None] = mapped_column(Text, default=None)
    problem_id: Mapped[int | None] = mapped_column(
        ForeignKey("problems.id", ondelete="SET NULL"), default=None, index=True
    )
    action_id: Mapped[int | None] = mapped_column(
        ForeignKey("corrective_actions.id", ondelete="SET NULL"), default=None
    )
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    proposed_by: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[proposed_by_id])


class IdeaFailure(Base):
    """A failure the idea would have prevented or eased."""

    __tablename__ = "idea_failures"
    __table_args__ = (Index("ix_idea_failures_failure_id", "failure_id"),)

    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"), primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), primary_key=True)


class IdeaSupport(Base):
    """One person's support for an idea (once per person)."""

    __tablename__ = "idea_supports"
    __table_args__ = (UniqueConstraint("idea_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class IdeaComment(Base):
    __tablename__ = "idea_comments"
    __table_args__ = (Index("ix_idea_comments_idea_created", "idea_id", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Person | None] = relationship(lazy="joined")
