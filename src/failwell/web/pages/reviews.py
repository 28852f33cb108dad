"""The review editor: blameless sections with a live preview, contributing factors, autosave of
drafts, and the draft -> in review -> published workflow (see web/PAGES.md)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import ReviewStatus, Role
from failwell.errors import Conflict, InvalidInput
from failwell.failures.service import failure_out, get_failure
from failwell.reviews import service
from failwell.reviews.models import FactorCategory, Review
from failwell.reviews.schemas import ReviewSections, ReviewUpdate
from failwell.reviews.template import review_template
from failwell.web.auth import Me, PageWork
from failwell.web.forms.base import FORM_ERROR, FormState, domain_errors, validate
from failwell.web.markdown import render_markdown
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

SECTION_HELP = {
    "summary": ("Summary", "What failed, for whom, and for how long. Needed to publish."),
    "impact": ("Impact", "Which partners and consumers were affected, and how."),
    "what_went_well": ("What went well", "What helped: detection, tools, people working together."),
    "what_went_wrong": ("What went wrong", "Describe conditions and systems, not people's mistakes."),
    "where_we_got_lucky": ("Where we got lucky", "What could have made it worse, and did not."),
    "lessons_learned": (
        "Lessons learned",
        "What others should know before their next change. Needed to publish.",
    ),
}
EDITABLE = (ReviewStatus.draft, ReviewStatus.in_review)
MOVES = {
    "in_review": "Sent for review.",
    "draft": "Moved back to draft.",
    "published": "Published: thank you for turning a failure into lessons.",
}


def _can_edit(actor: Actor, status: ReviewStatus) -> bool:
    needed = Role.practice_manager if status == ReviewStatus.published else Role.practitioner
    return actor.at_least(needed)


def _categories(session: Session, used: set[str]) -> list[dict[str, str]]:
    rows = list(service.list_categories(session))
    if used - {c.key for c in rows}:  # retired categories stay selectable where already used
        rows += session.scalars(
            select(FactorCategory).where(FactorCategory.key.in_(used - {c.key for c in rows}))
        ).all()
    return [{"key": c.key, "name": c.name, "description": c.description} for c in rows]


def _editor(session: Session, actor: Actor, failure_id: int) -> dict[str, Any]:
    failure = get_failure(session, failure_id)
    review = session.scalar(select(Review).where(Review.failure_id == failure_id))
    out = service.review_out(review) if review else None
    used = {f.category for f in out.factors} if out else set()
    return {
        "failure": failure_out(failure).model_dump(),
        "review": out.model_dump() if out else None,
        "categories": _categories(session, used),
        "guidance": render_markdown(review_template(session)),
        "can_start": actor.at_least(Role.practitioner),
        "can_edit": _can_edit(actor, out.status) if out else False,
        "can_publish": actor.at_least(Role.practice_manager),
        "section_help": SECTION_HELP,
    }


def _rows_from_review(review: dict[str, Any]) -> list[tuple[str, str]]:
    return [(f["category"], f["description"]) for f in review["factors"]]


def _rows_from_form(values: dict[str, Any]) -> list[tuple[str, str]]:
    cats = values.get("factor_category") or []
    texts = values.get("factor_description") or []
    width = max(len(cats), len(texts))
    cats = [*cats, *[""] * (width - len(cats))]
    texts = [*texts, *[""] * (width - len(texts))]
    return [(c.strip(), t.strip()) for c, t in zip(cats, texts, strict=True) if c.strip() or t.strip()]


async def _read(request: Request) -> dict[str, Any]:
    # Repeated inputs keep blanks so categories and descriptions stay paired by position.
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in ("factor_category", "factor_description"):
            values[key] = [v if isinstance(v, str) else "" for v in form.getlist(key)]
        else:
            value = form.get(key)
            values[key] = value if isinstance(value, str) else ""
    return values


def _sections_input(values: dict[str, Any], autosave: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as a ReviewUpdate body, and errors about factor rows that are half filled in.
    Autosave leaves half-filled rows out (they are still being typed) instead of refusing."""
    data: dict[str, Any] = {name: values[name] for name in service.SECTIONS if name in values}
    errors: dict[str, str] = {}
    factors = []
    for i, (category, description) in enumerate(_rows_from_form(values), start=1):
        if category and description:
            factors.append({"category": category, "description": description})
        elif not autosave:
            missing = "a category" if not category else "a description"
            errors.setdefault("factors", f"Factor {i} needs {missing}.")
    data["factors"] = factors
    return data, errors


# ---- pages ---------------------------------------------------------------------


@router.get("/failures/{failure_id}/review")
async def review_editor(request: Request, failure_id: int, page: PageWork) -> Response:
    data = await page.run(lambda session, actor: _editor(session, actor, failure_id))
    rows = _rows_from_review(data["review"]) if data["review"] else []
    form = FormState(dict(data["review"]) if data["review"] else {})
    return render(request, "reviews/editor.html", {**data, "form": form, "factor_rows": rows})


@router.post("/failures/{failure_id}/review")
async def start(request: Request, failure_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> None:
        service.start_review(session, actor, failure_id, ReviewSections())

    try:
        await page.run(work)
    except Conflict:  # started meanwhile, perhaps by someone else: edit that one
        return RedirectResponse(f"/failures/{failure_id}/review", status_code=303)
    return redirect_with_notice(
        f"/failures/{failure_id}/review", "Review started. It saves itself as you write."
    )


@router.post("/reviews/{review_id}/save")
async def save(request: Request, review_id: int, page: PageWork) -> Response:
    values = await _read(request)
    body, errors = _sections_input(values, autosave=False)
    move = str(values.get("to_status") or "")
    if move:
        body["status"] = move
    data, invalid = validate(ReviewUpdate, body)
    errors = {**invalid, **errors}

    def work(session: Session, actor: Actor) -> int:
        if errors or data is None:
            return service.get_review(session, review_id).failure_id
        return service.update_review(session, actor, review_id, data).failure_id

    try:
        failure_id = await page.run(work)
    except InvalidInput as exc:  # rolled back: neither the text nor the move is half-saved
        errors = domain_errors(exc)
        failure_id = 0
    if errors:
        return await _editor_again(request, page, review_id, values, errors)
    return redirect_with_notice(f"/failures/{failure_id}/review", MOVES.get(move, "Review saved."))


async def _editor_again(
    request: Request, page: PageWork, review_id: int, values: dict[str, Any], errors: dict[str, str]
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _editor(session, actor, service.get_review(session, review_id).failure_id)

    data = await page.run(work)
    if "status" in errors and FORM_ERROR not in errors:
        errors[FORM_ERROR] = f"Status: {errors.pop('status')}"
    return render(
        request,
        "reviews/editor.html",
        {**data, "form": FormState(values, errors), "factor_rows": _rows_from_form(values)},
        status_code=422,
    )


@router.post("/reviews/{review_id}/autosave")
async def autosave(request: Request, review_id: int, page: PageWork) -> Response:
    """Saves a draft's text as it is typed (htmx). Never changes the status, and never
    touches a published review: changes to that are saved on purpose, with the button."""
    values = await _read(request)
    body, _ = _sections_input(values, autosave=True)
    data, errors = validate(ReviewSections, body)

    def work(session: Session, actor: Actor) -> str | None:
        require(actor, Role.practitioner, "Editing a review")
        review = service.get_review(session, review_id)
        if review.status not in EDITABLE:
            raise Conflict(detail="A published review is not saved automatically; use the Save button.")
        if data is None:
            return None
        service.update_review(
            session, actor, review_id, ReviewUpdate.model_validate(data.model_dump(exclude_none=True))
        )
        return utcnow().strftime("%H:%M")

    try:
        saved_at = await page.run(work)
    except InvalidInput as exc:
        errors = domain_errors(exc)
        saved_at = None
    except Conflict as exc:
        return render(request, "reviews/_autosave.html", {"problem": exc.detail}, status_code=409)
    problem = "; ".join(f"{SECTION_HELP.get(k, (k,))[0]}: {v}" for k, v in errors.items()) if errors else None
    # htmx swaps only 2xx answers: a problem is said in the same place, as 200.
    return render(request, "reviews/_autosave.html", {"saved_at": saved_at, "problem": problem})


@router.post("/reviews/preview")
async def preview(request: Request, me: Me, section: str = "") -> Response:
    form = await request.form()
    value = form.get(section) if section in service.SECTIONS else form.get("text")
    text = value if isinstance(value, str) else ""
    return render(request, "reviews/_preview.html", {"html": render_markdown(text)})


@router.get("/reviews/factor-row")
async def factor_row(request: Request, page: PageWork) -> Response:
    categories = await page.run(lambda session, actor: _categories(session, set()))
    return render(
        request,
        "reviews/_factor.html",
        {"row": ("", ""), "categories": categories, "uid": secrets.token_hex(4), "can_edit": True},
    )
