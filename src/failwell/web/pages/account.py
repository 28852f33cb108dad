"""Everyone's own account (/account): profile, password and API tokens.

Passwords are never written back into the page; a new token's secret is shown once (see
token_handover.py).
"""

from __future__ import annotations

from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.deps import get_database
from failwell.errors import DomainError, NotFound
from failwell.people import service as people
from failwell.people import sign_in
from failwell.people import tokens as people_tokens
from failwell.people.security import hash_password, verify_password
from failwell.web.auth import SESSION_COOKIE, PageUnit, PageWork
from failwell.web.forms import people as forms
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.pages.recognition import recognition_of
from failwell.web.pages.token_handover import (
    NO_STORE,
    hand_over,
    handed_over,
    new_token,
    shown_once,
    token_row,
)
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)


async def _account_page(
    request: Request,
    page: PageUnit,
    password_form: FormState | None = None,
    token_form: FormState | None = None,
    status_code: int = 200,
    profile_form: FormState | None = None,
) -> Response:
    secret = handed_over(request)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        person = people.person_out(people.get_person(session, actor.person_id))
        tokens = people_tokens.list_tokens(session, actor)
        return {
            "person": person,
            "tokens": [token_row(t) for t in reversed(tokens)],
            "created": new_token(session, secret, actor.person_id),
            "recognition": recognition_of(session, actor, person_id=actor.person_id),
        }

    data = await page.run(work)
    response = render(
        request,
        "account/index.html",
        {
            **data,
            "role_help": forms.ROLE_HELP,
            "password_form": password_form or FormState(),
            "token_form": token_form or FormState(),
            "profile_form": profile_form or forms.profile_form(data["person"]),
        },
        status_code=status_code,
        headers=NO_STORE,
    )
    return shown_once(request, response, "/account")


@router.get("/account")
async def account(request: Request, page: PageWork) -> Response:
    return await _account_page(request, page)


@router.post("/account/profile")
async def account_profile(request: Request, page: PageWork) -> Response:
    """Everyone may change their own name and e-mail (role and teams are a practice owner's)."""
    values = await read_form(request)
    data, errors = forms.profile_update(values)
    if data is None:
        return await _account_page(
            request, page, profile_form=forms.profile_errors(values, errors), status_code=422
        )

    def work(session: Session, actor: Actor) -> None:
        people.update_person(session, actor, actor.person_id, data)

    try:
        await page.run(work)
    except DomainError as exc:
        return await _account_page(
            request,
            page,
            profile_form=forms.profile_errors(values, domain_errors(exc)),
            status_code=exc.status,
        )
    return redirect_with_notice("/account", "Your profile is saved.")


@router.post("/account/password")
async def account_password(request: Request, page: PageWork) -> Response:
    data, errors = forms.password_change(await read_form(request))
    if data is None:
        return await _account_page(request, page, password_form=FormState({}, errors), status_code=422)
    keep = request.cookies.get(SESSION_COOKIE)
    db = get_database(request)
    me = page.me.actor.person_id

    def check() -> tuple[str, str] | None:  # argon2, twice: in a thread, outside the unit of work
        with db.session(write=False) as session:
            stored = sign_in.password_hash_of(session, me)
        if stored is None or not verify_password(stored, data.current_password):
            return None
        return stored, hash_password(data.new_password)

    checked = await anyio.to_thread.run_sync(check)
    if checked is None:
        errors = {"current_password": "is not your current password"}
        return await _account_page(request, page, password_form=FormState({}, errors), status_code=422)
    verified, hashed = checked

    def work(session: Session, actor: Actor) -> None:
        sign_in.change_own_password(session, actor, verified, hashed, keep_secret=keep)

    try:
        await page.run(work)
    except DomainError as exc:
        return await _account_page(
            request, page, password_form=FormState({}, domain_errors(exc)), status_code=exc.status
        )
    return redirect_with_notice("/account", "Your password is changed; your other sessions are signed out.")


@router.post("/account/tokens")
async def account_token_create(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = forms.token_in(values)
    if data is None:
        return await _account_page(request, page, token_form=FormState(values, errors), status_code=422)

    def work(session: Session, actor: Actor) -> str:
        return people_tokens.create_token(session, actor, data)[1]

    try:
        secret = await page.run(work)
    except DomainError as exc:
        return await _account_page(
            request, page, token_form=FormState(values, domain_errors(exc)), status_code=exc.status
        )
    return hand_over(request, "/account", secret)


@router.post("/account/tokens/{token_id}/revoke")
async def account_token_revoke(request: Request, token_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        # Only your own tokens here, whatever your role: others' are revoked under /admin.
        found = next((t for t in people_tokens.list_tokens(session, actor) if t.id == token_id), None)
        if found is None:
            raise NotFound(detail=f"You have no token with id {token_id}.")
        people_tokens.revoke_token(session, actor, found.id)
        return f"The token '{found.name}' ({found.prefix}…) is revoked."

    return redirect_with_notice("/account", await page.run(work))
