"""Writing a review in a real browser: live preview, autosave, factors, send for review, publish."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from failwell.db import Database
from failwell.enums import FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

Shoot = Callable[[Page, str], Path]


def make_failure(db: Database, org: Org) -> int:
    data = FailureIn(
        title="Checkout errors after pool change",
        kind=FailureKind.incident,
        severity=2,
        services=[org.service],
    )
    with db.session(write=True) as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def test_write_preview_autosave_and_publish(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org, screenshot: Shoot
) -> None:
    failure_id = make_failure(db, org)
    page = sign_in_as(Role.practice_manager)
    page.goto(f"/failures/{failure_id}")
    page.get_by_role("button", name="Start the review").click()
    expect(page.get_by_role("heading", name="Review: Checkout errors after pool change")).to_be_visible()

    page.get_by_label("Summary", exact=True).fill("The connection pool was **exhausted** under load.")
    expect(page.locator("#preview-summary strong")).to_have_text("exhausted")  # live preview
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")  # autosave
    page.get_by_label("What went wrong", exact=True).fill(
        "- The pool size was set for last year's traffic\n- No alert on pool usage"
    )
    page.get_by_label("Where we got lucky", exact=True).fill("It happened at 03:00, not at noon.")
    page.get_by_role("button", name="Add a factor").click()
    expect(page.get_by_label("Category")).to_be_focused()  # the new row's select, not <body>
    page.get_by_label("Category").select_option("capacity")
    page.get_by_label("How it contributed").fill("Pool sized for last year's peak")
    expect(page.locator("#preview-what_went_wrong li")).to_have_count(2)
    expect(page.locator("#preview-where_we_got_lucky")).to_contain_text("not at noon")
    screenshot(page, "review-editor")
    page.set_viewport_size({"width": 390, "height": 844})
    screenshot(page, "review-editor-phone")
    page.set_viewport_size({"width": 1280, "height": 860})

    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent for review")
    expect(page.get_by_label("How it contributed")).to_have_value("Pool sized for last year's peak")

    page.get_by_role("button", name="Publish").click()  # without lessons: refused at the field
    expect(page.locator("#lessons_learned-error")).to_contain_text("must be written before")
    page.get_by_label("Lessons learned", exact=True).fill("Alert on pool usage *before* it runs out.")
    page.get_by_role("button", name="Publish").click()
    expect(page.get_by_role("status").first).to_contain_text("Published")

    page.goto(f"/failures/{failure_id}")
    review = page.locator("#review")
    expect(review.get_by_text("Published", exact=True)).to_be_visible()
    expect(review.locator("em", has_text="before")).to_be_visible()
    expect(review.get_by_text("Pool sized for last year's peak")).to_be_visible()
    # Each section's heading stands apart from the text before it.
    gaps = page.evaluate(
        """() => [...document.querySelectorAll('#review .prose + h3')].map(h =>
            h.getBoundingClientRect().top - h.previousElementSibling.getBoundingClientRect().bottom)"""
    )
    assert len(gaps) >= 3 and min(gaps) >= 12, gaps


def test_viewer_reads_the_review_without_editing(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    failure_id = make_failure(db, org)
    writer = sign_in_as(Role.practitioner)
    writer.goto(f"/failures/{failure_id}/review")
    writer.get_by_role("button", name="Start the review").click()
    writer.get_by_label("Summary", exact=True).fill("Written by a practitioner")
    writer.get_by_role("button", name="Save draft").click()
    expect(writer.get_by_role("status").first).to_contain_text("Review saved")

    viewer = sign_in_as(Role.viewer)
    viewer.goto(f"/failures/{failure_id}/review")
    expect(viewer.get_by_text("Written by a practitioner")).to_be_visible()
    expect(viewer.locator("textarea")).to_have_count(0)
    expect(viewer.get_by_role("button", name="Save draft")).to_have_count(0)


def test_manager_publishes_from_draft_and_the_review_opens_to_be_read(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    failure_id = make_failure(db, org)
    page = sign_in_as(Role.practice_manager)
    page.goto(f"/failures/{failure_id}/review")
    page.get_by_role("button", name="Start the review").click()
    page.get_by_label("Summary", exact=True).fill("The pool ran out under load.")
    page.get_by_label("Lessons learned", exact=True).fill("Alert on pool usage.")
    page.get_by_role("button", name="Publish").click()  # straight from draft
    expect(page.get_by_role("status").first).to_contain_text("Published")
    expect(page.locator("#review-form")).to_have_count(0)  # read, not edited
    expect(page.get_by_text("Alert on pool usage.")).to_be_visible()
    page.get_by_role("link", name="Edit the review").click()
    expect(page.get_by_role("button", name="Save changes")).to_be_visible()
    expect(page.get_by_label("Summary", exact=True)).to_have_value("The pool ran out under load.")


def test_comment_on_a_review_in_review(sign_in_as: Callable[[Role], Page], db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    page = sign_in_as(Role.practitioner)
    page.goto(f"/failures/{failure_id}/review")
    page.get_by_role("button", name="Start the review").click()
    page.get_by_role("button", name="Send for review").click()
    expect(page.get_by_role("status").first).to_contain_text("Sent for review")
    page.evaluate("window.__still_here = true")
    comments = page.locator("#comments")
    comments.get_by_label("Add a comment").fill("@viewer, does the timeline match what you saw?")
    comments.get_by_role("button", name="Comment").click()
    expect(comments.get_by_text("does the timeline match what you saw?")).to_be_visible()
    expect(comments.get_by_text("told Viewer")).to_be_visible()
    assert page.evaluate("window.__still_here") is True  # added in place
