"""Subscriptions of people, teams and channels to topics, with their filters and who may manage them."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import String, cast, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast.channel_admin import channel_by_name
from failwell.broadcast.models import Channel, Subscription, Topic
from failwell.broadcast.schemas import (
    FiltersOut,
    SubscriptionFilter,
    SubscriptionFilters,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionUpdate,
)
from failwell.catalogue.models import Service
from failwell.catalogue.service import service_by_name
from failwell.enums import Role
from failwell.errors import InvalidInput, NotFound, PermissionDenied
from failwell.listing import paginate
from failwell.people.models import Team, team_members
from failwell.people.service import person_by_email
from failwell.people.teams import team_by_name
from failwell.reviews.models import FactorCategory


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
