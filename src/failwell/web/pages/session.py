"""Sign-in, sign-out and the shared page plumbing routes (static files are mounted in app.py)."""

from __future__ import annotations

import hmac
import secrets
from datetime import timedelta

import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select

from failwell.db import Database
from failwell.demo.organisation import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD
from failwell.deps import get_database
from failwell.enums import Role
from failwell.people import throttle
from failwell.people.models import Person
from failwell.people.sign_in import authenticate_password, end_web_session, start_web_session
from failwell.settings import Settings
from failwell.web.auth import PRE_CSRF_COOKIE, SESSION_COOKIE, Me, signed_in_person
from failwell.web.forms.base import FORM_ERROR, FormState, read_form
from failwell.web.pages.sso import SSO_COOKIE, provider_sign_out_url
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)


def safe_next(target: str | None) -> str:
    """Only paths on this site: an open redirect would make the sign-in page a phishing aid."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/"
    return target


def _settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def _policy(settings: Settings) -> throttle.ThrottlePolicy:
    return throttle.ThrottlePolicy(
        per_account=settings.sign_in_attempts_per_account,
        per_address=settings.sign_in_attempts_per_address,
        window=timedelta(minutes=settings.sign_in_window_minutes),
    )


def _secure(request: Request) -> bool:
    return request.url.scheme == "https"


@router.get("/sign-in")
async def sign_in_form(request: Request, next: str = "/") -> Response:
    if await signed_in_person(request) is not None:
        return RedirectResponse(safe_next(next), status_code=303)
    return await _sign_in_page(request, FormState(values={"next": safe_next(next)}))


def _demo_login(db: Database) -> tuple[str, str] | None:
    """The demo organisation's published login, shown on the sign-in page only while it works."""
    with db.session() as session:
        has_password = session.scalar(
            select(Person.password_hash.is_not(None)).where(
                Person.email == DEMO_LOGIN_EMAIL, Person.is_active.is_(True)
            )
        )
    return (DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD) if has_password else None


async def _sign_in_page(request: Request, form: FormState, status_code: int = 200) -> Response:
    token = request.cookies.get(PRE_CSRF_COOKIE) or secrets.token_urlsafe(32)
    settings = _settings(request)
    demo = await anyio.to_thread.run_sync(_demo_login, get_database(request))
    response = render(
        request,
        "sign_in.html",
        {
            "form": form,
            "csrf_token": token,
            "demo": demo if settings.password_sign_in else None,
            "sso_name": settings.oidc_provider_name if settings.sso_enabled else None,
            "password_sign_in": settings.password_sign_in,
        },
        status_code=status_code,
    )
    response.set_cookie(
        PRE_CSRF_COOKIE, token, httponly=True, samesite="lax", secure=_secure(request), path="/sign-in"
    )
    return response


@router.post("/sign-in")
async def sign_in(request: Request) -> Response:
    values = await read_form(request)
    form = await request.form()
    sent = form.get("csrf_token")
    expected = request.cookies.get(PRE_CSRF_COOKIE, "")
    values.pop("password", None)  # never shown back
    if not isinstance(sent, str) or not expected or not hmac.compare_digest(sent, expected):
        return await _sign_in_page(
            request,
            FormState(values, {FORM_ERROR: "The form expired. Please sign in again."}),
            status_code=403,
        )
    email = str(form.get("email") or "").strip()
    password = str(form.get("password") or "")
    errors: dict[str, str] = {}
    if not email:
        errors["email"] = "Enter your e-mail address."
    if not password:
        errors["password"] = "Enter your password."
    if errors:
        return await _sign_in_page(request, FormState(values, errors), status_code=422)
    settings = _settings(request)
    break_glass_only = not settings.password_sign_in
    if break_glass_only and not settings.is_break_glass(email):
        return await _sign_in_page(
            request,
            FormState(values, {FORM_ERROR: "Password sign-in is turned off here. Use single sign-on."}),
            status_code=403,
        )
    db = get_database(request)
    days = settings.session_days
    policy = _policy(_settings(request))
    attempt = throttle.Attempt(email, request.client.host if request.client else None)

    def work() -> str | int | None:
        """The new session's secret; or seconds to wait when throttled; or None."""
        # Checked before the password, the same way for known and unknown e-mails.
        with db.session(write=False) as session:
            wait = throttle.retry_after(session, attempt, policy)
        if wait is not None:
            return wait
        with db.session(write=True) as session:
            person = authenticate_password(session, email, password)
            if person is not None and break_glass_only and person.role != Role.practice_owner:
                person = None  # break-glass is for practice owners only
            if person is None:
                throttle.record_failure(session, attempt, policy)
                return None
            throttle.record_success(session, attempt, policy)
            return start_web_session(session, person, days)[1]

    # argon2 takes tens of milliseconds on purpose: off the event loop.
    secret = await anyio.to_thread.run_sync(work)
    if isinstance(secret, int):
        minutes = max(1, -(-secret // 60))
        response = await _sign_in_page(
            request,
            FormState(
                values,
                {
                    FORM_ERROR: "Too many failed sign-ins for this account or from this network. "
                    f"Try again in {minutes} minute{'s' if minutes != 1 else ''}."
                },
            ),
            status_code=429,
        )
        response.headers["Retry-After"] = str(secret)
        return response
    if secret is None:
        return await _sign_in_page(
            request,
            FormState(values, {FORM_ERROR: "That e-mail and password do not match an active account."}),
            status_code=401,
        )
    response = RedirectResponse(safe_next(str(values.get("next") or "/")), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        secret,
        max_age=days * 86400,
        httponly=True,
        samesite="lax",
        secure=_secure(request),
        path="/",
    )
    response.delete_cookie(PRE_CSRF_COOKIE, path="/sign-in")
    return response


@router.post("/sign-out")
async def sign_out(request: Request, me: Me) -> Response:
    db = get_database(request)
    secret = request.cookies.get(SESSION_COOKIE, "")

    def work() -> None:
        with db.session(write=True) as session:
            end_web_session(session, secret)

    await anyio.to_thread.run_sync(work)
    # Signed in through the identity provider: sign out there too, which comes back to /sign-in.
    provider = await provider_sign_out_url(request)
    response = RedirectResponse(provider or "/sign-in", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(SSO_COOKIE, path="/")
    return response
