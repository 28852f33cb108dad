"""The blameless-language coach in a real browser: it marks a blaming sentence as it is
typed into a review section, with the reason, and leaves a sentence about a system alone."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from failwell.db import Database
from failwell.enums import FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.reviews import service as reviews
from failwell.reviews.schemas import ReviewSections
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY


def make_review(db: Database, org: Org) -> int:
    data = FailureIn(title="Certificate expired", kind=FailureKind.incident, services=[org.service])
    with db.session(write=True) as s:
        owner = org.actors[Role.practice_owner]
        failure = failures.report_failure(s, owner, data)
        reviews.start_review(s, owner, failure.id, ReviewSections())
        return failure.id


def test_coach_marks_a_blaming_sentence_as_it_is_typed(
    sign_in_as: Callable[[Role], Page], db: Database, org: Org
) -> None:
    failure_id = make_review(db, org)
    page = sign_in_as(Role.practitioner)
    page.goto(f"/failures/{failure_id}/review")
    coach = page.locator("#coach")
    expect(coach).to_have_attribute("aria-live", "polite")
    expect(coach).to_contain_text("As you write")  # loaded with the page

    summary = page.get_by_label("Summary", exact=True)
    summary.press_sequentially("The health check failed to detect the expired certificate.")
    expect(coach).to_contain_text("Nothing here reads as blame")
    expect(coach.locator(".fw-coach-mark")).to_have_count(0)

    page.get_by_label("What went wrong", exact=True).press_sequentially(
        "The on-call engineer forgot to renew the certificate."
    )
    mark = coach.locator(".fw-coach-mark")
    expect(mark).to_have_count(1)
    expect(mark).to_contain_text("What went wrong")
    expect(mark).to_contain_text("The on-call engineer forgot to renew the certificate.")
    expect(mark).to_contain_text("“forgot” makes “the on-call engineer” the cause")
    expect(mark).to_contain_text("what made this easy to miss")

    # Rewritten toward the system, the mark goes away; the draft still saves (advice only).
    page.get_by_label("What went wrong", exact=True).fill("Renewal relied on a reminder nobody received.")
    expect(coach.locator(".fw-coach-mark")).to_have_count(0)
    expect(page.locator("#autosave-status")).to_contain_text("Draft saved at")
