"""Failure pages: the list, reporting a failure, and a failure's own page with its status,
timeline and corrective actions (see web/PAGES.md). Editing lives in failure_edit.py."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.actions import proposals
from failwell.actions import service as actions
from failwell.actions.schemas import ActionFilter, ActionIn, ActionProposal, DeclineIn
from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.changes.service import change_out, deployment_out
from failwell.enums import (
    ActionPriority,
    ActionStatus,
    ActionType,
    FailureKind,
    FailureStatus,
    Role,
    TimelineKind,
)
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.failures import edits, search, service, timeline
from failwell.failures.milestones import MILESTONE_TIMES, empty_milestones
from failwell.listing import page_of
from failwell.reviews.service import SECTIONS, find_review, review_out
from failwell.web.auth import PageWork
from failwell.web.forms import actions as action_form
from failwell.web.forms import failures as failure_form
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.responses import redirect_with_notice
from failwell.web.snippets import where_matched
from failwell.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

PAGE_SIZE = 25
ACTIONS_SHOWN = 100
EVENTS_SHOWN = 500

KIND_HELP = {
    FailureKind.failed_deployment: "A deployment or change that went wrong.",
    FailureKind.incident: "Something users, partners or colleagues noticed.",
    FailureKind.near_miss: "It nearly went wrong, and nobody was hurt. Worth as much to learn from.",
}
SORT_CHOICES = [
    ("-started_at", "Newest first"),
    ("started_at", "Oldest first"),
    ("-severity", "Most severe first"),
    ("-updated_at", "Recently updated"),
    ("title", "Title, A to Z"),
]


# ---- the list ----------------------------------------------------------------


@router.get("/failures")
async def failure_list(request: Request, page: PageWork) -> Response:
    values, filters, errors = failure_form.list_filters(request.query_params, PAGE_SIZE)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        found: dict[str, Any] = {
            "service_names": choices.service_names(session),
            "team_names": choices.team_names(session),
            "severities": [(s.level, s.name) for s in service.list_severity_levels(session)],
            "page": None,
        }
        if filters is None:
            return found
        try:
            rows, total, exact = service.list_failures(session, filters)
        except InvalidInput as exc:
            found["errors"] = domain_errors(exc)
            return found
        found_in = search.snippets(session, rows, filters.q) if filters.q else {}
        items = [
            {**service.failure_out(f).model_dump(), "match": where_matched(found_in.get(f.id))} for f in rows
        ]
        listed = page_of(items, total, exact, filters)
        # The pagination macro reads `exact`; the API's Page calls it total_exact.
        found["page"] = {**listed.model_dump(), "exact": listed.total_exact}
        return found

    data = await page.run(work)
    errors = {**errors, **data.pop("errors", {})}
    query = urlencode({k: v for k, v in values.items() if v.strip()})
    return render(
        request,
        "failures/list.html",
        {
            **data,
            "form": FormState(values, errors),
            "base_url": "/failures" + (f"?{query}" if query else ""),
            "filtered": bool(query),
            "kinds": list(FailureKind),
            "statuses": list(FailureStatus),
            "sorts": SORT_CHOICES,
        },
        status_code=422 if errors else 200,
    )


# ---- reporting -----------------------------------------------------------------


def _report_options(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "service_names": choices.service_names(session),
        "severities": [(s.level, s.name, s.description) for s in service.list_severity_levels(session)],
        "kinds": [(k, KIND_HELP[k]) for k in FailureKind],
    }


def _report_page(request: Request, options: dict[str, Any], form: FormState, status: int = 200) -> Response:
    open_details = failure_form.report_has_details(form.values, form.errors)
    return render(
        request,
        "failures/new.html",
        {**options, "form": form, "open_details": open_details},
        status_code=status,
    )


@router.get("/failures/new")
async def report_form(
    request: Request, page: PageWork, service_name: Annotated[str, Query(alias="service")] = ""
) -> Response:
    options = await page.run(_report_options)
    values: dict[str, Any] = {
        "kind": FailureKind.incident.value,
        "severity": "3",
        "started_at": failure_form.now_local(),
        "services": [service_name] if service_name else [],
    }
    return _report_page(request, options, FormState(values))


@router.post("/failures/new")
async def report(request: Request, page: PageWork) -> Response:
    values = await read_form(request, lists=("services",))
    report_in, errors = failure_form.report_input(values)
    if report_in is None:
        options = await page.run(_report_options)
        return _report_page(request, options, FormState(values, errors), 422)
    data = report_in

    def work(session: Session, actor: Actor) -> int:
        return service.report_failure(session, actor, data).id

    try:
        failure_id = await page.run(work)
    except (InvalidInput, Conflict) as exc:  # rolled back: nothing half-saved
        options = await page.run(_report_options)
        return _report_page(request, options, FormState(values, domain_errors(exc)), exc.status)
    thanks = "Thank you: the failure is recorded"
    thanks += " anonymously (nothing about you was stored)." if data.anonymous else "."
    return redirect_with_notice(f"/failures/{failure_id}", thanks)


# ---- a failure's page ------------------------------------------------------------


def _timeline_context(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    events = timeline.list_events(session, failure_id)
    return {
        "failure_id": failure_id,
        "empty_milestones": [k.value for k in empty_milestones(service.get_failure(session, failure_id))],
        "events": [timeline.event_out(e).model_dump() for e in events[-EVENTS_SHOWN:]],
        "events_hidden": max(0, len(events) - EVENTS_SHOWN),
        "timeline_kinds": list(TimelineKind),
        "can_edit": actor.at_least(Role.practitioner),
    }


def _actions_context(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    rows, total, _ = actions.list_actions(
        session, ActionFilter(failure_id=failure_id, limit=ACTIONS_SHOWN, sort="due_date")
    )
    manager = actor.at_least(Role.practice_manager)
    default_team = actions.default_owner_team(service.get_failure(session, failure_id)) if manager else None
    return {
        "failure_id": failure_id,
        "default_owner_team": default_team.name if default_team else None,
        "actions": [a.model_dump() for a in actions.actions_out(session, rows)],
        "actions_total": total,
        "can_work": actor.at_least(Role.practitioner),
        "can_manage": manager,
        "team_names": choices.team_names(session) if manager else [],
        "action_types": list(ActionType),
        "priorities": list(ActionPriority),
    }


def _state(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    """What failures/_state.html shows: the summary and the status form."""
    return {
        "failure": service.failure_out(service.get_failure(session, failure_id)).model_dump(),
        "can_change": actor.at_least(Role.practitioner),
        "now_local": failure_form.now_local(),
    }


def _detail(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    failure = service.get_failure(session, failure_id)
    review = find_review(session, failure_id)
    return {
        "failure": service.failure_out(failure).model_dump(),
        "deployments": [deployment_out(d).model_dump() for d in failure.deployments],
        "changes": [change_out(c).model_dump() for c in failure.changes],
        "review": review_out(review).model_dump() if review else None,
        "sections": SECTIONS,
        "can_change": actor.at_least(Role.practitioner),
        "now_local": failure_form.now_local(),
        **_timeline_context(session, actor, failure_id),
        **_actions_context(session, actor, failure_id),
    }


async def _detail_page(
    request: Request, page: PageWork, failure_id: int, status: int = 200, **forms: FormState
) -> Response:
    data = await page.run(lambda session, actor: _detail(session, actor, failure_id))
    return render(request, "failures/detail.html", {**data, **forms}, status_code=status)


@router.get("/failures/{failure_id}")
async def failure_page(request: Request, failure_id: int, page: PageWork) -> Response:
    return await _detail_page(request, page, failure_id)


@router.post("/failures/{failure_id}/status")
async def change_status(request: Request, failure_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    change, errors = failure_form.status_change(values)
    if change is None:
        return await _detail_page(request, page, failure_id, 422, status_form=FormState(values, errors))
    status, at = change.status, change.status_at

    def work(session: Session, actor: Actor) -> None:
        edits.change_status(session, actor, failure_id, status, at)

    try:
        await page.run(work)
    except InvalidInput as exc:
        errors = failure_form.status_errors(domain_errors(exc))
        return await _detail_page(request, page, failure_id, 422, status_form=FormState(values, errors))
    return redirect_with_notice(f"/failures/{failure_id}", f"Marked {status.value}.")


@router.post("/failures/{failure_id}/timeline")
async def add_timeline_event(request: Request, failure_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = failure_form.new_event(values)
    htmx = is_htmx(request)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        added_id = timeline.add_event(session, actor, failure_id, data).id if data is not None else None
        return {**_timeline_context(session, actor, failure_id), "added_id": added_id}

    context = None
    if data is not None:
        try:
            context = await page.run(work)
        except InvalidInput as exc:  # rolled back: shown at the form's fields
            data, errors = None, failure_form.event_refusal(exc)
    if context is None:
        form = FormState(values, errors)
        if not htmx:
            return await _detail_page(request, page, failure_id, 422, timeline_form=form)
        context = await page.run(work)
        # htmx swaps only 2xx answers: the form with its messages comes back as 200.
        return render(request, "failures/_timeline.html", {**context, "timeline_form": form})
    sets_time = data is not None and data.set_failure_time and data.kind in MILESTONE_TIMES
    if not htmx:
        notice = "Added to the timeline" + (", and the failure's time is set." if sets_time else ".")
        return redirect_with_notice(f"/failures/{failure_id}#timeline", notice)
    kept = {"event_kind": values.get("event_kind", "")}  # the next event is often of the same kind
    context = {**context, "timeline_form": FormState(kept), "added": True}
    if not sets_time:
        return render(request, "failures/_timeline.html", context)
    # The summary, status form and badges changed too: they come along, swapped out of band.
    state = await page.run(lambda session, actor: _state(session, actor, failure_id))
    return render(request, "failures/_timeline_state.html", {**context, **state})


@router.post("/failures/{failure_id}/actions")
async def add_action(request: Request, failure_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = action_form.new_action(values, failure_id)
    htmx = is_htmx(request)
    form = FormState(values, errors)
    if data is not None:
        action_in = data

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            if actor.at_least(Role.practice_manager):
                added_id = actions.create_action(session, actor, action_in).id
            else:  # practitioners propose; a practice manager accepts or declines
                added_id = proposals.propose_action(session, actor, as_proposal(action_in)).id
            return {**_actions_context(session, actor, failure_id), "added_id": added_id}

        try:
            context = await page.run(work)
        except InvalidInput as exc:
            form = FormState(values, action_form.action_errors(domain_errors(exc)))
        else:
            if not htmx:
                return redirect_with_notice(f"/failures/{failure_id}#actions", _added_notice(context))
            return render(request, "failures/_actions.html", {**context, "added": True})
    if not htmx:
        return await _detail_page(request, page, failure_id, 422, action_form=form)
    context = await page.run(lambda session, actor: _actions_context(session, actor, failure_id))
    return render(request, "failures/_actions.html", {**context, "action_form": form, "open_form": True})


@router.post("/failures/{failure_id}/actions/{action_id}/done")
async def complete_action(request: Request, failure_id: int, action_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        actions.complete_action(session, actor, action_id, of_failure=failure_id)
        return {**_actions_context(session, actor, failure_id), "done_id": action_id}

    context = await page.run(work)
    if not is_htmx(request):
        return redirect_with_notice(f"/failures/{failure_id}#actions", "Action marked done.")
    return render(request, "failures/_actions.html", context)


def as_proposal(data: ActionIn) -> ActionProposal:
    """The add-an-action form as a practitioner's proposal: assignment is the manager's call."""
    fields = data.model_dump(include={"failure_id", "title", "description", "action_type", "owner_team"})
    return ActionProposal(**fields, external_url=data.external_url)


def _added_notice(context: dict[str, Any]) -> str:
    added = next((a for a in context["actions"] if a["id"] == context["added_id"]), None)
    if added and added["status"] == ActionStatus.proposed:
        return "Corrective action proposed: a practice manager will accept or decline it."
    return "Corrective action added."


def _of_failure(session: Session, failure_id: int, action_id: int) -> None:
    if actions.get_action(session, action_id).failure_id != failure_id:
        raise NotFound(detail=f"Failure {failure_id} has no corrective action {action_id}.")


@router.post("/failures/{failure_id}/actions/{action_id}/accept")
async def accept_proposal(request: Request, failure_id: int, action_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> None:
        _of_failure(session, failure_id, action_id)
        proposals.accept_action(session, actor, action_id)

    await page.run(work)
    return redirect_with_notice(
        f"/failures/{failure_id}#action-{action_id}", "Proposal accepted: it is open work."
    )


@router.post("/failures/{failure_id}/actions/{action_id}/decline")
async def decline_proposal(request: Request, failure_id: int, action_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    reason = str(values.get("decline_reason", "")).strip()
    if not reason:
        return redirect_with_notice(f"/failures/{failure_id}#action-{action_id}", "Not declined: say why.")

    def work(session: Session, actor: Actor) -> None:
        _of_failure(session, failure_id, action_id)
        proposals.decline_action(session, actor, action_id, DeclineIn(reason=reason[:2000]))

    await page.run(work)
    return redirect_with_notice(f"/failures/{failure_id}#action-{action_id}", "Proposal declined.")
