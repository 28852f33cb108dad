"""Failure pages: the list, reporting a failure, and a failure's own page (see web/PAGES.md)."""

from __future__ import annotations

import re
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions import service as actions
from failwell.actions.schemas import ActionFilter, ActionIn
from failwell.authz import Actor
from failwell.changes.service import change_out, deployment_out
from failwell.db import utcnow
from failwell.enums import (
    ActionPriority,
    ActionType,
    FailureKind,
    FailureStatus,
    ReportChannel,
    Role,
    TimelineKind,
)
from failwell.errors import Conflict, FieldError, InvalidInput
from failwell.failures import service
from failwell.failures.schemas import FailureFilter, FailureIn, FailureUpdate, TimelineEventIn
from failwell.listing import page_of
from failwell.reviews.models import Review
from failwell.reviews.service import SECTIONS, review_out
from failwell.web.auth import PageWork
from failwell.web.forms import FormState, cleaned, domain_errors, read_form, validate
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

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
    ("severity", "Most severe first"),
    ("-updated_at", "Recently updated"),
    ("title", "Title, A to Z"),
]
_FILTER_FIELDS = ("q", "service", "team", "kind", "status", "severity", "tag", "since", "until", "sort")
_REPORT_FIELDS = (
    "title",
    "description",
    "kind",
    "severity",
    "started_at",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "services",
    "impact_partners",
    "impact_consumers",
    "tags",
    "deployment_ids",
    "change_ids",
)
_DETAIL_FIELDS = (
    "description",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "impact_partners",
    "impact_consumers",
    "tags",
    "deployment_ids",
    "change_ids",
)
_ACTION_FIELDS = (
    "title",
    "description",
    "type",
    "owner_team",
    "owner_person",
    "due_date",
    "priority",
    "external_url",
)
# Which time a status button records.
_STATUS_TIME = {
    FailureStatus.mitigated: "mitigated_at",
    FailureStatus.resolved: "resolved_at",
    FailureStatus.closed: "resolved_at",
}


def _now_local() -> str:
    """Now, as a datetime-local input value (UTC: every time in failwell is)."""
    return utcnow().strftime("%Y-%m-%dT%H:%M")


def _friendly(errors: dict[str, str]) -> dict[str, str]:
    return {k: ("Please fill this in." if v == "Field required" else v) for k, v in errors.items()}


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _split(text: Any) -> list[str]:
    return [p for p in re.split(r"[,\s]+", str(text or "")) if p]


def _invalid(errors: dict[str, str]) -> InvalidInput:
    detail = "; ".join(f"{k}: {v}" for k, v in errors.items())
    return InvalidInput(detail=detail, errors=[FieldError(k, v) for k, v in errors.items()])


def _dump(model: BaseModel) -> dict[str, Any]:
    return model.model_dump()


def _unprefixed(values: dict[str, Any], prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    """Fields of a form whose inputs carry a prefix (several forms share the failure page, and
    every input's id is its name)."""
    return cleaned({name: values.get(prefix + name, "") for name in names})


def _prefixed(errors: dict[str, str], prefix: str) -> dict[str, str]:
    return {(k if k == "_form" else prefix + k): v for k, v in errors.items()}


# ---- the list ----------------------------------------------------------------


@router.get("/failures")
async def failure_list(request: Request, page: PageWork) -> Response:
    raw = {k: v for k, v in request.query_params.items() if k in (*_FILTER_FIELDS, "limit", "offset")}
    values = {k: v for k, v in raw.items() if k in _FILTER_FIELDS}
    params = {"limit": str(PAGE_SIZE), **cleaned(raw)}
    filters, errors = validate(FailureFilter, params)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        found: dict[str, Any] = {
            "service_names": service.service_names(session),
            "team_names": service.team_names(session),
            "severities": service.list_severity_levels(session),
            "page": None,
        }
        found["severities"] = [(s.level, s.name) for s in found["severities"]]
        if filters is None:
            return found
        try:
            rows, total, exact = service.list_failures(session, filters)
        except InvalidInput as exc:
            found["errors"] = domain_errors(exc)
            return found
        items = [_dump(service.failure_out(f)) for f in rows]
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
        "service_names": service.service_names(session),
        "severities": [(s.level, s.name, s.description) for s in service.list_severity_levels(session)],
        "kinds": [(k, KIND_HELP[k]) for k in FailureKind],
    }


def _report_page(request: Request, options: dict[str, Any], form: FormState, status: int = 200) -> Response:
    open_details = any(form.values.get(k) for k in _DETAIL_FIELDS) or any(
        k in form.errors for k in _DETAIL_FIELDS
    )
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
        "started_at": _now_local(),
        "services": [service_name] if service_name else [],
    }
    return _report_page(request, options, FormState(values))


def _report_input(values: dict[str, Any]) -> dict[str, Any]:
    data = cleaned({k: v for k, v in values.items() if k in _REPORT_FIELDS})
    for key in ("tags", "deployment_ids", "change_ids"):
        if key in data:
            data[key] = _split(data[key])
    data["anonymous"] = values.get("anonymous") in ("true", "on")
    data["reported_via"] = ReportChannel.web
    return data


@router.post("/failures/new")
async def report(request: Request, page: PageWork) -> Response:
    values = await read_form(request, lists=("services",))
    data, errors = validate(FailureIn, _report_input(values))
    if data is None:
        options = await page.run(_report_options)
        return _report_page(request, options, FormState(values, _friendly(errors)), 422)
    report_in = data

    def work(session: Session, actor: Actor) -> int:
        return service.report_failure(session, actor, report_in).id

    try:
        failure_id = await page.run(work)
    except (InvalidInput, Conflict) as exc:  # rolled back: nothing half-saved
        options = await page.run(_report_options)
        return _report_page(request, options, FormState(values, domain_errors(exc)), exc.status)
    thanks = "Thank you: the failure is recorded"
    thanks += " anonymously (nothing about you was stored)." if report_in.anonymous else "."
    return redirect_with_notice(f"/failures/{failure_id}", thanks)


# ---- a failure's page ------------------------------------------------------------


def _timeline_context(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    events = service.list_events(session, failure_id)
    return {
        "failure_id": failure_id,
        "events": [_dump(service.event_out(e)) for e in events[-EVENTS_SHOWN:]],
        "events_hidden": max(0, len(events) - EVENTS_SHOWN),
        "timeline_kinds": list(TimelineKind),
        "can_edit": actor.at_least(Role.practitioner),
    }


def _actions_context(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    rows, total, _ = actions.list_actions(
        session, ActionFilter(failure_id=failure_id, limit=ACTIONS_SHOWN, sort="due_date")
    )
    manager = actor.at_least(Role.practice_manager)
    return {
        "failure_id": failure_id,
        "actions": [_dump(a) for a in actions.actions_out(session, rows)],
        "actions_total": total,
        "can_work": actor.at_least(Role.practitioner),
        "can_manage": manager,
        "team_names": service.team_names(session) if manager else [],
        "action_types": list(ActionType),
        "priorities": list(ActionPriority),
    }


def _detail(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    failure = service.get_failure(session, failure_id)
    review = session.scalar(select(Review).where(Review.failure_id == failure_id))
    return {
        "failure": _dump(service.failure_out(failure)),
        "deployments": [_dump(deployment_out(d)) for d in failure.deployments],
        "changes": [_dump(change_out(c)) for c in failure.changes],
        "review": _dump(review_out(review)) if review else None,
        "sections": SECTIONS,
        "can_change": actor.at_least(Role.practitioner),
        "now_local": _now_local(),
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
    try:
        status = FailureStatus(values.get("status", ""))
    except ValueError:
        return await _detail_page(
            request, page, failure_id, 422, status_form=FormState(values, {"status": "Choose a status."})
        )
    at = str(values.get("status_at") or "").strip()

    def work(session: Session, actor: Actor) -> None:
        failure = service.get_failure(session, failure_id)
        fields: dict[str, Any] = {"status": status}
        time_field = _STATUS_TIME.get(status)
        # Closing keeps the time it was resolved, if it was.
        if time_field and at and not (status == FailureStatus.closed and failure.resolved_at):
            fields[time_field] = at
        data, errors = validate(FailureUpdate, fields)
        if data is None:
            raise _invalid(errors)
        service.update_failure(session, actor, failure_id, data)

    try:
        await page.run(work)
    except InvalidInput as exc:
        errors = {("status_at" if k.endswith("_at") else k): v for k, v in domain_errors(exc).items()}
        return await _detail_page(request, page, failure_id, 422, status_form=FormState(values, errors))
    return redirect_with_notice(f"/failures/{failure_id}", f"Marked {status.value}.")


@router.post("/failures/{failure_id}/timeline")
async def add_timeline_event(request: Request, failure_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    fields = _unprefixed(values, "event_", ("kind", "occurred_at", "description"))
    data, errors = validate(TimelineEventIn, fields)
    errors = _prefixed(_friendly(errors), "event_")
    htmx = _is_htmx(request)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        if data is not None:
            service.add_event(session, actor, failure_id, data)
        return _timeline_context(session, actor, failure_id)

    if data is None:
        form = FormState(values, errors)
        if not htmx:
            return await _detail_page(request, page, failure_id, 422, timeline_form=form)
        context = await page.run(work)
        # htmx swaps only 2xx answers: the form with its messages comes back as 200.
        return render(request, "failures/_timeline.html", {**context, "timeline_form": form})
    context = await page.run(work)
    if not htmx:
        return redirect_with_notice(f"/failures/{failure_id}#timeline", "Added to the timeline.")
    return render(
        request,
        "failures/_timeline.html",
        {**context, "timeline_form": FormState({"event_kind": values.get("event_kind", "")}), "added": True},
    )


def _action_errors(errors: dict[str, str]) -> dict[str, str]:
    return _prefixed({("type" if k == "action_type" else k): v for k, v in errors.items()}, "action_")


@router.post("/failures/{failure_id}/actions")
async def add_action(request: Request, failure_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    fields = _unprefixed(values, "action_", _ACTION_FIELDS)
    if "type" in fields:
        fields["action_type"] = fields.pop("type")
    data, errors = validate(ActionIn, {**fields, "failure_id": failure_id})
    errors = _action_errors(_friendly(errors))
    htmx = _is_htmx(request)

    def listing(session: Session, actor: Actor) -> dict[str, Any]:
        return _actions_context(session, actor, failure_id)

    form = FormState(values, errors)
    if data is not None:
        action_in = data

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            actions.create_action(session, actor, action_in)
            return _actions_context(session, actor, failure_id)

        try:
            context = await page.run(work)
        except InvalidInput as exc:
            form = FormState(values, _action_errors(domain_errors(exc)))
        else:
            if not htmx:
                return redirect_with_notice(f"/failures/{failure_id}#actions", "Corrective action added.")
            return render(request, "failures/_actions.html", {**context, "added": True})
    if not htmx:
        return await _detail_page(request, page, failure_id, 422, action_form=form)
    context = await page.run(listing)
    return render(request, "failures/_actions.html", {**context, "action_form": form, "open_form": True})


@router.post("/failures/{failure_id}/actions/{action_id}/done")
async def complete_action(request: Request, failure_id: int, action_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        if actions.get_action(session, action_id).failure_id != failure_id:
            raise InvalidInput.on("action", f"action {action_id} belongs to another failure")
        actions.complete_action(session, actor, action_id)
        return _actions_context(session, actor, failure_id)

    context = await page.run(work)
    if not _is_htmx(request):
        return redirect_with_notice(f"/failures/{failure_id}#actions", "Action marked done.")
    return render(request, "failures/_actions.html", context)
