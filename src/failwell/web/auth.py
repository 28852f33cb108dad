"""Sign-in sessions and CSRF for pages: the page counterpart of failwell.deps.

Every page needs a signed-in person (cookie ``fw_session``); every unsafe request must
carry the session's CSRF token, as a form field ``csrf_token`` or an ``X-CSRF-Token``
header (the base template makes htmx send the header on every request).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from fastapi import Depends, Request
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.db import Database
from failwell.deps import UnitOfWork, get_database
from failwell.errors import InvalidInput
from failwell.identity import SignedIn, authenticate_web_session
from failwell.web.forms.base import domain_errors

SESSION_COOKIE = "fw_session"
# Before sign-in there is no session: the sign-in form uses a double-submit cookie instead.
PRE_CSRF_COOKIE = "fw_pre_csrf"

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


class SignInRequired(Exception):
    """The page needs a signed-in person; the app answers with a redirect to /sign-in."""

    def __init__(self, next_path: str) -> None:
        super().__init__(next_path)
        self.next_path = next_path


class CsrfRefused(Exception):
    """An unsafe request without the right CSRF token; the app answers 403."""


def _authenticate(db: Database, secret: str) -> SignedIn | None:
    with db.engine.connect() as connection:
        return authenticate_web_session(connection, secret)


async def signed_in_person(request: Request) -> SignedIn | None:
    """The person signed in on this browser, or None (no cookie, expired, signed out)."""
    cached: SignedIn | None = getattr(request.state, "signed_in", None)
    if cached is not None:
        return cached
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    db = get_database(request)
    if db.embedded:  # one indexed SQLite read: cheaper than a thread hop
        me = _authenticate(db, secret)
    else:
        me = await anyio.to_thread.run_sync(_authenticate, db, secret)
    request.state.signed_in = me
    return me


async def check_csrf(request: Request, expected: str) -> None:
    if request.method in _SAFE_METHODS:
        return
    sent = request.headers.get("X-CSRF-Token")
    if sent is None:
        content_type = request.headers.get("content-type", "")
        if content_type.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
            form = await request.form()  # Starlette caches it: the page reads it again for free
            value = form.get("csrf_token")
            sent = value if isinstance(value, str) else None
    if not sent or not expected or not hmac.compare_digest(sent, expected):
        raise CsrfRefused()


def _next_path(request: Request) -> str:
    path = request.url.path
    if request.method not in _SAFE_METHODS:
        # After signing in, land on the page the form came from, not on a POST-only URL.
        referer = request.headers.get("HX-Current-URL") or request.headers.get("referer") or "/"
        return referer
    return path + (f"?{request.url.query}" if request.url.query else "")


async def _require_signed_in(request: Request) -> SignedIn:
    me = await signed_in_person(request)
    if me is None:
        raise SignInRequired(_next_path(request))
    await check_csrf(request, me.csrf_token)
    return me


Me = Annotated[SignedIn, Depends(_require_signed_in)]


class PageUnit(UnitOfWork):
    """A page's unit of work: as UnitOfWork, run as the signed-in person."""

    def __init__(self, db: Database, me: SignedIn, write: bool, method: str = "", path: str = "") -> None:
        super().__init__(db, me.actor, write, method, path)
        self.me = me

    async def run_list(
        self,
        work: Callable[[Session, Actor], dict[str, Any]],
        empty: Callable[[Session, Actor], dict[str, Any]],
        errors: dict[str, str],
    ) -> dict[str, Any]:
        """A list page's data: ``work``'s, or, when a filter names what does not exist (an
        unknown service or team), ``empty``'s with the refusal added to ``errors``."""
        try:
            return await self.run(work)
        except InvalidInput as exc:
            errors.update(domain_errors(exc))
            return await self.run(empty)


async def _page_unit(request: Request, me: Me) -> PageUnit:
    write = request.method not in _SAFE_METHODS
    return PageUnit(get_database(request), me, write, request.method, request.url.path)


PageWork = Annotated[PageUnit, Depends(_page_unit)]
