"""Editing a failure: its details (a page of their own) and a timeline event (inline with
htmx, or a small page without). Only what a person changed is saved: see failures/edits.py."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.enums import FailureKind, Role, TimelineKind
from failwell.errors import Conflict, InvalidInput
from failwell.failures import edits, service, timeline
from failwell.failures.models import TimelineEvent
from failwell.web.auth import PageWork
from failwell.web.forms import failures as failure_form
from failwell.web.forms.base import FORM_ERROR, FormState, domain_errors, read_form
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

CLASH = (
    "Someone else changed the marked fields while you were editing; the failure's page shows "
    "their version. Save again to replace it with yours."
)


# ---- the details ---------------------------------------------------------------------


def _severity_text(level: int, name: str) -> str:
    code = f"SEV{level}"
    return code if name == code else f"{code} · {name}"


def _edit_options(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    failure = service.failure_out(edits.failure_to_edit(session, actor, failure_id)).model_dump()
    return {
        "failure": failure,
        "current": failure_form.edit_values(failure),
        "service_names": sorted(set(choices.service_names(session)) | set(failure["services"])),
        "severities": [
            (s.level, _severity_text(s.level, s.name)) for s in service.list_severity_levels(session)
        ],
        "kinds": list(FailureKind),
    }


def _edit_page(request: Request, options: dict[str, Any], form: FormState, status: int = 200) -> Response:
    return render(request, "failures/edit.html", {**options, "form": form}, status_code=status)


@router.get("/failures/{failure_id}/edit")
async def edit_form(request: Request, failure_id: int, page: PageWork) -> Response:
    options = await page.run(lambda session, actor: _edit_options(session, actor, failure_id))
    return _edit_page(request, options, FormState(dict(options["current"])))


@router.post("/failures/{failure_id}/edit")
async def edit_failure(request: Request, failure_id: int, page: PageWork) -> Response:
    values = await read_form(request, lists=("services",))
    # Checked before anything else: a viewer's forged form is refused, whatever it holds.
    options = await page.run(lambda session, actor: _edit_options(session, actor, failure_id))
    submitted, errors = failure_form.edit_submitted(values)
    if errors:
        return _edit_page(request, options, FormState(values, errors), 422)
    shown = failure_form.edit_shown(values)

    def work(session: Session, actor: Actor) -> bool:
        return edits.edit_failure(session, actor, failure_id, shown, submitted) is not None

    try:
        saved = await page.run(work)
    except Conflict as exc:  # someone else changed a field this person changed too
        errors = {**failure_form.edit_errors(domain_errors(exc)), FORM_ERROR: CLASH}
        fresh = await page.run(lambda session, actor: _edit_options(session, actor, failure_id))
        again = failure_form.rebased(values, fresh["current"])
        return _edit_page(request, fresh, FormState(again, errors), exc.status)
    except InvalidInput as exc:  # rolled back: nothing half-saved
        errors = failure_form.edit_errors(domain_errors(exc))
        return _edit_page(request, options, FormState(values, errors), exc.status)
    if not saved:
        return redirect_with_notice(
            f"/failures/{failure_id}", "Nothing to change: the details are as they were."
        )
    return redirect_with_notice(f"/failures/{failure_id}", "Saved the changes to the details.")


# ---- a timeline event ------------------------------------------------------------------


def _event_context(actor: Actor, event: TimelineEvent) -> dict[str, Any]:
    return {
        "failure_id": event.failure_id,
        "failure_title": event.failure.title,
        "e": timeline.event_out(event).model_dump(),
        "timeline_kinds": list(TimelineKind),
        "can_edit": actor.at_least(Role.practitioner),
    }


def _event_form(
    request: Request, context: dict[str, Any], form: FormState, status: int = 200, focus: str = "field"
) -> Response:
    template = "failures/_event_form.html" if is_htmx(request) else "failures/edit_event.html"
    prefix = failure_form.event_prefix(context["e"]["id"])
    return render(
        request,
        template,
        {**context, "event_form": form, "prefix": prefix, "focus": focus},
        status_code=status,
    )


@router.get("/failures/{failure_id}/timeline/{event_id}")
async def timeline_event(request: Request, failure_id: int, event_id: int, page: PageWork) -> Response:
    """One event as the timeline shows it (what "Cancel" swaps back in)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _event_context(actor, timeline.get_event(session, failure_id, event_id))

    context = await page.run(work)
    if not is_htmx(request):
        return redirect_with_notice(f"/failures/{failure_id}#event-{event_id}")
    return render(request, "failures/_event.html", {**context, "focus": "edit"})


def _event_to_edit(failure_id: int, event_id: int) -> Callable[[Session, Actor], dict[str, Any]]:
    """The work of reading an event for someone about to change it."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _event_context(actor, edits.event_to_edit(session, actor, failure_id, event_id))

    return work


@router.get("/failures/{failure_id}/timeline/{event_id}/edit")
async def edit_event_form(request: Request, failure_id: int, event_id: int, page: PageWork) -> Response:
    context = await page.run(_event_to_edit(failure_id, event_id))
    return _event_form(request, context, FormState(failure_form.event_values(context["e"])))


@router.post("/failures/{failure_id}/timeline/{event_id}")
async def edit_event(request: Request, failure_id: int, event_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    htmx = is_htmx(request)
    context = await page.run(_event_to_edit(failure_id, event_id))
    submitted, errors = failure_form.event_changes(values, event_id)
    # htmx swaps only 2xx answers: the form with its messages comes back as 200.
    status = 200 if htmx else 422
    if errors:
        return _event_form(request, context, FormState(values, errors), status)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _event_context(actor, edits.edit_event(session, actor, failure_id, event_id, submitted))

    try:
        saved = await page.run(work)
    except InvalidInput as exc:  # rolled back: nothing half-saved
        prefix = failure_form.event_prefix(event_id)
        form = FormState(values, failure_form.prefixed(domain_errors(exc), prefix))
        return _event_form(request, context, form, status)
    if not htmx:
        return redirect_with_notice(f"/failures/{failure_id}#event-{event_id}", "Saved the timeline event.")
    return render(request, "failures/_event.html", {**saved, "focus": "event", "saved": True})
