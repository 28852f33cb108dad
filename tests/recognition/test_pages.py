"""The recognition pages: thanking from a failure's page, the recognition page, an award cycle
from /admin/awards to its announcement, the team's and one's own page, and suggestions."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from failwell.actions.models import CorrectiveAction
from failwell.db import Database, utcnow
from failwell.enums import ActionStatus, Role
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn
from failwell.people.models import Person, Team
from failwell.recognition.models import Kudos
from support import Org, PageClient

Pages = Callable[[Role], PageClient]


def _failure(db: Database, org: Org, anonymous: bool = False) -> int:
    with db.session(write=True) as s:
        data = FailureIn(
            title="Almost wiped staging", kind="near_miss", services=[org.service], anonymous=anonymous
        )  # type: ignore[arg-type]
        return failures.report_failure(s, org.actors[Role.practitioner], data).id


def _ids(db: Database, org: Org) -> tuple[int, int]:
    with db.session(write=False) as s:
        team = s.scalar(select(Team.id).where(Team.name == org.team))
        person = s.scalar(select(Person.id).where(Person.email == org.emails[Role.practitioner]))
        assert team and person
        return team, person


def test_a_viewer_thanks_the_anonymous_reporter_from_the_failure_page(
    pages: Pages, db: Database, org: Org
) -> None:
    failure_id = _failure(db, org, anonymous=True)
    viewer = pages(Role.viewer)
    page = viewer.get(f"/failures/{failure_id}").text
    query = f"thanked_kind=failure&amp;thanked_id={failure_id}&amp;recipient=anonymous_reporter"
    link = f"/recognition/thank?{query}"
    assert link in page
    form = viewer.get(link.replace("&amp;", "&"))
    assert form.status_code == 200 and "Almost wiped staging" in form.text
    assert re.search(r'<option value="anonymous_reporter"\s+selected', form.text)
    r = viewer.post(
        "/recognition/thank",
        data={
            "recipient": "anonymous_reporter",
            "thanked_kind": "failure",
            "thanked_id": str(failure_id),
            "message": "Telling us made the fix possible.",
        },
    )
    assert r.status_code == 303 and r.headers["location"].startswith("/recognition")
    with db.session(write=False) as s:
        kudos = s.scalars(select(Kudos)).one()
        assert (kudos.to_person_id, kudos.to_team_id) == (None, None)
    page = viewer.get("/recognition").text
    assert "the anonymous reporter" in page and "Telling us made the fix possible." in page
    assert "Practitioner" not in page.split("Recent kudos", 1)[1].split("How you are named", 1)[0]


def test_the_thank_form_shows_refusals_beside_the_field(pages: Pages, db: Database, org: Org) -> None:
    failure_id = _failure(db, org)
    viewer = pages(Role.viewer)
    r = viewer.post(
        "/recognition/thank",
        data={"recipient": "", "thanked_kind": "failure", "thanked_id": str(failure_id), "message": "x"},
    )
    assert r.status_code == 422 and 'id="recipient-error"' in r.text
    r = viewer.post(
        "/recognition/thank",
        data={
            "recipient": "anonymous_reporter",
            "thanked_kind": "failure",
            "thanked_id": str(failure_id),
            "message": "x",
        },
    )
    assert r.status_code == 422 and 'id="recipient-error"' in r.text and "not anonymous" in r.text
    r = viewer.post(
        "/recognition/thank",
        data={"recipient": "team:1", "thanked_kind": "failure", "thanked_id": "99999", "message": "x"},
    )
    assert r.status_code == 422 and 'id="thanked_id-error"' in r.text


def test_kudos_show_on_the_team_page_and_the_opt_out_on_ones_own(
    pages: Pages, db: Database, org: Org
) -> None:
    failure_id = _failure(db, org)
    team, person = _ids(db, org)
    viewer = pages(Role.viewer)
    for recipient in (f"team:{team}", f"person:{person}"):
        r = viewer.post(
            "/recognition/thank",
            data={
                "recipient": recipient,
                "thanked_kind": "failure",
                "thanked_id": str(failure_id),
                "message": f"Thanks {recipient}",
            },
        )
        assert r.status_code == 303, r.text
    assert f"Thanks team:{team}" in viewer.get(f"/teams/{team}").text
    practitioner = pages(Role.practitioner)
    own = practitioner.get("/account").text
    assert f"Thanks person:{person}" in own and "Name me in kudos and awards" in own
    r = practitioner.post("/recognition/preference", data={"next": "/account"})
    assert r.status_code == 303 and r.headers["location"] == "/account#recognition"
    page = viewer.get("/recognition").text
    assert "a colleague" in page
    assert (
        "a colleague" not in pages(Role.practice_owner).get("/recognition").text.split("How you are named")[0]
    )


def test_an_award_from_admin_to_announcement(pages: Pages, db: Database, org: Org) -> None:
    owner, viewer = pages(Role.practice_owner), pages(Role.viewer)
    team, _person = _ids(db, org)
    assert pages(Role.practice_manager).get("/admin/awards").status_code == 403
    assert owner.get("/admin/awards").status_code == 200
    r = owner.post("/admin/awards", data={"name": "Best near miss", "description": "Reports that taught us."})
    assert r.status_code == 303
    page = owner.get("/admin/awards").text
    award_id = re.search(r'<option value="(\d+)"[^>]*>Best near miss', page)
    assert award_id
    r = owner.post(
        "/admin/awards/cycles",
        data={
            "award_id": award_id.group(1),
            "title": "November",
            "nominations_close_on": "2026-11-20",
            "voting_closes_on": "2026-11-10",
        },
    )
    assert r.status_code == 422 and 'id="voting_closes_on-error"' in r.text
    r = owner.post(
        "/admin/awards/cycles",
        data={
            "award_id": award_id.group(1),
            "title": "November",
            "nominations_close_on": "2026-11-20",
            "voting_closes_on": "2026-11-30",
        },
    )
    assert r.status_code == 303
    cycle = r.headers["location"].split("#")[0]
    assert "Nominate someone" in viewer.get(cycle).text
    r = viewer.post(
        f"{cycle}/nominations",
        data={"recipient": f"team:{team}", "reason": "Shared the lesson", "link": "/lessons"},
    )
    assert r.status_code == 303
    assert viewer.post(f"{cycle}/voting").status_code == 403
    assert owner.post(f"{cycle}/voting").status_code == 303
    page = viewer.get(cycle).text
    nomination = re.search(r'name="nomination_id" value="(\d+)"', page)
    assert nomination
    assert viewer.post(f"{cycle}/votes", data={"nomination_id": nomination.group(1)}).status_code == 303
    assert "Your vote" in viewer.get(cycle).text
    r = viewer.post(f"{cycle}/votes", data={"nomination_id": nomination.group(1)})
    assert r.status_code == 409 and "one vote per voter" in r.text
    assert owner.post(f"{cycle}/announce").status_code == 303
    assert f"Awarded to {org.team}" in viewer.get(cycle).text
    assert "Best near miss (November)" in viewer.get("/recognition").text
    assert "Best near miss (November)" in viewer.get(f"/teams/{team}").text


def test_managers_see_suggestions_to_confirm(pages: Pages, db: Database, org: Org) -> None:
    failure_id = _failure(db, org)
    team, _person = _ids(db, org)
    with db.session(write=True) as s:
        s.add(
            CorrectiveAction(
                failure_id=failure_id,
                title="Guard the wipe script",
                action_type="prevent",
                owner_team_id=team,
                status=ActionStatus.done,
                completed_at=utcnow() - timedelta(days=45),
            )
        )
    page = pages(Role.practice_manager).get("/recognition").text
    assert "Whom to recognise" in page and "Guard the wipe script" in page
    assert "thanked_kind=action" in page
    assert "Whom to recognise" not in pages(Role.practitioner).get("/recognition").text
