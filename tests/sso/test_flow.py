"""The whole sign-in against a real OpenID Provider (npm's oidc-provider on loopback), driven over
HTTP the way a browser would: failwell → provider's login form → failwell's callback → signed in;
then signing out at both. Also the pages' refusals, and password sign-in turned off."""

from __future__ import annotations

import re
from collections.abc import Iterator

import httpx
import pytest

from failwell.authz import SYSTEM
from failwell.db import Database
from failwell.enums import Role
from failwell.people import service as people
from failwell.settings import Settings
from failwell.sso import service
from failwell.sso.oidc import forget_cached
from failwell.sso.schemas import ClaimRuleIn
from sso.peer import CLIENT_ID, CLIENT_SECRET, running_provider
from support import Org, free_port, serving

ACCOUNTS = {
    "ana": {"email": "ana@example.com", "name": "Ana Lima", "groups": ["sre", "sre-leads"]},
}


def sso_settings(database_url: str, issuer: str, **more: object) -> Settings:
    return Settings(
        database_url=database_url,
        oidc_issuer=issuer,
        oidc_client_id=CLIENT_ID,
        oidc_client_secret=CLIENT_SECRET,
        oidc_scopes="openid email profile groups",
        oidc_provider_name="Test ID",
        **more,  # type: ignore[arg-type]
    )


@pytest.fixture
def app_and_provider(db: Database, database_url: str) -> Iterator[tuple[str, str]]:
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    forget_cached()
    with (
        running_provider(free_port(), app_url, ACCOUNTS) as issuer,
        serving(database_url, db, sso_settings(database_url, issuer), port=app_port) as url,
    ):
        yield url, issuer
    forget_cached()


def sign_in_at_provider(
    browser: httpx.Client, app_url: str, login: str, next_path: str = "/"
) -> httpx.Response:
    """Follows the flow up to failwell's callback answer; returns that answer."""
    response = browser.get(f"{app_url}/sign-in/sso", params={"next": next_path})
    assert response.status_code == 303, response.text
    while True:  # the provider's redirects, up to its login form
        response = browser.get(str(response.url.join(response.headers["location"])))
        if response.status_code == 200:
            break
        assert response.status_code in (302, 303), response.text
    action = re.search(r'<form[^>]*action="([^"]+)"', response.text)
    assert action is not None, response.text
    response = browser.post(
        str(response.url.join(action.group(1))),
        data={"prompt": "login", "login": login, "password": "anything"},
    )
    while not str(response.headers.get("location", "")).startswith(f"{app_url}/sign-in/sso/callback"):
        assert response.status_code in (302, 303), response.text
        response = browser.get(str(response.url.join(response.headers["location"])))
    return browser.get(response.headers["location"])


def test_sign_in_makes_the_account_from_claims_then_signs_out_at_both(
    app_and_provider: tuple[str, str], db: Database, org: Org
) -> None:
    app_url, issuer = app_and_provider
    with db.session() as s:
        service.create_rule(
            s, SYSTEM, ClaimRuleIn(claim="groups", value="sre", role=Role.practitioner, team=org.team)
        )
        service.create_rule(
            s, SYSTEM, ClaimRuleIn(claim="groups", value="sre-leads", role=Role.practice_manager)
        )
    with httpx.Client(timeout=20) as browser:
        page = browser.get(f"{app_url}/sign-in")
        assert "Sign in with Test ID" in page.text
        landed = sign_in_at_provider(browser, app_url, "ana", next_path="/failures")
        assert landed.status_code == 303, landed.text
        assert landed.headers["location"] == "/failures"
        assert browser.get(f"{app_url}/failures").status_code == 200
        with db.session() as s:
            ana = people.person_by_email(s, "ana@example.com")
            assert (ana.name, ana.role, [t.name for t in ana.teams]) == (
                "Ana Lima",
                Role.practice_manager,
                [org.team],
            )
        # Signing out ends failwell's session and continues at the provider's end-session page.
        home = browser.get(f"{app_url}/")
        csrf = re.search(r'"X-CSRF-Token": "([^"]+)"', home.text)
        assert csrf is not None
        out = browser.post(f"{app_url}/sign-out", data={"csrf_token": csrf.group(1)})
        assert out.status_code == 303
        assert out.headers["location"].startswith(f"{issuer}/session/end?")
        assert "post_logout_redirect_uri=" in out.headers["location"]
        assert browser.get(f"{app_url}/").status_code == 303  # signed out here


def test_a_callback_from_another_browser_or_replayed_is_refused(
    app_and_provider: tuple[str, str], org: Org
) -> None:
    app_url, _ = app_and_provider
    with httpx.Client(timeout=20) as browser:
        started = browser.get(f"{app_url}/sign-in/sso")
        state = httpx.URL(started.headers["location"]).params["state"]
    with httpx.Client(timeout=20) as stranger:
        refused = stranger.get(f"{app_url}/sign-in/sso/callback", params={"state": state, "code": "x"})
        assert refused.status_code == 400
        assert "not started in this browser" in refused.text
    with httpx.Client(timeout=20) as browser:
        said = browser.get(
            f"{app_url}/sign-in/sso/callback",
            params={"error": "access_denied", "error_description": "No entry"},
        )
        assert said.status_code == 400
        assert "did not sign you in: No entry" in said.text


def test_password_sign_in_off_leaves_only_break_glass_owners(
    db: Database, database_url: str, org: Org
) -> None:
    settings = sso_settings(
        database_url,
        "http://127.0.0.1:9",
        password_sign_in=False,
        break_glass_emails=f"{org.emails[Role.practice_owner]}, {org.emails[Role.practitioner]}",
    )
    with db.session() as s:
        person = people.person_by_email(s, org.emails[Role.practitioner])
        person.password_hash = people.person_by_email(s, org.emails[Role.practice_owner]).password_hash
    with serving(database_url, db, settings) as url, httpx.Client(timeout=20) as browser:
        page = browser.get(f"{url}/sign-in")
        assert "Break-glass sign-in" in page.text
        token = browser.cookies["fw_pre_csrf"]

        def attempt(email: str) -> httpx.Response:
            form = {"csrf_token": token, "email": email, "password": "correct horse battery", "next": "/"}
            return browser.post(f"{url}/sign-in", data=form)

        assert attempt(org.emails[Role.practice_manager]).status_code == 403  # not break-glass
        assert attempt(org.emails[Role.practitioner]).status_code == 401  # break-glass, not an owner
        assert attempt(org.emails[Role.practice_owner]).status_code == 303
