"""Recognition: recent kudos, announced winners and open award cycles; the "Thank" form; one's
choice not to be named; and, for practice managers, whom the data suggests thanking."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.db import utcnow
from failwell.enums import CycleStatus, Role, ThankedKind
from failwell.errors import DomainError
from failwell.insights.recognition import suggestions
from failwell.listing import page_of
from failwell.people.models import Person, Team
from failwell.recognition import awards, service
from failwell.recognition.schemas import CycleFilter, KudosFilter
from failwell.web.auth import PageWork
from failwell.web.forms import recognition as forms
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

THANKED_LABELS = {
    ThankedKind.review: "A review",
    ThankedKind.failure: "A report (a failure or near miss)",
    ThankedKind.action: "A corrective action that held",
    ThankedKind.lesson: "A lesson shared with others",
    ThankedKind.comment: "A comment on a review that helped",
    ThankedKind.idea: "An idea",
}
PEOPLE_CAP = 1000


def recipients(session: Session, anonymous: bool = False) -> list[tuple[str, str]]:
    """The drop-down of whom to thank or nominate: teams, then people, by name."""
    teams = session.execute(select(Team.id, Team.name).order_by(Team.name).limit(PEOPLE_CAP)).all()
    people = session.execute(
        select(Person.id, Person.name)
        .where(Person.is_active)
        .order_by(Person.name, Person.id)
        .limit(PEOPLE_CAP)
    ).all()
    options = [("anonymous_reporter", "The anonymous reporter (nobody is named)")] if anonymous else []
    options += [(f"team:{i}", f"Team: {name}") for i, name in teams]
    options += [(f"person:{i}", name) for i, name in people]
    return options


def _offset(request: Request) -> int:
    raw = request.query_params.get("offset", "0")
    return min(int(raw), 100_000) if raw.isdigit() else 0


def recognition_of(
    session: Session, actor: Actor, *, person_id: int | None = None, team_id: int | None = None
) -> dict[str, Any]:
    """Kudos and awards to one person or team, for their page (hidden names stay hidden)."""
    filters = KudosFilter(person_id=person_id, team_id=team_id, limit=5)
    rows, total, _exact = service.list_kudos(session, actor, filters)
    won = awards.winners_of(session, actor, person_id=person_id, team_id=team_id)
    return {
        "kudos": service.kudos_out(session, actor, rows),
        "kudos_total": total,
        "awards": [{"cycle": c, "nomination": n} for c, n in won],
        "preference": service.get_preference(session, actor) if person_id else None,
    }


@router.get("/recognition")
async def recognition_page(request: Request, page: PageWork) -> Response:
    filters = KudosFilter(limit=20, offset=_offset(request))

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        rows, total, exact = service.list_kudos(session, actor, filters)
        open_rows = [
            c
            for status in (CycleStatus.nominating, CycleStatus.voting)
            for c in awards.list_cycles(session, CycleFilter(status=status, limit=20))[0]
        ]
        announced = awards.list_cycles(session, CycleFilter(status=CycleStatus.announced, limit=10))[0]
        manager = actor.at_least(Role.practice_manager)
        return {
            "kudos": page_of(service.kudos_out(session, actor, rows), total, exact, filters),
            "open_cycles": [awards.cycle_out(session, actor, c) for c in open_rows],
            "announced": [awards.cycle_out(session, actor, c) for c in announced],
            "preference": service.get_preference(session, actor),
            "suggestions": suggestions(session, actor, utcnow()) if manager else [],
        }

    return render(request, "recognition/index.html", await page.run(work))


@router.post("/recognition/preference")
async def preference(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    named = values.get("named_publicly") in ("true", "on")
    await page.run(lambda session, actor: service.set_preference(session, actor, named))
    notice = (
        "You are named in kudos and awards." if named else "Kudos and awards to you now say 'a colleague'."
    )
    back = "/account#recognition" if values.get("next") == "/account" else "/recognition#naming"
    return redirect_with_notice(back, notice)


async def _thank_page(request: Request, page: PageWork, form: FormState, status: int = 200) -> Response:
    kind, raw_id = form.values.get("thanked_kind", ""), str(form.values.get("thanked_id", ""))

    def work(session: Session, _actor: Actor) -> dict[str, Any]:
        subject, anonymous = None, False
        if kind in ThankedKind.__members__ and raw_id.isdigit():
            try:
                subject, anonymous = service.thanked(session, ThankedKind(kind), int(raw_id))
            except DomainError:
                subject = None
        return {"subject": subject, "recipients": recipients(session, anonymous)}

    data = await page.run(work)
    context = {**data, "form": form, "kinds": [(k.value, label) for k, label in THANKED_LABELS.items()]}
    return render(request, "recognition/thank.html", context, status_code=status)


@router.get("/recognition/thank")
async def thank_page(request: Request, page: PageWork) -> Response:
    preset = {k: request.query_params.get(k, "")[:40] for k in ("thanked_kind", "thanked_id", "recipient")}
    return await _thank_page(request, page, FormState({k: v for k, v in preset.items() if v}))


@router.post("/recognition/thank")
async def thank(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = forms.kudos(values)
    if data is None:
        return await _thank_page(request, page, FormState(values, errors), 422)
    kudos_in = data
    try:
        await page.run(lambda session, actor: service.give_kudos(session, actor, kudos_in))
    except DomainError as exc:
        errors = forms.recipient_errors(domain_errors(exc))
        return await _thank_page(request, page, FormState(values, errors), exc.status)
    return redirect_with_notice("/recognition", "Thank you for saying thank you: your kudos is shared.")
