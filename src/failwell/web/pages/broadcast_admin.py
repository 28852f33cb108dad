"""Web pages administering this slice (see failwell/web/PAGES.md): the channels, the broadcast
options and the delivery log, with retries (practice owners)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast import channel_admin, delivery_log, options
from failwell.broadcast.models import ChannelKind, DeliveryStatus
from failwell.broadcast.schemas import ChannelIn, ChannelUpdate, DeliveryFilter, OptionsIn
from failwell.enums import Role
from failwell.errors import DomainError, InvalidInput
from failwell.listing import page_of
from failwell.people.models import Team
from failwell.web.auth import PageWork
from failwell.web.forms.base import FormState, cleaned, domain_errors, read_form, validate
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)


KIND_LABELS: dict[ChannelKind, str] = {
    ChannelKind.email: "E-mail (SMTP)",
    ChannelKind.slack: "Slack",
    ChannelKind.msteams: "Microsoft Teams",
    ChannelKind.mattermost: "Mattermost",
    ChannelKind.discord: "Discord",
    ChannelKind.gchat: "Google Chat",
    ChannelKind.ntfy: "ntfy",
    ChannelKind.webhook: "JSON webhook",
}


def _admin_context(session: Session, actor: Actor) -> dict[str, Any]:
    require(actor, Role.practice_owner, "Administering channels")
    return {
        "channels": [channel_admin.channel_out(c) for c in channel_admin.list_channels(session)],
        "kinds": [(k.value, label) for k, label in KIND_LABELS.items()],
        "teams": [(t, t) for t in session.scalars(select(Team.name).order_by(Team.name))],
        "options": options.read_options(session),
        "counts": delivery_log.delivery_counts(session, actor),
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
    }


@router.get("/admin/broadcast")
async def channels_page(request: Request, page: PageWork) -> Response:
    data = await page.run(_admin_context)
    return render(request, "broadcast/admin_channels.html", {**data, "form": FormState()})


@router.post("/admin/broadcast/channels")
async def add_channel(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    raw = cleaned(values)
    raw["for_people"] = raw.get("for_people") in ("true", "on")
    data, errors = validate(ChannelIn, raw)
    if data is None:
        return await _channels_again(request, page, values, errors)

    def work(session: Session, actor: Actor) -> str:
        return channel_admin.create_channel(session, actor, data).name

    try:
        name = await page.run(work)
    except DomainError as exc:
        return await _channels_again(request, page, values, domain_errors(exc), exc.status)
    return redirect_with_notice(
        "/admin/broadcast", f"Channel '{name}' added. Send it a test message to check it."
    )


async def _channels_again(
    request: Request, page: PageWork, values: dict[str, Any], errors: dict[str, str], status: int = 422
) -> Response:
    values = {k: v for k, v in values.items() if k != "url"}  # a secret is never shown back
    data = await page.run(_admin_context)
    return render(
        request,
        "broadcast/admin_channels.html",
        {**data, "form": FormState(values, errors)},
        status_code=status,
    )


@router.post("/admin/broadcast/channels/{channel_id}/{action}")
async def channel_action(request: Request, channel_id: int, action: str, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        channel = channel_admin.get_channel(session, channel_id)
        name = channel.name
        if action == "test":
            channel_admin.send_test(session, actor, channel_id)
            return f"A test message to '{name}' is queued; see the delivery log."
        if action == "toggle":
            channel_admin.update_channel(
                session, actor, channel_id, ChannelUpdate(enabled=not channel.enabled)
            )
            return f"Channel '{name}' {'enabled' if channel.enabled else 'disabled'}."
        if action == "delete":
            channel_admin.delete_channel(session, actor, channel_id)
            return f"Channel '{name}' removed."
        raise InvalidInput.on("action", "unknown")

    return redirect_with_notice("/admin/broadcast", await page.run(work))


@router.post("/admin/broadcast/options")
async def change_options(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    data = OptionsIn(
        hide_names=values.get("hide_names") in ("true", "on"),
        owner_team_default=values.get("owner_team_default") in ("true", "on"),
    )

    def work(session: Session, actor: Actor) -> None:
        options.change_options(session, actor, data)

    await page.run(work)
    return redirect_with_notice("/admin/broadcast", "Broadcast options saved.")


@router.get("/admin/broadcast/deliveries")
async def deliveries_page(request: Request, page: PageWork) -> Response:
    raw = {k: v for k, v in request.query_params.items() if v.strip() and k in ("status", "limit", "offset")}
    query, errors = validate(DeliveryFilter, raw)
    query = query or DeliveryFilter()

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        rows, total, exact = delivery_log.list_deliveries(session, actor, query)
        return {
            "page": page_of([delivery_log.delivery_out(d) for d in rows], total, exact, query),
            "counts": delivery_log.delivery_counts(session, actor),
            "can_retry": actor.at_least(Role.practice_owner),
        }

    data = await page.run(work)
    base = "/admin/broadcast/deliveries" + (
        f"?{urlencode({'status': query.status.value})}" if query.status else ""
    )
    return render(
        request,
        "broadcast/deliveries.html",
        {
            **data,
            "query": query,
            "errors": errors,
            "base_url": base,
            "statuses": [s.value for s in DeliveryStatus],
        },
    )


@router.post("/admin/broadcast/deliveries/{delivery_id}/retry")
async def retry_delivery(request: Request, delivery_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> None:
        delivery_log.retry_delivery(session, actor, delivery_id)

    try:
        await page.run(work)
    except DomainError as exc:
        return redirect_with_notice("/admin/broadcast/deliveries?status=failed", exc.detail)
    return redirect_with_notice(
        "/admin/broadcast/deliveries?status=failed", "Queued again; the worker sends it shortly."
    )


@router.post("/admin/broadcast/deliveries/retry-failed")
async def retry_all(request: Request, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> int:
        return delivery_log.retry_all_failed(session, actor)

    count = await page.run(work)
    return redirect_with_notice("/admin/broadcast/deliveries", f"{count} parked deliveries queued again.")
