"""Recurrence in a real browser: "Has this happened before?" on the failure page and while
reporting, and the problem pages (create, occurrences chart, known errors)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from failwell.actions import service as actions
from failwell.actions.schemas import ActionIn
from failwell.db import Database
from failwell.enums import ActionPriority, ActionType, FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.recurrence import confidence, problems
from failwell.recurrence.schemas import ProblemIn
from support import Org

Shoot = Callable[[Page, str], Path]
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 860}


def make_failure(db: Database, org: Org, title: str, **fields: Any) -> int:
    data = FailureIn(title=title, services=[org.service], **{"kind": FailureKind.incident, **fields})
    with db.session() as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def done_fix(db: Database, org: Org, failure_id: int, title: str) -> None:
    owner = org.actors[Role.practice_owner]
    with db.session() as s:
        action = actions.create_action(
            s,
            owner,
            ActionIn(
                failure_id=failure_id,
                title=title,
                action_type=ActionType.prevent,
                owner_team=org.team,
                priority=ActionPriority.high,
            ),
        )
        actions.complete_action(s, owner, action.id)


def test_failure_page_says_loudly_that_the_fix_did_not_hold(
    sign_in_as: Callable[[Role], Page],
    db: Database,
    org: Org,
    screenshot: Shoot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A match this close, alone in the history, is confident enough to be loud at once
    # (tests/recurrence/test_pages.py); here its confidence is put out of reach, to show the
    # "possibly related" wording and how a person's link makes it loud.
    monkeypatch.setattr(confidence, "STRONG_CONFIDENCE", 1.01)
    earlier = make_failure(
        db,
        org,
        "Card payments time out: connection pool exhausted",
        started_at=datetime.now(UTC) - timedelta(days=40),
    )
    done_fix(db, org, earlier, "Raise the pool size to 50")
    now = make_failure(db, org, "Payments time out again, pool exhausted")
    page = sign_in_as(Role.practitioner)
    page.goto(f"/failures/{now}")
    panel = page.locator("#fw-similar-panel")
    # Not confident enough (see above): only possibly related at first.
    expect(panel.get_by_role("status")).to_contain_text("Possibly related")
    expect(panel.get_by_role("alert")).to_have_count(0)
    expect(
        panel.get_by_role("link", name="Card payments time out: connection pool exhausted")
    ).to_be_visible()
    expect(panel.get_by_text("Raise the pool size to 50")).to_be_visible()
    screenshot(page, "similar-panel")
    panel.get_by_role(
        "button", name=f"Record as a recurrence of failure {earlier}: Card payments time out"
    ).click()
    expect(panel.get_by_text("Linked as an earlier occurrence")).to_be_visible()
    # Recorded by a person: now it is said loudly.
    expect(panel.get_by_role("alert")).to_contain_text("the fix did not hold")
    # The clicked button is gone: keyboard focus lands on the message, not on <body>.
    expect(panel.get_by_role("status")).to_have_text(f"Linked to failure {earlier}.")
    expect(panel.get_by_role("status")).to_be_focused()


def test_add_to_the_suggested_problem_keeps_keyboard_focus(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    days_ago = datetime.now(UTC) - timedelta(days=60)
    first = make_failure(db, org, "Checkout connection pool exhausted at peak", started_at=days_ago)
    second = make_failure(
        db, org, "Checkout connection pool exhausted again", started_at=days_ago + timedelta(days=30)
    )
    with db.session() as s:
        problem = problems.create_problem(
            s,
            org.actors[Role.practice_owner],
            ProblemIn(title="Checkout pool runs dry under load", failure_ids=[first, second]),
        ).id
    now = make_failure(db, org, "Checkout connection pool exhausted during the sale")
    page = sign_in_as(Role.practitioner)
    page.goto(f"/failures/{now}")
    panel = page.locator("#fw-similar-panel")
    panel.get_by_role("button", name=f"Add it to problem #{problem}").click()
    status = page.locator("#fw-similar-panel").get_by_role("status")
    expect(status).to_have_text(f"Added to problem {problem}.")
    expect(status).to_be_focused()


def test_report_form_suggests_earlier_failures_while_typing(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org, screenshot: Shoot
) -> None:
    make_failure(db, org, "TLS certificate expired on the partner gateway")
    page = sign_in_as(Role.viewer)
    page.goto("/failures/new")
    page.get_by_label("What happened?").press_sequentially("certificate expired", delay=20)
    suggestions = page.locator("#similar-suggestions")
    expect(suggestions.get_by_role("heading", name="Has this happened before?")).to_be_visible()
    expect(
        suggestions.get_by_role("link", name="TLS certificate expired on the partner gateway")
    ).to_be_visible()
    screenshot(page, "report-suggestions")


def test_problem_pages(sign_in_as: Callable[[Role], Page], db: Database, org: Org, screenshot: Shoot) -> None:
    first = make_failure(db, org, "Kafka consumers lag", started_at=datetime.now(UTC) - timedelta(days=95))
    second = make_failure(
        db, org, "Kafka consumers lag again", started_at=datetime.now(UTC) - timedelta(days=20)
    )
    page = sign_in_as(Role.practitioner)
    page.goto("/problems")
    page.get_by_label("Title").fill("Consumers too slow for peak traffic")
    page.get_by_label("Failures it explains").fill(f"{first}, {second}")
    page.get_by_role("button", name="Record the problem").click()
    title = page.get_by_role("heading", name="Consumers too slow for peak traffic", level=1)
    expect(title).to_be_visible()
    # Its way back above it, both at the left edge (they once shared a line, the title pushed right).
    crumbs = page.locator(".page-head").get_by_role("link", name="Problems")
    title_box, crumbs_box = title.bounding_box(), crumbs.bounding_box()
    assert title_box is not None and crumbs_box is not None
    assert crumbs_box["y"] + crumbs_box["height"] <= title_box["y"]
    assert abs(title_box["x"] - crumbs_box["x"]) <= 1
    expect(page.get_by_role("img", name="Occurrences per month")).to_be_visible()
    expect(page.get_by_role("link", name="Kafka consumers lag again")).to_be_visible()
    page.get_by_text("Record a known error").click()
    page.get_by_role("textbox", name="Known error").fill("Consumer group rebalances under load")
    page.get_by_label("Workaround").fill("Scale the consumers out to 12")
    page.get_by_role("button", name="Record", exact=True).click()
    expect(page.get_by_text("Scale the consumers out to 12")).to_be_visible()
    screenshot(page, "problem")
    page.set_viewport_size(PHONE)
    screenshot(page, "problem-phone")
    page.set_viewport_size(DESKTOP)
    page.goto("/problems")
    expect(page.get_by_role("link", name="Consumers too slow for peak traffic")).to_be_visible()
    # The filter's labels and boxes at one height (the search box sat 3 px off the drop-down).
    filters = page.get_by_role("search", name="Find problems")
    boxes = [filters.get_by_label(name, exact=True).bounding_box() for name in ("Status", "Search")]
    labels = [filters.locator("label", has_text=name).bounding_box() for name in ("Status", "Search")]
    for found in (boxes, labels):
        assert None not in found, found
        assert len({round(box["y"]) for box in found if box is not None}) == 1, found
    assert len({round(box["height"]) for box in boxes if box is not None}) == 1, boxes


def test_report_form_suggests_after_a_fill_or_a_paste(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    """Suggestions follow the text, not key presses: a scripted fill (as autofill does) and a
    paste with the mouse (text arrives as one input event, no key goes up) bring them up."""
    make_failure(db, org, "TLS certificate expired on the partner gateway")
    page = sign_in_as(Role.viewer)
    suggestions = page.locator("#similar-suggestions")
    earlier = suggestions.get_by_role("link", name="TLS certificate expired on the partner gateway")

    page.goto("/failures/new")
    page.get_by_label("What happened?").fill("certificate expired")
    expect(earlier).to_be_visible()

    page.goto("/failures/new")
    expect(earlier).to_have_count(0)
    title = page.get_by_label("What happened?")
    title.focus()
    page.evaluate("window.fwKeys = 0; document.addEventListener('keyup', () => window.fwKeys++, true)")
    title.dispatch_event("paste")
    page.keyboard.insert_text("partner gateway certificate expired")
    expect(title).to_have_value("partner gateway certificate expired")
    expect(earlier).to_be_visible()
    assert page.evaluate("window.fwKeys") == 0
