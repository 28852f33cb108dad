"""The severity scale (/admin/severity): what each level means in this organisation.

Practice owners only (OwnerWork); the whole scale is one form, saved all or nothing.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.failures import service as failures
from failwell.failures.schemas import SeverityLevelOut
from failwell.web.auth import PageUnit
from failwell.web.forms import failures_admin as forms
from failwell.web.forms.base import FormState, read_form
from failwell.web.pages.admin import OwnerWork
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)


async def _severity_page(
    request: Request, page: PageUnit, form: FormState | None, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> list[SeverityLevelOut]:
        return [SeverityLevelOut.model_validate(s) for s in failures.list_severity_levels(session)]

    levels = await page.run(work)
    return render(
        request,
        "admin/severity.html",
        {"levels": levels, "form": form or forms.scale_form(levels)},
        status_code=status_code,
    )


@router.get("/admin/severity")
async def admin_severity(request: Request, page: OwnerWork) -> Response:
    return await _severity_page(request, page, None)


@router.post("/admin/severity")
async def admin_severity_save(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    changes, errors = forms.scale_changes(values)
    if errors:
        return await _severity_page(request, page, FormState(values, errors), 422)

    def work(session: Session, actor: Actor) -> int:
        return len(failures.update_severity_scale(session, actor, changes))

    count = await page.run(work)
    return redirect_with_notice("/admin/severity", f"The severity scale is saved ({count} levels).")
