"""The reviews list: every review by status, with home's "Reviews waiting" (in draft or in
review although the failure is over) as one of its filters."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.enums import ReviewStatusFilter
from failwell.listing import page_of
from failwell.reviews.schemas import ReviewFilter
from failwell.reviews.service import list_reviews
from failwell.web.auth import PageWork
from failwell.web.forms.base import validate_filters
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

STATUS_LABELS = [
    (ReviewStatusFilter.waiting.value, "Waiting"),
    (ReviewStatusFilter.draft.value, "Draft"),
    (ReviewStatusFilter.in_review.value, "In review"),
    (ReviewStatusFilter.published.value, "Published"),
]
_FILTER_KEYS = ("status", "service", "team", "q")


def _url(filters: ReviewFilter) -> str:
    values = {k: getattr(filters, k) for k in _FILTER_KEYS}
    query = urlencode({k: str(v) for k, v in values.items() if v})
    return "/reviews" + (f"?{query}" if query else "")


def _rows(items: Any) -> list[dict[str, Any]]:
    return [
        {
            "id": r.id,
            "failure_id": r.failure_id,
            "title": r.failure.title,
            "failure_status": r.failure.status,
            "services": [s.name for s in r.failure.services],
            "status": r.status,
            "updated_at": r.updated_at,
            "published_at": r.published_at,
        }
        for r in items
    ]


@router.get("/reviews")
async def reviews_page(request: Request, page: PageWork) -> Response:
    shown, errors = validate_filters(ReviewFilter, request.query_params)

    def work(session: Session, _actor: Actor) -> dict[str, Any]:
        items, total, exact = list_reviews(session, shown)
        return {"page": page_of(_rows(items), total, exact, shown), **choices.scope_options(session)}

    def empty(session: Session, _actor: Actor) -> dict[str, Any]:  # an unknown service or team
        return {"page": page_of([], 0, True, shown), **choices.scope_options(session)}

    data = await page.run_list(work, empty, errors)
    return render(
        request,
        "reviews/list.html",
        {**data, "query": shown, "errors": errors, "base_url": _url(shown), "statuses": STATUS_LABELS},
    )
