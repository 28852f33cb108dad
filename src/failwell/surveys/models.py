"""Tables of the surveys slice: campaigns, who was invited (participation) and the answers.

The answers and the participation are kept apart on purpose (docs/culture-surveys.md):

- ``survey_responses`` holds no person, token, session, address or precise time: a random key,
  the campaign, the team the respondent was counted in (a snapshot, for grouping), the day of
  answering and the answers. On SQLite it is a WITHOUT ROWID table, so its rows are stored in
  the order of the random key, not the order they were written.
- ``survey_invitations`` knows who was invited and whether they answered (to stop a second
  answer), with no time of answering and nothing shared with a response row.
"""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Column, Date, ForeignKey, Index, Integer, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column

from failwell.db import Base, UTCDateTime, utcnow


class CampaignStatus(StrEnum):
    draft = "draft"
    open = "open"
    closed = "closed"


class CampaignScope(StrEnum):
    organisation = "organisation"
    teams = "teams"


survey_campaign_teams = Table(
    "survey_campaign_teams",
    Base.metadata,
    Column("campaign_id", ForeignKey("survey_campaigns.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True),
)


class SurveyCampaign(Base):
    __tablename__ = "survey_campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(300))
    # Keys of failwell.surveys.instruments.INSTRUMENTS, in the order they are asked.
    instruments: Mapped[list[str]] = mapped_column(JSON, default=list)
    # The practice owner's own items: [{"key": "c1", "text": "..."}], answered 1..7 too.
    custom_items: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    free_text: Mapped[bool] = mapped_column(Boolean, default=False)
    scope: Mapped[str] = mapped_column(String(16), default=CampaignScope.organisation.value)
    status: Mapped[str] = mapped_column(String(16), default=CampaignStatus.draft.value)
    opens_on: Mapped[date] = mapped_column(Date)
    closes_on: Mapped[date] = mapped_column(Date)
    # One reminder to those who have not answered, this many days before closing (0: none).
    remind_days_before: Mapped[int] = mapped_column(Integer, default=3)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SurveyInvitation(Base):
    """Participation: who was invited and whether they answered. Never a time of answering."""

    __tablename__ = "survey_invitations"
    __table_args__ = (
        Index("uq_survey_invitations_campaign_person", "campaign_id", "person_id", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("survey_campaigns.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    # The team this person's answers are counted in (their first team in the campaign's scope).
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    # SHA-256 of the one-time link's secret; replaced when a reminder sends a new link.
    secret_hash: Mapped[str] = mapped_column(String(64), unique=True)
    answered: Mapped[bool] = mapped_column(Boolean, default=False)


class SurveyResponse(Base):
    """One set of answers. No person, token, session, address or time of day: see the module."""

    __tablename__ = "survey_responses"
    __table_args__ = (
        Index("ix_survey_responses_campaign_team", "campaign_id", "team_id"),
        {"sqlite_with_rowid": False},
    )

    # uuid4 hex: random, so neither the key nor (on SQLite) the storage order tells who came first.
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    campaign_id: Mapped[int] = mapped_column(ForeignKey("survey_campaigns.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), default=None)
    answered_on: Mapped[date] = mapped_column(Date)
    answers: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    free_text: Mapped[str | None] = mapped_column(Text, default=None)
