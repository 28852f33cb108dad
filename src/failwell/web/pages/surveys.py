"""Culture-survey pages: the campaigns (practice owners create, open and close them), answering
(signed in, or signed out through the one-time link /s/{secret}) and the results.

The one-time link's page needs no sign-in and no CSRF token: the secret in its address is the
only permission it grants (answer that one invitation, once), and no one else knows it."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.deps import UnitOfWork, get_database
from failwell.enums import Role
from failwell.errors import DomainError, NotFound
from failwell.insights.culture import culture_results
from failwell.surveys import service
from failwell.surveys.instruments import FREE_TEXT_QUESTION, INSTRUMENTS, SCALE_LABELS
from failwell.surveys.models import SurveyCampaign
from failwell.web.auth import PageWork
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.forms.surveys import CAMPAIGN_LISTS, answer_from_form, campaign_from_form
from failwell.web.pages.survey_charts import results_charts
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

NO_STORE = {"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"}
ANONYMOUS = Actor(person_id=0, name="someone with a survey link", role=Role.viewer)
THANKS = "Thank you: your answers are recorded, without your name."


def _list_context(session: Session, actor: Actor) -> dict[str, Any]:
    return {
        "campaigns": service.campaigns_out(session, service.list_campaigns(session)),
        "open_for_me": service.campaigns_out(session, service.open_for(session, actor.person_id)),
        "teams": choices.as_options(choices.team_names(session)),
        "instruments": [(i.key, i.name) for i in INSTRUMENTS.values()],
        "free_text_question": FREE_TEXT_QUESTION,
        "can_manage": actor.at_least(Role.practice_owner),
    }


@router.get("/surveys")
async def surveys_page(request: Request, page: PageWork) -> Response:
    context = await page.run(_list_context)
    form = FormState({"instruments": ["westrum", "safety"], "remind_days_before": "3"})
    return render(request, "surveys/index.html", {**context, "form": form})


@router.post("/surveys")
async def create_campaign(request: Request, page: PageWork) -> Response:
    values = await read_form(request, lists=CAMPAIGN_LISTS)
    data, errors = campaign_from_form(values)

    def work(session: Session, actor: Actor) -> int:
        assert data is not None
        return service.create_campaign(session, actor, data).id

    if data is not None:
        try:
            await page.run(work)
            return redirect_with_notice(
                "/surveys", "The campaign is saved as a draft: open it to invite people."
            )
        except DomainError as exc:
            errors = domain_errors(exc)
            status = exc.status
    else:
        status = 422
    context = await page.run(_list_context)
    return render(
        request, "surveys/index.html", {**context, "form": FormState(values, errors)}, status_code=status
    )


@router.post("/surveys/{campaign_id}/open")
async def open_campaign(campaign_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> int:
        return service.campaign_out(session, service.open_campaign(session, actor, campaign_id)).invited

    invited = await page.run(work)
    return redirect_with_notice(
        "/surveys", f"The campaign is open: {invited} people were sent a personal link."
    )


@router.post("/surveys/{campaign_id}/close")
async def close_campaign(campaign_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> None:
        service.close_campaign(session, actor, campaign_id)

    await page.run(work)
    return redirect_with_notice(f"/surveys/{campaign_id}/results", "The campaign is closed.")


def _questions(campaign: SurveyCampaign) -> dict[str, Any]:
    groups: list[dict[str, Any]] = []
    for instrument_key, item in service.items_of(campaign):
        title = INSTRUMENTS[instrument_key].stem if instrument_key else "Statements of your organisation"
        if not groups or groups[-1]["key"] != instrument_key:
            groups.append({"key": instrument_key, "title": title, "items": []})
        groups[-1]["items"].append({"key": item.key, "text": item.text})
    return {
        "title": campaign.title,
        "closes_on": campaign.closes_on,
        "groups": groups,
        "keys": [item.key for _, item in service.items_of(campaign)],
        "free_text_question": FREE_TEXT_QUESTION if campaign.free_text else None,
        "scale": list(SCALE_LABELS.items()),
    }


def _answer_state(session: Session, campaign: SurveyCampaign, answered: bool) -> dict[str, Any]:
    state = "answered" if answered else ("open" if service.accepts_answers(campaign) else "closed")
    return {"survey": _questions(campaign), "state": state}


@router.get("/surveys/{campaign_id}/answer")
async def answer_page(request: Request, campaign_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        campaign = service.get_campaign(session, campaign_id)
        invitation = service.invitation_of(session, campaign_id, actor.person_id)
        if invitation is None:
            raise NotFound(detail="You were not invited to this survey.")
        return _answer_state(session, campaign, invitation.answered)

    context = await page.run(work)
    return render(
        request,
        "surveys/answer.html",
        {**context, "action": request.url.path, "form": FormState()},
        headers=NO_STORE,
    )


@router.post("/surveys/{campaign_id}/answer")
async def answer_signed_in(request: Request, campaign_id: int, page: PageWork) -> Response:
    values = await read_form(request)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        campaign = service.get_campaign(session, campaign_id)
        context = _answer_state(session, campaign, False)
        data, errors = answer_from_form(values, context["survey"]["keys"])
        if data is not None:
            try:
                with session.begin_nested():
                    service.answer_as(session, actor, campaign_id, data)
                return {"done": True}
            except DomainError as exc:
                errors = domain_errors(exc)
        return {**context, "errors": errors}

    result = await page.run(work)
    if result.get("done"):
        return redirect_with_notice("/surveys", THANKS)
    form = FormState(values, result.pop("errors"))
    return render(
        request, "surveys/answer.html", {**result, "action": request.url.path, "form": form}, status_code=422
    )


def _link_state(session: Session, secret: str) -> dict[str, Any]:
    invitation = service.invitation_for_secret(session, secret)
    if invitation is None:
        return {"state": "unknown", "survey": None}
    return _answer_state(session, service.get_campaign(session, invitation.campaign_id), invitation.answered)


@router.get("/s/{secret}")
async def link_page(request: Request, secret: str) -> Response:
    uow = UnitOfWork(get_database(request), ANONYMOUS, write=False)
    context = await uow.run(lambda session, _actor: _link_state(session, secret))
    status = 404 if context["state"] == "unknown" else 200
    return render(
        request,
        "surveys/answer.html",
        {**context, "action": request.url.path, "form": FormState(), "link": True},
        status_code=status,
        headers=NO_STORE,
    )


@router.post("/s/{secret}")
async def answer_by_link(request: Request, secret: str) -> Response:
    values = await read_form(request)

    def work(session: Session, _actor: Actor) -> dict[str, Any]:
        context = _link_state(session, secret)
        if context["state"] != "open":
            return context
        data, errors = answer_from_form(values, context["survey"]["keys"])
        if data is not None:
            try:
                with session.begin_nested():
                    service.answer_with_secret(session, secret, data)
                return {**context, "state": "thanks"}
            except DomainError as exc:
                errors = domain_errors(exc)
        return {**context, "errors": errors}

    uow = UnitOfWork(get_database(request), ANONYMOUS, write=True)
    result = await uow.run(work)
    errors = result.pop("errors", {})
    status = 422 if errors else (404 if result["state"] == "unknown" else 200)
    form = FormState(values, errors)
    return render(
        request,
        "surveys/answer.html",
        {**result, "action": request.url.path, "form": form, "link": True},
        status_code=status,
        headers=NO_STORE,
    )


@router.get("/surveys/{campaign_id}/results")
async def results_page(request: Request, campaign_id: int, page: PageWork) -> Response:
    def work(session: Session, _actor: Actor) -> dict[str, Any]:
        found = culture_results(session, campaign_id)
        return {"results": found, "charts": results_charts(found), "instruments": INSTRUMENTS}

    return render(request, "surveys/results.html", await page.run(work))
