"""Services and teams: the catalogue list, a page per service and a page per team.

Blameless by design: pages show what happened to services and what teams are doing about
it, never a count or ranking of any person's failures."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions.service import open_actions_for
from failwell.authz import Actor
from failwell.catalogue import service
from failwell.catalogue.models import Service
from failwell.catalogue.schemas import ServiceFilter
from failwell.changes.schemas import DeploymentFilter
from failwell.changes.service import deployment_out, list_deployments
from failwell.db import utcnow
from failwell.enums import Tier
from failwell.errors import InvalidInput, NotFound
from failwell.insights import charts
from failwell.insights.delivery import dora
from failwell.insights.failures import recent_failures
from failwell.insights.measures import resolve_scope
from failwell.listing import page_of
from failwell.people.models import Team
from failwell.people.schemas import TeamFilter
from failwell.people.teams import get_team, list_teams
from failwell.reviews.lessons import latest_lessons
from failwell.web.auth import PageWork
from failwell.web.forms.base import domain_errors, validate
from failwell.web.pages.recognition import recognition_of
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)


class ServiceQuery(ServiceFilter):
    limit: int = Field(50, ge=1, le=200)


class TeamQuery(TeamFilter):
    limit: int = Field(50, ge=1, le=200)


def _url(path: str, **values: Any) -> str:
    query = urlencode({k: v for k, v in values.items() if v})
    return path + (f"?{query}" if query else "")


def _params(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if v.strip()}


@router.get("/services")
async def services(request: Request, page: PageWork) -> Response:
    query, errors = validate(ServiceQuery, _params(request))
    filters = query or ServiceQuery()

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        rows, total, exact = service.list_services(session, filters)
        teams = session.execute(select(Team.name).order_by(Team.name)).scalars().all()
        return {
            "page": page_of([service.service_out(s) for s in rows], total, exact, filters),
            "teams": [(t, t) for t in teams],
        }

    try:
        data = await page.run(work)
    except InvalidInput as exc:
        errors.update(domain_errors(exc))
        filters = ServiceQuery()
        data = await page.run(work)
    return render(
        request,
        "catalogue/services.html",
        {
            **data,
            "query": filters,
            "errors": errors,
            "tiers": [(t.value, t.value.replace("tier", "Tier ")) for t in Tier],
            "base_url": _url(
                "/services", q=filters.q, team=filters.team, tier=filters.tier.value if filters.tier else None
            ),
        },
    )


@router.get("/services/{service_id:int}")
async def service_page(request: Request, service_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        svc = service.get_service(session, service_id)
        out = service.service_out(svc)
        failures, failures_total, failures_exact = recent_failures(session, svc.id, 10)
        deployments, _, _ = list_deployments(session, DeploymentFilter(service=svc.name, limit=10))
        actions, actions_total, actions_exact = open_actions_for(session, service_id=svc.id, limit=10)
        monthly = charts.failures_per_month(session, utcnow().date(), service_id=svc.id)
        return {
            "service": out,
            "failures": failures,
            "failures_total": failures_total,
            "failures_exact": failures_exact,
            "deployments": [deployment_out(d) for d in deployments],
            "actions": actions,
            "actions_total": actions_total,
            "actions_exact": actions_exact,
            "lessons": latest_lessons(session, 5, service_id=svc.id),
            "monthly": monthly,
            "chart": charts.month_chart(monthly, f"Failures of {svc.name} per month by kind"),
            "delivery": dora(session, resolve_scope(session, utcnow(), service=svc.name)),
            "metrics_query": urlencode({"service": svc.name}),
        }

    return render(request, "catalogue/service.html", await page.run(work))


@router.get("/teams")
async def teams(request: Request, page: PageWork) -> Response:
    query, errors = validate(TeamQuery, _params(request))
    filters = query or TeamQuery()

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        rows, total, exact = list_teams(session, filters)
        sizes = service.team_sizes(session, [t.id for t in rows])
        items = [
            {
                "id": t.id,
                "name": t.name,
                "description": t.description,
                "members": sizes[t.id][0],
                "services": sizes[t.id][1],
            }
            for t in rows
        ]
        return {"page": page_of(items, total, exact, filters)}

    return render(
        request,
        "catalogue/teams.html",
        {**await page.run(work), "query": filters, "errors": errors, "base_url": _url("/teams", q=filters.q)},
    )


@router.get("/teams/{team_id:int}")
async def team_page(request: Request, team_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        team = get_team(session, team_id)
        actions, actions_total, actions_exact = open_actions_for(session, team_id=team.id, limit=10)
        return {
            "team": {"id": team.id, "name": team.name, "description": team.description},
            "members": [{"name": p.name, "role": p.role} for p in team.members[:200] if p.is_active],
            "services": service.services_of_team(session, team.id),
            "actions": actions,
            "actions_total": actions_total,
            "actions_exact": actions_exact,
            "lessons": latest_lessons(session, 5, team_ids=[team.id]),
            "delivery": dora(session, resolve_scope(session, utcnow(), team=team.name)),
            "metrics_query": urlencode({"team": team.name}),
            "recognition": recognition_of(session, actor, team_id=team.id),
        }

    return render(request, "catalogue/team.html", await page.run(work))


# By name, as a person or a CI job writes the address (/services/checkout-api): the same page.
async def _page_named(page: PageWork, model: type[Service] | type[Team], name: str, path: str) -> Response:
    def work(session: Session, _actor: Actor) -> int:
        found = session.scalar(select(model.id).where(model.name == name))
        if found is None:
            raise NotFound(detail=f"There is no {path.rstrip('s')} named '{name}'.")
        return int(found)

    return RedirectResponse(f"/{path}/{await page.run(work)}", status_code=303)


@router.get("/services/{name}")
async def service_named(name: str, page: PageWork) -> Response:
    return await _page_named(page, Service, name, "services")


@router.get("/teams/{name}")
async def team_named(name: str, page: PageWork) -> Response:
    return await _page_named(page, Team, name, "teams")
