"""The home page: what needs attention now, the signed-in person's teams first."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.db import utcnow
from failwell.insights import attention, charts
from failwell.reviews.lessons import latest_lessons
from failwell.web.auth import PageWork
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

PANEL_SIZE = 6


@router.get("/")
async def home(request: Request, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        today = utcnow().date()
        team_ids = attention.team_ids_of(session, actor.person_id)
        monthly = charts.failures_per_month(session, today)
        mine = latest_lessons(session, 3, team_ids=team_ids) if team_ids else []
        seen = {x.id for x in mine}
        others = [x for x in latest_lessons(session, 5) if x.id not in seen]
        return {
            "teams": attention.teams_named(session, team_ids),
            "failures": attention.open_failures(session, team_ids, PANEL_SIZE),
            "reviews": attention.reviews_waiting(session, team_ids, PANEL_SIZE),
            "overdue": attention.overdue_actions(session, team_ids, today, PANEL_SIZE),
            "lessons": (mine + others)[:5],
            "lessons_mine": len(mine),
            "monthly": monthly,
            "chart": charts.month_chart(monthly, "Failures per month by kind"),
        }

    return render(request, "home.html", await page.run(work))
