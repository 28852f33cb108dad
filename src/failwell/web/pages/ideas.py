"""Ideas from anyone: the list (most supported first), proposing one, and an idea's page with
support, comments and, for practice managers, accepting it into an action or closing it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.enums import ActionPriority, ActionType, IdeaStatus, Role
from failwell.errors import InvalidInput
from failwell.failures.models import Failure
from failwell.ideas import service
from failwell.listing import page_of
from failwell.recurrence.models import Problem
from failwell.web.auth import PageWork
from failwell.web.forms import ideas as idea_form
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

STATUS_CHOICES = [(s.value, s.value.capitalize()) for s in IdeaStatus]


@router.get("/ideas")
async def idea_list(request: Request, page: PageWork) -> Response:
    query, errors = idea_form.idea_query(request.query_params)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        rows, total, exact = service.list_ideas(session, query)
        return {"page": page_of(service.ideas_out(session, actor, rows), total, exact, query)}

    data = await page.run(work)
    context = {
        **data,
        "query": query,
        "errors": errors,
        "base_url": query.url(),
        "status_choices": STATUS_CHOICES,
        "sort_choices": idea_form.SORT_CHOICES,
    }
    return render(request, "ideas/list.html", context)


def _new_page(request: Request, form: FormState, status: int = 200) -> Response:
    return render(request, "ideas/new.html", {"form": form}, status_code=status)


@router.get("/ideas/new")
async def new_idea_page(request: Request, page: PageWork) -> Response:
    preset = {k: request.query_params.get(k, "")[:100] for k in ("failure_ids", "problem_id")}
    return _new_page(request, FormState({k: v for k, v in preset.items() if v}))


@router.post("/ideas")
async def propose(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = idea_form.new_idea(values)
    if data is None:
        return _new_page(request, FormState(values, errors), 422)
    idea_in = data
    try:
        idea_id = await page.run(lambda session, actor: service.propose_idea(session, actor, idea_in).id)
    except InvalidInput as exc:
        return _new_page(request, FormState(values, domain_errors(exc)), 422)
    return redirect_with_notice(f"/ideas/{idea_id}", "Your idea is proposed. Thank you.")


def _detail(session: Session, actor: Actor, idea_id: int) -> dict[str, Any]:
    idea = service.idea_out(session, actor, service.get_idea_row(session, idea_id))
    failures = session.execute(
        select(Failure.id, Failure.title).where(Failure.id.in_(idea.failure_ids)).order_by(Failure.id)
    ).all()
    problem = session.get(Problem, idea.problem_id) if idea.problem_id else None
    action = session.get(CorrectiveAction, idea.action_id) if idea.action_id else None
    manager = actor.at_least(Role.practice_manager)
    return {
        "idea": idea,
        "failures": [{"id": fid, "title": title} for fid, title in failures],
        "problem": {"id": problem.id, "title": problem.title} if problem else None,
        "action": {"id": action.id, "title": action.title, "failure_id": action.failure_id}
        if action
        else None,
        "comments": service.list_comments(session, idea_id),
        "can_decide": manager and idea.status == IdeaStatus.open,
        "team_names": choices.team_names(session) if manager else [],
        "action_types": [(t.value, t.value.capitalize()) for t in ActionType],
        "priorities": [(p.value, p.value.capitalize()) for p in ActionPriority],
    }


async def _detail_page(
    request: Request, page: PageWork, idea_id: int, status: int = 200, **forms: FormState
) -> Response:
    data = await page.run(lambda session, actor: _detail(session, actor, idea_id))
    return render(request, "ideas/detail.html", {**data, **forms}, status_code=status)


@router.get("/ideas/{idea_id}")
async def idea_page(request: Request, idea_id: int, page: PageWork) -> Response:
    return await _detail_page(request, page, idea_id)


@router.post("/ideas/{idea_id}/support")
async def support(request: Request, idea_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    supported = values.get("support") != "withdraw"
    await page.run(lambda session, actor: service.set_support(session, actor, idea_id, supported))
    notice = "Thank you for your support." if supported else "Your support is withdrawn."
    return redirect_with_notice(f"/ideas/{idea_id}", notice)


@router.post("/ideas/{idea_id}/comments")
async def comment(request: Request, idea_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = idea_form.comment(values)
    if data is None:
        return await _detail_page(
            request,
            page,
            idea_id,
            422,
            comment_form=FormState(values, idea_form.prefixed("comment_", errors)),
        )
    comment_in = data
    added = await page.run(lambda session, actor: service.add_comment(session, actor, idea_id, comment_in).id)
    return redirect_with_notice(f"/ideas/{idea_id}#comment-{added}", "Comment added.")


@router.post("/ideas/{idea_id}/accept")
async def accept(request: Request, idea_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = idea_form.accept(values)
    if data is not None:
        accept_in = data
        try:
            action_id = await page.run(
                lambda session, actor: service.accept_idea(session, actor, idea_id, accept_in)[1].id
            )
        except InvalidInput as exc:
            errors = domain_errors(exc)
        else:
            return redirect_with_notice(
                f"/ideas/{idea_id}", f"Accepted: it is now corrective action #{action_id}."
            )
    form = FormState(values, idea_form.prefixed("accept_", errors))
    return await _detail_page(request, page, idea_id, 422, accept_form=form)


@router.post("/ideas/{idea_id}/close")
async def close(request: Request, idea_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = idea_form.close(values)
    if data is not None:
        close_in = data
        try:
            await page.run(lambda session, actor: service.close_idea(session, actor, idea_id, close_in))
        except InvalidInput as exc:
            errors = domain_errors(exc)
        else:
            return redirect_with_notice(f"/ideas/{idea_id}", "The idea is closed.")
    form = FormState(values, idea_form.prefixed("close_", errors))
    return await _detail_page(request, page, idea_id, 422, close_form=form)
