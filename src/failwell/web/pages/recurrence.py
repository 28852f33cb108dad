"""Web pages of this slice (see failwell/web/PAGES.md): "Has this happened before?" fragments
for the failure page and the report form, and the problem pages."""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue.service import service_by_name
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import DomainError, InvalidInput
from failwell.insights.recurrence import recurrence_metrics
from failwell.listing import page_of
from failwell.recurrence import known_errors, links, problems, service
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.models import Problem, ProblemFailure, RecurrenceLink
from failwell.recurrence.ranking import query_for_text, rank
from failwell.recurrence.schemas import (
    KnownErrorIn,
    MetricsParams,
    ProblemFilter,
    ProblemIn,
    ProblemUpdate,
    RecurrenceLinkIn,
    SimilarOut,
)
from failwell.web.auth import PageWork
from failwell.web.forms.base import FormState, cleaned, domain_errors, read_form, validate
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import is_htmx, render

router = APIRouter(include_in_schema=False)

PANEL_SIZE = 5
# The report form asks on every pause in typing: it reads only this much of what is typed.
SUGGEST_TEXT_LIMIT = 4_000
STATUSES = [(s.value, s.value.replace("_", " ").capitalize()) for s in ProblemStatus]


class ProblemQuery(ProblemFilter):
    limit: int = Field(25, ge=1, le=100)


def _panel_context(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    result = service.similar_to_failure(session, failure_id, PANEL_SIZE)
    linked = set(
        session.scalars(select(RecurrenceLink.earlier_id).where(RecurrenceLink.failure_id == failure_id))
    )
    member_of = session.execute(
        select(Problem.id, Problem.title)
        .join(ProblemFailure, ProblemFailure.problem_id == Problem.id)
        .where(ProblemFailure.failure_id == failure_id)
    ).all()
    return {
        "result": result,
        "failure_id": failure_id,
        "linked": linked,
        "problems": [{"id": pid, "title": title} for pid, title in member_of],
        "can_link": actor.at_least(Role.practitioner),
    }


@router.get("/similar/panel")
async def similar_panel(request: Request, page: PageWork, failure_id: int = 0) -> Response:
    """The failure page's "Has this happened before?" card (an htmx fragment)."""

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _panel_context(session, actor, failure_id)

    return render(request, "recurrence/_panel.html", await page.run(work))


@router.post("/similar/link")
async def link_as_recurrence(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    try:
        failure_id, earlier_id = int(values.get("failure_id", "")), int(values.get("earlier_id", ""))
    except ValueError:
        raise InvalidInput.on("failure_id", "must be a number") from None

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        links.link_recurrence(session, actor, failure_id, RecurrenceLinkIn(earlier_failure_id=earlier_id))
        return _panel_context(session, actor, failure_id)

    context = await page.run(work)
    if not context.get("result") or not is_htmx(request):
        return redirect_with_notice(f"/failures/{failure_id}", f"Recorded as a recurrence of #{earlier_id}.")
    return render(
        request, "recurrence/_panel.html", {**context, "message": f"Linked to failure {earlier_id}."}
    )


@router.post("/similar/add-to-problem")
async def add_to_problem(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    try:
        failure_id, problem_id = int(values.get("failure_id", "")), int(values.get("problem_id", ""))
    except ValueError:
        raise InvalidInput.on("problem_id", "must be a number") from None

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        problems.link_problem(session, actor, problem_id, failure_id)
        return _panel_context(session, actor, failure_id)

    context = await page.run(work)
    return render(
        request, "recurrence/_panel.html", {**context, "message": f"Added to problem {problem_id}."}
    )


@router.post("/similar/suggest")
async def similar_suggest(request: Request, page: PageWork) -> Response:
    """Suggestions for the report form, as the person types (an htmx fragment; empty when
    there is nothing to go on). Posted, not a GET: a pasted log can be longer than the 64 KiB
    a URL may carry."""
    values = await read_form(request, lists=("service", "services"))
    names = [*values["service"], *values["services"]]
    return await _suggest(request, page, values.get("title", ""), values.get("description", ""), names)


async def _suggest(
    request: Request, page: PageWork, title: str, description: str, services: list[str]
) -> Response:
    title = title.strip()[:300]
    description = description.strip()[:SUGGEST_TEXT_LIMIT]
    names = [n.strip().lower() for n in services if n.strip()]
    if len(title) + len(description) < 4:
        return Response(status_code=200, content="", media_type="text/html")

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        service_ids = set()
        for name in names[:10]:
            try:
                service_ids.add(service_by_name(session, name).id)
            except DomainError:
                continue  # a half-typed service name is no reason to stop suggesting
        text = f"{title}\n{description}" if title else description
        ranking = rank(session, query_for_text(text, service_ids, title=title), PANEL_SIZE)
        result: SimilarOut = service.describe(session, ranking, utcnow(), None)
        return {"result": result, "can_link": False, "linked": set()}

    return render(request, "recurrence/_suggest.html", await page.run(work))


# ---- problems ----------------------------------------------------------------------------


def _problems_context(session: Session, actor: Actor, filters: ProblemQuery) -> dict[str, Any]:
    items, total, exact = problems.list_problems(session, filters)
    base = {
        k: v for k, v in (("status", filters.status.value if filters.status else ""), ("q", filters.q)) if v
    }
    return {
        "page": page_of(items, total, exact, filters),
        "filters": filters,
        "base_url": "/problems" + (f"?{urlencode(base)}" if base else ""),
        "statuses": STATUSES,
        "metrics": recurrence_metrics(session, MetricsParams()),
        "can_create": actor.at_least(Role.practitioner),
    }


@router.get("/problems")
async def problems_page(request: Request, page: PageWork) -> Response:
    raw = {k: v for k, v in request.query_params.items() if v.strip()}
    query, _errors = validate(ProblemQuery, raw)  # bad filters: show the unfiltered list
    filters = query or ProblemQuery()

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _problems_context(session, actor, filters)

    context = await page.run(work)
    return render(request, "recurrence/problems.html", {**context, "form": FormState({}, {})})


def _ids(raw: str) -> list[int]:
    parts = [p for p in raw.replace(",", " ").split() if p]
    if not all(p.isdigit() for p in parts):
        raise InvalidInput.on("failure_ids", "use failure numbers separated by commas")
    return [int(p) for p in parts]


@router.post("/problems")
async def create_problem(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    fields = cleaned(values)
    errors: dict[str, str] = {}
    data = None
    try:
        fields["failure_ids"] = _ids(str(values.get("failure_ids", "")))
        data, errors = validate(ProblemIn, fields)
    except DomainError as exc:
        errors = domain_errors(exc)

    def listing(session: Session, actor: Actor) -> dict[str, Any]:
        return _problems_context(session, actor, ProblemQuery())

    if data is None:
        context = await page.run(listing)
        return render(
            request,
            "recurrence/problems.html",
            {**context, "form": FormState(values, errors)},
            status_code=422,
        )
    problem_in = data

    def work(session: Session, actor: Actor) -> int:
        return problems.create_problem(session, actor, problem_in).id

    try:
        problem_id = await page.run(work)
    except DomainError as exc:
        context = await page.run(listing)
        return render(
            request,
            "recurrence/problems.html",
            {**context, "form": FormState(values, domain_errors(exc))},
            status_code=exc.status,
        )
    return redirect_with_notice(f"/problems/{problem_id}", "Problem recorded.")


def _months(occurrences: list[Any]) -> list[tuple[str, int]]:
    """Occurrences per month from the first to the last (empty months included)."""
    if not occurrences:
        return []
    counts = Counter(o.started_at.strftime("%Y-%m") for o in occurrences)
    first, last = occurrences[0].started_at, occurrences[-1].started_at
    year, month = first.year, first.month
    out: list[tuple[str, int]] = []
    while (year, month) <= (last.year, last.month) and len(out) < 120:
        key = f"{year:04d}-{month:02d}"
        out.append((key, counts.get(key, 0)))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _problem_context(session: Session, actor: Actor, problem_id: int) -> dict[str, Any]:
    p = problems.problem_out(session, problems.get_problem(session, problem_id))
    months = _months(p.occurrences)
    chart = (
        {
            "type": "bar",
            "data": {
                "labels": [m for m, _ in months],
                "datasets": [
                    {
                        "label": "Occurrences",
                        "data": [n for _, n in months],
                        "backgroundColor": "#2f6f8f",  # Chart.js's default grey is hard to see
                    }
                ],
            },
            "options": {
                "plugins": {"legend": {"display": False}},  # one series: the heading names it
                "scales": {"y": {"beginAtZero": True, "ticks": {"precision": 0}}},
            },
        }
        if months
        else None
    )
    return {
        "p": p,
        "months": months,
        "chart": chart,
        "statuses": STATUSES,
        "can_edit": actor.at_least(Role.practitioner),
    }


@router.get("/problems/{problem_id}")
async def problem_page(request: Request, problem_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _problem_context(session, actor, problem_id)

    context = await page.run(work)
    return render(
        request, "recurrence/problem.html", {**context, "ke_form": FormState({}, {}), "link_form": None}
    )


async def _problem_change(
    request: Request,
    page: PageWork,
    problem_id: int,
    change: Any,
    notice: str,
    form_key: str,
    values: dict[str, Any],
) -> Response:
    try:
        await page.run(change)
    except DomainError as exc:

        def again(session: Session, actor: Actor) -> dict[str, Any]:
            return _problem_context(session, actor, problem_id)

        context = await page.run(again)
        forms = {
            "ke_form": FormState({}, {}),
            "link_form": None,
            form_key: FormState(values, domain_errors(exc)),
        }
        return render(request, "recurrence/problem.html", {**context, **forms}, status_code=exc.status)
    return redirect_with_notice(f"/problems/{problem_id}", notice)


@router.post("/problems/{problem_id}/failures")
async def problem_link(request: Request, problem_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    raw = str(values.get("failure_id", "")).strip().lstrip("#")

    def change(session: Session, actor: Actor) -> None:
        if not raw.isdigit():
            raise InvalidInput.on("failure_id", "give the failure's number")
        problems.link_problem(session, actor, problem_id, int(raw))

    return await _problem_change(
        request, page, problem_id, change, f"Failure #{raw} added.", "link_form", values
    )


@router.post("/problems/{problem_id}/failures/{failure_id}/remove")
async def problem_unlink(request: Request, problem_id: int, failure_id: int, page: PageWork) -> Response:
    def change(session: Session, actor: Actor) -> None:
        problems.unlink_problem(session, actor, problem_id, failure_id)

    return await _problem_change(
        request, page, problem_id, change, f"Failure #{failure_id} removed.", "x", {}
    )


@router.post("/problems/{problem_id}/known-errors")
async def problem_known_error(request: Request, problem_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = validate(KnownErrorIn, cleaned(values))
    if data is None:

        def again(session: Session, actor: Actor) -> dict[str, Any]:
            return _problem_context(session, actor, problem_id)

        context = await page.run(again)
        forms = {"ke_form": FormState(values, errors), "link_form": None}
        return render(request, "recurrence/problem.html", {**context, **forms}, status_code=422)
    known_in = data

    def change(session: Session, actor: Actor) -> None:
        known_errors.add_known_error(session, actor, problem_id, known_in)

    return await _problem_change(
        request, page, problem_id, change, "Known error recorded.", "ke_form", values
    )


@router.post("/problems/{problem_id}/status")
async def problem_status(request: Request, problem_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = validate(ProblemUpdate, {k: v for k, v in values.items() if k in ("status", "root_cause")})
    if data is None:
        raise InvalidInput.on(next(iter(errors), "status"), next(iter(errors.values()), "is invalid"))
    update = data

    def change(session: Session, actor: Actor) -> None:
        problems.update_problem(session, actor, problem_id, update)

    return await _problem_change(request, page, problem_id, change, "Problem updated.", "x", values)
