"""The home page: what needs attention now."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from failwell.web.auth import PageWork
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
async def home(request: Request, page: PageWork) -> Response:
    return render(request, "home.html", {})
