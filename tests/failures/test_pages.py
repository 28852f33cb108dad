"""Failure pages: the list, reporting (named and anonymous), the failure page and its forms."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from factories import counts
from failwell.actions import service as actions
from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import ActionIn
from failwell.authz import SYSTEM
from failwell.db import Database
from failwell.enums import ActionStatus, FailureKind, FailureStatus, ReportChannel, Role
from failwell.failures import service as failures
from failwell.failures.models import Failure, TimelineEvent
from failwell.failures.schemas import FailureIn
from support import Org

if TYPE_CHECKING:  # only for types: with tests/e2e in the same run, "conftest" can be that one
    from support import PageClient

Pages = Callable[[Role], "PageClient"]


def make_failure(db: Database, org: Org, title: str = "Checkout errors", **fields: Any) -> int:
    data = FailureIn(
        title=title, kind=fields.pop("kind", FailureKind.incident), services=[org.service], **fields
    )
    with db.session(write=True) as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def get_failure(db: Database, failure_id: int) -> Failure:
    with db.session() as s:
        failure = s.get(Failure, failure_id)
        assert failure is not None
        s.expunge(failure)
        return failure


def test_list_filters_and_paginates(pages: Pages, db: Database, org: Org) -> None:
    base = datetime(2026, 1, 1, tzinfo=UTC)
    for i in range(30):
        make_failure(db, org, f"Timeout number {i}", started_at=base + timedelta(hours=i))
    make_failure(db, org, "Disk full on the ledger", kind=FailureKind.near_miss, severity=1, tags=["disk"])
    me = pages(Role.viewer)

    first = me.get("/failures")
    assert first.status_code == 200
    assert "Disk full on the ledger" in first.text
    assert "Showing 1\u201325 of 31" in first.text
    assert 'href="/failures?offset=25&limit=25"' in first.text

    second = me.get("/failures?offset=25&limit=25")
    assert "Showing 26\u201331 of 31" in second.text
    assert "Timeout number 0<" in second.text

    near = me.get("/failures?kind=near_miss&q=disk")
    assert "Disk full on the ledger" in near.text and "Timeout number" not in near.text
    assert '<option value="near_miss" selected>' in near.text  # the filter is shown back

    by_tag = me.get("/failures?tag=disk&severity=1&service=payments&sort=severity")
    assert "Disk full" in by_tag.text and "Timeout" not in by_tag.text

    dated = me.get("/failures?since=2026-01-02&until=2026-01-02T03:00&sort=started_at")
    assert "Timeout number 24<" in dated.text and "Timeout number 26<" in dated.text
    assert "Timeout number 23<" not in dated.text and "Timeout number 27<" not in dated.text


def test_list_explains_bad_filters(pages: Pages) -> None:
    me = pages(Role.viewer)
    page = me.get("/failures?severity=9&service=nope&q=x")
    assert page.status_code == 422
    assert 'id="severity-error"' in page.text
    assert 'value="x"' in page.text
    unknown = me.get("/failures?service=nope")
    assert unknown.status_code == 422 and "unknown service" in unknown.text
    backwards = me.get("/failures?since=2026-02-01&until=2026-01-01")
    assert backwards.status_code == 422 and 'id="until-error"' in backwards.text


def test_report_form_offers_services_severities_and_anonymity(pages: Pages) -> None:
    me = pages(Role.viewer)
    page = me.get("/failures/new?service=payments")
    assert page.status_code == 200
    assert '<option value="payments" selected>' in page.text  # pre-chosen from a service's page
    assert f'name="csrf_token" value="{me.csrf}"' in page.text
    assert '<option value="payments"' in page.text
    assert 'name="severity" value="1"' in page.text
    assert "Report anonymously" in page.text and "Nothing that identifies you is stored" in page.text
    assert 'id="similar-suggestions" hx-post="/similar/suggest"' in page.text
    assert "<details" in page.text and "More detail" in page.text


def test_report_a_failure_named(pages: Pages, db: Database, org: Org) -> None:
    me = pages(Role.practitioner)
    answer = me.post(
        "/failures/new",
        data={
            "title": "Card payments failing",
            "services": ["payments"],
            "kind": "failed_deployment",
            "severity": "2",
            "started_at": "2026-11-01T10:15",
            "description": "Errors *everywhere*",
            "tags": "cards, timeout",
            "impact_partners": "Web shops could not take cards",
        },
    )
    assert answer.status_code == 303, answer.text
    location = answer.headers["location"]
    assert location.startswith("/failures/")
    failure = get_failure(db, int(location.rsplit("/", 1)[1]))
    assert failure.reporter_id == org.actors[Role.practitioner].person_id
    assert failure.severity == 2 and failure.reported_via.value == "web"
    assert failure.started_at == datetime(2026, 11, 1, 10, 15, tzinfo=UTC)
    page = me.get(location)
    assert "Thank you: the failure is recorded." in page.text  # the one-time notice
    assert "Card payments failing" in page.text and "by Practitioner" in page.text
    assert "<em>everywhere</em>" in page.text and "Web shops could not take cards" in page.text


def test_report_a_failure_anonymously(pages: Pages, db: Database) -> None:
    me = pages(Role.viewer)
    answer = me.post(
        "/failures/new",
        data={"title": "I broke the cache", "kind": "incident", "severity": "3", "anonymous": "true"},
    )
    assert answer.status_code == 303, answer.text
    assert "anonymously" in answer.headers["set-cookie"]
    failure_id = int(answer.headers["location"].rsplit("/", 1)[1])
    failure = get_failure(db, failure_id)
    assert failure.reporter_id is None and failure.anonymous is True
    page = me.get(f"/failures/{failure_id}")
    assert "Reported anonymously" in page.text and "Viewer" not in page.text.split("</header>", 1)[1]


def test_bad_report_keeps_input_and_saves_nothing(pages: Pages, db: Database) -> None:
    me = pages(Role.practitioner)
    before = counts(db)
    answer = me.post(
        "/failures/new",
        data={
            "title": "  ",
            "services": ["payments"],
            "kind": "incident",
            "severity": "3",
            "description": "Kept <b>text</b>",
            "deployment_ids": "12, abc",
        },
    )
    assert answer.status_code == 422
    assert 'id="title-error"' in answer.text and "Please fill this in." in answer.text
    assert 'id="deployment_ids-error"' in answer.text
    assert "Kept &lt;b&gt;text&lt;/b&gt;" in answer.text
    assert '<option value="payments" selected>' in answer.text
    assert '<details class="fw-more" open>' in answer.text  # detail with errors is shown open
    # The service refuses what only the database knows: nothing is half-saved.
    refused = me.post(
        "/failures/new",
        data={"title": "Links", "kind": "incident", "severity": "3", "change_ids": "999"},
    )
    assert refused.status_code == 422 and 'id="change_ids-error"' in refused.text
    late = me.post(
        "/failures/new",
        data={"title": "Times", "kind": "incident", "started_at": "2026-11-02T10:00",
              "resolved_at": "2026-11-01T10:00"},
    )  # fmt: skip
    assert late.status_code == 422 and 'id="resolved_at-error"' in late.text
    assert counts(db) == before


def test_failure_page_shows_everything(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org, impact_consumers="Shoppers saw *errors*")
    page = pages(Role.viewer).get(f"/failures/{failure_id}")
    assert page.status_code == 200
    text = page.text
    assert "Checkout errors" in text and "SEV3" in text and ">Open<" in text
    assert "by Practice Owner" in text
    assert f'hx-get="/similar/panel?failure_id={failure_id}"' in text
    assert "Shoppers saw <em>errors</em>" in text
    # A viewer is offered no changes.
    assert "Change status" not in text and "Add to timeline" not in text
    assert "Start the review" not in text and "Add a corrective action" not in text
    assert pages(Role.viewer).get("/failures/999999").status_code == 404


def test_only_a_person_is_thanked_for_a_report(pages: Pages, db: Database, org: Org) -> None:
    """Named and anonymous reporters can be thanked; a webhook's report has nobody to thank."""
    named = make_failure(db, org, title="Named")
    anonymous = make_failure(db, org, title="Anonymous", anonymous=True)
    with db.session() as s:
        data = FailureIn(
            title="From an alert",
            kind=FailureKind.incident,
            services=[org.service],
            reported_via=ReportChannel.webhook,
        )
        by_system = failures.report_failure(s, SYSTEM, data).id
    viewer = pages(Role.viewer)
    assert "Thank for this report" in viewer.get(f"/failures/{named}").text
    assert 'recipient=anonymous_reporter">Thank for this report' in viewer.get(f"/failures/{anonymous}").text
    page = viewer.get(f"/failures/{by_system}").text
    assert "by a system" in page and "Thank for this report" not in page


def test_markdown_in_a_failure_is_inert(pages: Pages, db: Database, org: Org) -> None:
    nasty = '<script>alert(1)</script> <img src=x onerror="alert(2)"> [click](javascript:alert(3))'
    failure_id = make_failure(db, org, description=nasty)
    text = pages(Role.viewer).get(f"/failures/{failure_id}").text
    body = text.split('id="what-heading"', 1)[1].split("</section>", 1)[0]
    # Shown as text, never as markup: no script element, no image with a handler, no link.
    assert "<script" not in body and "<img" not in body and "<a " not in body
    assert "&lt;script&gt;" in body


def test_status_changes_with_time(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org, started_at=datetime(2026, 11, 1, 9, tzinfo=UTC))
    me = pages(Role.practitioner)
    assert "Mark mitigated" in me.get(f"/failures/{failure_id}").text
    answer = me.post(
        f"/failures/{failure_id}/status", data={"status": "mitigated", "status_at": "2026-11-01T10:30"}
    )
    assert answer.status_code == 303
    failure = get_failure(db, failure_id)
    assert failure.status == FailureStatus.mitigated
    assert failure.mitigated_at == datetime(2026, 11, 1, 10, 30, tzinfo=UTC)
    early = me.post(
        f"/failures/{failure_id}/status", data={"status": "resolved", "status_at": "2026-10-01T10:30"}
    )
    assert early.status_code == 422 and 'id="status_at-error"' in early.text
    assert get_failure(db, failure_id).status == FailureStatus.mitigated
    me.post(f"/failures/{failure_id}/status", data={"status": "resolved", "status_at": "2026-11-01T11:00"})
    closed = me.post(
        f"/failures/{failure_id}/status", data={"status": "closed", "status_at": "2026-11-03T11:00"}
    )
    assert closed.status_code == 303
    failure = get_failure(db, failure_id)
    assert failure.status == FailureStatus.closed
    assert failure.resolved_at == datetime(2026, 11, 1, 11, tzinfo=UTC)  # closing keeps it


def test_viewer_cannot_change_status_or_timeline(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    me = pages(Role.viewer)
    before = counts(db)
    forged = me.post(f"/failures/{failure_id}/status", data={"status": "resolved"})
    assert forged.status_code == 403
    event = me.post(f"/failures/{failure_id}/timeline", data={"event_description": "x"})
    assert event.status_code == 403
    assert counts(db) == before
    assert get_failure(db, failure_id).status == FailureStatus.open


def test_forms_without_csrf_are_refused(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    me = pages(Role.practice_owner)
    before = counts(db)
    no_token = me.http.post("/failures/new", data={"title": "x", "kind": "incident"})
    assert no_token.status_code == 403
    wrong = me.http.post(
        f"/failures/{failure_id}/status", data={"status": "resolved", "csrf_token": "forged"}
    )
    assert wrong.status_code == 403
    htmx = me.http.post(
        f"/failures/{failure_id}/timeline", data={"event_description": "x"}, headers={"HX-Request": "true"}
    )
    assert htmx.status_code == 403
    assert counts(db) == before


def test_timeline_add_inline(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    me = pages(Role.practitioner)
    fragment = me.post(
        f"/failures/{failure_id}/timeline",
        data={
            "event_kind": "detection",
            "event_occurred_at": "2026-11-01T10:00",
            "event_description": "Alert fired",
        },
        headers={"HX-Request": "true"},
    )
    assert fragment.status_code == 200
    assert fragment.text.lstrip().startswith('<section class="card" id="timeline"')
    assert "Alert fired" in fragment.text and "2026-11-01 10:00 UTC" in fragment.text
    assert "<html" not in fragment.text
    empty = me.post(
        f"/failures/{failure_id}/timeline", data={"event_kind": "note", "event_description": " "},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert empty.status_code == 200 and 'id="event_description-error"' in empty.text
    plain = me.post(f"/failures/{failure_id}/timeline", data={"event_description": "Rolled back"})
    assert plain.status_code == 303 and plain.headers["location"].endswith("#timeline")
    bad = me.post(f"/failures/{failure_id}/timeline", data={"event_description": ""})
    assert bad.status_code == 422 and 'id="event_description-error"' in bad.text
    with db.session() as s:
        texts = s.scalars(
            select(TimelineEvent.description).where(TimelineEvent.failure_id == failure_id)
        ).all()
    assert sorted(texts) == ["Alert fired", "Rolled back"]


def test_actions_added_by_managers_and_done_by_practitioners(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    manager = pages(Role.practice_manager)
    assert "Add a corrective action" in manager.get(f"/failures/{failure_id}").text
    bad = manager.post(
        f"/failures/{failure_id}/actions",
        data={"action_title": "Alert on pool", "action_type": "", "action_owner_team": "nope"},
        headers={"HX-Request": "true"},
    )
    assert bad.status_code == 200
    assert 'id="action_type-error"' in bad.text and 'value="Alert on pool"' in bad.text
    unknown_team = manager.post(
        f"/failures/{failure_id}/actions",
        data={"action_title": "Alert on pool", "action_type": "detect", "action_owner_team": "nope"},
    )
    assert unknown_team.status_code == 422 and 'id="action_owner_team-error"' in unknown_team.text
    added = manager.post(
        f"/failures/{failure_id}/actions",
        data={"action_title": "Alert on pool", "action_type": "detect", "action_owner_team": org.team,
              "action_due_date": "2020-01-01", "action_priority": "high"},
        headers={"HX-Request": "true"},
    )  # fmt: skip
    assert added.status_code == 200 and "Alert on pool" in added.text and "Overdue" in added.text
    with db.session() as s:
        action_id = s.scalars(select(CorrectiveAction.id)).one()

    practitioner = pages(Role.practitioner)
    page = practitioner.get(f"/failures/{failure_id}").text
    assert "Mark done" in page and "Add a corrective action" not in page
    assert "Propose a corrective action" in page and "action_due_date" not in page
    # A practitioner's action is a proposal, waiting for a practice manager; its due date is ignored.
    proposed = practitioner.post(
        f"/failures/{failure_id}/actions",
        data={"action_title": "Proposal", "action_type": "detect", "action_due_date": "2020-01-01"},
    )
    assert proposed.status_code == 303 and "proposed" in proposed.headers["set-cookie"]
    with db.session() as s:
        proposal = s.scalars(select(CorrectiveAction).where(CorrectiveAction.title == "Proposal")).one()
        assert (proposal.status, proposal.due_date) == (ActionStatus.proposed, None)
        proposal_id = proposal.id
    assert "Accept: Proposal" not in practitioner.get(f"/failures/{failure_id}").text
    assert "Accept: Proposal" in manager.get(f"/failures/{failure_id}").text
    refused = practitioner.post(f"/failures/{failure_id}/actions/{proposal_id}/accept")
    assert refused.status_code == 403
    declined = manager.post(
        f"/failures/{failure_id}/actions/{proposal_id}/decline", data={"decline_reason": "Covered"}
    )
    assert declined.status_code == 303
    page = manager.get(f"/failures/{failure_id}").text
    assert "Declined: Covered" in page and "Proposed by Practitioner" in page
    done = practitioner.post(
        f"/failures/{failure_id}/actions/{action_id}/done", headers={"HX-Request": "true"}
    )
    assert done.status_code == 200 and ">Done<" in done.text and "Overdue" not in done.text
    viewer = pages(Role.viewer)
    assert "Mark done" not in viewer.get(f"/failures/{failure_id}").text
    with db.session(write=True) as s:
        other = actions.create_action(
            s, org.actors[Role.practice_owner],
            ActionIn(failure_id=failure_id, title="Second", action_type="prevent", owner_team=org.team),
        ).id  # fmt: skip
    assert viewer.post(f"/failures/{failure_id}/actions/{other}/done").status_code == 403
    with db.session() as s:
        rows = s.execute(select(CorrectiveAction.id, CorrectiveAction.status))
        statuses = {row.id: row.status for row in rows}
    assert statuses == {
        action_id: ActionStatus.done,
        other: ActionStatus.open,
        proposal_id: ActionStatus.declined,
    }
