"""Recognition in a real browser: a viewer thanks the anonymous reporter of a near miss from its
page; a practice owner defines an award and opens it; people nominate and vote; the owner
announces the winner, which shows on the recognition page and the team's page. Also at a phone's
width."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from failwell.db import Database
from failwell.enums import FailureKind, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.people.models import Team
from support import ON_SQLITE_ONLY, Org

# Browser behaviour and layout: on SQLite only (see support.ON_SQLITE_ONLY).
pytestmark = ON_SQLITE_ONLY

PHONE = {"width": 390, "height": 844}


def _keep(path: Path) -> None:
    """A copy to look at (FAILWELL_LOOK_AT=dir), beside the docs' own screenshots."""
    folder = os.environ.get("FAILWELL_LOOK_AT")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        shutil.copy(path, Path(folder) / path.name)


def test_thank_nominate_vote_and_announce(
    sign_in_as: Callable[[Role], Page],
    db: Database,
    org: Org,
    screenshot: Callable[[Page, str], Path],
) -> None:
    data = FailureIn(
        title="Almost pushed prod config to staging",
        kind=FailureKind.near_miss,
        services=[org.service],
        anonymous=True,
    )
    with db.session(write=True) as s:
        failure_id = failures.report_failure(s, org.actors[Role.practitioner], data).id
        team_id = s.scalar(select(Team.id).where(Team.name == org.team))

    # A viewer thanks the anonymous reporter, from the near miss's page.
    page = sign_in_as(Role.viewer)
    page.goto(f"/failures/{failure_id}")
    page.get_by_role("link", name="Thank for this report").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Thank someone")
    expect(page.get_by_label("Whom to thank")).to_have_value("anonymous_reporter")
    page.get_by_label("What they did that helped").fill("Writing this up let us fix the gap first.")
    _keep(screenshot(page, "recognition-thank"))
    page.get_by_role("button", name="Send kudos").click()
    expect(page.get_by_role("status")).to_contain_text("your kudos is shared")
    kudos = page.locator(".kudos-item").first
    expect(kudos).to_contain_text("the anonymous reporter")
    expect(kudos).to_contain_text("Writing this up let us fix the gap first.")

    # A practice owner defines an award and opens nominations.
    page = sign_in_as(Role.practice_owner)
    page.goto("/admin/awards")
    page.get_by_role("textbox", name="Name", exact=True).fill("Best near miss")
    page.get_by_label("What it rewards").fill("The near-miss report that taught us most.")
    page.get_by_role("button", name="Define the award").click()
    expect(page.get_by_role("status")).to_contain_text("is defined")
    page.get_by_label("Cycle title").fill("November")
    page.get_by_label("Nominations close on").fill("2026-11-20")
    page.get_by_label("Voting closes on").fill("2026-11-30")
    page.get_by_role("button", name="Open nominations").click()
    expect(page.get_by_role("status")).to_contain_text("Nominations are open")
    cycle_url = page.url.split("?")[0].split("#")[0]

    # A practitioner nominates the team.
    page = sign_in_as(Role.practitioner)
    page.goto(cycle_url)
    page.get_by_label("Whom to nominate").select_option(f"team:{team_id}")
    page.get_by_label("Why: what they did that helped others learn").fill("They shared the config lesson.")
    page.get_by_label("Link to what they did").fill(f"/failures/{failure_id}")
    page.get_by_role("button", name="Nominate").click()
    expect(page.get_by_role("status")).to_contain_text("Your nomination is in")

    # The owner opens the vote; a viewer votes, once.
    page = sign_in_as(Role.practice_owner)
    page.goto(cycle_url)
    page.get_by_role("button", name="Close nominations and open the vote").click()
    expect(page.get_by_role("status")).to_contain_text("voting is open")
    page = sign_in_as(Role.viewer)
    page.goto(cycle_url)
    page.get_by_role("button", name=f"Vote for {org.team}").click()
    expect(page.get_by_role("status")).to_contain_text("Your vote is counted")
    expect(page.get_by_text("Your vote", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name=f"Vote for {org.team}")).to_have_count(0)
    page.set_viewport_size(PHONE)
    _keep(screenshot(page, "recognition-vote-phone"))

    # The owner announces: the winner shows on the cycle, the recognition page and the team's page.
    page = sign_in_as(Role.practice_owner)
    page.goto(cycle_url)
    page.get_by_role("button", name="Close the vote and announce the winner").click()
    expect(page.get_by_role("heading", name=f"Awarded to {org.team}")).to_be_visible()
    page.goto("/recognition")
    expect(page.get_by_role("region", name="Announced")).to_contain_text(
        f"Best near miss (November): {org.team}"
    )
    _keep(screenshot(page, "recognition"))
    page.set_viewport_size(PHONE)
    assert page.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
    _keep(screenshot(page, "recognition-phone"))
    page.goto(f"/teams/{team_id}")
    expect(page.locator("#recognition")).to_contain_text("Best near miss (November)")
