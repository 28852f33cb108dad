"""Failure pages: the list, reporting a failure, and a failure's own page (see web/PAGES.md)."""

from __future__ import annotations

import json
import re
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions import service as actions
from failwell.actions.schemas import ActionFilter, ActionIn
from failwell.authz import Actor, require
from failwell.catalogue import choices
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
from failwell.errors import Conflict, FieldError, InvalidInput, NotFound
from failwell.failures import service
from failwell.failures.models import TimelineEvent
from failwell.failures.schemas import (
    FailureFilter,
    FailureIn,
    FailureUpdate,
    TimelineEventIn,
    TimelineEventUpdate,
)
from failwell.listing import page_of
from failwell.reviews.models import Review
from failwell.reviews.service import SECTIONS, review_out
from failwell.web.auth import PageWork
from failwell.web.forms.base import FormState, cleaned, domain_errors, plain_words, read_form, validate
from failwell.web.responses import redirect_with_notice
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
            "service_names": choices.service_names(session),
            "team_names": choices.team_names(session),
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
        "service_names": choices.service_names(session),
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
        return _report_page(request, options, FormState(values, plain_words(errors)), 422)
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
        "team_names": choices.team_names(session) if manager else [],
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
    errors = _prefixed(plain_words(errors), "event_")
    htmx = is_htmx(request)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        added_id = service.add_event(session, actor, failure_id, data).id if data is not None else None
        return {**_timeline_context(session, actor, failure_id), "added_id": added_id}

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
    errors = _action_errors(plain_words(errors))
    htmx = is_htmx(request)

    def listing(session: Session, actor: Actor) -> dict[str, Any]:
        return _actions_context(session, actor, failure_id)

    form = FormState(values, errors)
    if data is not None:
        action_in = data

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            added_id = actions.create_action(session, actor, action_in).id
            return {**_actions_context(session, actor, failure_id), "added_id": added_id}

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
        return {**_actions_context(session, actor, failure_id), "done_id": action_id}

    context = await page.run(work)
    if not is_htmx(request):
        return redirect_with_notice(f"/failures/{failure_id}#actions", "Action marked done.")
    return render(request, "failures/_actions.html", context)


# ---- editing a failure's details ---------------------------------------------------

_EDIT_TEXT = ("title", "description", "impact_partners", "impact_consumers")
_EDIT_TIMES = ("started_at", "detected_at", "mitigated_at", "resolved_at")
_EDIT_LISTS = ("tags", "deployment_ids", "change_ids")
_EDIT_FIELDS = (*_EDIT_TEXT, "kind", "severity", *_EDIT_TIMES, "services", *_EDIT_LISTS)
_EDIT_REQUIRED = ("title", "kind", "severity", "started_at")


def _local(value: datetime | None) -> str:
    """A stored UTC time as a datetime-local input value (to the minute)."""
    return "" if value is None else value.strftime("%Y-%m-%dT%H:%M")


def _edit_values(failure: dict[str, Any]) -> dict[str, Any]:
    """A failure as the edit form shows it: what a person would type."""
    values: dict[str, Any] = {name: failure[name] for name in _EDIT_TEXT}
    values["kind"] = failure["kind"].value
    values["severity"] = str(failure["severity"])
    values.update({name: _local(failure[name]) for name in _EDIT_TIMES})
    values["services"] = list(failure["services"])
    values["tags"] = ", ".join(failure["tags"])
    values["deployment_ids"] = ", ".join(str(i) for i in failure["deployment_ids"])
    values["change_ids"] = ", ".join(str(i) for i in failure["change_ids"])
    return values


def _text(value: Any) -> str:
    """Text as typed, with the line endings a browser sends (CRLF) made plain."""
    return str(value or "").replace("\r\n", "\n").strip()


def _shown(values: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
    """What the form showed when it was opened (a hidden field), else the current values.

    Comparing with that, not with what is stored now, means a field someone else changed in
    the meantime is not put back by a person who did not touch it."""
    try:
        shown = json.loads(str(values.get("shown") or ""))
    except ValueError:
        return current
    if not isinstance(shown, dict):
        return current
    out = dict(current)
    for name in _EDIT_FIELDS:
        value = shown.get(name)
        as_list = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if as_list if name == "services" else isinstance(value, str):
            out[name] = value
    return out


def _edit_input(values: dict[str, Any], shown: dict[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields whose submitted value differs from what the form showed, as FailureUpdate
    input, and the required fields left blank.

    A time stored with seconds is not rewritten just because the form shows it to the minute."""
    changed: dict[str, Any] = {}
    blank: dict[str, str] = {}
    for name in _EDIT_FIELDS:
        if name not in values:
            continue  # a field the form did not send is left alone
        new, old = values[name], shown[name]
        if name == "services":
            if sorted(new) != sorted(old):
                changed[name] = new
        elif name in _EDIT_LISTS:
            if _split(new) != _split(old):
                changed[name] = _split(new)
        elif _text(new) != _text(old):
            text = _text(new)
            if not text and name in _EDIT_REQUIRED:
                blank[name] = "Please fill this in."
            elif name in _EDIT_TIMES:
                changed[name] = text or None  # a cleared time
            else:
                changed[name] = text
    return changed, blank


def _edit_errors(errors: dict[str, str]) -> dict[str, str]:
    """Messages about fields the form has not (the status) belong to the whole form."""
    out: dict[str, str] = {}
    for name, reason in plain_words(errors).items():
        if name == "status":
            out.setdefault(
                "_form",
                f"The status {reason}: change the status on the failure's page first, then the times.",
            )
        elif name in ("deployment_ids", "change_ids") and "integer" in reason:
            out[name] = "Please give numbers (ids), separated by commas."
        elif name in _EDIT_FIELDS or name == "_form":
            out[name] = "Please fill this in." if reason == "cannot be cleared" else reason
        else:
            out.setdefault("_form", f"{name}: {reason}")
    return out


def _edit_options(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    require(actor, Role.practitioner, "Changing a failure")
    failure = _dump(service.failure_out(service.get_failure(session, failure_id)))
    return {
        "failure": failure,
        "current": _edit_values(failure),
        "service_names": sorted(set(choices.service_names(session)) | set(failure["services"])),
        "severities": [
            (s.level, _severity_text(s.level, s.name)) for s in service.list_severity_levels(session)
        ],
        "kinds": list(FailureKind),
    }


def _severity_text(level: int, name: str) -> str:
    code = f"SEV{level}"
    return code if name == code else f"{code} · {name}"


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
    changed, blank = _edit_input(values, _shown(values, options["current"]))
    if not changed and not blank:
        return redirect_with_notice(
            f"/failures/{failure_id}", "Nothing to change: the details are as they were."
        )
    data, errors = validate(FailureUpdate, changed)
    if data is None or blank:
        return _edit_page(request, options, FormState(values, {**_edit_errors(errors), **blank}), 422)
    update = data

    def work(session: Session, actor: Actor) -> None:
        service.update_failure(session, actor, failure_id, update)

    try:
        await page.run(work)
    except (InvalidInput, Conflict) as exc:  # rolled back: nothing half-saved
        return _edit_page(request, options, FormState(values, _edit_errors(domain_errors(exc))), exc.status)
    return redirect_with_notice(f"/failures/{failure_id}", "Saved the changes to the details.")


# ---- editing a timeline event (inline with htmx, or as a small page without) ------------


def _event_prefix(event_id: int) -> str:
    return f"e{event_id}_"


def _event_context(session: Session, actor: Actor, failure_id: int, event_id: int) -> dict[str, Any]:
    event = session.get(TimelineEvent, event_id)
    if event is None or event.failure_id != failure_id:
        raise NotFound(detail=f"No timeline event {event_id} on failure {failure_id}.")
    return {
        "failure_id": failure_id,
        "failure_title": event.failure.title,
        "e": _dump(service.event_out(event)),
        "timeline_kinds": list(TimelineKind),
        "can_edit": actor.at_least(Role.practitioner),
    }


def _event_form_values(event: dict[str, Any]) -> dict[str, Any]:
    prefix = _event_prefix(event["id"])
    return {
        prefix + "kind": event["kind"].value,
        prefix + "occurred_at": _local(event["occurred_at"]),
        prefix + "description": event["description"],
    }


def _event_form(
    request: Request, context: dict[str, Any], form: FormState, status: int = 200, focus: str = "field"
) -> Response:
    template = "failures/_event_form.html" if is_htmx(request) else "failures/edit_event.html"
    return render(
        request,
        template,
        {**context, "event_form": form, "prefix": _event_prefix(context["e"]["id"]), "focus": focus},
        status_code=status,
    )


@router.get("/failures/{failure_id}/timeline/{event_id}")
async def timeline_event(request: Request, failure_id: int, event_id: int, page: PageWork) -> Response:
    """One event as the timeline shows it (what "Cancel" swaps back in)."""
    context = await page.run(lambda session, actor: _event_context(session, actor, failure_id, event_id))
    if not is_htmx(request):
        return redirect_with_notice(f"/failures/{failure_id}#event-{event_id}")
    return render(request, "failures/_event.html", {**context, "focus": "edit"})


@router.get("/failures/{failure_id}/timeline/{event_id}/edit")
async def edit_event_form(request: Request, failure_id: int, event_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        require(actor, Role.practitioner, "Changing a timeline")
        return _event_context(session, actor, failure_id, event_id)

    context = await page.run(work)
    return _event_form(request, context, FormState(_event_form_values(context["e"])))


@router.post("/failures/{failure_id}/timeline/{event_id}")
async def edit_event(request: Request, failure_id: int, event_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    prefix = _event_prefix(event_id)
    htmx = is_htmx(request)

    def current(session: Session, actor: Actor) -> dict[str, Any]:
        require(actor, Role.practitioner, "Changing a timeline")
        return _event_context(session, actor, failure_id, event_id)

    context = await page.run(current)
    shown = _event_form_values(context["e"])
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name in ("kind", "occurred_at", "description"):
        key = prefix + name
        if key in values and _text(values[key]) != _text(shown[key]):
            fields[name] = _text(values[key])
            if not fields[name]:
                errors[name] = "Please fill this in."
    data, invalid = validate(TimelineEventUpdate, {k: v for k, v in fields.items() if k not in errors})
    errors = {**plain_words(invalid), **errors}
    # htmx swaps only 2xx answers: the form with its messages comes back as 200.
    status = 200 if htmx else 422
    if data is None or errors:
        return _event_form(request, context, FormState(values, _prefixed(errors, prefix)), status)
    update = data

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        service.update_event(session, actor, failure_id, event_id, update)
        return _event_context(session, actor, failure_id, event_id)

    try:
        saved = await page.run(work)
    except InvalidInput as exc:  # rolled back: nothing half-saved
        form = FormState(values, _prefixed(domain_errors(exc), prefix))
        return _event_form(request, context, form, status)
    if not htmx:
        return redirect_with_notice(f"/failures/{failure_id}#event-{event_id}", "Saved the timeline event.")
    return render(request, "failures/_event.html", {**saved, "focus": "event", "saved": True})
