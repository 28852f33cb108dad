"""Administration and account pages in a real browser."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from failwell.db import Database
from failwell.enums import Role
from failwell.people import service as people
from failwell.reviews.models import FactorCategory
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

Shoot = Callable[[Page, str], Path]
PHONE = {"width": 390, "height": 844}

# The elements wider than the viewport, if any: at phone width nothing may scroll sideways
# except inside a .table-wrap.
_OVERFLOW = """() => {
  const scrolled = e => e.parentElement && e.parentElement.closest('.table-wrap');
  const wide = e => !scrolled(e) && e.getBoundingClientRect().right > window.innerWidth + 1;
  return [...document.querySelectorAll('body *')]
    .filter(e => wide(e) && ![...e.children].some(wide))
    .map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right));
}"""


def _fits_a_phone(page: Page) -> None:
    page.set_viewport_size(PHONE)
    assert page.evaluate(_OVERFLOW) == []
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_an_owner_creates_a_user_and_a_token_and_edits_the_taxonomy(
    sign_in_as: Callable[[Role], Page], db: Database, screenshot: Shoot
) -> None:
    page = sign_in_as(Role.practice_owner)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", name="Administration", level=1)).to_be_visible()

    # A person, with a role and a team, from the keyboard-friendly form.
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Users and roles").click()
    page.get_by_role("link", name="Add a person").click()
    page.get_by_label(re.compile(r"^Name( \*)?$")).fill("Ada Lovelace")
    page.get_by_label("E-mail").fill("not an address")
    page.get_by_label("Practice manager").check()
    page.get_by_label("platform").check()
    page.get_by_label("Initial password (optional)").fill("analytical engine")
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct 1 field")
    expect(page.get_by_label(re.compile(r"^Name( \*)?$"))).to_have_value("Ada Lovelace")  # input kept
    expect(page.get_by_label("Practice manager")).to_be_checked()
    expect(page.get_by_label("Initial password (optional)")).to_have_value("")  # secrets are not
    page.get_by_label("E-mail").fill("ada@example.com")
    page.get_by_label("Initial password (optional)").fill("analytical engine")
    page.get_by_role("button", name="Add the person").click()
    expect(page.get_by_role("status")).to_contain_text("Ada Lovelace is added.")
    expect(page.get_by_text("Can sign in")).to_be_visible()
    with db.session() as s:
        ada = people.person_by_email(s, "ada@example.com")
        assert ada.role == Role.practice_manager and [t.name for t in ada.teams] == ["platform"]

    page.goto("/admin/users")
    page.get_by_label("Name or e-mail").fill("lovelace")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name="Ada Lovelace")).to_be_visible()
    expect(page.get_by_role("row")).to_have_count(2)  # the header and Ada
    page.goto("/admin/users")
    screenshot(page, "admin-users")
    _fits_a_phone(page)
    screenshot(page, "admin-users-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    # A token for Ada: shown once, then never again.
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="API tokens").click()
    page.get_by_label("Person's e-mail").fill("ada@example.com")
    page.get_by_label("Token name").fill("deploy pipeline")
    page.get_by_role("button", name="Create token").click()
    expect(page.get_by_text("It is shown only this once")).to_be_visible()
    secret = page.get_by_label("New API token").input_value()
    assert re.fullmatch(r"fw_[\w-]{40,}", secret)
    page.get_by_role("button", name="Copy").click()
    expect(page.locator("#copy-status")).to_have_text("Copied to the clipboard.")
    page.goto("/admin/tokens")
    expect(page.get_by_label("New API token")).to_have_count(0)
    assert secret not in page.content()
    row = page.get_by_role("row").filter(has_text="deploy pipeline")
    expect(row).to_contain_text(secret[:10])
    expect(row).to_contain_text("Active")
    row.get_by_role("button", name=re.compile("Revoke")).click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")
    expect(page.get_by_role("row").filter(has_text="deploy pipeline")).to_contain_text("Revoked")

    # The factor taxonomy: add, edit, retire, restore.
    page.get_by_role("navigation", name="Administration").get_by_role("link", name="Factor taxonomy").click()
    page.get_by_label(re.compile(r"^Name( \*)?$")).fill("Alert fatigue")
    page.get_by_label(re.compile(r"^Key( \*)?$")).fill("alert_fatigue")
    page.get_by_label("Description").fill("So many alerts that the real one was missed.")
    page.get_by_role("button", name="Add category").click()
    expect(page.get_by_role("status")).to_contain_text("'Alert fatigue' is added")
    page.get_by_role("link", name="Edit Alert fatigue").click()
    page.get_by_label(re.compile(r"^Name( \*)?$")).fill("Alerting noise")
    page.get_by_role("button", name="Save category").click()
    expect(page.get_by_role("status")).to_contain_text("'Alerting noise' is saved")
    page.get_by_role("button", name="Retire Alerting noise").click()
    expect(page.get_by_role("row").filter(has_text="Alerting noise")).to_contain_text("Retired")
    screenshot(page, "admin-factors")
    _fits_a_phone(page)
    screenshot(page, "admin-factors-phone")
    page.get_by_role("button", name="Restore Alerting noise").click()
    expect(page.get_by_role("row").filter(has_text="Alerting noise")).to_contain_text("In use")
    with db.session() as s:
        cat = s.scalar(select(FactorCategory).where(FactorCategory.key == "alert_fatigue"))
        assert cat is not None and cat.name == "Alerting noise" and cat.is_active


def test_severity_and_review_template(sign_in_as: Callable[[Role], Page]) -> None:
    page = sign_in_as(Role.practice_owner)
    page.goto("/admin/severity")
    page.get_by_label("Name of level 1").fill("")
    page.get_by_role("button", name="Save the scale").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct 1 field")
    page.get_by_label("Name of level 1").fill("Meltdown")
    page.get_by_label("What level 1 means").fill("Every partner and consumer is affected.")
    page.get_by_role("button", name="Save the scale").click()
    expect(page.get_by_role("status")).to_contain_text("The severity scale is saved")
    expect(page.get_by_label("Name of level 1")).to_have_value("Meltdown")

    page.goto("/admin/review-template")
    editor = page.get_by_label("Template (markdown)")
    editor.fill("## Our way\n\nTell the **story** <script>alert(1)</script>")
    preview = page.locator("#template-preview")
    expect(preview.get_by_role("heading", name="Our way")).to_be_visible()  # live, as typed
    expect(preview.locator("strong")).to_have_text("story")
    expect(preview.locator("script")).to_have_count(0)
    page.get_by_role("button", name="Save template").click()
    expect(page.get_by_role("status")).to_contain_text("The review template is saved")
    expect(page.get_by_label("Template (markdown)")).to_have_value(re.compile("## Our way"))


def test_my_account_password_and_tokens(
    sign_in_as: Callable[[Role], Page], org: Org, screenshot: Shoot
) -> None:
    page = sign_in_as(Role.practice_owner)
    page.goto("/account")
    expect(page.get_by_role("heading", name="My account")).to_be_visible()
    profile = page.get_by_role("region", name="Profile")
    expect(profile).to_contain_text(org.emails[Role.practice_owner])
    expect(profile).to_contain_text("Practice owner")
    expect(profile).to_contain_text("payments-team")

    # From the keyboard: type, Tab to the next field, Enter to send.
    page.get_by_label("Current password").focus()
    page.keyboard.type("not my password")
    page.keyboard.press("Tab")
    expect(page.get_by_label(re.compile(r"^New password( \*)?$"))).to_be_focused()
    page.keyboard.type("a brand new password")
    page.keyboard.press("Tab")
    expect(page.get_by_label("New password again")).to_be_focused()
    page.keyboard.type("a brand new password")
    page.keyboard.press("Enter")
    expect(page.get_by_text("is not your current password")).to_be_visible()
    expect(page.get_by_label("Current password")).to_have_value("")
    expect(page.get_by_label("Current password")).to_have_attribute("aria-invalid", "true")

    page.get_by_label("Token name").fill("laptop CLI")
    page.get_by_label("Expires after (days)").fill("90")
    page.get_by_role("button", name="Create token").click()
    secret = page.get_by_label("New API token").input_value()
    assert secret.startswith("fw_")
    screenshot(page, "account")
    _fits_a_phone(page)
    screenshot(page, "account-phone")
    page.reload()
    expect(page.get_by_label("New API token")).to_have_count(0)
    page.get_by_role("button", name="Revoke my token laptop CLI").click()
    expect(page.get_by_role("status")).to_contain_text("is revoked")

    page.get_by_label("Current password").fill("correct horse battery")
    page.get_by_label(re.compile(r"^New password( \*)?$")).fill("a brand new password")
    page.get_by_label("New password again").fill("a brand new password")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
