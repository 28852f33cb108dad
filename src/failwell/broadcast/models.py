"""Tables of the broadcast slice: channels, subscriptions, the outbox and its deliveries, reads.

The outbox row and its delivery rows are written by an event handler in the same transaction
as the change that caused the event, so a committed change always has its notifications queued
and a rolled-back one never does. Workers only ever update delivery rows.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, CheckConstraint, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import FailureKind, db_enum
from failwell.people.models import Person, Team


class ChannelKind(StrEnum):
    email = "email"
    slack = "slack"
    msteams = "msteams"
    mattermost = "mattermost"
    discord = "discord"
    gchat = "gchat"
    ntfy = "ntfy"
    webhook = "webhook"


class Topic(StrEnum):
    """What a subscription can listen to (broadcast events, not the internal domain events)."""

    failure_reported = "failure_reported"
    review_published = "review_published"
    recurrence_detected = "recurrence_detected"
    action_due_soon = "action_due_soon"
    action_overdue = "action_overdue"
    action_done = "action_done"
    problem_updated = "problem_updated"
    review_unpublished = "review_unpublished"
    review_commented = "review_commented"  # told to the people a comment @mentions
    weekly_digest = "weekly_digest"
    idea_proposed = "idea_proposed"
    idea_accepted = "idea_accepted"
    award_announced = "award_announced"  # an award cycle's winner, announced by a practice owner
    # A thank-you, told to the person thanked (or their team) only: recognition is given in the
    # open on /recognition, but the note itself is theirs (outbox.matching_targets).
    kudos_received = "kudos_received"
    # A culture-survey invitation or reminder: personal (it carries a one-time link), so it goes
    # only to the invited person and no subscription ever receives it (outbox.matching_targets).
    survey_invitation = "survey_invitation"


PERSONAL_TOPICS = frozenset({Topic.survey_invitation, Topic.kudos_received})


class DeliveryStatus(StrEnum):
    pending = "pending"  # waiting for its (next) attempt
    sending = "sending"  # claimed by a worker until lease_until
    delivered = "delivered"
    failed = "failed"  # parked after the last attempt; retryable by hand


class Channel(Base):
    """Where notifications go: an apprise URL (kept encrypted when a key is configured)."""

    __tablename__ = "broadcast_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    kind: Mapped[ChannelKind] = mapped_column(db_enum(ChannelKind, "channel_kind"))
    # "enc:<fernet token>" or "plain:<url>"; never leaves the service layer (see secrets.py).
    secret_url: Mapped[str] = mapped_column(Text)
    url_hint: Mapped[str] = mapped_column(String(100))
    # A team's own channel: what a subscription of that team delivers to.
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="SET NULL"), index=True, default=None
    )
    # The organisation's mail server, used to e-mail people (person and team subscriptions).
    for_people: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    team: Mapped[Team | None] = relationship(lazy="joined")


class Subscription(Base):
    """Who hears about what: a person, a team or a channel, for topics, with optional filters."""

    __tablename__ = "broadcast_subscriptions"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN person_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN team_id IS NULL THEN 0 ELSE 1 END)"
            " + (CASE WHEN channel_id IS NULL THEN 0 ELSE 1 END) = 1",
            name="one_subscriber",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), index=True, default=None
    )
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True, default=None
    )
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_channels.id", ondelete="CASCADE"), index=True, default=None
    )
    topics: Mapped[list[str]] = mapped_column(JSON)
    # Filters; each one that is set must match.
    service_id: Mapped[int | None] = mapped_column(
        ForeignKey("services.id", ondelete="CASCADE"), default=None
    )
    filter_team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), default=None
    )
    kind: Mapped[FailureKind | None] = mapped_column(db_enum(FailureKind, "failure_kind"), default=None)
    min_severity: Mapped[int | None] = mapped_column(Integer, default=None)
    factor_category_id: Mapped[int | None] = mapped_column(
        ForeignKey("factor_categories.id", ondelete="CASCADE"), default=None
    )
    tag: Mapped[str | None] = mapped_column(String(64), default=None)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), default=None
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    person: Mapped[Person | None] = relationship(foreign_keys=[person_id], lazy="joined")
    team: Mapped[Team | None] = relationship(foreign_keys=[team_id], lazy="joined")
    channel: Mapped[Channel | None] = relationship(lazy="joined")


class OutboxEvent(Base):
    """One thing worth telling, rendered once when it happened (later edits do not rewrite it)."""

    __tablename__ = "broadcast_outbox"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Random and fixed at creation: the root of every delivery's idempotency key.
    uid: Mapped[str] = mapped_column(String(32), unique=True)
    topic: Mapped[str] = mapped_column(String(32), index=True)
    subject_id: Mapped[int | None] = mapped_column(Integer, default=None)
    # Reminders and digests: at most one event per key (e.g. per action and ISO week).
    dedupe_key: Mapped[str | None] = mapped_column(String(200), unique=True, default=None)
    title: Mapped[str] = mapped_column(String(500))
    text: Mapped[str] = mapped_column(Text)
    html: Mapped[str] = mapped_column(Text)
    facts: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class Delivery(Base):
    """One event to one destination (a channel, or a person's address through the mail channel)."""

    __tablename__ = "broadcast_deliveries"
    __table_args__ = (
        Index("ix_broadcast_deliveries_due", "status", "next_attempt_at"),
        Index("ix_broadcast_deliveries_outbox_destination", "outbox_id", "destination", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(ForeignKey("broadcast_outbox.id", ondelete="CASCADE"))
    # "channel:<id>" or "email:<address>": one delivery per event and destination.
    destination: Mapped[str] = mapped_column(String(400))
    channel_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_channels.id", ondelete="SET NULL"), index=True, default=None
    )
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("broadcast_subscriptions.id", ondelete="SET NULL"), index=True, default=None
    )
    reason: Mapped[str] = mapped_column(String(200), default="")
    idempotency_key: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[DeliveryStatus] = mapped_column(
        db_enum(DeliveryStatus, "delivery_status"), default=DeliveryStatus.pending
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
    claimed_by: Mapped[str | None] = mapped_column(String(64), default=None)
    last_error: Mapped[str | None] = mapped_column(String(1000), default=None)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)

    event: Mapped[OutboxEvent] = relationship(lazy="joined")
    channel: Mapped[Channel | None] = relationship(lazy="joined")


class ReviewRead(Base):
    """Someone said "I have read this" about a published review."""

    __tablename__ = "broadcast_review_reads"

    review_id: Mapped[int] = mapped_column(ForeignKey("reviews.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    read_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class FeedToken(Base):
    """A secret for Atom feed URLs (feed readers cannot send a bearer token). Stored hashed."""

    __tablename__ = "broadcast_feed_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, default=None)
