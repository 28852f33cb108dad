"""Browsing in a real browser, on the demo organisation: home, the actions board (closing an
action inline), a service page and the library of lessons; screenshots at desktop and phone width."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from failwell.demo.organisation import DEMO_LOGIN_EMAIL
from support import ON_SQLITE_ONLY

PHONE = {"width": 390, "height": 844}
Shoot = Callable[[Page, str], Path]
# Each test's database is a copy of one loaded with the demo organisation (today's), as
# load_demo(db) would have filled it: loaded once per backend, not once per test.
pytestmark = pytest.mark.demo_organisation
# Browser behaviour and layout on SQLite only (see support.ON_SQLITE_ONLY), but the library's
# search, whose engine differs between the databases, on both. demo_as: tests/e2e/conftest.py.


PRACTITIONER = "sam.whitfield@demo.failwell.dev"  # in the payments team
VIEWER = "claire.dubois@demo.failwell.dev"


@ON_SQLITE_ONLY
def test_home_shows_what_needs_attention(demo_as: Callable[[str], Page], screenshot: Shoot) -> None:
    page = demo_as(PRACTITIONER)
    page.goto("/")
    expect(page.get_by_role("heading", name="What needs attention")).to_be_visible()
    for name in ("Open failures", "Reviews waiting", "Overdue corrective actions", "Latest lessons"):
        expect(page.get_by_role("heading", name=name)).to_be_visible()
    expect(page.get_by_text("Your team").first).to_be_visible()
    chart = page.get_by_role("img", name="Failures per month by kind")
    expect(chart).to_be_visible()
    page.wait_for_function("() => document.querySelector('canvas[data-chart]')?.dataset.drawn === '1'")
    screenshot(page, "home")
    page.get_by_text("Show the numbers").click()
    expect(page.get_by_role("table", name="Failures per month by kind, last 12 months")).to_be_visible()
    page.set_viewport_size(PHONE)
    screenshot(page, "home-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@ON_SQLITE_ONLY
def test_close_an_action_inline(demo_as: Callable[[str], Page], screenshot: Shoot) -> None:
    page = demo_as(PRACTITIONER)
    page.goto("/actions")
    expect(page.get_by_role("heading", name="Corrective actions")).to_be_visible()
    # The sidebar's counts show every column at desktop width, none hidden behind a scroll.
    counts = page.get_by_role("complementary", name="Open work by team").locator(".table-wrap")
    assert counts.evaluate("wrap => wrap.scrollWidth <= wrap.clientWidth")
    first = page.locator("li.action-item").first
    item_id = first.get_attribute("id")
    title = first.locator(".action-title").inner_text()
    screenshot(page, "actions")
    first.get_by_role("button", name=f"Mark done: {title}").click()
    item = page.locator(f"#{item_id}")
    expect(item.get_by_role("status")).to_contain_text("is now done")
    expect(item.get_by_role("status")).to_be_focused()  # keyboard users keep their place
    expect(item.get_by_text("Done", exact=True)).to_be_visible()
    expect(item.get_by_role("button", name=f"Reopen: {title}")).to_be_visible()
    # Won't do needs a reason: the browser asks for it before anything is sent.
    other = page.locator("li.action-item").nth(1)
    other.get_by_text("Won't do…").click()
    other.get_by_label("Why won't it be done?").fill("Superseded by the platform-wide retry budget.")
    other.get_by_role("button", name="Mark won't do").click()
    expect(other.get_by_role("status")).to_contain_text("is now won't do")
    page.set_viewport_size(PHONE)
    page.reload()
    screenshot(page, "actions-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


@ON_SQLITE_ONLY
def test_viewer_cannot_change_actions(demo_as: Callable[[str], Page]) -> None:
    page = demo_as(DEMO_LOGIN_EMAIL)
    page.goto("/actions")
    expect(page.get_by_role("button", name="Mark done").first).to_be_visible()  # an owner can
    page = demo_as(VIEWER)
    page.goto("/actions")
    expect(page.locator("li.action-item").first).to_be_visible()
    expect(page.get_by_role("button", name="Mark done")).to_have_count(0)


@ON_SQLITE_ONLY
def test_service_page(demo_as: Callable[[str], Page], screenshot: Shoot) -> None:
    page = demo_as(DEMO_LOGIN_EMAIL)
    page.goto("/services")
    expect(page.get_by_role("heading", name="Services")).to_be_visible()
    page.get_by_role("link", name="checkout-api").click()
    expect(page.get_by_role("heading", name="checkout-api", level=1)).to_be_visible()
    for name in ("Recent failures", "Open corrective actions", "Recent deployments", "Lessons"):
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
    page.wait_for_function("() => document.querySelector('canvas[data-chart]')?.dataset.drawn === '1'")
    screenshot(page, "service-page")
    # A small laptop's width: the sidebar's figures and their bands fit (a band once stuck out).
    page.set_viewport_size({"width": 1024, "height": 860})
    assert page.evaluate("document.documentElement.scrollWidth") <= 1024
    page.set_viewport_size(PHONE)
    screenshot(page, "service-page-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


def test_search_the_library(demo_as: Callable[[str], Page], screenshot: Shoot) -> None:
    page = demo_as(DEMO_LOGIN_EMAIL)
    page.goto("/lessons")
    expect(page.get_by_role("heading", name="Library of lessons")).to_be_visible()
    page.get_by_label("Search lessons").fill("retries")
    page.get_by_label("Search lessons").press("Enter")
    assert "/lessons?q=retries" in page.url
    results = page.locator("li.lesson")
    expect(results.first).to_be_visible()
    assert "retries" in results.first.inner_text().lower()
    screenshot(page, "lessons")
    results.first.get_by_role("heading").get_by_role("link").click()
    assert "/failures/" in page.url
    page.go_back()
    page.set_viewport_size(PHONE)
    screenshot(page, "lessons-phone")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
