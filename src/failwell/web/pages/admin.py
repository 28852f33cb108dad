"""Administration pages for practice owners (/admin) and everyone's account page (/account).

Every /admin route refuses anyone below practice owner before reading the form (the
services refuse again inside the unit of work). Secrets are never written back into a
page: passwords are dropped from re-rendered forms, and a new API token is shown once.
For that, the POST that creates it redirects (so a reload cannot create a second one)
with the secret in a short-lived, HttpOnly, SameSite=Strict cookie scoped to the one page
that shows it; that page (no-store) shows it only if it is a live token of the person
signed in (or, under /admin, any live token) and deletes the cookie in the same response.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any, TypeVar
from urllib.parse import urlencode

import anyio.to_thread
from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.deps import get_database
from failwell.enums import Role
from failwell.errors import DomainError, NotFound
from failwell.failures import service as failures
from failwell.failures.schemas import SeverityLevelUpdate
from failwell.fields import Email, InputModel, Name
from failwell.listing import PageParams, page_of
from failwell.people import org_settings
from failwell.people import service as people
from failwell.people.models import ApiToken
from failwell.people.schemas import PersonFilter, PersonIn, PersonUpdate, TeamFilter, TokenIn
from failwell.people.security import hash_password, verify_password
from failwell.reviews import service as reviews
from failwell.reviews.schemas import FactorCategoryIn, FactorCategoryUpdate
from failwell.web.auth import SESSION_COOKIE, PageUnit, PageWork
from failwell.web.forms.base import (
    FORM_ERROR,
    FormState,
    cleaned,
    domain_errors,
    plain_words,
    read_form,
    validate,
)
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)
M = TypeVar("M", bound=BaseModel)

# The ITIL practice roles, most privileged first, each with what it lets a person do.
ROLES: list[tuple[str, str, str]] = [
    (
        Role.practice_owner.value,
        "Practice owner",
        "Administers failwell: people and roles, API tokens, the factor taxonomy, the severity "
        "scale and the review template; and everything a practice manager can do.",
    ),
    (
        Role.practice_manager.value,
        "Practice manager",
        "Runs the practice: assigns corrective actions, manages teams and services, edits "
        "published reviews; and everything a practitioner can do.",
    ),
    (
        Role.practitioner.value,
        "Practitioner",
        "Does the work: reports failures, writes reviews, records changes and deployments, "
        "works corrective actions.",
    ),
    (
        Role.viewer.value,
        "Viewer",
        "Reads everything, including the library of lessons, and changes nothing.",
    ),
]
ROLE_OPTIONS = [(value, name) for value, name, _ in ROLES]
ROLE_HELP = {value: f"{name}: {text}" for value, name, text in ROLES}
NO_STORE = {"Cache-Control": "no-store"}
NEW_TOKEN_COOKIE = "fw_new_token"
NEW_TOKEN_SECONDS = 120
ADMINISTERING = "Administering failwell"


async def _owner_unit(page: PageWork) -> PageUnit:
    # Before the form is read or validated: a non-owner learns nothing from a 422.
    require(page.me.actor, Role.practice_owner, ADMINISTERING)
    return page


OwnerWork = Annotated[PageUnit, Depends(_owner_unit)]


def _without_secrets(values: dict[str, Any], *names: str) -> dict[str, Any]:
    return {k: v for k, v in values.items() if k not in names}


def _teams(session: Session) -> list[str]:
    rows, _, _ = people.list_teams(session, TeamFilter(limit=500))
    return [t.name for t in rows]


def _token_row(token: ApiToken, with_person: bool = False) -> dict[str, Any]:
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


def _hand_over(request: Request, url: str, secret: str) -> Response:
    """Redirects to the page that shows a new token's secret once (see the module notes)."""
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


def _new_token(session: Session, secret: str | None, person_id: int | None) -> dict[str, Any] | None:
    """The token just created, if the cookie names a live one (of `person_id`, if given)."""
    if not secret:
        return None
    token = people.token_for_secret(session, secret)
    if (
        token is None
        or token.revoked_at is not None
        or (person_id is not None and token.person_id != person_id)
    ):
        return None
    return {"secret": secret, "name": token.name, "person": token.person.email}


def _shown_once(request: Request, response: Response, path: str) -> Response:
    if NEW_TOKEN_COOKIE in request.cookies:
        response.delete_cookie(NEW_TOKEN_COOKIE, path=path, httponly=True, samesite="strict")
    return response


class NewPassword(InputModel):
    password: str = Field(min_length=8, max_length=200)
    confirm: str = ""


class PasswordChange(InputModel):
    current_password: str = Field(min_length=1)
    new_password: str = Field(min_length=8, max_length=200)
    confirm_password: str = ""


class TokenForm(InputModel):
    name: Name
    expires_in_days: int | None = Field(None, ge=1, le=3650)


def _password_errors(values: dict[str, Any], new: str, confirm: str) -> dict[str, str]:
    if values.get(new) and values.get(confirm) != values.get(new):
        return {confirm: "does not match the new password"}
    return {}


async def _hashed(password: str | None) -> str | None:
    return None if password is None else await anyio.to_thread.run_sync(hash_password, password)


# ---- overview ------------------------------------------------------------------------


@router.get("/admin")
async def admin_home(request: Request, page: OwnerWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        _, total, exact = people.list_people(session, PersonFilter(limit=1))
        return {
            "people": f"{total:,}" if exact else f"more than {total:,}",
            "categories": len(reviews.list_categories(session, include_retired=False)),
            "levels": len(failures.list_severity_levels(session)),
        }

    return render(request, "admin/index.html", await page.run(work))


# ---- users and roles -------------------------------------------------------------------


class UserFilter(PageParams):
    limit: int = Field(25, ge=1, le=200)
    q: str | None = Field(None, max_length=200)
    role: Role | None = None
    team: Name | None = None


def _user_filters(request: Request) -> tuple[UserFilter, dict[str, str], dict[str, str]]:
    raw = {k: v for k, v in request.query_params.items() if v.strip()}
    filters, errors = validate(UserFilter, raw)
    return filters or UserFilter(), errors, raw


@router.get("/admin/users")
async def admin_users(request: Request, page: OwnerWork) -> Response:
    filters, errors, raw = _user_filters(request)

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        teams = _teams(session)
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
            "roles": ROLES,
            "role_options": ROLE_OPTIONS,
            "team_options": [(t, t) for t in data["teams"]],
        },
        status_code=422 if errors else 200,
    )


async def _new_user_page(
    request: Request, page: PageUnit, form: FormState, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return {"teams": _teams(session)}

    data = await page.run(work)
    return render(
        request,
        "admin/user_new.html",
        {**data, "form": form, "role_options": ROLE_OPTIONS, "roles": ROLES},
        status_code=status_code,
    )


@router.get("/admin/users/new")
async def admin_user_new(request: Request, page: OwnerWork) -> Response:
    return await _new_user_page(request, page, FormState({"role": Role.practitioner.value, "teams": []}))


@router.post("/admin/users/new")
async def admin_user_create(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request, lists=("teams",))
    data, errors = validate(PersonIn, cleaned(values))
    shown = _without_secrets(values, "password")
    if data is None:
        errors = plain_words(errors, {"email": "enter an e-mail address such as name@example.com"})
        return await _new_user_page(request, page, FormState(shown, errors), 422)

    hashed = await _hashed(data.password)

    def work(session: Session, actor: Actor) -> int:
        person = people.create_person(session, actor, data.model_copy(update={"password": None}))
        if hashed is not None:
            people.set_password(session, actor, person.id, hashed)
        return person.id

    try:
        person_id = await page.run(work)
    except DomainError as exc:
        return await _new_user_page(request, page, FormState(shown, domain_errors(exc)), exc.status)
    return redirect_with_notice(f"/admin/users/{person_id}", f"{data.name} is added.")


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
        tokens = [_token_row(t) for t in people.list_tokens(session, actor, person_id)]
        return {"person": person, "teams": _teams(session), "tokens": tokens}

    data = await page.run(work)
    person = data["person"]
    form = form or FormState(
        {"name": person.name, "email": person.email, "role": person.role.value, "teams": person.teams}
    )
    return render(
        request,
        "admin/user.html",
        {
            **data,
            "form": form,
            "password_form": password_form or FormState(),
            "role_options": ROLE_OPTIONS,
            "roles": ROLES,
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
    fields = {k: values.get(k) for k in ("name", "email", "role", "teams")}
    data, errors = validate(PersonUpdate, fields)
    if data is None:
        errors = plain_words(errors, {"email": "enter an e-mail address such as name@example.com"})
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
    values = await read_form(request)
    data, errors = validate(NewPassword, {k: values.get(k, "") for k in ("password", "confirm")})
    errors = plain_words(errors, {"password": "use at least 8 characters"}) | _password_errors(
        values, "password", "confirm"
    )
    if data is None or errors:
        return await _user_page(
            request, page, person_id, password_form=FormState({}, errors), status_code=422
        )
    keep = request.cookies.get(SESSION_COOKIE)
    hashed = await anyio.to_thread.run_sync(hash_password, data.password)

    def work(session: Session, actor: Actor) -> str:
        return people.set_password(session, actor, person_id, hashed, keep_secret=keep).name

    name = await page.run(work)
    return redirect_with_notice(
        f"/admin/users/{person_id}", f"{name}'s password is set; their other sessions are signed out."
    )


# ---- API tokens ------------------------------------------------------------------------


class AdminTokenForm(TokenForm):
    person: Email


class TokenListFilter(PageParams):
    limit: int = Field(50, ge=1, le=200)
    active: bool = False


async def _tokens_page(request: Request, page: PageUnit, form: FormState, status_code: int = 200) -> Response:
    raw = {k: v for k, v in request.query_params.items() if v.strip()}
    filters = validate(TokenListFilter, raw)[0] or TokenListFilter()
    secret = request.cookies.get(NEW_TOKEN_COOKIE) if request.method == "GET" else None

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        rows, total, exact = people.list_all_tokens(session, actor, filters, active_only=filters.active)
        return {
            "tokens": page_of([_token_row(t, True) for t in rows], total, exact, filters),
            "created": _new_token(session, secret, None),
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
    return _shown_once(request, response, "/admin/tokens")


@router.get("/admin/tokens")
async def admin_tokens(request: Request, page: OwnerWork) -> Response:
    return await _tokens_page(request, page, FormState())


@router.post("/admin/tokens")
async def admin_token_create(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    data, errors = validate(AdminTokenForm, cleaned(values))
    if data is None:
        errors = plain_words(errors, {"person": "enter the e-mail address of the person the token is for"})
        return await _tokens_page(request, page, FormState(values, errors), status_code=422)

    def work(session: Session, actor: Actor) -> str:
        token_in = TokenIn(name=data.name, person=data.person, expires_in_days=data.expires_in_days)
        return people.create_token(session, actor, token_in)[1]

    try:
        secret = await page.run(work)
    except DomainError as exc:
        return await _tokens_page(
            request, page, FormState(values, domain_errors(exc)), status_code=exc.status
        )
    return _hand_over(request, "/admin/tokens", secret)


@router.post("/admin/tokens/{token_id}/revoke")
async def admin_token_revoke(request: Request, token_id: int, page: OwnerWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        token = people.revoke_token(session, actor, token_id)
        return f"The token '{token.name}' ({token.prefix}…) of {token.person.name} is revoked."

    return redirect_with_notice("/admin/tokens", await page.run(work))


# ---- factor taxonomy --------------------------------------------------------------------


def _category_row(c: Any) -> dict[str, Any]:
    return {
        "id": c.id,
        "key": c.key,
        "name": c.name,
        "description": c.description,
        "position": c.position,
        "is_active": c.is_active,
    }


async def _factors_page(
    request: Request, page: PageUnit, form: FormState, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return {
            "categories": [_category_row(c) for c in reviews.list_categories(session, include_retired=True)]
        }

    data = await page.run(work)
    return render(request, "admin/factors.html", {**data, "form": form}, status_code=status_code)


@router.get("/admin/factors")
async def admin_factors(request: Request, page: OwnerWork) -> Response:
    return await _factors_page(request, page, FormState({"position": "100"}))


@router.post("/admin/factors")
async def admin_factor_create(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    data, errors = validate(FactorCategoryIn, cleaned(values))
    if data is None:
        errors = plain_words(
            errors, {"key": "use lower-case letters, digits and underscores only, e.g. missing_tests"}
        )
        return await _factors_page(request, page, FormState(values, errors), 422)

    def work(session: Session, actor: Actor) -> str:
        return reviews.create_category(session, actor, data).name

    try:
        name = await page.run(work)
    except DomainError as exc:
        return await _factors_page(request, page, FormState(values, domain_errors(exc)), exc.status)
    return redirect_with_notice("/admin/factors", f"The category '{name}' is added.")


async def _factor_page(
    request: Request, page: PageUnit, category_id: int, form: FormState | None, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        for c in reviews.list_categories(session, include_retired=True):
            if c.id == category_id:
                return _category_row(c)
        raise NotFound(detail=f"No factor category with id {category_id}.")

    category = await page.run(work)
    form = form or FormState({k: category[k] for k in ("name", "description", "position")})
    return render(request, "admin/factor.html", {"category": category, "form": form}, status_code=status_code)


@router.get("/admin/factors/{category_id}")
async def admin_factor(request: Request, category_id: int, page: OwnerWork) -> Response:
    return await _factor_page(request, page, category_id, None)


@router.post("/admin/factors/{category_id}")
async def admin_factor_update(request: Request, category_id: int, page: OwnerWork) -> Response:
    values = await read_form(request)
    fields = {k: values.get(k, "") for k in ("name", "description", "position")}
    data, errors = validate(FactorCategoryUpdate, cleaned(fields, keep_blank=("description", "name")))
    if data is None:
        return await _factor_page(request, page, category_id, FormState(values, errors), 422)

    def work(session: Session, actor: Actor) -> str:
        return reviews.update_category(session, actor, category_id, data).name

    try:
        name = await page.run(work)
    except DomainError as exc:
        if exc.status == 404:
            raise
        return await _factor_page(
            request, page, category_id, FormState(values, domain_errors(exc)), exc.status
        )
    return redirect_with_notice("/admin/factors", f"The category '{name}' is saved.")


@router.post("/admin/factors/{category_id}/active")
async def admin_factor_active(request: Request, category_id: int, page: OwnerWork) -> Response:
    values = await read_form(request)
    active = values.get("is_active") == "true"

    def work(session: Session, actor: Actor) -> str:
        update = FactorCategoryUpdate(is_active=active)
        return reviews.update_category(session, actor, category_id, update).name

    name = await page.run(work)
    text = (
        f"The category '{name}' is restored."
        if active
        else f"The category '{name}' is retired: reviews that use it keep it; new ones cannot pick it."
    )
    return redirect_with_notice("/admin/factors", text)


# ---- severity descriptions --------------------------------------------------------------


async def _severity_page(
    request: Request, page: PageUnit, form: FormState | None, status_code: int = 200
) -> Response:
    def work(session: Session, actor: Actor) -> list[dict[str, Any]]:
        return [
            {"level": s.level, "name": s.name, "description": s.description}
            for s in failures.list_severity_levels(session)
        ]

    levels = await page.run(work)
    if form is None:
        values: dict[str, Any] = {}
        for lv in levels:
            values[f"name_{lv['level']}"] = lv["name"]
            values[f"description_{lv['level']}"] = lv["description"]
        form = FormState(values)
    return render(request, "admin/severity.html", {"levels": levels, "form": form}, status_code=status_code)


@router.get("/admin/severity")
async def admin_severity(request: Request, page: OwnerWork) -> Response:
    return await _severity_page(request, page, None)


@router.post("/admin/severity")
async def admin_severity_save(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    updates: dict[int, SeverityLevelUpdate] = {}
    errors: dict[str, str] = {}
    for key in values:
        if not key.startswith("name_") or not key[5:].isdigit():
            continue
        level = int(key[5:])
        fields = {"name": values.get(key, ""), "description": values.get(f"description_{level}", "")}
        data, errs = validate(SeverityLevelUpdate, fields)
        if errs:
            nice = plain_words(errs, {"name": "give the level a name"})
            errors.update({f"{name}_{level}": reason for name, reason in nice.items()})
        elif data is not None:
            updates[level] = data
    if errors:
        return await _severity_page(request, page, FormState(values, errors), 422)

    def work(session: Session, actor: Actor) -> int:
        for level, data in sorted(updates.items()):
            failures.update_severity_level(session, actor, level, data)
        return len(updates)

    count = await page.run(work)
    return redirect_with_notice("/admin/severity", f"The severity scale is saved ({count} levels).")


# ---- review template text ---------------------------------------------------------------


class TemplateForm(BaseModel):
    template: str = Field(max_length=org_settings.MAX_LENGTH)


def _template_page(
    request: Request, form: FormState, default: str, status_code: int = 200, previewing: bool = False
) -> Response:
    return render(
        request,
        "admin/review_template.html",
        {"form": form, "default": default, "previewing": previewing, "text": form.values.get("template", "")},
        status_code=status_code,
    )


@router.get("/admin/review-template")
async def admin_review_template(request: Request, page: OwnerWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        return org_settings.get_setting(session, org_settings.REVIEW_TEMPLATE)

    text = await page.run(work)
    return _template_page(
        request, FormState({"template": text}), org_settings.DEFAULTS[org_settings.REVIEW_TEMPLATE]
    )


@router.post("/admin/review-template/preview")
async def admin_review_template_preview(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    return render(request, "admin/_template_preview.html", {"text": values.get("template", "")[:20_000]})


@router.post("/admin/review-template")
async def admin_review_template_save(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    default = org_settings.DEFAULTS[org_settings.REVIEW_TEMPLATE]
    if values.get("restore") == "1":
        values["template"] = default
    data, errors = validate(TemplateForm, {"template": values.get("template", "")})
    if data is None:
        errors = {"template": f"is longer than {org_settings.MAX_LENGTH:,} characters"}
        return _template_page(request, FormState(values, errors), default, 422)
    if values.get("preview") == "1" or values.get("restore") == "1":
        return _template_page(request, FormState(values), default, previewing=True)

    def work(session: Session, actor: Actor) -> None:
        org_settings.set_setting(session, actor, org_settings.REVIEW_TEMPLATE, data.template)

    await page.run(work)
    return redirect_with_notice("/admin/review-template", "The review template is saved.")


# ---- my account -------------------------------------------------------------------------


async def _account_page(
    request: Request,
    page: PageUnit,
    password_form: FormState | None = None,
    token_form: FormState | None = None,
    status_code: int = 200,
    profile_form: FormState | None = None,
) -> Response:
    secret = request.cookies.get(NEW_TOKEN_COOKIE) if request.method == "GET" else None

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        person = people.person_out(people.get_person(session, actor.person_id))
        tokens: Sequence[ApiToken] = people.list_tokens(session, actor)
        return {
            "person": person,
            "tokens": [_token_row(t) for t in reversed(tokens)],
            "created": _new_token(session, secret, actor.person_id),
        }

    data = await page.run(work)
    response = render(
        request,
        "account/index.html",
        {
            **data,
            "role_help": ROLE_HELP,
            "password_form": password_form or FormState(),
            "token_form": token_form or FormState(),
            "profile_form": profile_form
            or FormState({"profile_name": data["person"].name, "profile_email": data["person"].email}),
        },
        status_code=status_code,
        headers=NO_STORE,
    )
    return _shown_once(request, response, "/account")


@router.get("/account")
async def account(request: Request, page: PageWork) -> Response:
    return await _account_page(request, page)


class ProfileForm(InputModel):
    name: Name
    email: Email


@router.post("/account/profile")
async def account_profile(request: Request, page: PageWork) -> Response:
    """Everyone may change their own name and e-mail (role and teams are a practice owner's).

    The inputs are named profile_* because the token form on the same page has a "name"."""
    values = await read_form(request)
    shown = {f"profile_{k}": values.get(f"profile_{k}", "") for k in ("name", "email")}
    data, errors = validate(ProfileForm, {k.removeprefix("profile_"): v for k, v in shown.items()})

    def on_page(errs: dict[str, str]) -> FormState:
        return FormState(shown, {(k if k == FORM_ERROR else f"profile_{k}"): v for k, v in errs.items()})

    if data is None:
        errors = plain_words(
            errors, {"name": "enter your name", "email": "enter an e-mail address like kim@example.com"}
        )
        return await _account_page(request, page, profile_form=on_page(errors), status_code=422)

    def work(session: Session, actor: Actor) -> None:
        people.update_person(session, actor, actor.person_id, PersonUpdate(name=data.name, email=data.email))

    try:
        await page.run(work)
    except DomainError as exc:
        return await _account_page(
            request, page, profile_form=on_page(domain_errors(exc)), status_code=exc.status
        )
    return redirect_with_notice("/account", "Your profile is saved.")


@router.post("/account/password")
async def account_password(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    fields = ("current_password", "new_password", "confirm_password")
    data, errors = validate(PasswordChange, {k: values.get(k, "") for k in fields})
    errors = plain_words(
        errors,
        {"current_password": "enter your current password", "new_password": "use at least 8 characters"},
    ) | _password_errors(values, "new_password", "confirm_password")
    if data is None or errors:
        return await _account_page(request, page, password_form=FormState({}, errors), status_code=422)
    keep = request.cookies.get(SESSION_COOKIE)
    db = get_database(request)
    me = page.me.actor.person_id

    def check() -> tuple[str, str] | None:  # argon2, twice: in a thread, outside the unit of work
        with db.session(write=False) as session:
            stored = people.password_hash_of(session, me)
        if stored is None or not verify_password(stored, data.current_password):
            return None
        return stored, hash_password(data.new_password)

    checked = await anyio.to_thread.run_sync(check)
    if checked is None:
        errors = {"current_password": "is not your current password"}
        return await _account_page(request, page, password_form=FormState({}, errors), status_code=422)
    verified, hashed = checked

    def work(session: Session, actor: Actor) -> None:
        people.change_own_password(session, actor, verified, hashed, keep_secret=keep)

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
    data, errors = validate(TokenForm, cleaned(values))
    if data is None:
        errors = plain_words(
            errors, {"name": "give the token a name, e.g. the laptop or script that uses it"}
        )
        return await _account_page(request, page, token_form=FormState(values, errors), status_code=422)

    def work(session: Session, actor: Actor) -> str:
        token_in = TokenIn(name=data.name, expires_in_days=data.expires_in_days)
        return people.create_token(session, actor, token_in)[1]

    try:
        secret = await page.run(work)
    except DomainError as exc:
        return await _account_page(
            request, page, token_form=FormState(values, domain_errors(exc)), status_code=exc.status
        )
    return _hand_over(request, "/account", secret)


@router.post("/account/tokens/{token_id}/revoke")
async def account_token_revoke(request: Request, token_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        # Only your own tokens here, whatever your role: others' are revoked under /admin.
        found = next((t for t in people.list_tokens(session, actor) if t.id == token_id), None)
        if found is None:
            raise NotFound(detail=f"You have no token with id {token_id}.")
        people.revoke_token(session, actor, found.id)
        return f"The token '{found.name}' ({found.prefix}…) is revoked."

    return redirect_with_notice("/account", await page.run(work))
