"""The corrective actions board: open work by owner team and status, overdue first,
with the status updated inline (htmx) by practitioners and above."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy.orm import Session

from failwell.actions import service
from failwell.actions.schemas import ActionUpdate
from failwell.authz import Actor
from failwell.catalogue.choices import team_names
from failwell.catalogue.service import service_by_name
from failwell.enums import ActionPriority, ActionStatus, Role
from failwell.errors import InvalidInput
from failwell.listing import PageParams, page_of
from failwell.people.service import team_by_name
from failwell.web.auth import PageWork
from failwell.web.forms.base import FORM_ERROR, domain_errors, read_form, validate
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

StatusChoice = Literal["active", "open", "in_progress", "done", "wont_do", "all"]
STATUS_CHOICES: list[tuple[str, str]] = [
    ("active", "Open work"),
    ("open", "Open"),
    ("in_progress", "In progress"),
    ("done", "Done"),
    ("wont_do", "Won't do"),
    ("all", "Any status"),
]
_STATUSES: dict[str, tuple[ActionStatus, ...]] = {
    "active": service.OPEN_STATUSES,
    "all": (),
    **{s.value: (s,) for s in ActionStatus},
}


class BoardQuery(PageParams):
    limit: int = Field(25, ge=1, le=100)
    team: str | None = Field(None, max_length=100)
    service: str | None = Field(None, max_length=100, description="Actions of this service's failures.")
    status: StatusChoice = "active"
    priority: ActionPriority | None = None
    overdue: Literal["true", "false"] | None = None

    def url(self, **changes: Any) -> str:
        values = {
            "team": self.team,
            "service": self.service,
            "status": self.status if self.status != "active" else None,
            "priority": self.priority.value if self.priority else None,
            "overdue": self.overdue,
            **changes,
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return "/actions" + (f"?{query}" if query else "")


def _query(request: Request) -> tuple[BoardQuery, dict[str, str]]:
    raw = {k: v for k, v in request.query_params.items() if v.strip()}
    query, errors = validate(BoardQuery, raw)
    if query is None:  # a hand-edited URL: show the board unfiltered, and say what was ignored
        return BoardQuery(), errors
    return query, errors


@router.get("/actions")
async def board(request: Request, page: PageWork) -> Response:
    query, errors = _query(request)

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
        teams = team_names(session)
        return {
            "page": page_of(service.actions_out(session, rows), total, exact, query),
            "counts": service.board_counts(session, team_id),
            "teams": [(name, name) for name in teams],
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
    back = values.get("next") or "/actions"
    if not str(back).startswith("/actions"):
        back = "/actions"
    update, errors = validate(
        ActionUpdate,
        {k: v for k, v in values.items() if k in ("status", "wont_do_reason") and str(v).strip()},
    )
    if update is not None and update.status is None:
        update, errors = None, {"status": "Choose a status."}

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        assert update is not None
        action = service.update_action(
            session,
            actor,
            action_id,
            ActionUpdate(status=update.status, wont_do_reason=update.wont_do_reason),
        )
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
