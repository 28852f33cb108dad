"""API tokens on pages: their rows in a list, and a new token's secret shown once.

A secret is never written back into a page but once. The POST that creates a token
redirects (so a reload cannot create a second one) with the secret in a short-lived,
HttpOnly, SameSite=Strict cookie scoped to the one page that shows it; that page (no-store)
shows it only if it is a live token of the person signed in (or, under /admin, any live
token) and deletes the cookie in the same response.
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import Session

from failwell.db import utcnow
from failwell.people import tokens
from failwell.people.models import ApiToken

NO_STORE = {"Cache-Control": "no-store"}
NEW_TOKEN_COOKIE = "fw_new_token"
NEW_TOKEN_SECONDS = 120


def token_row(token: ApiToken, with_person: bool = False) -> dict[str, Any]:
    now = utcnow()
    if token.revoked_at is not None:
        status = "revoked"
    elif token.expires_at is not None and token.expires_at <= now:
        status = "expired"
    else:
        status = "active"
    row: dict[str, Any] = {
        "id": token.id,
        "name": token.name,
        "prefix": token.prefix,
        "created_at": token.created_at,
        "expires_at": token.expires_at,
        "revoked_at": token.revoked_at,
        "status": status,
    }
    if with_person:
        row["person"] = token.person.name
        row["person_email"] = token.person.email
    return row


def hand_over(request: Request, url: str, secret: str) -> Response:
    """Redirects to the page that shows a new token's secret once."""
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        NEW_TOKEN_COOKIE,
        secret,
        max_age=NEW_TOKEN_SECONDS,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path=url,
    )
    return response


def handed_over(request: Request) -> str | None:
    """The secret waiting to be shown, on the GET that shows it (a form re-rendered after a
    POST does not show it)."""
    return request.cookies.get(NEW_TOKEN_COOKIE) if request.method == "GET" else None


def new_token(session: Session, secret: str | None, person_id: int | None) -> dict[str, Any] | None:
    """The token just created, if the cookie names a live one (of `person_id`, if given)."""
    if not secret:
        return None
    token = tokens.token_for_secret(session, secret)
    if (
        token is None
        or token.revoked_at is not None
        or (person_id is not None and token.person_id != person_id)
    ):
        return None
    return {"secret": secret, "name": token.name, "person": token.person.email}


def shown_once(request: Request, response: Response, path: str) -> Response:
    if NEW_TOKEN_COOKIE in request.cookies:
        response.delete_cookie(NEW_TOKEN_COOKIE, path=path, httponly=True, samesite="strict")
    return response
