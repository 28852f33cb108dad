"""Broadcasting in a real browser: subscribing, "I have read this" on a review, channel
administration (the secret is never shown), and the weekly digest."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from failwell.authz import SYSTEM
from failwell.broadcast.digest import week_of
from failwell.db import Database, utcnow
from failwell.enums import FailureKind, ReviewStatus, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.reviews import service as reviews
from failwell.reviews.schemas import ReviewSections, ReviewUpdate
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

Shoot = Callable[[Page, str], Path]
SLACK = "slack://T1JJ3T3L2/A1BRTD4JD/TIiajkdnlazkcOXrIdevi7FQ"


def published_review(db: Database, org: Org) -> tuple[int, int]:
    with db.session() as s:
        failure = failures.report_failure(
            s,
            SYSTEM,
            FailureIn(
                title="Certificate expired", kind=FailureKind.incident, severity=2, services=[org.service]
            ),
        )
        review = reviews.start_review(
            s,
            SYSTEM,
            failure.id,
            ReviewSections(summary="The TLS certificate expired.", lessons_learned="Alert 30 days ahead."),
        )
        reviews.update_review(s, SYSTEM, review.id, ReviewUpdate(status=ReviewStatus.in_review))
        reviews.update_review(s, SYSTEM, review.id, ReviewUpdate(status=ReviewStatus.published))
        return failure.id, review.id


def test_subscribe_my_team(sign_in_as: Callable[[Role], Page], org: Org, screenshot: Shoot) -> None:
    page = sign_in_as(Role.practitioner)
    page.goto("/subscriptions")
    expect(page.get_by_role("heading", name="My subscriptions")).to_be_visible()
    page.get_by_label("Who hears it").select_option(f"team:{org.team}")
    page.get_by_label("A review (lesson) is published").check()
    page.get_by_label("A corrective action is overdue").check()
    page.get_by_text("Only when… (filters)").click()
    page.get_by_label("Severity").select_option("2")
    page.get_by_role("button", name="Subscribe").click()
    expect(page.get_by_role("status")).to_contain_text("Subscribed.")
    row = page.get_by_role("row").filter(has_text=org.team)
    expect(row).to_contain_text("SEV2 or worse")
    expect(row).to_contain_text("A corrective action is overdue")
    screenshot(page, "subscriptions")
    row.get_by_role("button", name="Remove").click()
    expect(page.get_by_text("No subscriptions yet.")).to_be_visible()


def test_read_button_on_the_review_reach_fragment(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    _failure_id, review_id = published_review(db, org)
    page = sign_in_as(Role.viewer)
    page.goto(f"/reviews/{review_id}/reach")
    expect(page.get_by_text("0 people have read it.")).to_be_visible()
    page.get_by_role("button", name="I have read this").click()
    expect(page.get_by_text("You have read this")).to_be_visible()
    expect(page.get_by_text("1 person has read it.")).to_be_visible()
    expect(page.get_by_role("row", name=f"{org.team} 1 of 4 25%")).to_be_visible()


def test_read_and_undo_on_the_failure_page_keep_keyboard_focus(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    failure_id, review_id = published_review(db, org)
    page = sign_in_as(Role.viewer)
    page.goto(f"/failures/{failure_id}")
    reach = page.locator(f"#reach-{review_id}")
    reach.get_by_role("button", name="I have read this").click()
    expect(reach.get_by_text("1 person has read it.")).to_be_visible()
    # The clicked button is swapped out (htmx): focus lands on the one that replaced it, not on <body>.
    undo = reach.get_by_role("button", name="Undo")
    expect(undo).to_be_focused()
    expect(undo).to_have_accessible_description("You have read this")
    page.keyboard.press("Enter")
    expect(reach.get_by_text("0 people have read it.")).to_be_visible()
    expect(reach.get_by_role("button", name="I have read this")).to_be_focused()


def test_channel_admin_and_digest(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org, screenshot: Shoot
) -> None:
    published_review(db, org)
    page = sign_in_as(Role.practice_owner)
    page.goto("/admin/broadcast")
    page.get_by_role("textbox", name="Name").fill("ops-alerts")
    page.get_by_label("Kind").select_option("slack")
    page.get_by_label("Apprise URL").fill(SLACK)
    page.get_by_role("button", name="Add channel").click()
    expect(page.get_by_role("status")).to_contain_text("Channel 'ops-alerts' added")
    expect(page.get_by_role("row", name="ops-alerts")).to_contain_text("slack://…i7FQ")
    assert "A1BRTD4JD" not in page.content()
    page.get_by_role("button", name="Send a test: channel ops-alerts").click()
    expect(page.get_by_role("status")).to_contain_text("test message")
    screenshot(page, "broadcast-channels")
    page.get_by_role("link", name="Delivery log").click()
    expect(page.get_by_role("cell", name="channel:ops-alerts")).to_be_visible()

    page.goto(f"/digest?week={week_of(utcnow().date())}")
    expect(page.get_by_role("heading", name="Lesson of the week")).to_be_visible()
    expect(page.get_by_role("link", name="Certificate expired").first).to_be_visible()
    screenshot(page, "weekly-digest")
