"""What reviews are written with: the factor taxonomy (/admin/factors) and the review
template (/admin/review-template). Practice owners only (OwnerWork)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.errors import DomainError, NotFound
from failwell.reviews import service as reviews
from failwell.reviews import template
from failwell.reviews.models import FactorCategory
from failwell.reviews.schemas import FactorCategoryUpdate
from failwell.web.auth import PageUnit
from failwell.web.forms import reviews_admin as forms
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.pages.admin import OwnerWork
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

PREVIEW_LIMIT = 20_000  # characters rendered by a live preview


# ---- factor taxonomy --------------------------------------------------------------------


def _category_row(c: FactorCategory) -> dict[str, Any]:
    return {
        "id": c.id,
        "key": c.key,
        "name": c.name,
        "description": c.description,
        "position": c.position,
        "is_active": c.is_active,
    }


async def _factors_page(
    request: Request, page: PageUnit, form: FormState, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return {
            "categories": [_category_row(c) for c in reviews.list_categories(session, include_retired=True)]
        }

    data = await page.run(work)
    return render(request, "admin/factors.html", {**data, "form": form}, status_code=status_code)


@router.get("/admin/factors")
async def admin_factors(request: Request, page: OwnerWork) -> Response:
    return await _factors_page(request, page, forms.new_category_form())


@router.post("/admin/factors")
async def admin_factor_create(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    data, errors = forms.category_in(values)
    if data is None:
        return await _factors_page(request, page, FormState(values, errors), 422)

    def work(session: Session, actor: Actor) -> str:
        return reviews.create_category(session, actor, data).name

    try:
        name = await page.run(work)
    except DomainError as exc:
        return await _factors_page(request, page, FormState(values, domain_errors(exc)), exc.status)
    return redirect_with_notice("/admin/factors", f"The category '{name}' is added.")


async def _factor_page(
    request: Request, page: PageUnit, category_id: int, form: FormState | None, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        for c in reviews.list_categories(session, include_retired=True):
            if c.id == category_id:
                return _category_row(c)
        raise NotFound(detail=f"No factor category with id {category_id}.")

    category = await page.run(work)
    return render(
        request,
        "admin/factor.html",
        {"category": category, "form": form or forms.category_form(category)},
        status_code=status_code,
    )


@router.get("/admin/factors/{category_id}")
async def admin_factor(request: Request, category_id: int, page: OwnerWork) -> Response:
    return await _factor_page(request, page, category_id, None)


@router.post("/admin/factors/{category_id}")
async def admin_factor_update(request: Request, category_id: int, page: OwnerWork) -> Response:
    values = await read_form(request)
    data, errors = forms.category_update(values)
    if data is None:
        return await _factor_page(request, page, category_id, FormState(values, errors), 422)

    def work(session: Session, actor: Actor) -> str:
        return reviews.update_category(session, actor, category_id, data).name

    try:
        name = await page.run(work)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _factor_page(
            request, page, category_id, FormState(values, domain_errors(exc)), exc.status
        )
    return redirect_with_notice("/admin/factors", f"The category '{name}' is saved.")


@router.post("/admin/factors/{category_id}/active")
async def admin_factor_active(request: Request, category_id: int, page: OwnerWork) -> Response:
    values = await read_form(request)
    active = values.get("is_active") == "true"

    def work(session: Session, actor: Actor) -> str:
        update = FactorCategoryUpdate(is_active=active)
        return reviews.update_category(session, actor, category_id, update).name

    name = await page.run(work)
    text = (
        f"The category '{name}' is restored."
        if active
        else f"The category '{name}' is retired: reviews that use it keep it; new ones cannot pick it."
    )
    return redirect_with_notice("/admin/factors", text)


# ---- review template text ---------------------------------------------------------------


def _template_page(
    request: Request, form: FormState, status_code: int = 200, previewing: bool = False
) -> Response:
    return render(
        request,
        "admin/review_template.html",
        {
            "form": form,
            "default": template.DEFAULT_TEMPLATE,
            "previewing": previewing,
            "text": form.values.get("template", ""),
        },
        status_code=status_code,
    )


@router.get("/admin/review-template")
async def admin_review_template(request: Request, page: OwnerWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        return template.review_template(session)

    return _template_page(request, FormState({"template": await page.run(work)}))


@router.post("/admin/review-template/preview")
async def admin_review_template_preview(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    return render(
        request, "admin/_template_preview.html", {"text": values.get("template", "")[:PREVIEW_LIMIT]}
    )


@router.post("/admin/review-template")
async def admin_review_template_save(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    if values.get("restore") == "1":
        values["template"] = template.DEFAULT_TEMPLATE
    text, errors = forms.template_text(values)
    if text is None:
        return _template_page(request, FormState(values, errors), 422)
    if values.get("preview") == "1" or values.get("restore") == "1":
        return _template_page(request, FormState(values), previewing=True)

    def work(session: Session, actor: Actor) -> None:
        template.set_review_template(session, actor, text)

    await page.run(work)
    return redirect_with_notice("/admin/review-template", "The review template is saved.")
