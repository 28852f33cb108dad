"""Corrective actions: what we are doing so the failure does not happen again."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import ActionPriority, ActionStatus, ActionType, db_enum
from failwell.failures.models import Failure
from failwell.people.models import Person, Team


class CorrectiveAction(Base):
    __tablename__ = "corrective_actions"
    __table_args__ = (
        Index("ix_corrective_actions_team_status", "owner_team_id", "status"),
        Index("ix_corrective_actions_status_due", "status", "due_date"),
        Index("ix_corrective_actions_due_id", "due_date", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    failure_id: Mapped[int] = mapped_column(ForeignKey("failures.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    description: Mapped[str] = mapped_column(Text, default="")
    action_type: Mapped[ActionType] = mapped_column(db_enum(ActionType, "action_type"))
    owner_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"))
    owner_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    due_date: Mapped[date | None] = mapped_column(Date, default=None)
    priority: Mapped[ActionPriority] = mapped_column(
        db_enum(ActionPriority, "action_priority"), default=ActionPriority.medium
    )
    status: Mapped[ActionStatus] = mapped_column(
        db_enum(ActionStatus, "action_status"), default=ActionStatus.open
    )
    wont_do_reason: Mapped[str | None] = mapped_column(Text, default=None)
    decline_reason: Mapped[str | None] = mapped_column(Text, default=None)
    # Who proposed it (a practitioner's proposal, or an idea's proposer), credited on the action.
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    # Proposed through an idea marked anonymous: nothing says who, only that someone did.
    proposed_anonymously: Mapped[bool] = mapped_column(Boolean, default=False)
    external_url: Mapped[str | None] = mapped_column(String(2000), default=None)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    failure: Mapped[Failure] = relationship()  # lists show only failure_id
    owner_team: Mapped[Team] = relationship(lazy="joined")
    owner_person: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[owner_person_id])
    proposed_by: Mapped[Person | None] = relationship(foreign_keys=[proposed_by_id])
