"""The integrations admin pages in a real browser: made from the page, its options form, and
rows of buttons and filter links that read as rows."""

from __future__ import annotations

import re
from collections.abc import Callable
from itertools import pairwise
from pathlib import Path

import httpx
from playwright.sync_api import Locator, Page, expect

from failwell.enums import Role
from support import ON_SQLITE_ONLY

pytestmark = ON_SQLITE_ONLY  # layout, as the other browser tests

Shoot = Callable[[Page, str], Path]


def one_line_of_natural_width(items: Locator) -> None:
    """The items sit side by side, close together, none stretched beyond its own text and
    padding (a grid meant for form fields once spread them over the page and stretched some)."""
    boxes = items.evaluate_all(
        """els => els.map(e => {
            const text = document.createRange();
            text.selectNodeContents(e);
            const box = e.getBoundingClientRect();
            return {top: Math.round(box.top), left: box.left, right: box.right,
                    spare: box.width - text.getBoundingClientRect().width};
        })"""
    )
    assert len(boxes) > 1
    assert len({b["top"] for b in boxes}) == 1, boxes
    assert all(b["spare"] <= 40 for b in boxes), boxes  # a button's padding and border at most
    gaps = [after["left"] - before["right"] for before, after in pairwise(boxes)]
    assert all(0 <= gap <= 32 for gap in gaps), boxes


def test_an_owner_sets_up_an_integration_and_reads_its_deliveries(
    sign_in_as: Callable[[Role], Page], live_url: str, screenshot: Shoot
) -> None:
    page = sign_in_as(Role.practice_owner)
    page.goto("/admin/integrations")
    page.get_by_label(re.compile(r"^Name")).fill("ci")
    page.get_by_label(re.compile(r"^Kind")).select_option(label="Any CI (generic JSON)")
    page.get_by_role("button", name="Add integration").click()
    shown = page.get_by_role("status").locator("code")
    hook, secret = shown.first.inner_text(), shown.last.inner_text()
    assert hook.startswith(live_url) and secret.startswith("fwh_")
    page.get_by_role("link", name="ci", exact=True).click()

    names = ("Switch off", "Make a new secret", "Remove", "Deliveries")
    buttons = page.locator(", ".join(f"main :is(button, a.button):text-is('{n}')" for n in names))
    expect(buttons).to_have_text(["Switch off", "Make a new secret", "Remove", "Deliveries"])
    one_line_of_natural_width(buttons)

    # The options form: every field labelled, saved as entered.
    page.get_by_label("Default environment").fill("prod")
    page.get_by_label("Severity of the failures it opens").fill("2")
    page.get_by_label("Deploying workflows, jobs or pipelines").fill("deploy*, release.yml")
    page.get_by_label("A failed production deployment opens a failure").uncheck()
    page.get_by_role("button", name="Save options").click()
    expect(page.get_by_role("status")).to_contain_text("Options saved")
    expect(page.get_by_label("Default environment")).to_have_value("prod")
    expect(page.get_by_label("Severity of the failures it opens")).to_have_value("2")
    expect(page.get_by_label("Deploying workflows, jobs or pipelines")).to_have_value("deploy*, release.yml")
    expect(page.get_by_label("A failed production deployment opens a failure")).not_to_be_checked()

    # A rule whose field and pattern are long enough to squeeze the table's columns.
    page.get_by_label(re.compile(r"^When")).fill("label:cluster")
    page.get_by_label(re.compile(r"^matches")).fill("prod-eu-*-kubernetes-workloads-*")
    page.get_by_label("Environment", exact=True).fill("production")
    page.get_by_role("button", name="Add rule").click()
    when = page.locator("tbody code", has_text="label:cluster")
    expect(when).to_have_count(1)
    # Its field reads whole: code may otherwise break anywhere ("label:clust" / "er").
    assert when.evaluate("e => e.getClientRects().length") == 1
    screenshot(page, "integration")

    sent = httpx.post(
        hook,
        json={"service": "payments", "version": "1.2.3", "outcome": "succeeded"},
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert sent.status_code == 200, sent.text
    page.get_by_role("link", name="Deliveries", exact=True).last.click()
    verdicts = page.get_by_role("navigation", name="Filter by verdict").get_by_role("link")
    expect(verdicts.first).to_have_text("All")
    one_line_of_natural_width(verdicts)
    expect(page.locator("tbody tr")).to_have_count(1)
    expect(page.locator("tbody")).to_contain_text("recorded deployment")
