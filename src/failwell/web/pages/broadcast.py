"""Web pages of this slice (see failwell/web/PAGES.md): subscriptions, feed links, the digest in
the browser, and the reach fragment of a review. Channel and delivery administration is in
broadcast_admin.py."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.broadcast import channel_admin, feed_tokens, options, reads, subscriptions
from failwell.broadcast import digest as weekly_digest
from failwell.broadcast.digest import previous_week, week_of
from failwell.broadcast.models import Topic
from failwell.broadcast.render import link
from failwell.broadcast.schemas import SubscriptionFilter, SubscriptionIn
from failwell.catalogue.models import Service
from failwell.db import utcnow
from failwell.enums import FailureKind, Role
from failwell.errors import DomainError, InvalidInput
from failwell.listing import page_of
from failwell.people.models import Person, Team
from failwell.reviews.models import FactorCategory
from failwell.web.auth import PageWork
from failwell.web.forms.base import FormState, cleaned, domain_errors, read_form, validate
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)


TOPIC_LABELS: dict[Topic, str] = {
    Topic.failure_reported: "A failure is reported",
    Topic.review_published: "A review (lesson) is published",
    Topic.recurrence_detected: "A failure happened before (recurrence)",
    Topic.action_overdue: "A corrective action is overdue",
    Topic.action_due_soon: "A corrective action is nearly due",
    Topic.action_done: "A corrective action is done",
    Topic.problem_updated: "A problem is updated",
    Topic.review_unpublished: "A review is still unpublished after resolution",
    Topic.review_commented: "Someone comments on a review (people @mentioned are always told)",
    Topic.weekly_digest: "The weekly learning digest",
    Topic.idea_proposed: "Someone proposes an idea",
    Topic.idea_accepted: "An idea becomes a corrective action",
    Topic.award_announced: "An award's winner is announced",
}


def _choices(session: Session, actor: Actor) -> dict[str, Any]:
    my_teams = session.execute(
        select(Team.name).join(Team.members).where(Person.id == actor.person_id).order_by(Team.name)
    ).scalars()
    channels = [c.name for c in channel_admin.list_channels(session) if c.enabled]
    return {
        "my_teams": list(my_teams),
        "channels": channels if actor.at_least(Role.practitioner) else [],
        "services": list(session.scalars(select(Service.name).order_by(Service.name).limit(500))),
        "teams": list(session.scalars(select(Team.name).order_by(Team.name).limit(500))),
        "factors": [
            (c.key, c.name)
            for c in session.scalars(
                select(FactorCategory)
                .where(FactorCategory.is_active.is_(True))
                .order_by(FactorCategory.position)
            )
        ],
    }


def _subscriptions_context(session: Session, actor: Actor) -> dict[str, Any]:
    query = SubscriptionFilter(mine=True, limit=100)
    rows, total, exact = subscriptions.list_subscriptions(session, actor, query)
    return {
        "subscriptions": page_of(subscriptions.subscriptions_out(session, rows), total, exact, query),
        "topic_labels": {t.value: label for t, label in TOPIC_LABELS.items()},
        "topics": [(t.value, label) for t, label in TOPIC_LABELS.items()],
        "kinds": [(k.value, k.value.replace("_", " ").capitalize()) for k in FailureKind],
        "feed_tokens": [t for t in feed_tokens.list_feed_tokens(session, actor) if t.revoked_at is None],
        "options": options.read_options(session),
        **_choices(session, actor),
    }


def _feeds(token: str | None, teams: list[str]) -> list[tuple[str, str]]:
    suffix = f"?token={token}" if token else "?token=YOUR-FEED-TOKEN"
    feeds = [("All published lessons", link(f"/api/v1/feeds/lessons.atom{suffix}"))]
    feeds += [(f"Lessons for team {t}", link(f"/api/v1/feeds/teams/{t}.atom{suffix}")) for t in teams]
    return feeds


@router.get("/subscriptions")
async def subscriptions_page(request: Request, page: PageWork) -> Response:
    data = await page.run(_subscriptions_context)
    data["feeds"] = _feeds(None, data["my_teams"])
    return render(request, "broadcast/subscriptions.html", {**data, "form": FormState({"subscriber": "me"})})


@router.post("/subscriptions")
async def subscribe(request: Request, page: PageWork) -> Response:
    values = await read_form(request, lists=("topics",))
    raw = cleaned(values)
    subscriber = raw.pop("subscriber", "me")
    body: dict[str, Any] = {"topics": raw.pop("topics", [])}
    if subscriber.startswith("team:"):
        body["team"] = subscriber.removeprefix("team:")
    elif subscriber.startswith("channel:"):
        body["channel"] = subscriber.removeprefix("channel:")
    filters = {k: raw[k] for k in ("service", "team", "kind", "min_severity", "factor", "tag") if k in raw}
    if filters:
        body["filters"] = filters
    data, errors = validate(SubscriptionIn, body)
    if data is None:
        errors = {k.removeprefix("filters."): v for k, v in errors.items()}
        return await _subscriptions_again(request, page, values, errors)

    def work(session: Session, actor: Actor) -> None:
        subscriptions.create_subscription(session, actor, data)

    try:
        await page.run(work)
    except DomainError as exc:
        errs = {k.removeprefix("filters."): v for k, v in domain_errors(exc).items()}
        return await _subscriptions_again(request, page, values, errs, exc.status)
    return redirect_with_notice("/subscriptions", "Subscribed.")


async def _subscriptions_again(
    request: Request, page: PageWork, values: dict[str, Any], errors: dict[str, str], status: int = 422
) -> Response:
    data = await page.run(_subscriptions_context)
    data["feeds"] = _feeds(None, data["my_teams"])
    return render(
        request,
        "broadcast/subscriptions.html",
        {**data, "form": FormState(values, errors)},
        status_code=status,
    )


@router.post("/subscriptions/{subscription_id}/delete")
async def unsubscribe(request: Request, subscription_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> None:
        subscriptions.delete_subscription(session, actor, subscription_id)

    await page.run(work)
    return redirect_with_notice("/subscriptions", "Subscription removed.")


@router.post("/subscriptions/feed-token")
async def new_feed_token(request: Request, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> tuple[str, dict[str, Any]]:
        _token, secret = feed_tokens.create_feed_token(session, actor)
        return secret, _subscriptions_context(session, actor)

    secret, data = await page.run(work)
    data["feeds"] = _feeds(secret, data["my_teams"])
    data["new_feed_token"] = secret
    return render(request, "broadcast/subscriptions.html", {**data, "form": FormState({"subscriber": "me"})})


@router.post("/subscriptions/feed-token/{token_id}/revoke")
async def revoke_feed_token(request: Request, token_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> None:
        feed_tokens.revoke_feed_token(session, actor, token_id)

    await page.run(work)
    return redirect_with_notice("/subscriptions", "Feed token revoked; feed URLs with it stop working.")


@router.get("/digest")
async def digest_page(request: Request, page: PageWork) -> Response:
    week = request.query_params.get("week") or None
    team = request.query_params.get("team") or None

    def work(session: Session, _actor: Actor) -> dict[str, Any]:
        errors: dict[str, str] = {}
        try:
            digest = weekly_digest.digest(session, week, team)
        except InvalidInput as exc:
            errors = domain_errors(exc)
            digest = weekly_digest.digest(session, None, None)
        return {
            "digest": digest,
            "errors": errors,
            "teams": [(t, t) for t in session.scalars(select(Team.name).order_by(Team.name))],
            "this_week": week_of(utcnow().date()),
            "last_week": previous_week(utcnow()),
        }

    data = await page.run(work)
    return render(request, "broadcast/digest.html", {**data, "team": team})


async def _reach_fragment(request: Request, page: PageWork, review_id: int, mark: bool | None) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        from failwell.enums import ReviewStatus
        from failwell.reviews.service import get_review

        review = get_review(session, review_id)
        published = review.status == ReviewStatus.published
        if published and mark is True:
            reach = reads.mark_read(session, actor, review_id)
        elif mark is False:
            reach = reads.unmark_read(session, actor, review_id)
        else:
            reach = reads.reach(session, actor, review_id)
        return {"reach": reach, "published": published, "review_id": review_id}

    return render(request, "broadcast/_reach.html", await page.run(work))


@router.get("/reviews/{review_id}/reach")
async def reach_fragment(request: Request, review_id: int, page: PageWork) -> Response:
    return await _reach_fragment(request, page, review_id, None)


@router.post("/reviews/{review_id}/read")
async def read_review(request: Request, review_id: int, page: PageWork) -> Response:
    response = await _reach_fragment(request, page, review_id, True)
    if is_htmx(request):
        return response
    return redirect_with_notice(request.headers.get("referer") or f"/reviews/{review_id}/reach", "Thank you.")


@router.post("/reviews/{review_id}/unread")
async def unread_review(request: Request, review_id: int, page: PageWork) -> Response:
    response = await _reach_fragment(request, page, review_id, False)
    if is_htmx(request):
        return response
    return redirect_with_notice(request.headers.get("referer") or f"/reviews/{review_id}/reach")
