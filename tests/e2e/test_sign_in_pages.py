"""Signing in and out in a real browser."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from failwell.enums import Role
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY


def test_sign_in_with_the_form_then_sign_out(
    page: Page, org: Org, screenshot: Callable[[Page, str], Path]
) -> None:
    page.goto("/")
    assert "/sign-in?next=%2F" in page.url
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.get_by_label("E-mail").fill(org.emails[Role.practice_owner])
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_contain_text("do not match")
    expect(page.get_by_label("E-mail")).to_have_value(org.emails[Role.practice_owner])
    screenshot(page, "sign-in")
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    page.get_by_text("Practice Owner", exact=True).first.click()  # the account menu
    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    page.goto("/")
    assert "/sign-in" in page.url


def test_the_form_works_from_the_keyboard(page: Page, org: Org) -> None:
    page.goto("/sign-in")
    expect(page.get_by_label("E-mail")).to_be_focused()
    page.keyboard.type(org.emails[Role.practice_owner])
    page.keyboard.press("Tab")
    expect(page.get_by_label("Password")).to_be_focused()
    page.keyboard.type("correct horse battery")
    page.keyboard.press("Enter")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()


def test_practitioner_does_not_see_admin(sign_in_as: Callable[[Role], Page]) -> None:
    page = sign_in_as(Role.practitioner)
    page.goto("/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
