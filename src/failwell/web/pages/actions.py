"""The corrective actions board: open work by owner team and status, overdue first,
with the status updated inline (htmx) by practitioners and above."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.actions import service
from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.catalogue.service import service_by_name
from failwell.enums import ActionPriority, ActionStatus, Role
from failwell.errors import InvalidInput
from failwell.listing import page_of
from failwell.people.teams import team_by_name
from failwell.web.auth import PageWork
from failwell.web.forms.actions import BoardQuery, back_to, board_query, status_update
from failwell.web.forms.base import FORM_ERROR, domain_errors, read_form
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

STATUS_CHOICES: list[tuple[str, str]] = [
    ("active", "Open work"),
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("wont_do", "Won't do"),
    ("proposed", "Proposed (waiting for a manager)"),
    ("declined", "Declined proposals"),
    ("all", "Any status"),
]
_STATUSES: dict[str, tuple[ActionStatus, ...]] = {
    "active": service.OPEN_STATUSES,
    "all": (),
    **{s.value: (s,) for s in ActionStatus},
}


@router.get("/actions")
async def board(request: Request, page: PageWork) -> Response:
    query, errors = board_query(request.query_params)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        team_id = team_by_name(session, query.team.strip()).id if query.team else None
        service_id = service_by_name(session, query.service.strip()).id if query.service else None
        rows, total, exact = service.list_board(
            session,
            query,
            statuses=_STATUSES[query.status],
            team_id=team_id,
            service_id=service_id,
            priority=query.priority,
            overdue=None if query.overdue is None else query.overdue == "true",
        )
        return {
            "page": page_of(service.actions_out(session, rows), total, exact, query),
            "counts": service.board_counts(session, team_id),
            "teams": choices.as_options(choices.team_names(session)),
        }

    try:
        data = await page.run(work)
    except InvalidInput as exc:
        errors.update(domain_errors(exc))
        query = BoardQuery()
        data = await page.run(work)
    return render(request, "actions/board.html", _context(page, query, errors, data))


def _context(
    page: PageWork, query: BoardQuery, errors: dict[str, str], data: dict[str, Any]
) -> dict[str, Any]:
    return {
        **data,
        "query": query,
        "errors": errors,
        "base_url": query.url(),
        "status_choices": STATUS_CHOICES,
        "priorities": [(p.value, p.value.capitalize()) for p in ActionPriority],
        "can_work": page.me.actor.at_least(Role.practitioner),
    }


@router.post("/actions/{action_id}/status")
async def set_status(request: Request, action_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    htmx = is_htmx(request)
    back = back_to(values)
    update, errors = status_update(values)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        assert update is not None
        action = service.update_action(session, actor, action_id, update)
        return {"action": service.actions_out(session, [action])[0]}

    def current(session: Session, actor: Actor) -> dict[str, Any]:
        return {"action": service.actions_out(session, [service.get_action(session, action_id)])[0]}

    if update is not None:
        try:
            data = await page.run(work)
        except InvalidInput as exc:  # e.g. won't do without a reason: nothing was changed
            errors = domain_errors(exc)
        else:
            if not htmx:
                return redirect_with_notice(
                    back, f"Action #{action_id} is now {_words(data['action'].status)}."
                )
            text = f"Action #{action_id} is now {_words(data['action'].status)}."
            return render(
                request, "actions/_item.html", {**data, "can_work": True, "message": text, "next": back}
            )
    # Refused input: nothing changed. The item again with the message (htmx), or the board.
    message = errors.get(FORM_ERROR) or _REASONS.get(next(iter(errors), ""), "")
    message = message or next(iter(errors.values()), "Nothing was changed.")
    if not htmx:
        return redirect_with_notice(back, f"Action #{action_id} was not changed: {message}")
    data = await page.run(current)
    return render(request, "actions/_item.html", {**data, "can_work": True, "error": message, "next": back})


_REASONS = {"wont_do_reason": "Say why it won't be done.", "status": "Choose a valid status."}


def _words(status: ActionStatus) -> str:
    return {"in_progress": "in progress", "wont_do": "won't do"}.get(status.value, status.value)
