"""Ideas in a real browser: a viewer proposes one, another person supports it, and a practice
manager accepts it into a corrective action that credits the viewer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from failwell.db import Database
from failwell.enums import FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.ideas import service as ideas
from failwell.ideas.schemas import IdeaIn
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

FILTERS = ("Status", "Order", "Search")


def test_propose_support_and_accept_an_idea(
    sign_in_as: Callable[[Role], Page],
    db: Database,
    org: Org,
    screenshot: Callable[[Page, str], Path],
) -> None:
    data = FailureIn(title="Certificate expired", kind=FailureKind.incident, services=[org.service])
    with db.session(write=True) as s:
        failure_id = failures.report_failure(s, org.actors[Role.practice_owner], data).id

    page = sign_in_as(Role.viewer)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Ideas").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Ideas")
    page.get_by_role("link", name="Propose an idea").click()
    page.get_by_label("Your idea, in a line").fill("Warn 14 days before a certificate expires")
    page.get_by_label("What would change, and why").fill("The expiry date was known for a **year**.")
    page.get_by_label("Failures it is about (optional)").fill(str(failure_id))
    page.get_by_role("button", name="Propose the idea").click()
    expect(page.get_by_role("status")).to_contain_text("Your idea is proposed")
    expect(page.locator(".prose strong")).to_have_text("year")
    page.get_by_role("button", name="Support this idea").click()
    expect(page.get_by_text("1 person supports it, you among them")).to_be_visible()

    page = sign_in_as(Role.practitioner)
    page.goto("/ideas")
    page.get_by_role("link", name="Warn 14 days before a certificate expires").click()
    page.get_by_role("button", name="Support this idea").click()
    expect(page.get_by_text("2 people support it, you among them")).to_be_visible()
    page.get_by_label("Add a comment").fill("The same happened on the partner API.")
    page.get_by_role("button", name="Comment").click()
    expect(page.locator("#comments .prose")).to_contain_text("partner API")
    screenshot(page, "idea")

    page = sign_in_as(Role.practice_manager)
    page.goto("/ideas")
    expect(page.get_by_role("cell", name="2", exact=True)).to_be_visible()  # supporters
    screenshot(page, "ideas")
    page.get_by_role("link", name="Warn 14 days before a certificate expires").click()
    page.get_by_text("Accept it as a corrective action").click()
    page.get_by_role("button", name="Accept as an action").click()
    expect(page.get_by_role("status")).to_contain_text("Accepted: it is now corrective action")
    page.get_by_role("link", name="Warn 14 days before a certificate expires").last.click()
    expect(page.locator("#actions")).to_contain_text("Proposed by Viewer")


def test_the_list_filters_line_up(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org, screenshot: Callable[[Page, str], Path]
) -> None:
    with db.session(write=True) as s:
        ideas.propose_idea(s, org.actors[Role.viewer], IdeaIn(title="Run a failover game day each quarter"))
    page = sign_in_as(Role.viewer)
    page.goto("/ideas")
    expect(page.get_by_role("link", name="Run a failover game day each quarter")).to_be_visible()
    # Each filter's label and box at one height, the search box's as the drop-downs'.
    boxes = {name: page.get_by_label(name, exact=True).bounding_box() for name in FILTERS}
    labels = {name: page.locator("label", has_text=name).bounding_box() for name in FILTERS}
    for found in (boxes, labels):
        assert None not in found.values(), found
        assert len({round(box["y"]) for box in found.values() if box is not None}) == 1, found
    assert len({round(box["height"]) for box in boxes.values() if box is not None}) == 1, boxes
    # (At desktop width the page is taken in the test above, with support and comments.)
    page.set_viewport_size({"width": 390, "height": 844})
    expect(page.get_by_label("Search", exact=True)).to_be_visible()
    screenshot(page, "ideas-phone")
