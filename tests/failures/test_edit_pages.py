"""Editing a failure's details (a page) and a timeline event (inline with htmx, or a small page)."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from html import unescape
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any, cast

from fastapi.testclient import TestClient

from factories import counts, make_change, make_deployment, make_service
from failwell.actions import service as actions
from failwell.actions.schemas import ActionIn
from failwell.db import Database
from failwell.enums import FailureKind, Role, TimelineKind
from failwell.failures import service as failures
from failwell.failures import timeline
from failwell.failures.models import TimelineEvent
from failwell.failures.schemas import FailureIn, FailureUpdate, TimelineEventIn
from support import Org

if TYPE_CHECKING:  # only for types: with tests/e2e in the same run, "conftest" can be that one
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
HTMX = {"HX-Request": "true"}


def make_failure(db: Database, org: Org, **fields: Any) -> int:
    data = FailureIn(
        **{
            "title": "Checkout errors",
            "kind": FailureKind.incident,
            "services": [org.service],
            "started_at": datetime(2026, 11, 1, 10, 0, 30, tzinfo=UTC),  # seconds: the form shows minutes
            **fields,
        }
    )
    with db.session(write=True) as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def make_event(db: Database, org: Org, failure_id: int, text: str = "Alert fired") -> int:
    data = TimelineEventIn(
        kind=TimelineKind.detection,
        occurred_at=datetime(2026, 11, 1, 10, 5, 30, tzinfo=UTC),
        description=text,
    )
    with db.session(write=True) as s:
        return timeline.add_event(s, org.actors[Role.practice_owner], failure_id, data).id


def snapshot(db: Database, failure_id: int) -> dict[str, Any]:
    """Everything a failure shows, and every table's row count: the fingerprint of 'nothing changed'."""
    with db.session() as s:
        failure = failures.failure_out(failures.get_failure(s, failure_id)).model_dump()
        events = [timeline.event_out(e).model_dump() for e in timeline.list_events(s, failure_id)]
    return {"failure": failure, "events": events, "counts": counts(db)}


def form_of(page: PageClient, url: str) -> dict[str, Any]:
    """The edit form's fields as the browser would send them unchanged (from the rendered page)."""
    html = page.get(url).text
    values: dict[str, Any] = {}
    for name, value in re.findall(r'<input id="[^"]*" name="([^"]+)" type="[^"]*"\s+value="([^"]*)"', html):
        values[name] = unescape(value)
    for name, value in re.findall(r'<input type="hidden" name="(shown)" value="([^"]*)"', html):
        values[name] = unescape(value)
    for name, text in re.findall(r'<textarea id="[^"]*" name="([^"]+)"[^>]*>([^<]*)</textarea>', html):
        values[name] = unescape(text)
    for name, body in re.findall(r'<select id="[^"]*" name="([^"]+)"[^>]*>(.*?)</select>', html, re.S):
        chosen = re.findall(r'<option value="([^"]*)" selected>', body)
        values[name] = chosen if name == "services" else (chosen[0] if chosen else "")
    return values


# ---- the failure's details -----------------------------------------------------------


def test_edit_link_and_form_show_the_current_details(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org, tags=["cards"], impact_partners="Shops down")
    me = pages(Role.practitioner)
    detail = me.get(f"/failures/{failure_id}").text
    assert f'href="/failures/{failure_id}/edit">Edit details</a>' in detail
    page = me.get(f"/failures/{failure_id}/edit")
    assert page.status_code == 200
    assert f'name="csrf_token" value="{me.csrf}"' in page.text  # macros imported with context
    assert 'value="Checkout errors"' in page.text and 'value="2026-11-01T10:00"' in page.text
    assert '<option value="payments" selected>' in page.text and 'value="cards"' in page.text
    assert ">Shops down</textarea>" in page.text
    assert pages(Role.viewer).get(f"/failures/{failure_id}").text.count("Edit details") == 0
    assert pages(Role.viewer).get(f"/failures/{failure_id}/edit").status_code == 403
    assert me.get("/failures/999999/edit").status_code == 404


def test_edit_saves_only_what_changed(pages: Pages, db: Database, org: Org, client: TestClient) -> None:
    failure_id = make_failure(db, org, detected_at=datetime(2026, 11, 1, 10, 2, 15, tzinfo=UTC))
    make_service(client, org, "ledger")
    deployment = make_deployment(client, org)["id"]
    change = make_change(client, org)["id"]
    me = pages(Role.practitioner)
    url = f"/failures/{failure_id}/edit"
    values = form_of(me, url)
    assert values["title"] == "Checkout errors" and values["started_at"] == "2026-11-01T10:00"
    values.update(
        title="Checkout errors for card payments",
        description="Line one\r\nLine *two*",
        kind="failed_deployment",
        severity="2",
        services=["payments", "ledger"],
        impact_consumers="Shoppers could not pay",
        tags="cards, Timeout",
        deployment_ids=str(deployment),
        change_ids=str(change),
        resolved_at="",
    )
    answer = me.post(url, data=values)
    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == f"/failures/{failure_id}"
    after = snapshot(db, failure_id)["failure"]
    assert after["title"] == "Checkout errors for card payments"
    assert after["description"] == "Line one\nLine *two*"
    assert after["kind"] == FailureKind.failed_deployment and after["severity"] == 2
    assert sorted(after["services"]) == ["ledger", "payments"] and after["tags"] == ["cards", "timeout"]
    assert after["deployment_ids"] == [deployment] and after["change_ids"] == [change]
    # Times left as shown keep their seconds: the form shows minutes, and they were not changed.
    assert after["started_at"] == datetime(2026, 11, 1, 10, 0, 30, tzinfo=UTC)
    assert after["detected_at"] == datetime(2026, 11, 1, 10, 2, 15, tzinfo=UTC)
    page = me.get(f"/failures/{failure_id}").text
    assert "Saved the changes to the details." in page and "Line <em>two</em>" in page

    # Clearing an optional time and a list, changing a time.
    values = form_of(me, url)
    values.update(detected_at="", started_at="2026-11-01T09:45", tags="", services=[])
    assert me.post(url, data=values).status_code == 303
    after = snapshot(db, failure_id)["failure"]
    assert after["detected_at"] is None and after["tags"] == [] and after["services"] == []
    assert after["started_at"] == datetime(2026, 11, 1, 9, 45, tzinfo=UTC)

    # Someone else changes the title while the form is open: saving other fields keeps it.
    values = form_of(me, url)
    assert "shown" in values
    with db.session(write=True) as s:
        failures.update_failure(
            s, org.actors[Role.practice_owner], failure_id, FailureUpdate(title="Renamed meanwhile")
        )
    values.update(severity="1")
    assert me.post(url, data=values).status_code == 303
    after = snapshot(db, failure_id)["failure"]
    assert after["title"] == "Renamed meanwhile" and after["severity"] == 1

    # Nothing changed: nothing saved, and the person is told so.
    before = snapshot(db, failure_id)
    same = me.post(url, data=form_of(me, url))
    assert same.status_code == 303 and "Nothing%20to%20change" in same.headers["set-cookie"]
    assert snapshot(db, failure_id) == before


def test_bad_edit_keeps_input_and_saves_nothing(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    me = pages(Role.practitioner)
    url = f"/failures/{failure_id}/edit"
    before = snapshot(db, failure_id)  # after signing in: sessions are rows too

    values = form_of(me, url)
    values.update(title="  ", description="Kept <b>text</b>", severity="9", deployment_ids="12, abc",
                  started_at="")  # fmt: skip
    answer = me.post(url, data=values)
    assert answer.status_code == 422
    assert 'id="title-error"' in answer.text and "Please fill this in." in answer.text
    assert 'id="started_at-error"' in answer.text and 'id="deployment_ids-error"' in answer.text
    assert "Please give numbers (ids), separated by commas." in answer.text
    assert 'id="severity-error"' in answer.text
    assert 'aria-describedby="title-error" aria-invalid="true"' in answer.text
    assert "Kept &lt;b&gt;text&lt;/b&gt;" in answer.text and 'value="12, abc"' in answer.text
    assert "Please correct" in answer.text and f'name="csrf_token" value="{me.csrf}"' in answer.text

    # Refused by the service, after the title change was applied: all rolled back.
    values = form_of(me, url)
    values.update(title="A better title", change_ids="999")
    refused = me.post(url, data=values)
    assert refused.status_code == 422 and 'id="change_ids-error"' in refused.text
    assert 'value="A better title"' in refused.text

    values = form_of(me, url)
    values.update(title="A better title", detected_at="2026-11-01T09:00")  # before it started
    early = me.post(url, data=values)
    assert early.status_code == 422 and 'id="detected_at-error"' in early.text

    values = form_of(me, url)
    values.update(resolved_at="2026-11-02T09:00")  # the failure is still open
    status = me.post(url, data=values)
    assert status.status_code == 422 and "change the status on the failure" in status.text

    assert snapshot(db, failure_id) == before


def test_viewers_and_forms_without_csrf_change_nothing(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    event_id = make_event(db, org, failure_id)
    viewer, owner = pages(Role.viewer), pages(Role.practice_owner)
    before = snapshot(db, failure_id)  # after signing in: sessions are rows too
    forged = viewer.post(f"/failures/{failure_id}/edit", data={"title": "Forged", "severity": "1"})
    assert forged.status_code == 403
    event = viewer.post(
        f"/failures/{failure_id}/timeline/{event_id}",
        data={f"e{event_id}_description": "Forged"},
        headers=HTMX,
    )
    assert event.status_code == 403
    assert viewer.get(f"/failures/{failure_id}/timeline/{event_id}/edit", headers=HTMX).status_code == 403
    assert (
        'href="/failures/'
        not in viewer.get(f"/failures/{failure_id}").text.split('id="timeline"')[1].split("</section>")[0]
    )  # no Edit link on the viewer's timeline

    no_token = owner.http.post(f"/failures/{failure_id}/edit", data={"title": "No token"})
    assert no_token.status_code == 403
    wrong = owner.http.post(f"/failures/{failure_id}/edit", data={"title": "Wrong", "csrf_token": "forged"})
    assert wrong.status_code == 403
    htmx = owner.http.post(
        f"/failures/{failure_id}/timeline/{event_id}", data={f"e{event_id}_description": "x"}, headers=HTMX
    )
    assert htmx.status_code == 403
    assert snapshot(db, failure_id) == before


# ---- a timeline event ------------------------------------------------------------------


def test_edit_an_event_inline(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    event_id = make_event(db, org, failure_id)
    other = make_event(db, org, failure_id, "Paged the on-call")
    me = pages(Role.practitioner)
    p = f"e{event_id}_"

    page = me.get(f"/failures/{failure_id}").text
    assert f'hx-get="/failures/{failure_id}/timeline/{event_id}/edit"' in page
    assert f'<li id="event-{event_id}" tabindex="-1">' in page

    form = me.get(f"/failures/{failure_id}/timeline/{event_id}/edit", headers=HTMX)
    assert form.status_code == 200 and "<html" not in form.text
    assert form.text.lstrip().startswith(f'<li id="event-{event_id}"')
    assert f'id="{p}kind"' in form.text and f'id="{p}description"' in form.text
    assert 'value="2026-11-01T10:05"' in form.text and ">Alert fired</textarea>" in form.text
    assert f'name="csrf_token" value="{me.csrf}"' in form.text
    assert re.search(f'<select id="{p}kind"[^>]*data-fw-focus>', form.text)  # focus: the first field

    cancel = me.get(f"/failures/{failure_id}/timeline/{event_id}", headers=HTMX)
    assert (
        cancel.status_code == 200 and "Alert fired" in cancel.text and "data-fw-focus>Edit</a>" in cancel.text
    )

    saved = me.post(
        f"/failures/{failure_id}/timeline/{event_id}",
        data={
            f"{p}kind": "mitigation",
            f"{p}occurred_at": "2026-11-01T10:05",
            f"{p}description": "Rolled back",
        },
        headers=HTMX,
    )
    assert saved.status_code == 200
    assert saved.text.lstrip().startswith(f'<li id="event-{event_id}" tabindex="-1" data-fw-focus>')
    assert "Rolled back" in saved.text and ">Mitigation<" in saved.text and 'role="status"' in saved.text
    with db.session() as s:
        event = s.get(TimelineEvent, event_id)
        assert event is not None
        assert (event.kind, event.description) == (TimelineKind.mitigation, "Rolled back")
        assert event.occurred_at == datetime(2026, 11, 1, 10, 5, 30, tzinfo=UTC)  # unchanged: seconds kept

    # Without JavaScript: the form is a page of its own, and saving goes back to the failure.
    plain = me.get(f"/failures/{failure_id}/timeline/{other}/edit")
    assert plain.status_code == 200 and "<h1>Edit a timeline event</h1>" in plain.text
    moved = me.post(
        f"/failures/{failure_id}/timeline/{other}",
        data={f"e{other}_kind": "detection", f"e{other}_occurred_at": "2026-11-01T10:07",
              f"e{other}_description": "Paged the on-call"},
    )  # fmt: skip
    assert moved.status_code == 303 and moved.headers["location"] == f"/failures/{failure_id}#event-{other}"
    with db.session() as s:
        moved_event = s.get(TimelineEvent, other)
        assert moved_event is not None
        assert moved_event.occurred_at == datetime(2026, 11, 1, 10, 7, tzinfo=UTC)

    # An event of another failure is not found through this one.
    elsewhere = make_failure(db, org, title="Elsewhere")
    assert me.get(f"/failures/{elsewhere}/timeline/{event_id}/edit", headers=HTMX).status_code == 404


def test_bad_event_edit_keeps_input_and_saves_nothing(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    event_id = make_event(db, org, failure_id)
    me = pages(Role.practitioner)
    p = f"e{event_id}_"
    url = f"/failures/{failure_id}/timeline/{event_id}"
    before = snapshot(db, failure_id)

    blank = me.post(
        url, data={f"{p}kind": "mitigation", f"{p}occurred_at": "2026-11-01T10:05", f"{p}description": "  "},
        headers=HTMX,
    )  # fmt: skip
    assert blank.status_code == 200  # htmx swaps only 2xx answers
    assert f'id="{p}description-error"' in blank.text and "Please fill this in." in blank.text
    assert '<option value="mitigation" selected>' in blank.text  # the kind chosen is kept
    assert "data-fw-focus" in blank.text.split(f'id="{p}description"', 1)[1].split(">", 1)[0]

    bad_time = me.post(
        url, data={f"{p}kind": "note", f"{p}occurred_at": "not a time", f"{p}description": "Kept as typed"},
    )  # fmt: skip
    assert bad_time.status_code == 422 and f'id="{p}occurred_at-error"' in bad_time.text
    assert ">Kept as typed</textarea>" in bad_time.text and "<h1>Edit a timeline event</h1>" in bad_time.text

    too_long = me.post(
        url, data={f"{p}kind": "note", f"{p}occurred_at": "", f"{p}description": "x" * 2_001}, headers=HTMX
    )
    assert f'id="{p}occurred_at-error"' in too_long.text and f'id="{p}description-error"' in too_long.text
    assert snapshot(db, failure_id) == before


def test_timeline_add_and_action_done_move_the_focus(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    me = pages(Role.practitioner)
    added = me.post(
        f"/failures/{failure_id}/timeline",
        data={"event_kind": "note", "event_description": "Status page updated"},
        headers=HTMX,
    )
    with db.session() as s:
        new_id = timeline.list_events(s, failure_id)[-1].id
    assert f'<li id="event-{new_id}" tabindex="-1" data-fw-focus>' in added.text
    wrong = me.post(
        f"/failures/{failure_id}/timeline", data={"event_kind": "note", "event_description": ""}, headers=HTMX
    )
    assert wrong.text.count("data-fw-focus") == 1
    assert "data-fw-focus" in wrong.text.split('id="event_description"', 1)[1].split(">", 1)[0]

    with db.session(write=True) as s:
        action_id = actions.create_action(
            s,
            org.actors[Role.practice_owner],
            ActionIn(failure_id=failure_id, title="Retry budget", action_type="prevent", owner_team=org.team),
        ).id
    done = me.post(f"/failures/{failure_id}/actions/{action_id}/done", headers=HTMX)
    assert f'<li id="action-{action_id}" tabindex="-1" data-fw-focus>' in done.text
    assert "Marked done: Retry budget." in done.text
    manager = pages(Role.practice_manager)
    refused = manager.post(f"/failures/{failure_id}/actions", data={"action_title": "x"}, headers=HTMX)
    assert refused.text.count("data-fw-focus") == 1
    assert "data-fw-focus" in refused.text.split('id="action_type"', 1)[1].split(">", 1)[0]


def test_edit_of_a_field_changed_meanwhile_is_refused_then_saved_on_purpose(
    pages: Pages, db: Database, org: Org
) -> None:
    failure_id = make_failure(db, org)
    me = pages(Role.practitioner)
    url = f"/failures/{failure_id}/edit"
    values = form_of(me, url)
    with db.session(write=True) as s:
        failures.update_failure(
            s,
            org.actors[Role.practice_owner],
            failure_id,
            FailureUpdate(title="Renamed meanwhile", severity=1),
        )
    before = snapshot(db, failure_id)
    values.update(title="Card payments fail", impact_consumers="Shoppers could not pay")
    refused = me.post(url, data=values)
    assert refused.status_code == 409 and 'id="title-error"' in refused.text
    assert "Save again to replace it with yours." in refused.text
    assert snapshot(db, failure_id) == before  # nothing saved, not even the other field
    # The form again: this person's changes over the latest version, which now counts as shown.
    assert (
        'value="Card payments fail"' in refused.text and ">Shoppers could not pay</textarea>" in refused.text
    )
    assert '<option value="1" selected>' in refused.text

    # Saving again from the refused page, as the browser would send it.
    again = form_of(cast("PageClient", SimpleNamespace(get=lambda _: refused)), url)
    assert again["title"] == "Card payments fail" and again["severity"] == "1"
    assert me.post(url, data=again).status_code == 303
    after = snapshot(db, failure_id)["failure"]
    assert after["title"] == "Card payments fail" and after["severity"] == 1
    assert after["impact_consumers"] == "Shoppers could not pay"
