"""Kudos, awards, their cycles, nominations and votes, and who prefers not to be named.

A kudos to the reporter of an anonymous failure (or the proposer of an anonymous idea) stores
no person at all: only what it thanks, which itself names nobody.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import CycleStatus, RecipientKind, ThankedKind, VoterScope, db_enum
from failwell.people.models import Person, Team


class RecognitionPreference(Base):
    """A person's choice about being named publicly in kudos and awards (named unless a row says not)."""

    __tablename__ = "recognition_preferences"

    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)
    named_publicly: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class Kudos(Base):
    __tablename__ = "kudos"
    __table_args__ = (Index("ix_kudos_created", "created_at", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    from_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"), default=None)
    recipient_kind: Mapped[RecipientKind] = mapped_column(db_enum(RecipientKind, "recipient_kind"))
    # Both None for the anonymous reporter: nothing here leads to a person.
    to_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), default=None, index=True
    )
    to_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), default=None, index=True
    )
    thanked_kind: Mapped[ThankedKind] = mapped_column(db_enum(ThankedKind, "thanked_kind"))
    thanked_id: Mapped[int] = mapped_column(Integer)
    message: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    giver: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[from_id])
    to_person: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[to_person_id])
    to_team: Mapped[Team | None] = relationship(lazy="joined")


class Award(Base):
    """What the organisation says it values, e.g. "learning of the month"."""

    __tablename__ = "awards"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)


class AwardCycle(Base):
    """One round of an award: nominations open, then voting, then the winner announced."""

    __tablename__ = "award_cycles"
    __table_args__ = (Index("ix_award_cycles_award_status", "award_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    award_id: Mapped[int] = mapped_column(ForeignKey("awards.id", ondelete="CASCADE"))
    title: Mapped[str] = mapped_column(String(300))
    status: Mapped[CycleStatus] = mapped_column(
        db_enum(CycleStatus, "cycle_status"), default=CycleStatus.nominating
    )
    nominations_close_on: Mapped[date] = mapped_column(Date)
    voting_closes_on: Mapped[date] = mapped_column(Date)
    voters: Mapped[VoterScope] = mapped_column(
        db_enum(VoterScope, "voter_scope"), default=VoterScope.everyone
    )
    announced_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    award: Mapped[Award] = relationship(lazy="joined")


class AwardPanelMember(Base):
    __tablename__ = "award_panel_members"

    cycle_id: Mapped[int] = mapped_column(ForeignKey("award_cycles.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), primary_key=True)


class Nomination(Base):
    __tablename__ = "award_nominations"
    __table_args__ = (Index("ix_award_nominations_cycle", "cycle_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("award_cycles.id", ondelete="CASCADE"))
    nominee_kind: Mapped[RecipientKind] = mapped_column(db_enum(RecipientKind, "nominee_kind"))
    nominee_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), default=None, index=True
    )
    nominee_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), default=None, index=True
    )
    nominated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    reason: Mapped[str] = mapped_column(Text)
    link: Mapped[str] = mapped_column(String(2000), default="")
    won: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    nominee_person: Mapped[Person | None] = relationship(lazy="joined", foreign_keys=[nominee_person_id])
    nominee_team: Mapped[Team | None] = relationship(lazy="joined")


class Vote(Base):
    """One vote per voter per cycle."""

    __tablename__ = "award_votes"
    __table_args__ = (UniqueConstraint("cycle_id", "voter_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    cycle_id: Mapped[int] = mapped_column(ForeignKey("award_cycles.id", ondelete="CASCADE"))
    nomination_id: Mapped[int] = mapped_column(
        ForeignKey("award_nominations.id", ondelete="CASCADE"), index=True
    )
    voter_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
