"""Administering people (/admin/users) and everyone's API tokens (/admin/tokens).

Practice owners only (OwnerWork). Passwords are dropped from re-rendered forms; a new
token's secret is shown once (see token_handover.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue.choices import as_options, team_names
from failwell.enums import Role
from failwell.errors import DomainError
from failwell.listing import page_of
from failwell.people import service as people
from failwell.people import sign_in
from failwell.people import tokens as people_tokens
from failwell.people.schemas import PersonFilter, PersonUpdate
from failwell.people.security import hash_password
from failwell.web.auth import SESSION_COOKIE, PageUnit
from failwell.web.forms import people as forms
from failwell.web.forms.base import FormState, domain_errors, read_form
from failwell.web.pages.admin import OwnerWork
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


# ---- users and roles -------------------------------------------------------------------


@router.get("/admin/users")
async def admin_users(request: Request, page: OwnerWork) -> Response:
    filters, errors, raw = forms.user_filters(dict(request.query_params))

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        teams = team_names(session)
        team = filters.team if filters.team in teams else None
        if filters.team and team is None:
            errors["team"] = f"unknown team '{filters.team}'"
        query = PersonFilter(
            limit=filters.limit, offset=filters.offset, q=filters.q, role=filters.role, team=team
        )
        rows, total, exact = people.list_people(session, query)
        return {
            "people": page_of([people.person_out(p) for p in rows], total, exact, filters),
            "teams": teams,
        }

    data = await page.run(work)
    keep = {k: v for k, v in raw.items() if k in ("q", "role", "team")}
    base_url = "/admin/users" + (f"?{urlencode(keep)}" if keep else "")
    return render(
        request,
        "admin/users.html",
        {
            **data,
            "filters": FormState(raw, errors),
            "base_url": base_url,
            "roles": forms.ROLES,
            "role_options": forms.ROLE_OPTIONS,
            "team_options": as_options(data["teams"]),
        },
        status_code=422 if errors else 200,
    )


async def _new_user_page(
    request: Request, page: PageUnit, form: FormState, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return {"teams": team_names(session)}

    data = await page.run(work)
    return render(
        request,
        "admin/user_new.html",
        {**data, "form": form, "role_options": forms.ROLE_OPTIONS, "roles": forms.ROLES},
        status_code=status_code,
    )


@router.get("/admin/users/new")
async def admin_user_new(request: Request, page: OwnerWork) -> Response:
    return await _new_user_page(request, page, FormState({"role": Role.practitioner.value, "teams": []}))


@router.post("/admin/users/new")
async def admin_user_create(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request, lists=("teams",))
    data, errors = forms.person_in(values)
    shown = forms.without_secrets(values)
    if data is None:
        return await _new_user_page(request, page, FormState(shown, errors), 422)

    hashed = await _hashed(data.password)

    def work(session: Session, actor: Actor) -> int:
        person = people.create_person(session, actor, data.model_copy(update={"password": None}))
        if hashed is not None:
            sign_in.set_password(session, actor, person.id, hashed)
        return person.id

    try:
        person_id = await page.run(work)
    except DomainError as exc:
        return await _new_user_page(request, page, FormState(shown, domain_errors(exc)), exc.status)
    return redirect_with_notice(f"/admin/users/{person_id}", f"{data.name} is added.")


async def _hashed(password: str | None) -> str | None:
    # argon2 is slow: in a thread, before the unit of work.
    return None if password is None else await anyio.to_thread.run_sync(hash_password, password)


async def _user_page(
    request: Request,
    page: PageUnit,
    person_id: int,
    form: FormState | None = None,
    password_form: FormState | None = None,
    status_code: int = 200,
    access_error: str | None = None,
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        person = people.person_out(people.get_person(session, person_id))
        tokens = [token_row(t) for t in people_tokens.list_tokens(session, actor, person_id)]
        return {"person": person, "teams": team_names(session), "tokens": tokens}

    data = await page.run(work)
    return render(
        request,
        "admin/user.html",
        {
            **data,
            "form": form or forms.person_form(data["person"]),
            "password_form": password_form or FormState(),
            "role_options": forms.ROLE_OPTIONS,
            "roles": forms.ROLES,
            "is_me": person_id == page.me.actor.person_id,
            "access_error": access_error,
        },
        status_code=status_code,
    )


@router.get("/admin/users/{person_id}")
async def admin_user(request: Request, person_id: int, page: OwnerWork) -> Response:
    return await _user_page(request, page, person_id)


@router.post("/admin/users/{person_id}")
async def admin_user_update(request: Request, person_id: int, page: OwnerWork) -> Response:
    values = await read_form(request, lists=("teams",))
    data, errors = forms.person_update(values)
    if data is None:
        return await _user_page(request, page, person_id, form=FormState(values, errors), status_code=422)

    def work(session: Session, actor: Actor) -> str:
        person = people.update_person(session, actor, person_id, data)
        return person.name

    try:
        name = await page.run(work)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _user_page(
            request, page, person_id, form=FormState(values, domain_errors(exc)), status_code=exc.status
        )
    if person_id == page.me.actor.person_id and data.role not in (None, Role.practice_owner):
        return redirect_with_notice("/account", "Your role is changed: you no longer administer failwell.")
    return redirect_with_notice(f"/admin/users/{person_id}", f"{name}'s details are saved.")


@router.post("/admin/users/{person_id}/access")
async def admin_user_access(request: Request, person_id: int, page: OwnerWork) -> Response:
    values = await read_form(request)
    active = values.get("is_active") == "true"
    if not active and person_id == page.me.actor.person_id:
        return await _user_page(
            request, page, person_id, status_code=409, access_error="You cannot deactivate yourself."
        )

    def work(session: Session, actor: Actor) -> str:
        person = people.update_person(session, actor, person_id, PersonUpdate(is_active=active))
        return person.name

    name = await page.run(work)
    text = f"{name} can use failwell again." if active else f"{name} is deactivated and signed out."
    return redirect_with_notice(f"/admin/users/{person_id}", text)


@router.post("/admin/users/{person_id}/password")
async def admin_user_password(request: Request, person_id: int, page: OwnerWork) -> Response:
    data, errors = forms.new_password(await read_form(request))
    if data is None:
        return await _user_page(
            request, page, person_id, password_form=FormState({}, errors), status_code=422
        )
    keep = request.cookies.get(SESSION_COOKIE)
    hashed = await anyio.to_thread.run_sync(hash_password, data.password)

    def work(session: Session, actor: Actor) -> str:
        return sign_in.set_password(session, actor, person_id, hashed, keep_secret=keep).name

    name = await page.run(work)
    return redirect_with_notice(
        f"/admin/users/{person_id}", f"{name}'s password is set; their other sessions are signed out."
    )


# ---- API tokens ------------------------------------------------------------------------


async def _tokens_page(request: Request, page: PageUnit, form: FormState, status_code: int = 200) -> Response:
    filters = forms.token_list_filter(dict(request.query_params))
    secret = handed_over(request)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        rows, total, exact = people_tokens.list_all_tokens(
            session, actor, filters, active_only=filters.active
        )
        return {
            "tokens": page_of([token_row(t, True) for t in rows], total, exact, filters),
            "created": new_token(session, secret, None),
        }

    data = await page.run(work)
    response = render(
        request,
        "admin/tokens.html",
        {
            **data,
            "form": form,
            "active_only": filters.active,
            "base_url": "/admin/tokens?active=true" if filters.active else "/admin/tokens",
        },
        status_code=status_code,
        headers=NO_STORE,
    )
    return shown_once(request, response, "/admin/tokens")


@router.get("/admin/tokens")
async def admin_tokens(request: Request, page: OwnerWork) -> Response:
    return await _tokens_page(request, page, FormState())


@router.post("/admin/tokens")
async def admin_token_create(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    data, errors = forms.admin_token_in(values)
    if data is None:
        return await _tokens_page(request, page, FormState(values, errors), status_code=422)

    def work(session: Session, actor: Actor) -> str:
        return people_tokens.create_token(session, actor, data)[1]

    try:
        secret = await page.run(work)
    except DomainError as exc:
        return await _tokens_page(
            request, page, FormState(values, domain_errors(exc)), status_code=exc.status
        )
    return hand_over(request, "/admin/tokens", secret)


@router.post("/admin/tokens/{token_id}/revoke")
async def admin_token_revoke(request: Request, token_id: int, page: OwnerWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        token = people_tokens.revoke_token(session, actor, token_id)
        return f"The token '{token.name}' ({token.prefix}…) of {token.person.name} is revoked."

    return redirect_with_notice("/admin/tokens", await page.run(work))
