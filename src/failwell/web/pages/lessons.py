"""The library of lessons: published reviews, searchable and filterable, readable by everyone
signed in (viewers included)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.listing import page_of
from failwell.reviews.lessons import (
    PERIOD_LABELS,
    SORT_LABELS,
    Lesson,
    LessonFilter,
    category_options,
    list_lessons,
)
from failwell.web.auth import PageWork
from failwell.web.forms.base import validate_filters
from failwell.web.snippets import where_matched
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

_FILTER_KEYS = ("q", "service", "team", "category", "tag", "period", "since", "until", "sort")


def _url(filters: LessonFilter) -> str:
    values = {k: getattr(filters, k) for k in _FILTER_KEYS}
    if values["period"] == "all":
        values["period"] = None
    query = urlencode({k: str(v) for k, v in values.items() if v})
    return "/lessons" + (f"?{query}" if query else "")


def _where_matched(items: list[Lesson]) -> dict[int, tuple[str, Markup]]:
    """Where the search matched each lesson (a result must say why it is there)."""
    out = {}
    for item in items:
        found = where_matched(item.snippet)
        if found is not None:
            out[item.id] = found
    return out


@router.get("/lessons")
async def library(request: Request, page: PageWork) -> Response:
    shown, errors = validate_filters(LessonFilter, request.query_params)

    def options(session: Session) -> dict[str, Any]:
        return {**choices.scope_options(session), "categories": category_options(session)}

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        items, total, exact = list_lessons(session, shown)
        return {
            "page": page_of(items, total, exact, shown),
            "matches": _where_matched(items),
            **options(session),
        }

    def empty(session: Session, actor: Actor) -> dict[str, Any]:  # an unknown service, team or category
        return {"page": page_of([], 0, True, shown), "matches": {}, **options(session)}

    data = await page.run_list(work, empty, errors)
    return render(
        request,
        "lessons/library.html",
        {
            **data,
            "query": shown,
            "errors": errors,
            "base_url": _url(shown),
            "periods": PERIOD_LABELS,
            "sorts": SORT_LABELS,
        },
    )
