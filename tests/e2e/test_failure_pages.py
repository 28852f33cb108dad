"""Failures in a real browser: report (named and anonymous), the list, timeline, status, actions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize, expect

from failwell.db import Database
from failwell.enums import FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY); the list's filters
# run on both databases in tests/failures/test_pages.py.
pytestmark = ON_SQLITE_ONLY

Shoot = Callable[[Page, str], Path]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 860}


def make_failure(db: Database, org: Org, title: str, **fields: Any) -> int:
    data = FailureIn(title=title, services=[org.service], **{"kind": FailureKind.incident, **fields})
    with db.session(write=True) as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def at_phone_width(page: Page, screenshot: Shoot, name: str) -> None:
    """The same page at a phone's width, saved as <name>-phone."""
    page.set_viewport_size(PHONE)
    screenshot(page, f"{name}-phone")
    page.set_viewport_size(DESKTOP)


def test_report_a_failure_named_then_anonymously(
    sign_in_as: Callable[[Role], Page], screenshot: Shoot
) -> None:
    page = sign_in_as(Role.practitioner)
    page.goto("/failures/new")
    page.get_by_label("What happened?").fill("Card payments declined at checkout")
    page.get_by_role("combobox", name="Which service(s)?").fill("payments")  # the service picker
    page.get_by_role("combobox", name="Which service(s)?").press("Enter")
    page.get_by_label("Failed deployment").check()
    page.get_by_label("SEV2").check()
    screenshot(page, "report-failure")
    at_phone_width(page, screenshot, "report-failure")
    page.get_by_role("button", name="Report the failure").click()
    expect(page.get_by_role("status").first).to_contain_text("Thank you")
    expect(page.get_by_role("heading", name="Card payments declined at checkout")).to_be_visible()
    expect(page.get_by_text("by Practitioner")).to_be_visible()

    page.goto("/failures/new")
    page.get_by_label("What happened?").fill("I restarted the wrong cluster")
    page.get_by_role("radio", name=re.compile("^Near miss")).check()
    page.get_by_label("Report anonymously").check()
    page.get_by_role("button", name="Report the failure").click()
    expect(page.get_by_role("status").first).to_contain_text("anonymously")
    expect(page.get_by_text("Reported anonymously")).to_be_visible()


def test_bad_report_comes_back_with_the_input(sign_in_as: Callable[[Role], Page]) -> None:
    page = sign_in_as(Role.viewer)
    page.goto("/failures/new")
    page.get_by_text("More detail (optional)").click()
    page.get_by_label("Description").fill("Kept as typed")
    page.get_by_label("Linked change ids").fill("abc")
    page.get_by_role("button", name="Report the failure").click()
    expect(page.get_by_role("alert")).to_contain_text("Please correct 2 fields")
    expect(page.get_by_label("What happened?")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Description")).to_have_value("Kept as typed")


def test_failures_list_filters(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org, screenshot: Shoot
) -> None:
    start = datetime(2026, 11, 1, 8, tzinfo=UTC)
    titles = [
        ("Checkout latency over 5 s", FailureKind.incident, 2),
        ("Deploy 4.2 broke refunds", FailureKind.failed_deployment, 1),
        ("Expired certificate caught in staging", FailureKind.near_miss, 4),
        ("Webhook retries flooded partners", FailureKind.incident, 3),
        ("Config push disabled fraud checks", FailureKind.failed_deployment, 2),
    ]
    for i, (title, kind, severity) in enumerate(titles):
        make_failure(db, org, title, kind=kind, severity=severity, started_at=start + timedelta(hours=i))
    page = sign_in_as(Role.viewer)
    page.goto("/failures")
    expect(page.get_by_role("link", name="Deploy 4.2 broke refunds")).to_be_visible()
    # The search box shows its whole hint (it was cut to "Words in any orde" among the filters).
    hint_fits = page.get_by_label("Search").evaluate(
        """box => {
            const style = getComputedStyle(box);
            const pen = document.createElement('canvas').getContext('2d');
            pen.font = style.font;
            const room = box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
            return pen.measureText(box.placeholder).width <= room;
        }"""
    )
    assert hint_fits
    screenshot(page, "failures-list")
    at_phone_width(page, screenshot, "failures-list")
    page.get_by_label("Kind").select_option("failed_deployment")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Config push disabled fraud checks")).to_be_visible()
    expect(page.get_by_role("link", name="Checkout latency over 5 s")).to_have_count(0)
    page.get_by_role("link", name="Deploy 4.2 broke refunds").click()
    # A viewer reads; nothing to change.
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    expect(page.get_by_role("button", name="Mark resolved")).to_have_count(0)
    expect(page.get_by_role("button", name="Add to timeline")).to_have_count(0)


def test_timeline_status_and_actions_inline(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org, screenshot: Shoot
) -> None:
    failure_id = make_failure(
        db, org, "Checkout errors after pool change", severity=2,
        started_at=datetime.now(UTC) - timedelta(hours=3),
        description="Card payments failed with **HTTP 503** for about 40 minutes.",
        impact_partners="Web shops could not take card payments.",
    )  # fmt: skip
    page = sign_in_as(Role.practice_manager)
    page.goto(f"/failures/{failure_id}")
    page.evaluate("window.__still_here = true")
    timeline = page.locator("#timeline")
    timeline.get_by_label("Event kind").select_option("detection")
    timeline.get_by_label("What happened at that moment").fill("Error-rate alert fired")
    timeline.get_by_role("button", name="Add to timeline").click()
    expect(timeline.get_by_text("Error-rate alert fired")).to_be_visible()
    page.locator("#timeline").get_by_label("What happened at that moment").fill("Rolled back the pool change")
    page.locator("#timeline").get_by_role("button", name="Add to timeline").click()
    expect(page.locator("#timeline li")).to_have_count(2)
    assert page.evaluate("window.__still_here") is True  # appended without a reload

    actions = page.locator("#actions")
    actions.get_by_text("Add a corrective action").click()
    actions.get_by_label("What will be done").fill("Alert when the pool is 80% used")
    actions.get_by_label("Type").select_option("detect")
    actions.get_by_label("Owner team").select_option(org.team)
    actions.get_by_label("Due date").fill((datetime.now(UTC) + timedelta(days=14)).date().isoformat())
    actions.get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions").get_by_text("Alert when the pool is 80% used")).to_be_visible()
    page.locator("#actions").get_by_role("button", name="Add the action").wait_for(state="hidden")
    page.locator("#actions").get_by_text("Add a corrective action").click()
    page.locator("#actions").get_by_label("What will be done").fill("Load-test pool settings before release")
    page.locator("#actions").get_by_label("Type").select_option("prevent")
    page.locator("#actions").get_by_label("Owner team").select_option(org.team)
    page.locator("#actions").get_by_role("button", name="Add the action").click()
    expect(page.locator("#actions li")).to_have_count(2)
    page.get_by_role("button", name="Mark done: Alert when the pool is 80% used").click()
    expect(page.locator("#actions li").first.get_by_text("Done", exact=True)).to_be_visible()
    assert page.evaluate("window.__still_here") is True

    page.get_by_role("button", name="Mark mitigated").click()
    expect(page.get_by_role("status").first).to_contain_text("Marked mitigated")
    expect(page.locator(".fw-badges")).to_contain_text("Mitigated")
    screenshot(page, "failure-page")
    at_phone_width(page, screenshot, "failure-page")


def test_a_detection_event_sets_the_failure_detected_time(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    failure_id = make_failure(db, org, "Queue backed up", started_at=datetime.now(UTC) - timedelta(hours=2))
    page = sign_in_as(Role.practitioner)
    page.goto(f"/failures/{failure_id}")
    page.evaluate("window.__still_here = true")
    timeline = page.locator("#timeline")
    sets_time = timeline.get_by_label("Also set the failure's time from this event")
    detected = page.locator(".fw-facts dt:text-is('Detected') + dd")
    expect(detected).to_have_text("—")
    expect(sets_time).to_be_hidden()  # a note sets nothing
    timeline.get_by_label("Event kind").select_option("detection")
    expect(sets_time).to_be_visible()
    expect(sets_time).to_be_checked()  # the failure has no detected time yet
    timeline.get_by_label("What happened at that moment").fill("Queue-depth alert fired")
    timeline.get_by_role("button", name="Add to timeline").click()
    expect(timeline.get_by_text("Queue-depth alert fired")).to_be_visible()
    expect(detected).not_to_have_text("—")
    assert page.evaluate("window.__still_here") is True  # swapped in place, no reload

    timeline.get_by_label("Event kind").select_option("mitigation")
    expect(sets_time).to_be_checked()
    timeline.get_by_label("What happened at that moment").fill("Drained the queue")
    timeline.get_by_role("button", name="Add to timeline").click()
    expect(page.locator("#failure-badges")).to_contain_text("Mitigated")
    expect(page.get_by_role("button", name="Mark mitigated")).to_have_count(0)
    timeline.get_by_label("Event kind").select_option("detection")
    expect(sets_time).not_to_be_checked()  # detected is set now: not overwritten unless asked
