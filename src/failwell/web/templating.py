"""Jinja2 set-up shared by every slice's pages, and the one way pages render."""

from __future__ import annotations

from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from failwell import __version__
from failwell.db import utcnow
from failwell.numbers import counted, readable
from failwell.web.markdown import render_markdown
from failwell.web.responses import NOTICE_COOKIE

TEMPLATE_DIR = Path(__file__).parent / "templates"
STATIC_DIR = Path(__file__).parent / "static"

templates = Jinja2Templates(directory=TEMPLATE_DIR)
env = templates.env
env.trim_blocks = True
env.lstrip_blocks = True


def _dt(value: datetime | None, fmt: str = "%Y-%m-%d %H:%M") -> str:
    # Every stored time is UTC; pages say so rather than guess the reader's zone.
    return "" if value is None else value.strftime(fmt) + " UTC"


def _day(value: date | datetime | None) -> str:
    return "" if value is None else value.strftime("%Y-%m-%d")


def _ago(value: datetime | None) -> str:
    if value is None:
        return ""
    seconds = int((utcnow() - value).total_seconds())
    future = seconds < 0
    seconds = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60)):
        if seconds >= size:
            n = seconds // size
            text = f"{n} {unit}{'s' if n != 1 else ''}"
            return f"in {text}" if future else f"{text} ago"
    return "just now"


# Keys whose words need more than the underscores turned into spaces.
_SPELLED_OUT = {"wont_do": "won't do"}


def _label(value: Any) -> str:
    """An enum or snake_case key as words: 'failed_deployment' -> 'Failed deployment'."""
    raw = value.value if isinstance(value, Enum) else str(value)
    words = _SPELLED_OUT.get(raw, raw.replace("_", " ").strip())
    return words[:1].upper() + words[1:]


def _counted(n: int, value: Any) -> str:
    """A count with its noun, lower-case: (1, near_miss) -> '1 near miss', (4, ...) -> '4 near misses'."""
    return counted(n, _label(value).lower())


def _value(value: Any) -> Any:
    return value.value if isinstance(value, Enum) else value


env.filters["dt"] = _dt
env.filters["day"] = _day
env.filters["ago"] = _ago
env.filters["label"] = _label
env.filters["counted"] = _counted
env.filters["value"] = _value
env.filters["markdown"] = render_markdown
env.filters["urldecode"] = unquote
env.filters["readable"] = readable
env.globals["version"] = __version__
env.globals["static"] = lambda path: f"/static/{path}?v={__version__}"


def is_htmx(request: Request) -> bool:
    """An htmx request (a fragment is wanted, not a whole page)."""
    return request.headers.get("HX-Request") == "true"


def render(
    request: Request,
    template: str,
    context: dict[str, Any] | None = None,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    """Renders a page or fragment. The signed-in person (if any) and their CSRF token are
    always in the context as `me` and `csrf_token`; `htmx` tells a fragment request."""
    ctx: dict[str, Any] = {
        "me": getattr(request.state, "signed_in", None),
        "htmx": is_htmx(request),
        "path": request.url.path,
        "notice": request.cookies.get(NOTICE_COOKIE),
    }
    me = ctx["me"]
    ctx["csrf_token"] = me.csrf_token if me is not None else request.cookies.get("fw_pre_csrf", "")
    ctx.update(context or {})
    response = templates.TemplateResponse(request, template, ctx, status_code=status_code, headers=headers)
    if ctx["notice"]:
        response.delete_cookie(NOTICE_COOKIE, path="/")
    return response
