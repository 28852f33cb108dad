"""Channels a practice owner configures (webhooks, chat, e-mail servers), and test messages."""

from __future__ import annotations

import secrets as pysecrets
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast import secrets
from failwell.broadcast.channels import check_url
from failwell.broadcast.models import Channel, ChannelKind, Delivery, OutboxEvent, Topic
from failwell.broadcast.outbox import Message, Target, enqueue
from failwell.broadcast.render import link, page
from failwell.broadcast.schemas import ChannelIn, ChannelOut, ChannelUpdate
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.people.teams import team_by_name


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
