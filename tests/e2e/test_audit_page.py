"""The audit trail page in a real browser: an owner changes a role, finds it, filters, and the
page fits a phone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from failwell.enums import Role
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

Shoot = Callable[[Page, str], Path]
PHONE = {"width": 390, "height": 844}


def _fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_owner_finds_a_role_change_in_the_audit_trail(
    sign_in_as: Callable[[Role], Page], org: Org, screenshot: Shoot
) -> None:
    page = sign_in_as(Role.practice_owner)
    page.goto(f"/admin/users/{org.actors[Role.viewer].person_id}")
    page.get_by_label("Practitioner", exact=True).check()
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_role("status")).to_be_visible()

    page.goto("/admin")
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Audit trail").click()
    expect(page.get_by_role("heading", name="Audit trail", level=1)).to_be_visible()
    page.get_by_label("Subject").select_option("person")
    page.get_by_label("Action").select_option("updated")
    page.get_by_role("button", name="Filter").click()
    row = page.get_by_role("row").filter(has_text="Viewer")
    expect(row).to_contain_text("viewer → practitioner")
    expect(row).to_contain_text(org.actors[Role.practice_owner].name)
    screenshot(page, "admin-audit")
    _fits_a_phone(page)
    screenshot(page, "admin-audit-phone")
