"""API routes of this slice, mounted under /api/v1."""

from __future__ import annotations

from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Query, Request, status
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast import channel_admin, delivery_log, feed_tokens, options, reads, subscriptions
from failwell.broadcast import digest as weekly_digest
from failwell.broadcast.feeds import lessons_feed
from failwell.broadcast.render import link
from failwell.broadcast.schedule import run_schedule
from failwell.broadcast.schemas import (
    ChannelIn,
    ChannelOut,
    ChannelUpdate,
    DeliveryCounts,
    DeliveryFilter,
    DeliveryOut,
    DigestOut,
    DigestQuery,
    FeedTokenCreated,
    FeedTokenOut,
    OptionsIn,
    OptionsOut,
    ReachOut,
    RetryOut,
    ScheduleOut,
    SubscriptionFilter,
    SubscriptionIn,
    SubscriptionOut,
    SubscriptionUpdate,
    TestSent,
)
from failwell.deps import IdPath, Work, get_database
from failwell.enums import Role
from failwell.errors import NotAuthenticated
from failwell.fields import Name
from failwell.listing import Page, page_of

router = APIRouter(tags=["broadcast"])

# ---- channels ------------------------------------------------------------------


@router.post("/broadcast/channels", status_code=status.HTTP_201_CREATED, response_model=ChannelOut)
async def create_channel(data: ChannelIn, uow: Work) -> object:
    """Adds a channel (practice owners). The URL is stored encrypted and never shown again."""

    def work(session: Session, actor: Actor) -> object:
        return channel_admin.channel_out(channel_admin.create_channel(session, actor, data))

    return await uow.run(work)


@router.get("/broadcast/channels", response_model=list[ChannelOut])
async def list_channels(uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return [channel_admin.channel_out(c) for c in channel_admin.list_channels(session)]

    return await uow.run(work)


@router.get("/broadcast/channels/{channel_id}", response_model=ChannelOut)
async def get_channel(channel_id: IdPath, uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return channel_admin.channel_out(channel_admin.get_channel(session, channel_id))

    return await uow.run(work)


@router.patch("/broadcast/channels/{channel_id}", response_model=ChannelOut)
async def update_channel(channel_id: IdPath, data: ChannelUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return channel_admin.channel_out(channel_admin.update_channel(session, actor, channel_id, data))

    return await uow.run(work)


@router.delete("/broadcast/channels/{channel_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_channel(channel_id: IdPath, uow: Work) -> None:
    """Removes a channel and its subscriptions; its queued deliveries are parked when next tried."""

    def work(session: Session, actor: Actor) -> None:
        channel_admin.delete_channel(session, actor, channel_id)

    await uow.run(work)


@router.post(
    "/broadcast/channels/{channel_id}/test", status_code=status.HTTP_202_ACCEPTED, response_model=TestSent
)
async def test_channel(channel_id: IdPath, uow: Work) -> object:
    """Queues a test message to the channel; follow it in /broadcast/deliveries?event_id=..."""

    def work(session: Session, actor: Actor) -> object:
        event, count = channel_admin.send_test(session, actor, channel_id)
        return TestSent(event_id=event.id, deliveries=count)

    return await uow.run(work)


# ---- subscriptions ---------------------------------------------------------------


@router.post("/broadcast/subscriptions", status_code=status.HTTP_201_CREATED, response_model=SubscriptionOut)
async def create_subscription(data: SubscriptionIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return subscriptions.subscriptions_out(
            session, [subscriptions.create_subscription(session, actor, data)]
        )[0]

    return await uow.run(work)


@router.get("/broadcast/subscriptions", response_model=Page[SubscriptionOut])
async def list_subscriptions(filters: Annotated[SubscriptionFilter, Query()], uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        rows, total, exact = subscriptions.list_subscriptions(session, actor, filters)
        return page_of(subscriptions.subscriptions_out(session, rows), total, exact, filters)

    return await uow.run(work)


@router.get("/broadcast/subscriptions/{subscription_id}", response_model=SubscriptionOut)
async def get_subscription(subscription_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return subscriptions.subscriptions_out(
            session, [subscriptions.read_subscription(session, actor, subscription_id)]
        )[0]

    return await uow.run(work)


@router.patch("/broadcast/subscriptions/{subscription_id}", response_model=SubscriptionOut)
async def update_subscription(subscription_id: IdPath, data: SubscriptionUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        sub = subscriptions.update_subscription(session, actor, subscription_id, data)
        return subscriptions.subscriptions_out(session, [sub])[0]

    return await uow.run(work)


@router.delete("/broadcast/subscriptions/{subscription_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_subscription(subscription_id: IdPath, uow: Work) -> None:
    def work(session: Session, actor: Actor) -> None:
        subscriptions.delete_subscription(session, actor, subscription_id)

    await uow.run(work)


# ---- deliveries ------------------------------------------------------------------


@router.get("/broadcast/deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(filters: Annotated[DeliveryFilter, Query()], uow: Work) -> object:
    """The delivery log (practice managers): ?status=failed lists the parked ones."""

    def work(session: Session, actor: Actor) -> object:
        rows, total, exact = delivery_log.list_deliveries(session, actor, filters)
        return page_of([delivery_log.delivery_out(d) for d in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/broadcast/deliveries/counts", response_model=DeliveryCounts)
async def delivery_counts(uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return delivery_log.delivery_counts(session, actor)

    return await uow.run(work)


@router.post("/broadcast/deliveries/retry-failed", response_model=RetryOut)
async def retry_failed(uow: Work) -> object:
    """Sends every parked delivery again (practice owners)."""

    def work(session: Session, actor: Actor) -> object:
        return RetryOut(retried=delivery_log.retry_all_failed(session, actor))

    return await uow.run(work)


@router.get("/broadcast/deliveries/{delivery_id}", response_model=DeliveryOut)
async def get_delivery(delivery_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_manager, "Reading the delivery log")
        return delivery_log.delivery_out(delivery_log.get_delivery(session, delivery_id))

    return await uow.run(work)


@router.post("/broadcast/deliveries/{delivery_id}/retry", response_model=DeliveryOut)
async def retry_delivery(delivery_id: IdPath, uow: Work) -> object:
    """Sends a parked delivery again, same idempotency key, fresh attempts (practice owners)."""

    def work(session: Session, actor: Actor) -> object:
        return delivery_log.delivery_out(delivery_log.retry_delivery(session, actor, delivery_id))

    return await uow.run(work)


@router.post("/broadcast/schedule/run", response_model=ScheduleOut)
async def run_schedule_now(request: Request, uow: Work) -> object:
    """Queues the reminders and digests due now (practice owners; workers do this on their own)."""

    def check(_session: Session, actor: Actor) -> None:
        require(actor, Role.practice_owner, "Running the broadcast schedule")

    await uow.run(check)
    db = get_database(request)
    result = await anyio.to_thread.run_sync(run_schedule, db)
    return ScheduleOut(**vars(result))


# ---- options -----------------------------------------------------------------------


@router.get("/broadcast/options", response_model=OptionsOut)
async def get_options(uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return OptionsOut(**vars(options.read_options(session)))

    return await uow.run(work)


@router.patch("/broadcast/options", response_model=OptionsOut)
async def change_options(data: OptionsIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return OptionsOut(**vars(options.change_options(session, actor, data)))

    return await uow.run(work)


# ---- reach -------------------------------------------------------------------------


@router.get("/reviews/{review_id}/reach", response_model=ReachOut)
async def get_reach(review_id: IdPath, uow: Work) -> object:
    """How widely the lesson reached, per team (counts only; nobody is listed)."""

    def work(session: Session, actor: Actor) -> object:
        return reads.reach(session, actor, review_id)

    return await uow.run(work)


@router.post("/reviews/{review_id}/read", response_model=ReachOut)
async def mark_read(review_id: IdPath, uow: Work) -> object:
    """ "I have read this" (published reviews only; saying it twice changes nothing)."""

    def work(session: Session, actor: Actor) -> object:
        return reads.mark_read(session, actor, review_id)

    return await uow.run(work)


@router.delete("/reviews/{review_id}/read", response_model=ReachOut)
async def unmark_read(review_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return reads.unmark_read(session, actor, review_id)

    return await uow.run(work)


# ---- digests -----------------------------------------------------------------------


@router.get("/digests/organisation", response_model=DigestOut)
async def organisation_digest(query: Annotated[DigestQuery, Query()], uow: Work) -> object:
    """The weekly learning digest of the whole organisation, as e-mailed (text and HTML)."""

    def work(session: Session, _actor: Actor) -> object:
        return weekly_digest.digest_out(weekly_digest.digest(session, query.week))

    return await uow.run(work)


@router.get("/digests/teams/{team}", response_model=DigestOut)
async def team_digest(team: Name, query: Annotated[DigestQuery, Query()], uow: Work) -> object:
    def work(session: Session, _actor: Actor) -> object:
        return weekly_digest.digest_out(weekly_digest.digest(session, query.week, team))

    return await uow.run(work)


# ---- feeds -------------------------------------------------------------------------


@router.post("/feeds/tokens", status_code=status.HTTP_201_CREATED, response_model=FeedTokenCreated)
async def create_feed_token(uow: Work) -> object:
    """A token for Atom feed URLs (feed readers cannot send a bearer token). Shown once."""

    def work(session: Session, actor: Actor) -> object:
        token, secret = feed_tokens.create_feed_token(session, actor)
        return FeedTokenCreated(
            id=token.id,
            prefix=token.prefix,
            created_at=token.created_at,
            revoked_at=None,
            token=secret,
            feeds={
                "organisation": link(f"/api/v1/feeds/lessons.atom?token={secret}"),
                "service": link(f"/api/v1/feeds/services/SERVICE.atom?token={secret}"),
                "team": link(f"/api/v1/feeds/teams/TEAM.atom?token={secret}"),
            },
        )

    return await uow.run(work)


@router.get("/feeds/tokens", response_model=list[FeedTokenOut])
async def list_feed_tokens(uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return [
            FeedTokenOut(id=t.id, prefix=t.prefix, created_at=t.created_at, revoked_at=t.revoked_at)
            for t in feed_tokens.list_feed_tokens(session, actor)
        ]

    return await uow.run(work)


@router.delete("/feeds/tokens/{token_id}", response_model=FeedTokenOut)
async def revoke_feed_token(token_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        t = feed_tokens.revoke_feed_token(session, actor, token_id)
        return FeedTokenOut(id=t.id, prefix=t.prefix, created_at=t.created_at, revoked_at=t.revoked_at)

    return await uow.run(work)


class AtomResponse(Response):
    media_type = "application/atom+xml"


# Optional in the signature so that a URL without one answers 401 (as a wrong one does), not 422.
FeedToken = Annotated[
    str | None,
    Query(max_length=100, description="A feed token from POST /feeds/tokens (required: 401 without)."),
]
_ATOM = {
    200: {"description": "An Atom feed", "content": {"application/atom+xml": {"schema": {"type": "string"}}}}
}


async def _feed(
    request: Request, token: str | None, service_name: str | None = None, team: str | None = None
) -> Response:
    db = get_database(request)
    if not token:
        raise NotAuthenticated(detail="A feed URL needs ?token= (create one with POST /feeds/tokens).")

    def work() -> bytes:
        with db.session(write=False) as session:
            if not feed_tokens.feed_token_valid(session, token):
                raise NotAuthenticated(detail="The feed token is unknown or revoked.")
            return lessons_feed(session, service=service_name, team=team)

    return AtomResponse(await anyio.to_thread.run_sync(work))


@router.get("/feeds/lessons.atom", response_class=AtomResponse, responses=_ATOM)  # type: ignore[arg-type]
async def organisation_feed(request: Request, token: FeedToken = None) -> Response:
    """Published lessons of the whole organisation (Atom)."""
    return await _feed(request, token)


@router.get("/feeds/services/{name}.atom", response_class=AtomResponse, responses=_ATOM)  # type: ignore[arg-type]
async def service_feed(request: Request, name: Name, token: FeedToken = None) -> Response:
    """Published lessons of failures that affected a service (Atom)."""
    return await _feed(request, token, service_name=name)


@router.get("/feeds/teams/{name}.atom", response_class=AtomResponse, responses=_ATOM)  # type: ignore[arg-type]
async def team_feed(request: Request, name: Name, token: FeedToken = None) -> Response:
    """Published lessons of failures that affected a team's services (Atom)."""
    return await _feed(request, token, team=name)
