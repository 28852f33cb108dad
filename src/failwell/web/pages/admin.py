"""The administration hub (/admin) and the guard every /admin page shares.

What is administered lives with its subject: people and tokens in people_admin.py, the
factor taxonomy and review template in reviews_admin.py, the severity scale in
failures_admin.py, broadcasting in broadcast.py, inbound integrations in integrations.py.
The hub links to each.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import Role
from failwell.failures import service as failures
from failwell.integrations import service as integrations
from failwell.integrations.models import Verdict
from failwell.integrations.schemas import DeliveryFilter
from failwell.people import service as people
from failwell.people.schemas import PersonFilter
from failwell.reviews import service as reviews
from failwell.web.auth import PageUnit, PageWork
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

ADMINISTERING = "Administering failwell"


async def _owner_unit(page: PageWork) -> PageUnit:
    # Before the form is read or validated: a non-owner learns nothing from a 422.
    # The services refuse again inside the unit of work.
    require(page.me.actor, Role.practice_owner, ADMINISTERING)
    return page


OwnerWork = Annotated[PageUnit, Depends(_owner_unit)]


@router.get("/admin")
async def admin_home(request: Request, page: OwnerWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        _, total, exact = people.list_people(session, PersonFilter(limit=1))
        _, unmapped, unmapped_exact = integrations.list_deliveries(
            session, DeliveryFilter(verdict=Verdict.unmapped, limit=1)
        )
        return {
            "people": f"{total:,}" if exact else f"more than {total:,}",
            "integrations": len(integrations.list_integrations(session)),
            "unmapped": f"{unmapped:,}" if unmapped_exact else f"more than {unmapped:,}",
            "categories": len(reviews.list_categories(session, include_retired=False)),
            "levels": len(failures.list_severity_levels(session)),
        }

    return render(request, "admin/index.html", await page.run(work))
