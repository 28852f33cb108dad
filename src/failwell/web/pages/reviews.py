"""The review editor: blameless sections with a live preview, contributing factors, autosave of
drafts, and the draft -> in review -> published workflow (see web/PAGES.md)."""

from __future__ import annotations

import secrets
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.db import utcnow
from failwell.enums import ReviewStatus, Role
from failwell.errors import Conflict, InvalidInput
from failwell.failures.service import failure_out, get_failure
from failwell.reviews import comments, service
from failwell.reviews.comments import CommentIn
from failwell.reviews.schemas import ReviewSections
from failwell.reviews.template import review_template
from failwell.web.auth import Me, PageWork
from failwell.web.forms import reviews as reviews_form
from failwell.web.forms.base import FORM_ERROR, FormState, domain_errors, read_form, validate
from failwell.web.markdown import render_markdown
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import is_htmx, render

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
MOVES = {
    "in_review": "Sent for review.",
    "draft": "Moved back to draft.",
    "published": "Published: thank you for turning a failure into lessons.",
}


def _can_edit(actor: Actor, status: ReviewStatus) -> bool:
    needed = Role.practice_manager if status == ReviewStatus.published else Role.practitioner
    return actor.at_least(needed)


def _categories(session: Session, used: set[str]) -> list[dict[str, str]]:
    rows = service.categories_to_choose(session, used)
    return [{"key": c.key, "name": c.name, "description": c.description} for c in rows]


def _editor(session: Session, actor: Actor, failure_id: int, editing: bool = True) -> dict[str, Any]:
    failure = get_failure(session, failure_id)
    review = service.find_review(session, failure_id)
    out = service.review_out(review) if review else None
    used = {f.category for f in out.factors} if out else set()
    return {
        "failure": failure_out(failure).model_dump(),
        "review": out.model_dump() if out else None,
        "categories": _categories(session, used),
        "guidance": render_markdown(review_template(session)),
        "can_start": actor.at_least(Role.practitioner),
        "can_edit": _can_edit(actor, out.status) if out else False,
        # A published review opens to be read; those who may change it press Edit first.
        "reading": bool(out and out.status == ReviewStatus.published and not editing),
        "can_publish": actor.at_least(Role.practice_manager),
        "section_help": SECTION_HELP,
        **(_comments(session, actor, review.id) if review else {}),
    }


def _comments(session: Session, actor: Actor, review_id: int) -> dict[str, Any]:
    rows = comments.list_comments(session, review_id)
    return {
        "comments": [comments.comment_out(session, c).model_dump() for c in rows],
        "can_comment": actor.at_least(Role.practitioner),
    }


# ---- pages ---------------------------------------------------------------------


@router.get("/failures/{failure_id}/review")
async def review_editor(request: Request, failure_id: int, page: PageWork, edit: bool = False) -> Response:
    data = await page.run(lambda session, actor: _editor(session, actor, failure_id, editing=edit))
    rows = reviews_form.rows_of_review(data["review"]) if data["review"] else []
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
    values = await reviews_form.read_review_form(request)
    data, errors, move = reviews_form.review_update(values)

    def work(session: Session, actor: Actor) -> int:
        if data is None:
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
    request: Request,
    page: PageWork,
    review_id: int,
    values: dict[str, Any],
    errors: dict[str, str],
    comment_form: FormState | None = None,
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return _editor(session, actor, service.get_review(session, review_id).failure_id)

    data = await page.run(work)
    if "status" in errors and FORM_ERROR not in errors:
        errors[FORM_ERROR] = f"Status: {errors.pop('status')}"
    return render(
        request,
        "reviews/editor.html",
        {
            **data,
            "form": FormState(values or dict(data["review"]), errors),
            "factor_rows": reviews_form.rows_of_form(values)
            if values
            else reviews_form.rows_of_review(data["review"]),
            "comment_form": comment_form,
        },
        status_code=422,
    )


@router.post("/reviews/{review_id}/autosave")
async def autosave(request: Request, review_id: int, page: PageWork) -> Response:
    """Saves a draft's text as it is typed (htmx). Never changes the status, and never
    touches a published review: changes to that are saved on purpose, with the button."""
    values = await reviews_form.read_review_form(request)
    data, errors = reviews_form.autosaved(values)

    def work(session: Session, actor: Actor) -> str | None:
        service.autosave_review(session, actor, review_id, data)
        return None if data is None else utcnow().strftime("%H:%M")

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


@router.post("/reviews/{review_id}/comments")
async def comment(request: Request, review_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = validate(CommentIn, {"body": values.get("comment_body", "")})

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        review = service.get_review(session, review_id)
        added = comments.add_comment(session, actor, review_id, data) if data is not None else None
        listed = {"review": {"id": review.id}, **_comments(session, actor, review_id)}
        return {**listed, "failure_id": review.failure_id, "added_id": added.id if added else None}

    if data is not None:
        try:
            context = await page.run(work)
        except InvalidInput as exc:
            data, errors = None, domain_errors(exc)
    form = FormState(values, {f"comment_{k}": v for k, v in errors.items()})
    if data is None:
        context = await page.run(work)
        if not is_htmx(request):
            return await _editor_again(request, page, review_id, {}, {}, comment_form=form)
        return render(request, "reviews/_comments.html", {**context, "comment_form": form})
    if not is_htmx(request):
        return redirect_with_notice(f"/failures/{context['failure_id']}/review#comments", "Comment added.")
    return render(request, "reviews/_comments.html", {**context, "added": True})


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
