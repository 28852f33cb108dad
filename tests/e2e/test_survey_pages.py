"""Culture surveys in a real browser: answering through the one-time link on a phone-width
screen (signed out), and the results page with its charts and numbers."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect
from sqlalchemy import select

from failwell.broadcast.models import OutboxEvent, Topic
from failwell.db import Database
from failwell.enums import Role
from failwell.surveys.instruments import SAFETY, WESTRUM
from support import ON_SQLITE_ONLY, Org
from surveys.helpers import answer, close, make_survey_org, new_campaign

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY


def _first_link(db: Database) -> str:
    with db.session(write=False) as s:
        text = s.scalars(
            select(OutboxEvent.text).where(OutboxEvent.topic == Topic.survey_invitation.value)
        ).first()
    found = re.search(r"/s/[\w-]+", text or "")
    assert found is not None
    return found.group(0)


def test_answering_a_survey_on_a_phone(
    db: Database, org: Org, page: Page, screenshot: Callable[[Page, str], object]
) -> None:
    new_campaign(db, custom_items=["We have time to follow through on corrective actions."])
    link = _first_link(db)
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(link)  # signed out: the link is the permission
    expect(page.get_by_role("heading", level=1)).to_have_text("Culture check")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 390
    statements = [f"{i.text}" for i in (*WESTRUM.items, *SAFETY.items)]
    for text in statements:
        group = page.get_by_role("group", name=text, exact=True)
        group.get_by_role("radio", name="6 Agree").check()
    # Leave the own statement out: the form says which one needs an answer.
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_text("Choose an answer from 1 to 7.")).to_be_visible()
    own = page.get_by_role("group", name="We have time to follow through on corrective actions.")
    expect(own.get_by_role("radio", name="6 Agree")).not_to_be_checked()
    expect(
        page.get_by_role("group", name=statements[0], exact=True).get_by_role("radio", name="6 Agree")
    ).to_be_checked()
    own.get_by_role("radio", name="2 Disagree").check()
    page.get_by_label("What would make it safer to speak up here? (optional)").fill(
        "Hearing back what happened."
    )
    screenshot(page, "survey-answer-phone")
    page.get_by_role("button", name="Send my answers").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    page.goto(link)
    expect(page.get_by_text("You have answered this survey already")).to_be_visible()


def test_results_in_the_browser(
    db: Database, sign_in_as: Callable[[Role], Page], screenshot: Callable[[Page, str], object]
) -> None:
    survey_org = make_survey_org(db)
    campaign_id = new_campaign(db)
    for team, members in survey_org.actors.items():
        for i, actor in enumerate(members):
            answer(
                db, actor, campaign_id, {"alpha": 6, "beta": 4, "gamma": 2}[team], text=f"Idea {i} of {team}"
            )
    close(db, campaign_id)
    page = sign_in_as(Role.viewer)
    page.goto("/")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Surveys").click()
    page.get_by_role("link", name="Results").click()
    expect(page.get_by_role("heading", name="Results: Culture check")).to_be_visible()
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('canvas[data-chart]')].map(c => !!window.Chart.getChart(c))"
    )
    assert drawn and all(drawn)
    table = page.get_by_role("table", name="Survey means and learning behaviours per group")
    expect(table.get_by_role("row", name=re.compile("^gamma"))).to_contain_text("Withheld")
    expect(table.get_by_role("row", name=re.compile("^alpha"))).to_contain_text("generative")
    screenshot(page, "survey-results")
