"""Single sign-on in a real browser, against a real OpenID Provider (npm's oidc-provider on
loopback): the button, the provider's login form, back signed in with the role the groups give,
signing out at both; and the mapping rules page."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Page, Route, expect

from failwell.authz import SYSTEM
from failwell.db import Database
from failwell.enums import Role
from failwell.people import service as people
from failwell.settings import Settings
from failwell.sso import service
from failwell.sso.oidc import forget_cached
from failwell.sso.schemas import ClaimRuleIn
from sso.peer import CLIENT_ID, CLIENT_SECRET, running_provider
from support import ON_SQLITE_ONLY, Org, free_port, serving

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

ACCOUNTS = {"ana": {"email": "ana@example.com", "name": "Ana Lima", "groups": ["sre-leads"]}}


@pytest.fixture
def live_url(db: Database, database_url: str, org: Org) -> Iterator[str]:
    """This module's server has single sign-on set up, and password sign-in off."""
    app_port = free_port()
    app_url = f"http://127.0.0.1:{app_port}"
    forget_cached()
    with running_provider(free_port(), app_url, ACCOUNTS) as issuer:
        settings = Settings(
            database_url=database_url,
            oidc_issuer=issuer,
            oidc_client_id=CLIENT_ID,
            oidc_client_secret=CLIENT_SECRET,
            oidc_scopes="openid email profile groups",
            oidc_provider_name="Test ID",
            password_sign_in=False,
            break_glass_emails=org.emails[Role.practice_owner],
        )
        with serving(database_url, db, settings, port=app_port) as url:
            yield url
    forget_cached()


@pytest.fixture
def offline(context: BrowserContext) -> None:
    # The provider's development pages import a web font; this machine has no way out.
    def refuse(route: Route) -> None:
        route.abort()

    context.route("https://**/*", refuse)


def test_sign_in_with_the_provider_and_out_again(
    page: Page, db: Database, org: Org, offline: None, screenshot: Callable[[Page, str], Path]
) -> None:
    with db.session() as s:
        service.create_rule(
            s,
            SYSTEM,
            ClaimRuleIn(claim="groups", value="sre-leads", role=Role.practice_manager, team=org.team),
        )
    page.goto("/failures")
    assert "/sign-in?next=%2Ffailures" in page.url
    expect(page.get_by_role("link", name="Sign in with Test ID")).to_be_visible()
    expect(page.get_by_text("Break-glass sign-in for practice owners")).to_be_visible()
    expect(page.get_by_label("E-mail")).to_be_hidden()  # folded away: password sign-in is off
    screenshot(page, "sign-in-sso")
    page.get_by_role("link", name="Sign in with Test ID").click()
    page.locator("input[name=login]").fill("ana")
    page.locator("input[name=password]").fill("any password")
    page.get_by_role("button", name="Sign-in").click()
    page.wait_for_url("**/failures")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_text("Ana Lima").first).to_be_visible()
    with db.session() as s:
        ana = people.person_by_email(s, "ana@example.com")
        assert (ana.role, [t.name for t in ana.teams]) == (Role.practice_manager, [org.team])
    page.get_by_text("Ana Lima", exact=True).first.click()  # the account menu
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("button", name="Yes, sign me out").click()  # at the provider
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    assert "/sign-in" in page.url


def test_practice_owners_edit_the_mapping_rules(
    sign_in_as: Callable[[Role], Page], org: Org, screenshot: Callable[[Page, str], Path]
) -> None:
    page = sign_in_as(Role.practice_owner)
    page.goto("/admin/sso")
    expect(page.get_by_role("heading", name="Single sign-on", level=1)).to_be_visible()
    expect(page.get_by_text("/sign-in/sso/callback")).to_be_visible()
    page.get_by_label("holds the value").fill("sre-leads")
    page.get_by_label("Role").select_option("practice_manager")
    page.get_by_label("Team").select_option(org.team)
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("Rule added.")).to_be_visible()
    expect(page.get_by_role("cell", name="sre-leads", exact=True)).to_be_visible()
    page.get_by_label("holds the value").fill("auditors")
    page.get_by_role("button", name="Add rule").click()
    expect(page.get_by_text("a rule gives a role, a team or both")).to_be_visible()
    screenshot(page, "admin-sso")
    page.get_by_role("button", name="Remove the rule for groups sre-leads").click()
    expect(page.get_by_text("No rules")).to_be_visible()
