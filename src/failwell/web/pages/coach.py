"""The blameless-language coach beside the review editor: an htmx fragment that lists the
sentences of the review being written that blame, judge with hindsight or name "human
error", each with the reason and a suggestion. Advice only: it never stops a save."""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response

from failwell.reviews.coach import MAX_TEXT, Mark, coach
from failwell.reviews.service import SECTIONS
from failwell.web.auth import Me
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

MAX_FACTORS = 50  # as many as a review may hold


def _label(section: str) -> str:
    return section.replace("_", " ").capitalize()  # "what_went_wrong" -> "What went wrong"


def _check(parts: list[tuple[str, str, bool]]) -> list[dict[str, Any]]:
    found = []
    for where, text, factor in parts:
        marks: list[Mark] = coach(text[:MAX_TEXT], factor=factor)
        found += [{"where": where, **m.as_dict()} for m in marks]
    return found


@router.post("/reviews/coach")
async def coach_fragment(request: Request, me: Me) -> Response:
    """The coach's advice on the editor's sections and factor descriptions, as typed."""
    form = await request.form()
    parts: list[tuple[str, str, bool]] = []
    for name in SECTIONS:
        value = form.get(name)
        if isinstance(value, str) and value.strip():
            parts.append((_label(name), value, False))
    factors = [v for v in form.getlist("factor_description") if isinstance(v, str)][:MAX_FACTORS]
    for number, value in enumerate(factors, start=1):
        if value.strip():
            parts.append((f"Contributing factor {number}", value, True))
    marks = await anyio.to_thread.run_sync(_check, parts)
    return render(request, "reviews/_coach.html", {"marks": marks, "written": bool(parts)})
