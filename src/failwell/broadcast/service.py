"""Channels, subscriptions, deliveries, options, reach, digests and feed tokens."""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Sequence

from sqlalchemy import String, cast, func, select, update
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast import secrets
from failwell.broadcast.channels import check_url
from failwell.broadcast.digest import Digest, build_digest, previous_week, render_digest
from failwell.broadcast.models import (
    Channel,
    ChannelKind,
    Delivery,
    DeliveryStatus,
    FeedToken,
    OutboxEvent,
    ReviewRead,
    Subscription,
    Topic,
)
from failwell.broadcast.options import Options, get_options, set_options
from failwell.broadcast.outbox import Message, Target, enqueue
from failwell.broadcast.render import link, page
from failwell.broadcast.schemas import (
    ChannelIn,
    ChannelOut,
    ChannelUpdate,
    DeliveryCounts,
    DeliveryFilter,
    DeliveryOut,
    DigestOut,
    FiltersOut,
    OptionsIn,
    ReachOut,
    SubscriptionFilter,
    SubscriptionFilters,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionUpdate,
    TeamReach,
)
from failwell.catalogue.service import service_by_name
from failwell.db import utcnow
from failwell.enums import ReviewStatus, Role
from failwell.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from failwell.listing import apply_sort, paginate
from failwell.people.models import Person, Team, team_members
from failwell.people.security import hash_token
from failwell.people.service import person_by_email, team_by_name
from failwell.reviews.models import FactorCategory, Review
from failwell.reviews.service import get_review

# ---- channels ------------------------------------------------------------------


def channel_out(channel: Channel) -> ChannelOut:
    return ChannelOut(
        id=channel.id,
        name=channel.name,
        kind=channel.kind,
        url_hint=channel.url_hint,
        encrypted=secrets.is_encrypted(channel.secret_url),
        team=channel.team.name if channel.team else None,
        for_people=channel.for_people,
        enabled=channel.enabled,
        created_at=channel.created_at,
        updated_at=channel.updated_at,
    )


def get_channel(session: Session, channel_id: int) -> Channel:
    channel = session.get(Channel, channel_id)
    if channel is None:
        raise NotFound(detail=f"No channel with id {channel_id}.")
    return channel


def channel_by_name(session: Session, name: str, field: str = "channel") -> Channel:
    channel = session.scalar(select(Channel).where(Channel.name == name))
    if channel is None:
        raise InvalidInput.on(field, f"unknown channel '{name}'")
    return channel


def _check_channel(kind: ChannelKind, url: str | None, for_people: bool) -> None:
    if url is not None and (reason := check_url(kind, url)):
        raise InvalidInput.on("url", reason)
    if for_people and kind != ChannelKind.email:
        raise InvalidInput.on("for_people", "only an e-mail channel can carry e-mail to people")


def _name_free(session: Session, name: str, except_id: int | None = None) -> None:
    existing = session.scalar(select(Channel.id).where(Channel.name == name))
    if existing is not None and existing != except_id:
        raise Conflict.on("name", f"a channel named '{name}' already exists")


def _only_mail_channel(session: Session, channel: Channel) -> None:
    # One mail server for people: marking a new one unmarks the old.
    if channel.for_people:
        session.execute(
            update(Channel)
            .where(Channel.id != channel.id, Channel.for_people.is_(True))
            .values(for_people=False)
            .execution_options(synchronize_session="fetch")
        )


def create_channel(session: Session, actor: Actor, data: ChannelIn) -> Channel:
    require(actor, Role.practice_owner, "Configuring a channel")
    _check_channel(data.kind, data.url, data.for_people)
    _name_free(session, data.name)
    channel = Channel(
        name=data.name,
        kind=data.kind,
        secret_url=secrets.seal(data.url),
        url_hint=secrets.hint(data.url),
        team=team_by_name(session, data.team, "team") if data.team else None,
        for_people=data.for_people,
        enabled=data.enabled,
    )
    session.add(channel)
    session.flush()
    _only_mail_channel(session, channel)
    return channel


def update_channel(session: Session, actor: Actor, channel_id: int, data: ChannelUpdate) -> Channel:
    require(actor, Role.practice_owner, "Configuring a channel")
    channel = get_channel(session, channel_id)
    for_people = channel.for_people if data.for_people is None else data.for_people
    _check_channel(channel.kind, data.url, for_people)
    if data.name is not None:
        _name_free(session, data.name, channel.id)
        channel.name = data.name
    if data.url is not None:
        channel.secret_url = secrets.seal(data.url)
        channel.url_hint = secrets.hint(data.url)
    if data.team is not None:
        channel.team = team_by_name(session, data.team, "team") if data.team else None
    channel.for_people = for_people
    if data.enabled is not None:
        channel.enabled = data.enabled
    channel.updated_at = utcnow()
    session.flush()
    _only_mail_channel(session, channel)
    return channel


def delete_channel(session: Session, actor: Actor, channel_id: int) -> None:
    require(actor, Role.practice_owner, "Removing a channel")
    session.delete(get_channel(session, channel_id))
    session.flush()


def list_channels(session: Session) -> Sequence[Channel]:
    return session.scalars(select(Channel).order_by(Channel.name)).all()


def send_test(session: Session, actor: Actor, channel_id: int) -> tuple[OutboxEvent, int]:
    """Queues a test message to the channel (the worker sends it; nothing blocks here)."""
    require(actor, Role.practice_owner, "Testing a channel")
    channel = get_channel(session, channel_id)
    title = f"[failwell] Test message for channel '{channel.name}'"
    text, html = page(title, [("", "If you can read this, failwell can reach this channel.")], link("/"))
    event = enqueue(
        session,
        Message(Topic.failure_reported, None, title, text, html, {"test": True}),
        extra_targets=[Target(channel_id=channel.id, reason="test message")],
        dedupe_key=f"test:{channel.id}:{pysecrets.token_hex(8)}",
    )
    assert event is not None
    count = session.scalar(select(func.count()).select_from(Delivery).where(Delivery.outbox_id == event.id))
    return event, int(count or 0)


# ---- subscriptions ---------------------------------------------------------------


def _member(session: Session, person_id: int, team_id: int) -> bool:
    row = session.execute(
        select(team_members.c.team_id).where(
            team_members.c.team_id == team_id, team_members.c.person_id == person_id
        )
    ).first()
    return row is not None


def _may_manage(session: Session, actor: Actor, sub: Subscription) -> None:
    """Yourself; your team (as a practitioner or above); channels: practice managers and above,
    or a practitioner of the channel's own team. Practice owners may manage any."""
    if actor.at_least(Role.practice_owner):
        return
    if sub.person_id is not None:
        if sub.person_id != actor.person_id:
            raise PermissionDenied(detail="You may manage only your own subscriptions (and your teams').")
        return
    if actor.at_least(Role.practice_manager):
        return
    team_id = sub.team_id
    if sub.channel_id is not None:
        channel = session.get(Channel, sub.channel_id)
        team_id = channel.team_id if channel else None
    if (
        team_id is None
        or not actor.at_least(Role.practitioner)
        or not _member(session, actor.person_id, team_id)
    ):
        raise PermissionDenied(
            detail="Subscriptions of a team or channel need a practitioner of that team, "
            "or a practice manager."
        )


def _apply_filters(session: Session, sub: Subscription, f: SubscriptionFilters) -> None:
    sub.service_id = service_by_name(session, f.service, "filters.service").id if f.service else None
    sub.filter_team_id = team_by_name(session, f.team, "filters.team").id if f.team else None
    sub.kind = f.kind
    sub.min_severity = f.min_severity
    if f.factor:
        category = session.scalar(select(FactorCategory).where(FactorCategory.key == f.factor))
        if category is None:
            raise InvalidInput.on("filters.factor", f"unknown category '{f.factor}'")
        sub.factor_category_id = category.id
    else:
        sub.factor_category_id = None
    sub.tag = f.tag


def _topics(topics: list[Topic]) -> list[str]:
    return sorted({t.value for t in topics})


def create_subscription(session: Session, actor: Actor, data: SubscriptionIn) -> Subscription:
    require(actor, Role.viewer, "Subscribing")
    chosen = [n for n in ("person", "team", "channel") if getattr(data, n) is not None]
    if len(chosen) > 1:
        raise InvalidInput.on(chosen[1], "give one subscriber: a person, a team or a channel")
    sub = Subscription(topics=_topics(data.topics), created_by_id=actor.person_id or None)
    if data.team is not None:
        sub.team_id = team_by_name(session, data.team, "team").id
    elif data.channel is not None:
        sub.channel_id = channel_by_name(session, data.channel, "channel").id
    elif data.person is not None:
        sub.person_id = person_by_email(session, data.person, "person").id
    elif actor.person_id:
        sub.person_id = actor.person_id
    else:
        raise InvalidInput.on("person", "the system actor has no address: name a person, team or channel")
    _may_manage(session, actor, sub)
    _apply_filters(session, sub, data.filters)
    session.add(sub)
    session.flush()
    return sub


def get_subscription(session: Session, subscription_id: int) -> Subscription:
    sub = session.get(Subscription, subscription_id)
    if sub is None:
        raise NotFound(detail=f"No subscription with id {subscription_id}.")
    return sub


def read_subscription(session: Session, actor: Actor, subscription_id: int) -> Subscription:
    """Someone else's personal subscription is their own business (managers may see all)."""
    sub = get_subscription(session, subscription_id)
    if sub.person_id not in (None, actor.person_id) and not actor.at_least(Role.practice_manager):
        raise NotFound(detail=f"No subscription with id {subscription_id}.")
    return sub


def update_subscription(
    session: Session, actor: Actor, subscription_id: int, data: SubscriptionUpdate
) -> Subscription:
    sub = get_subscription(session, subscription_id)
    _may_manage(session, actor, sub)
    if data.topics is not None:
        sub.topics = _topics(data.topics)
    if data.filters is not None:
        _apply_filters(session, sub, data.filters)
    session.flush()
    return sub


def delete_subscription(session: Session, actor: Actor, subscription_id: int) -> None:
    sub = get_subscription(session, subscription_id)
    _may_manage(session, actor, sub)
    session.delete(sub)
    session.flush()


def subscriptions_out(session: Session, subs: Sequence[Subscription]) -> list[SubscriptionOut]:
    names: dict[str, dict[int, str]] = {"service": {}, "team": {}, "factor": {}}
    from failwell.catalogue.models import Service

    service_ids = {s.service_id for s in subs if s.service_id}
    team_ids = {s.filter_team_id for s in subs if s.filter_team_id}
    factor_ids = {s.factor_category_id for s in subs if s.factor_category_id}
    if service_ids:
        names["service"] = dict(
            session.execute(select(Service.id, Service.name).where(Service.id.in_(service_ids))).all()
        )
    if team_ids:
        names["team"] = dict(session.execute(select(Team.id, Team.name).where(Team.id.in_(team_ids))).all())
    if factor_ids:
        names["factor"] = dict(
            session.execute(
                select(FactorCategory.id, FactorCategory.key).where(FactorCategory.id.in_(factor_ids))
            ).all()
        )
    out = []
    for s in subs:
        if s.person is not None:
            kind, who = "person", s.person.name
        elif s.team is not None:
            kind, who = "team", s.team.name
        else:
            kind, who = "channel", s.channel.name if s.channel else "?"
        out.append(
            SubscriptionOut(
                id=s.id,
                subscriber_kind=kind,
                subscriber=who,
                person_id=s.person_id,
                team_id=s.team_id,
                channel_id=s.channel_id,
                topics=[Topic(t) for t in s.topics if t in Topic.__members__],
                filters=FiltersOut(
                    service=names["service"].get(s.service_id) if s.service_id else None,
                    team=names["team"].get(s.filter_team_id) if s.filter_team_id else None,
                    kind=s.kind,
                    min_severity=s.min_severity,
                    factor=names["factor"].get(s.factor_category_id) if s.factor_category_id else None,
                    tag=s.tag,
                ),
                created_at=s.created_at,
            )
        )
    return out


def list_subscriptions(
    session: Session, actor: Actor, filters: SubscriptionFilter
) -> tuple[Sequence[Subscription], int, bool]:
    stmt = select(Subscription)
    if filters.mine:
        teams = select(team_members.c.team_id).where(team_members.c.person_id == actor.person_id)
        stmt = stmt.where((Subscription.person_id == actor.person_id) | Subscription.team_id.in_(teams))
    elif not actor.at_least(Role.practice_manager):
        # Other people's personal subscriptions are their own business.
        stmt = stmt.where((Subscription.person_id == actor.person_id) | Subscription.person_id.is_(None))
    if filters.team:
        stmt = stmt.where(Subscription.team_id == team_by_name(session, filters.team).id)
    if filters.channel:
        stmt = stmt.where(Subscription.channel_id == channel_by_name(session, filters.channel).id)
    if filters.topic:
        # Topics are a JSON list of Topic values, serialised as text on SQLite and PostgreSQL
        # alike: matching the quoted value in that text is portable and exact for enum values.
        stmt = stmt.where(
            cast(Subscription.topics, String).contains(f'"{filters.topic.value}"', autoescape=True)
        )
    return paginate(session, stmt.order_by(Subscription.id), filters)


# ---- deliveries ------------------------------------------------------------------


def _destination_label(d: Delivery) -> str:
    if d.destination.startswith("email:"):
        return d.destination.removeprefix("email:")
    return f"channel:{d.channel.name}" if d.channel else d.destination


def delivery_out(d: Delivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        event_id=d.outbox_id,
        topic=d.event.topic,
        title=d.event.title,
        destination=_destination_label(d),
        reason=d.reason,
        idempotency_key=d.idempotency_key,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.status == DeliveryStatus.pending else None,
        last_error=d.last_error,
        created_at=d.created_at,
        delivered_at=d.delivered_at,
    )


DELIVERY_SORTS = {"created_at": Delivery.created_at, "next_attempt_at": Delivery.next_attempt_at}


def list_deliveries(
    session: Session, actor: Actor, filters: DeliveryFilter
) -> tuple[Sequence[Delivery], int, bool]:
    require(actor, Role.practice_manager, "Reading the delivery log")
    stmt = select(Delivery)
    if filters.status:
        stmt = stmt.where(Delivery.status == filters.status)
    if filters.channel:
        stmt = stmt.where(Delivery.channel_id == channel_by_name(session, filters.channel).id)
    if filters.event_id:
        stmt = stmt.where(Delivery.outbox_id == filters.event_id)
    if filters.topic:
        stmt = stmt.where(
            Delivery.outbox_id.in_(select(OutboxEvent.id).where(OutboxEvent.topic == filters.topic.value))
        )
    stmt = apply_sort(stmt, filters.sort, DELIVERY_SORTS, "-created_at", Delivery.id)
    return paginate(session, stmt, filters)


def delivery_counts(session: Session, actor: Actor) -> DeliveryCounts:
    require(actor, Role.practice_manager, "Reading the delivery log")
    rows = dict(session.execute(select(Delivery.status, func.count()).group_by(Delivery.status)).all())
    return DeliveryCounts(**{s.value: int(rows.get(s, 0)) for s in DeliveryStatus})


def get_delivery(session: Session, delivery_id: int) -> Delivery:
    d = session.get(Delivery, delivery_id)
    if d is None:
        raise NotFound(detail=f"No delivery with id {delivery_id}.")
    return d


def retry_delivery(session: Session, actor: Actor, delivery_id: int) -> Delivery:
    """Sends a parked delivery again, with a fresh set of attempts and the same idempotency key."""
    require(actor, Role.practice_owner, "Retrying a delivery")
    d = get_delivery(session, delivery_id)
    if d.status != DeliveryStatus.failed:
        raise Conflict.on(
            "status", f"only a parked (failed) delivery can be retried; this one is {d.status.value}"
        )
    _requeue(d)
    session.flush()
    session.info["broadcast_queued"] = True
    return d


def retry_all_failed(session: Session, actor: Actor) -> int:
    require(actor, Role.practice_owner, "Retrying deliveries")
    rows = session.scalars(select(Delivery).where(Delivery.status == DeliveryStatus.failed)).all()
    for d in rows:
        _requeue(d)
    session.flush()
    if rows:
        session.info["broadcast_queued"] = True
    return len(rows)


def _requeue(d: Delivery) -> None:
    d.status = DeliveryStatus.pending
    d.attempts = 0
    d.next_attempt_at = utcnow()
    d.lease_until = None
    d.claimed_by = None


# ---- options ---------------------------------------------------------------------


def read_options(session: Session) -> Options:
    return get_options(session)


def change_options(session: Session, actor: Actor, data: OptionsIn) -> Options:
    require(actor, Role.practice_owner, "Changing broadcast options")
    return set_options(session, data.hide_names, data.owner_team_default)


# ---- reach -----------------------------------------------------------------------


def _published(session: Session, review_id: int) -> Review:
    review = get_review(session, review_id)
    if review.status != ReviewStatus.published:
        raise Conflict.on("status", "only a published review can be marked as read")
    return review


def mark_read(session: Session, actor: Actor, review_id: int) -> ReachOut:
    require(actor, Role.viewer, "Marking a review as read")
    if not actor.person_id:
        raise InvalidInput.on("person", "the system actor cannot read")
    _published(session, review_id)
    if session.get(ReviewRead, (review_id, actor.person_id)) is None:
        session.add(ReviewRead(review_id=review_id, person_id=actor.person_id))
        session.flush()
    return reach(session, actor, review_id)


def unmark_read(session: Session, actor: Actor, review_id: int) -> ReachOut:
    require(actor, Role.viewer, "Unmarking a review as read")
    row = session.get(ReviewRead, (review_id, actor.person_id))
    if row is not None:
        session.delete(row)
        session.flush()
    return reach(session, actor, review_id)


def reach(session: Session, actor: Actor, review_id: int) -> ReachOut:
    """How widely a lesson reached: readers per team, as counts and shares only."""
    get_review(session, review_id)
    readers = select(ReviewRead.person_id).where(ReviewRead.review_id == review_id).subquery()
    rows = session.execute(
        select(
            Team.name,
            func.count(team_members.c.person_id),
            func.count(readers.c.person_id),
        )
        .join(team_members, team_members.c.team_id == Team.id)
        .join(Person, (Person.id == team_members.c.person_id) & Person.is_active.is_(True))
        .outerjoin(readers, readers.c.person_id == team_members.c.person_id)
        .group_by(Team.id, Team.name)
        .order_by(func.count(readers.c.person_id).desc(), Team.name)
    ).all()
    total = session.scalar(select(func.count()).select_from(readers)) or 0
    mine = bool(actor.person_id) and session.get(ReviewRead, (review_id, actor.person_id)) is not None
    return ReachOut(
        review_id=review_id,
        readers=int(total),
        read_by_me=mine,
        teams=[
            TeamReach(
                team=name, members=int(m), readers=int(r), share=round(int(r) / int(m), 3) if m else 0.0
            )
            for name, m, r in rows
        ],
    )


# ---- digests ---------------------------------------------------------------------


def digest(session: Session, week: str | None, team_name: str | None = None) -> Digest:
    team = team_by_name(session, team_name) if team_name else None
    return build_digest(session, week or previous_week(utcnow()), team)


def digest_out(d: Digest) -> DigestOut:
    subject, text, html = render_digest(d)
    return DigestOut(
        scope=d.scope,
        week=d.week,
        subject=subject,
        text=text,
        html=html,
        lessons=len(d.lessons),
        recurrences=len(d.recurrences),
        actions_done=len(d.actions_done),
        actions_overdue=len(d.actions_overdue),
        lesson_of_the_week=d.lesson_of_the_week.title if d.lesson_of_the_week else None,
    )


# ---- feed tokens -----------------------------------------------------------------

FEED_PREFIX = "fwf_"


def create_feed_token(session: Session, actor: Actor) -> tuple[FeedToken, str]:
    require(actor, Role.viewer, "Creating a feed token")
    if not actor.person_id:
        raise InvalidInput.on("person", "the system actor cannot hold a feed token")
    secret = FEED_PREFIX + pysecrets.token_urlsafe(24)
    token = FeedToken(person_id=actor.person_id, token_hash=hash_token(secret), prefix=secret[:12])
    session.add(token)
    session.flush()
    return token, secret


def list_feed_tokens(session: Session, actor: Actor) -> Sequence[FeedToken]:
    return session.scalars(
        select(FeedToken).where(FeedToken.person_id == actor.person_id).order_by(FeedToken.id)
    ).all()


def revoke_feed_token(session: Session, actor: Actor, token_id: int) -> FeedToken:
    token = session.get(FeedToken, token_id)
    if token is None or (token.person_id != actor.person_id and not actor.at_least(Role.practice_owner)):
        raise NotFound(detail=f"No feed token with id {token_id} of yours.")
    if token.revoked_at is None:
        token.revoked_at = utcnow()
        session.flush()
    return token


def feed_token_valid(session: Session, secret: str) -> bool:
    if not secret.startswith(FEED_PREFIX) or len(secret) > 100:
        return False
    row = session.execute(
        select(FeedToken.id)
        .join(Person, Person.id == FeedToken.person_id)
        .where(
            FeedToken.token_hash == hash_token(secret),
            FeedToken.revoked_at.is_(None),
            Person.is_active.is_(True),
        )
    ).first()
    return row is not None
