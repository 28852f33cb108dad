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
from failwell.errors import InvalidInput
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
from failwell.web.forms.base import domain_errors, validate
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
    raw = {k: v for k, v in request.query_params.items() if v.strip()}
    filters, errors = validate(LessonFilter, raw)
    if filters is None:
        # Keep what can be kept: drop the fields that did not validate.
        filters, _ = validate(LessonFilter, {k: v for k, v in raw.items() if k not in errors})
        filters = filters or LessonFilter()
    shown = filters

    def options(session: Session) -> dict[str, Any]:
        return {
            "services": choices.as_options(choices.service_names(session)),
            "teams": choices.as_options(choices.team_names(session)),
            "categories": category_options(session),
        }

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        items, total, exact = list_lessons(session, shown)
        return {
            "page": page_of(items, total, exact, shown),
            "matches": _where_matched(items),
            **options(session),
        }

    try:
        data = await page.run(work)
    except InvalidInput as exc:  # an unknown service, team or category: say so, show no results
        errors.update(domain_errors(exc))

        def empty(session: Session, actor: Actor) -> dict[str, Any]:
            return {"page": page_of([], 0, True, shown), "matches": {}, **options(session)}

        data = await page.run(empty)
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
