"""Writing the outbox: one rendered event plus one delivery row per destination, in the caller's
transaction.

Handlers (domain events) and the scheduler (reminders, digests) call ``enqueue``. Everything a
worker needs later is written here: the message itself (rendered now, so a later edit or deletion
of the failure cannot change or lose it) and each destination with its idempotency key.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import event as sa_event
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from failwell.broadcast.models import PERSONAL_TOPICS, Channel, Delivery, OutboxEvent, Subscription, Topic
from failwell.broadcast.options import Options, get_options
from failwell.db import utcnow
from failwell.people.models import Person, team_members

# Set after a commit that queued deliveries, so an in-process worker starts at once.
_wakers: list[Any] = []


def on_new_work(callback: Any) -> None:
    """Registers a zero-argument callable run after a commit that queued deliveries."""
    if callback not in _wakers:
        _wakers.append(callback)


def forget_waker(callback: Any) -> None:
    if callback in _wakers:
        _wakers.remove(callback)


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("broadcast_queued", False):
        for wake in tuple(_wakers):
            wake()


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("broadcast_queued", None)


@dataclass
class Message:
    topic: Topic
    subject_id: int | None
    title: str
    text: str
    html: str
    facts: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Target:
    """A destination before it is resolved to channels or addresses."""

    person_id: int | None = None
    team_id: int | None = None
    channel_id: int | None = None
    subscription_id: int | None = None
    reason: str = ""


def idempotency_key(event_uid: str, destination: str) -> str:
    """Stable for an (event, destination) pair: the same on every retry and after any crash."""
    digest = hashlib.sha256(f"{event_uid}|{destination}".encode()).hexdigest()
    return f"fw-{digest[:40]}"


def subscription_matches(sub: Subscription, topic: str, facts: dict[str, Any]) -> bool:
    if topic not in (sub.topics or []):
        return False
    if sub.service_id is not None and sub.service_id not in facts.get("service_ids", []):
        return False
    if sub.filter_team_id is not None and sub.filter_team_id not in facts.get("team_ids", []):
        return False
    if sub.kind is not None and facts.get("kind") != sub.kind.value:
        return False
    severity = facts.get("severity")
    # Severity 1 is the worst: "at least as severe as 2" means 1 or 2.
    if sub.min_severity is not None and (severity is None or severity > sub.min_severity):
        return False
    if sub.factor_category_id is not None and sub.factor_category_id not in facts.get(
        "factor_category_ids", []
    ):
        return False
    return not (sub.tag is not None and sub.tag not in facts.get("tags", []))


def _digest_targets(session: Session, facts: dict[str, Any], options: Options) -> list[Target]:
    """A team's digest goes to the team and to whoever subscribed with that team as filter; the
    organisation's digest to subscribers (people, channels) without a team filter."""
    scope = facts.get("digest_team_id")
    targets = []
    for sub in session.scalars(select(Subscription).order_by(Subscription.id)):
        if Topic.weekly_digest.value in (sub.topics or []) and (sub.filter_team_id or sub.team_id) == scope:
            targets.append(
                Target(sub.person_id, sub.team_id, sub.channel_id, sub.id, f"subscription {sub.id}")
            )
    if scope is not None and options.owner_team_default:
        targets.append(Target(team_id=scope, reason="the team's weekly digest"))
    return targets


def matching_targets(
    session: Session,
    topic: Topic,
    facts: dict[str, Any],
    options: Options,
    subscriptions: Sequence[Subscription] | None = None,
) -> list[Target]:
    """``subscriptions``: all of them, when the caller read them already (for many messages)."""
    if topic == Topic.weekly_digest:
        return _digest_targets(session, facts, options)
    if topic in PERSONAL_TOPICS:
        return []
    targets: list[Target] = []
    if subscriptions is None:
        subscriptions = session.scalars(select(Subscription).order_by(Subscription.id)).all()
    for sub in subscriptions:
        if subscription_matches(sub, topic.value, facts):
            targets.append(
                Target(
                    person_id=sub.person_id,
                    team_id=sub.team_id,
                    channel_id=sub.channel_id,
                    subscription_id=sub.id,
                    reason=f"subscription {sub.id}",
                )
            )
    # The default rule: a service's owner team hears about its failures and published reviews.
    if topic in (Topic.failure_reported, Topic.review_published) and options.owner_team_default:
        for team_id in facts.get("owner_team_ids", []):
            targets.append(Target(team_id=team_id, reason="owner team of an affected service"))
    return targets


@dataclass(frozen=True)
class _Resolved:
    destination: str
    channel_id: int
    subscription_id: int | None
    reason: str


def _resolve(
    session: Session,
    targets: Iterable[Target],
    channels: dict[int, Channel] | None = None,
    teams: dict[int, list[Person]] | None = None,
) -> dict[str, _Resolved]:
    """Turns targets into destinations, one per channel or e-mail address (first reason wins).
    ``channels`` (the enabled ones) and ``teams`` (members by team, filled as read): what the
    caller keeps across many messages."""
    if channels is None:
        channels = {c.id: c for c in session.scalars(select(Channel).where(Channel.enabled.is_(True)))}
    teams = {} if teams is None else teams
    mail = next((c for c in sorted(channels.values(), key=lambda c: c.id) if c.for_people), None)
    by_team: dict[int, list[Channel]] = {}
    for channel in channels.values():
        if channel.team_id is not None and not channel.for_people:
            by_team.setdefault(channel.team_id, []).append(channel)
    out: dict[str, _Resolved] = {}

    def add(destination: str, channel_id: int, target: Target) -> None:
        if destination not in out:
            out[destination] = _Resolved(destination, channel_id, target.subscription_id, target.reason)

    def email(person: Person, target: Target) -> None:
        # Without a mail channel, e-mail is simply off: nothing is queued that could never go.
        if mail is not None and person.is_active:
            add(f"email:{person.email}", mail.id, target)

    for target in targets:
        if target.channel_id is not None:
            if target.channel_id in channels:
                add(f"channel:{target.channel_id}", target.channel_id, target)
        elif target.person_id is not None:
            person = session.get(Person, target.person_id)
            if person is not None:
                email(person, target)
        elif target.team_id is not None:
            own = by_team.get(target.team_id)
            if own:
                for channel in sorted(own, key=lambda c: c.id):
                    add(f"channel:{channel.id}", channel.id, target)
            else:
                if target.team_id not in teams:
                    teams[target.team_id] = list(
                        session.scalars(
                            select(Person)
                            .join(team_members, team_members.c.person_id == Person.id)
                            .where(team_members.c.team_id == target.team_id)
                            .order_by(Person.id)
                        )
                    )
                for person in teams[target.team_id]:
                    email(person, target)
    return out


_NAME_MIN = 3


def scrub_names(session: Session, *texts: str) -> list[str]:
    """Replaces every person's name and e-mail address with "someone" (the no-names option)."""
    people = session.execute(select(Person.name, Person.email)).all()
    words = {w for name, mail in people for w in (name.strip(), mail.strip()) if len(w.strip()) >= _NAME_MIN}
    if not words:
        return list(texts)
    pattern = re.compile(
        r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)",
        re.IGNORECASE,
    )
    return [pattern.sub("someone", t) for t in texts]


def enqueue(
    session: Session,
    message: Message,
    *,
    extra_targets: Sequence[Target] = (),
    dedupe_key: str | None = None,
) -> OutboxEvent | None:
    """Writes the event and its deliveries; None if an event with this dedupe key exists already.

    No destination at all still writes the event: the outbox is also the record of what was said."""
    options = get_options(session)
    row = _event_row(session, message, options, dedupe_key)
    if dedupe_key is not None:
        if session.scalar(select(OutboxEvent.id).where(OutboxEvent.dedupe_key == dedupe_key)) is not None:
            return None
        # Two workers may race for the same key on PostgreSQL: the loser's insert fails inside
        # its own savepoint, and it moves on without the rest of its transaction being lost.
        try:
            with session.begin_nested():
                session.add(row)
                session.flush()
        except IntegrityError:
            return None
    else:
        session.add(row)
        session.flush()
    targets = [*matching_targets(session, message.topic, message.facts, options), *extra_targets]
    _add_deliveries(session, row, _resolve(session, targets))
    return row


def enqueue_all(session: Session, messages: Sequence[Message]) -> list[OutboxEvent]:
    """``enqueue`` for many messages without dedupe keys (a CI batch's failures): the options,
    subscriptions, channels and teams read once, the rows written in two flushes."""
    if not messages:
        return []
    options = get_options(session)
    rows = [_event_row(session, message, options, None) for message in messages]
    session.add_all(rows)
    session.flush()
    subscriptions = session.scalars(select(Subscription).order_by(Subscription.id)).all()
    channels = {c.id: c for c in session.scalars(select(Channel).where(Channel.enabled.is_(True)))}
    teams: dict[int, list[Person]] = {}
    for row, message in zip(rows, messages, strict=True):
        targets = matching_targets(session, message.topic, message.facts, options, subscriptions)
        _add_deliveries(session, row, _resolve(session, targets, channels, teams), flush=False)
    if session.new:
        session.flush()
    return rows


def _event_row(session: Session, message: Message, options: Options, dedupe_key: str | None) -> OutboxEvent:
    title, text, html = message.title, message.text, message.html
    if options.hide_names:
        title, text, html = scrub_names(session, title, text, html)
    return OutboxEvent(
        uid=secrets.token_hex(16),
        topic=message.topic.value,
        subject_id=message.subject_id,
        dedupe_key=dedupe_key,
        title=title[:500],
        text=text,
        html=html,
        facts=message.facts,
    )


def _add_deliveries(
    session: Session, row: OutboxEvent, resolved: dict[str, _Resolved], flush: bool = True
) -> None:
    now = utcnow()
    for dest in resolved.values():
        session.add(
            Delivery(
                outbox_id=row.id,
                destination=dest.destination,
                channel_id=dest.channel_id,
                subscription_id=dest.subscription_id,
                reason=dest.reason[:200],
                idempotency_key=idempotency_key(row.uid, dest.destination),
                next_attempt_at=now,
            )
        )
    if resolved:
        if flush:
            session.flush()
        session.info["broadcast_queued"] = True
