"""Permissions in a real browser: a viewer cannot edit, a practitioner cannot administer.

Controls a role cannot use are not shown, and a request forged with the person's own
session and CSRF token (as a curious viewer could) is refused by the server all the same.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from failwell.actions import service as actions
from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import ActionIn
from failwell.authz import SYSTEM
from failwell.db import Database
from failwell.enums import ActionStatus, Role
from failwell.failures import service as failures
from failwell.failures.models import Failure, TimelineEvent
from failwell.failures.schemas import FailureIn
from failwell.people import service as people
from failwell.people.models import Person
from failwell.reviews import service as reviews
from failwell.reviews.models import Review
from failwell.reviews.schemas import ReviewSections
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

ADMIN_URLS = [
    "/admin",
    "/admin/users",
    "/admin/users/new",
    "/admin/tokens",
    "/admin/factors",
    "/admin/severity",
    "/admin/review-template",
]


@dataclass
class Seeded:
    failure_id: int
    review_id: int
    action_id: int


@pytest.fixture
def seeded(db: Database, org: Org) -> Seeded:
    with db.session() as s:
        practitioner = people.actor_for(people.person_by_email(s, org.emails[Role.practitioner]))
        failure = failures.report_failure(
            s,
            SYSTEM,
            FailureIn.model_validate(
                {"title": "Checkout timed out", "kind": "incident", "severity": 2, "services": [org.service]}
            ),
        )
        review = reviews.start_review(
            s, practitioner, failure.id, ReviewSections(summary="The pool ran dry.")
        )
        action = actions.create_action(
            s,
            SYSTEM,
            ActionIn.model_validate(
                {
                    "failure_id": failure.id,
                    "title": "Alert on pool use",
                    "action_type": "detect",
                    "owner_team": org.team,
                }
            ),
        )
        return Seeded(failure.id, review.id, action.id)


def _state(db: Database, seeded: Seeded) -> tuple[Any, ...]:
    with db.session() as s:
        return (
            s.execute(select(Failure.status, Failure.severity).where(Failure.id == seeded.failure_id)).one(),
            s.scalar(select(func.count()).select_from(TimelineEvent)),
            s.execute(
                select(CorrectiveAction.id, CorrectiveAction.status).order_by(CorrectiveAction.id)
            ).all(),
            s.execute(select(Review.status, Review.summary)).all(),
        )


def _csrf(page: Page) -> str:
    headers = page.locator("body").get_attribute("hx-headers")
    assert headers
    token = json.loads(headers)["X-CSRF-Token"]
    assert isinstance(token, str) and token
    return token


def _no_edit_controls(page: Page) -> None:
    main = page.locator("main")
    expect(main.locator("form[method='post']")).to_have_count(0)
    expect(main.locator("textarea")).to_have_count(0)
    expect(main.locator("[hx-post]")).to_have_count(0)


def test_a_viewer_sees_no_edit_controls_on_the_failure_page(
    sign_in_as: Callable[[Role], Page], seeded: Seeded
) -> None:
    page = sign_in_as(Role.viewer)
    response = page.goto(f"/failures/{seeded.failure_id}")
    assert response is not None and response.status == 200
    expect(page.get_by_role("heading", name="Checkout timed out")).to_be_visible()
    expect(page.get_by_text("Alert on pool use")).to_be_visible()  # reads the actions
    _no_edit_controls(page)
    for name in ("Mark resolved", "Mark mitigated", "Add to timeline", "Add the action", "Mark done"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)


def test_a_viewer_reads_the_review_but_cannot_edit_it(
    sign_in_as: Callable[[Role], Page], seeded: Seeded
) -> None:
    page = sign_in_as(Role.viewer)
    response = page.goto(f"/failures/{seeded.failure_id}/review")
    assert response is not None and response.status == 200
    expect(page.locator("main")).to_contain_text("The pool ran dry.")
    _no_edit_controls(page)
    for name in ("Save draft", "Send for review", "Publish", "Add a factor", "Start the review"):
        expect(page.get_by_role("button", name=name)).to_have_count(0)


def test_a_viewer_sees_actions_but_cannot_update_them(
    sign_in_as: Callable[[Role], Page], seeded: Seeded
) -> None:
    page = sign_in_as(Role.viewer)
    response = page.goto("/actions")
    assert response is not None and response.status == 200
    expect(page.get_by_text("Alert on pool use")).to_be_visible()
    expect(page.locator("main form[method='post']")).to_have_count(0)
    expect(page.get_by_role("button", name="Mark won't do")).to_have_count(0)


def test_forged_edits_by_a_viewer_are_refused(
    sign_in_as: Callable[[Role], Page], db: Database, seeded: Seeded, org: Org
) -> None:
    page = sign_in_as(Role.viewer)
    page.goto("/account")  # any page: the viewer's own session and CSRF token
    csrf = _csrf(page)
    before = _state(db, seeded)
    f, r, a = seeded.failure_id, seeded.review_id, seeded.action_id
    forged: list[tuple[str, dict[str, str]]] = [
        (f"/failures/{f}/status", {"status": "resolved"}),
        (f"/failures/{f}/timeline", {"event_kind": "note", "event_description": "I was here"}),
        (
            f"/failures/{f}/actions",
            {"action_title": "Do it", "action_type": "prevent", "action_owner_team": org.team},
        ),
        (f"/failures/{f}/actions/{a}/done", {}),
        (f"/failures/{f}/review", {}),
        (f"/reviews/{r}/save", {"summary": "Rewritten by a viewer", "to_status": "published"}),
        (f"/reviews/{r}/autosave", {"summary": "Rewritten by a viewer"}),
        (f"/actions/{a}/status", {"status": "done"}),
        ("/admin/users/new", {"name": "Me Again", "email": "me.again@example.com", "role": "practice_owner"}),
    ]
    for url, form in forged:
        for htmx in (False, True):
            headers = {"X-CSRF-Token": csrf}
            if htmx:
                headers["HX-Request"] = "true"
            response = page.request.post(url, form=form, headers=headers, max_redirects=0)
            assert response.status == 403, (url, htmx, response.status, response.text()[:300])
    assert _state(db, seeded) == before
    with db.session() as s:
        action = actions.get_action(s, a)
        assert action.status == ActionStatus.open


def test_a_practitioner_cannot_administer(sign_in_as: Callable[[Role], Page], db: Database, org: Org) -> None:
    page = sign_in_as(Role.practitioner)
    page.goto("/")
    expect(page.get_by_role("navigation", name="Main")).to_be_visible()
    expect(page.get_by_role("link", name="Admin")).to_have_count(0)
    for url in ADMIN_URLS:
        response = page.goto(url)
        assert response is not None and response.status == 403, url
        expect(page.get_by_role("heading", name="Permission denied")).to_be_visible()
        expect(page.locator("main")).to_contain_text("needs the role of a practice owner")
    csrf = _csrf(page)
    refused = page.request.post(
        "/admin/users/new",
        form={"name": "Promoted", "email": "promoted@example.com", "role": "practice_owner"},
        headers={"X-CSRF-Token": csrf},
        max_redirects=0,
    )
    assert refused.status == 403
    token = page.request.post(
        "/admin/tokens",
        form={"person": org.emails[Role.practice_owner], "name": "borrowed"},
        headers={"X-CSRF-Token": csrf},
        max_redirects=0,
    )
    assert token.status == 403 and "fw_" not in token.text()
    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Person).where(Person.email.like("promoted%"))) == 0
