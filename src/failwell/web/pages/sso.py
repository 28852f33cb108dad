"""Single sign-on pages: leaving for the identity provider, coming back from it, and the
administration of the claim mapping rules (/admin/sso).

The callback checks three things before any token is asked for: the provider sent no error, the
state matches the one this browser was given (a cookie, so nobody can make another browser finish
their sign-in), and a pending sign-in with that state is in the database (any app process may
have started it)."""

from __future__ import annotations

import hmac
from typing import Any

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.deps import get_database
from failwell.enums import Role
from failwell.errors import DomainError
from failwell.people.models import Team
from failwell.people.sign_in import start_web_session
from failwell.settings import Settings
from failwell.sso import service
from failwell.sso.api import CALLBACK_PATH, POST_LOGOUT_PATH, sso_status
from failwell.sso.oidc import OidcClient, SsoError
from failwell.sso.schemas import ClaimRuleIn
from failwell.web.auth import SESSION_COOKIE
from failwell.web.forms.base import FormState, cleaned, domain_errors, read_form, validate
from failwell.web.pages.admin import OwnerWork
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

STATE_COOKIE = "fw_sso_state"
# Marks a browser signed in through the provider, so signing out also signs out there.
SSO_COOKIE = "fw_sso"


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def oidc_client(settings: Settings) -> OidcClient:
    return OidcClient(
        settings.oidc_issuer, settings.oidc_client_id, settings.oidc_client_secret, settings.oidc_scopes
    )


def _safe_next(target: str | None) -> str:
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _absolute(request: Request, path: str) -> str:
    return str(request.base_url).rstrip("/") + path


def _failed(request: Request, message: str, status_code: int = 400) -> Response:
    response = render(
        request,
        "sso/error.html",
        {"title": "Sign-in did not finish", "detail": message},
        status_code=status_code,
    )
    response.delete_cookie(STATE_COOKIE, path="/sign-in/sso")
    return response


@router.get("/sign-in/sso")
async def start_sign_in(request: Request, next: str = "/") -> Response:
    settings = _settings(request)
    if not settings.sso_enabled:
        return _failed(request, "Single sign-on is not set up on this failwell.", status_code=404)
    client = oidc_client(settings)
    db = get_database(request)
    return_to = _safe_next(next)
    redirect_uri = _absolute(request, CALLBACK_PATH)

    def work() -> tuple[str, str]:
        auth = client.authorization_request(redirect_uri)
        with db.session(write=True) as session:
            service.start_pending(session, auth.state, auth.nonce, auth.code_verifier, return_to)
        return auth.state, auth.url

    try:
        state, url = await anyio.to_thread.run_sync(work)
    except SsoError as exc:
        return _failed(request, exc.message, status_code=502)
    response = RedirectResponse(url, status_code=303)
    response.set_cookie(
        STATE_COOKIE,
        state,
        max_age=service.PENDING_MINUTES * 60,
        httponly=True,
        samesite="lax",  # sent on the provider's top-level redirect back here
        secure=request.url.scheme == "https",
        path="/sign-in/sso",
    )
    return response


@router.get(CALLBACK_PATH)
async def finish_sign_in(
    request: Request,
    state: str = "",
    code: str = "",
    error: str = "",
    error_description: str = "",
) -> Response:
    settings = _settings(request)
    if not settings.sso_enabled:
        return _failed(request, "Single sign-on is not set up on this failwell.", status_code=404)
    if error:
        said = error_description or error
        return _failed(request, f"The sign-in service did not sign you in: {said[:300]}")
    expected = request.cookies.get(STATE_COOKIE, "")
    if not state or not expected or not hmac.compare_digest(state, expected):
        return _failed(
            request,
            "This sign-in was not started in this browser, or its link has expired. Please sign in again.",
        )
    if not code:
        return _failed(request, "The sign-in service sent no authorisation code.")
    client = oidc_client(settings)
    db = get_database(request)
    redirect_uri = _absolute(request, CALLBACK_PATH)
    policy = service.AccountPolicy(
        issuer=settings.oidc_issuer,
        default_role=settings.oidc_default_role,
        trust_unverified_email=settings.oidc_trust_unverified_email,
    )

    def work() -> tuple[str, str]:
        with db.session(write=True) as session:
            pending = service.take_pending(session, state)  # used up even if what follows fails
        tokens = client.exchange_code(code, redirect_uri, pending.code_verifier)
        claims = client.validate_id_token(str(tokens["id_token"]), pending.nonce)
        with db.session(write=True) as session:
            person = service.sign_in_from_claims(session, claims, policy)
            return start_web_session(session, person, settings.session_days)[1], pending.return_to

    try:
        secret, return_to = await anyio.to_thread.run_sync(work)
    except SsoError as exc:
        return _failed(request, exc.message)
    secure = request.url.scheme == "https"
    response = RedirectResponse(_safe_next(return_to), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=settings.session_days * 86400,
        httponly=True,
        samesite="lax",
        secure=secure,
    )
    response.set_cookie(
        SSO_COOKIE, "1", max_age=settings.session_days * 86400, httponly=True, samesite="lax", secure=secure
    )
    response.delete_cookie(STATE_COOKIE, path="/sign-in/sso")
    return response


async def provider_sign_out_url(request: Request) -> str | None:
    """Where signing out continues, at the provider, for a browser that signed in through it."""
    settings = _settings(request)
    if not settings.sso_enabled or not request.cookies.get(SSO_COOKIE):
        return None
    client = oidc_client(settings)
    back = _absolute(request, POST_LOGOUT_PATH)
    return await anyio.to_thread.run_sync(lambda: client.end_session_url(back))


# ---- administration ------------------------------------------------------------------------


def _admin_context(session: Session, actor: Actor, settings: Settings, base: str) -> dict[str, Any]:
    require(actor, Role.practice_owner, "Administering single sign-on")
    return {
        "status": sso_status(settings, base),
        "rules": service.list_rules(session, actor),
        "teams": [(n, n) for n in session.scalars(select(Team.name).order_by(Team.name))],
        "roles": [(r.value, r.value.replace("_", " ").capitalize()) for r in reversed(list(Role))],
    }


@router.get("/admin/sso")
async def sso_admin(request: Request, page: OwnerWork) -> Response:
    settings, base = _settings(request), str(request.base_url)
    context = await page.run(lambda s, a: _admin_context(s, a, settings, base))
    return render(request, "sso/admin.html", {**context, "form": FormState()})


@router.post("/admin/sso/rules")
async def add_rule(request: Request, page: OwnerWork) -> Response:
    values = await read_form(request)
    data, errors = validate(ClaimRuleIn, {k: v for k, v in cleaned(values).items() if v not in ("", None)})
    if data is not None:
        try:
            await page.run(lambda s, a: service.create_rule(s, a, data))
            return redirect_with_notice("/admin/sso", "Rule added.")
        except DomainError as exc:
            errors = domain_errors(exc)
    settings, base = _settings(request), str(request.base_url)
    context = await page.run(lambda s, a: _admin_context(s, a, settings, base))
    return render(request, "sso/admin.html", {**context, "form": FormState(values, errors)}, status_code=422)


@router.post("/admin/sso/rules/{rule_id}/delete")
async def delete_rule(rule_id: int, page: OwnerWork) -> Response:
    await page.run(lambda s, a: service.delete_rule(s, a, rule_id))
    return redirect_with_notice("/admin/sso", "Rule removed.")
