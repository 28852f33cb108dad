"""Award cycles (nominate, vote, and for practice owners close nominations and announce) and
/admin/awards, where practice owners define awards and open their cycles."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import CycleStatus, Role
from failwell.errors import DomainError
from failwell.people.models import Person
from failwell.recognition import awards
from failwell.recognition.schemas import CycleFilter
from failwell.web.auth import PageWork
from failwell.web.forms import recognition as forms
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.pages.recognition import PEOPLE_CAP, recipients
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)


def _cycle(session: Session, actor: Actor, cycle_id: int) -> dict[str, Any]:
    cycle = awards.cycle_out(session, actor, awards.get_cycle(session, cycle_id))
    tied: list[tuple[str, str]] = []
    if cycle.status == CycleStatus.voting and actor.at_least(Role.practice_owner) and cycle.nominations:
        top = max(n.votes or 0 for n in cycle.nominations)
        tied = [
            (str(n.id), f"{n.nominee.name} ({top} votes)") for n in cycle.nominations if (n.votes or 0) == top
        ]
    return {
        "cycle": cycle,
        "recipients": recipients(session) if cycle.status == CycleStatus.nominating else [],
        "owner": actor.at_least(Role.practice_owner),
        "tied": tied if len(tied) > 1 else [],
    }


async def _cycle_page(
    request: Request, page: PageWork, cycle_id: int, status: int = 200, **forms_: FormState
) -> Response:
    data = await page.run(lambda session, actor: _cycle(session, actor, cycle_id))
    return render(request, "recognition/cycle.html", {**data, **forms_}, status_code=status)


@router.get("/recognition/cycles/{cycle_id}")
async def cycle_page(request: Request, cycle_id: int, page: PageWork) -> Response:
    return await _cycle_page(request, page, cycle_id)


@router.post("/recognition/cycles/{cycle_id}/nominations")
async def nominate(request: Request, cycle_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = forms.nomination(values)
    if data is not None:
        nomination_in = data
        try:
            await page.run(lambda session, actor: awards.nominate(session, actor, cycle_id, nomination_in))
        except DomainError as exc:
            errors = forms.recipient_errors(domain_errors(exc))
        else:
            return redirect_with_notice(
                f"/recognition/cycles/{cycle_id}", "Your nomination is in. Thank you."
            )
    return await _cycle_page(request, page, cycle_id, 422, nominate_form=FormState(values, errors))


@router.post("/recognition/cycles/{cycle_id}/votes")
async def vote(request: Request, cycle_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = forms.vote(values)
    if data is not None:
        vote_in = data
        try:
            await page.run(lambda session, actor: awards.vote(session, actor, cycle_id, vote_in))
        except DomainError as exc:
            if exc.status == 403:
                raise
            said = {"_form": "; ".join(domain_errors(exc).values())}
            return await _cycle_page(request, page, cycle_id, exc.status, vote_form=FormState(values, said))
        return redirect_with_notice(f"/recognition/cycles/{cycle_id}", "Your vote is counted.")
    return await _cycle_page(request, page, cycle_id, 422, vote_form=FormState(values, errors))


@router.post("/recognition/cycles/{cycle_id}/voting")
async def start_voting(request: Request, cycle_id: int, page: PageWork) -> Response:
    try:
        await page.run(lambda session, actor: awards.start_voting(session, actor, cycle_id))
    except DomainError as exc:
        if exc.status == 403:
            raise
        form = FormState({}, {"_form": "; ".join(domain_errors(exc).values())})
        return await _cycle_page(request, page, cycle_id, exc.status, owner_form=form)
    return redirect_with_notice(f"/recognition/cycles/{cycle_id}", "Nominations are closed: voting is open.")


@router.post("/recognition/cycles/{cycle_id}/announce")
async def announce(request: Request, cycle_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = forms.announce(values)
    if data is not None:
        announce_in = data
        try:
            await page.run(lambda session, actor: awards.announce(session, actor, cycle_id, announce_in))
        except DomainError as exc:
            if exc.status == 403:
                raise
            errors = domain_errors(exc)
            if "winner_nomination_id" not in errors or exc.status == 409:
                errors = {"_form": "; ".join(errors.values())}
        else:
            return redirect_with_notice(f"/recognition/cycles/{cycle_id}", "The winner is announced.")
    return await _cycle_page(request, page, cycle_id, 409, owner_form=FormState(values, errors))


def _admin(session: Session, actor: Actor) -> dict[str, Any]:
    require(actor, Role.practice_owner, "Running awards")
    rows = awards.list_cycles(session, CycleFilter(limit=100))[0]
    people = session.execute(
        select(Person.id, Person.name)
        .where(Person.is_active)
        .order_by(Person.name, Person.id)
        .limit(PEOPLE_CAP)
    ).all()
    defined = awards.list_awards(session)
    return {
        "awards": defined,
        "award_choices": [(str(a.id), a.name) for a in defined],
        "cycles": [awards.cycle_out(session, actor, c) for c in rows],
        "people": [(str(i), name) for i, name in people],
    }


async def _admin_page(request: Request, page: PageWork, status: int = 200, **forms_: Any) -> Response:
    data = await page.run(_admin)
    return render(request, "recognition/admin.html", {**data, **forms_}, status_code=status)


@router.get("/admin/awards")
async def admin_awards(request: Request, page: PageWork) -> Response:
    return await _admin_page(request, page)


@router.post("/admin/awards")
async def create_award(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = forms.award(values)
    if data is not None:
        award_in = data
        try:
            await page.run(lambda session, actor: awards.create_award(session, actor, award_in))
        except DomainError as exc:
            if exc.status == 403:
                raise
            errors = domain_errors(exc)
        else:
            return redirect_with_notice("/admin/awards", f"The award '{award_in.name}' is defined.")
    return await _admin_page(request, page, 422, award_form=FormState(values, errors))


@router.post("/admin/awards/cycles")
async def open_cycle(request: Request, page: PageWork) -> Response:
    values = await read_form(request, lists=("panel_ids",))
    data, errors = forms.cycle(values, values.get("panel_ids", []))
    raw_award = str(values.get("award_id", ""))
    award_id = int(raw_award) if raw_award.isdigit() and len(raw_award) < 10 else 0
    if not award_id:
        errors = {**errors, "award_id": "Please choose an award."}
    if data is not None and award_id:
        cycle_in = data
        try:
            cycle_id = await page.run(
                lambda session, actor: awards.open_cycle(session, actor, award_id, cycle_in).id
            )
        except DomainError as exc:
            if exc.status == 403:
                raise
            errors = domain_errors(exc)
            if exc.status == 404:
                errors = {"award_id": exc.detail}
        else:
            return redirect_with_notice(f"/recognition/cycles/{cycle_id}", "Nominations are open.")
    return await _admin_page(request, page, 422, cycle_form=FormState(values, errors))
