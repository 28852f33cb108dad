"""The audit page: practice owners read and filter it and download the export; other roles are
refused, and the refusal is recorded. Both databases."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from audit.helpers import entries, last
from failwell.db import Database
from failwell.enums import Role
from support import Org, PageClient


def test_owner_sees_entries_and_filters(pages: Callable[[Role], PageClient], org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    r = owner.get("/admin/audit")
    assert r.status_code == 200, r.text
    assert "<h1>Audit trail</h1>" in r.text
    assert "Team &#39;platform&#39; created" in r.text or "Team 'platform' created" in r.text
    r = owner.get("/admin/audit", params={"subject_type": "service"})
    assert "payments" in r.text and "platform&#39; created" not in r.text
    r = owner.get("/admin/audit", params={"since": "2026-12-05", "until": "2026-12-01"})
    assert r.status_code == 422 and "on or after" in r.text
    r = owner.get("/admin/audit", params={"since": "yesterday"})
    assert r.status_code == 422
    r = owner.get("/admin/audit", params={"actor": "nobody by this name"})
    assert "No entry matches" in r.text
    assert 'href="/admin/audit"' in owner.get("/admin").text


def test_owner_exports_with_the_page_filters(pages: Callable[[Role], PageClient], org: Org) -> None:
    owner = pages(Role.practice_owner)
    r = owner.get("/admin/audit/export", params={"subject_type": "team", "format": "csv"})
    assert r.status_code == 200, r.text
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert rows and {row["subject_type"] for row in rows} == {"team"}
    r = owner.get("/admin/audit/export", params={"format": "jsonl", "action": "created"})
    assert r.headers["content-type"].startswith("application/x-ndjson")


def test_other_roles_are_refused_and_recorded(
    pages: Callable[[Role], PageClient], org: Org, db: Database
) -> None:
    for role in (Role.practice_manager, Role.viewer):
        r = pages(role).get("/admin/audit")
        assert r.status_code == 403
        refused = last(db, action="refused", actor_person_id=org.actors[role].person_id)
        assert refused["actor_kind"] == "person" and refused["request_path"] == "/admin/audit"
    assert pages(Role.practitioner).get("/admin/audit/export").status_code == 403


def test_changes_made_in_pages_name_the_person(
    pages: Callable[[Role], PageClient], org: Org, db: Database
) -> None:
    owner = pages(Role.practice_owner)
    r = owner.post("/admin/review-template", data={"template": "## What happened\n"})
    assert r.status_code in (200, 303), r.text
    entry = last(db, subject_type="org_setting")
    assert entry["actor_kind"] == "person"
    assert entry["actor_person_id"] == org.actors[Role.practice_owner].person_id


def test_a_refusal_shown_inside_a_form_is_recorded_once(
    pages: Callable[[Role], PageClient], org: Org, db: Database
) -> None:
    viewer = org.actors[Role.viewer]
    form = {"subscriber": f"team:{org.other_team}", "topics": "failure_reported"}
    r = pages(Role.viewer).post("/subscriptions", data=form)
    assert r.status_code == 403, r.text
    refused = entries(db, action="refused", actor_person_id=viewer.person_id)
    assert len(refused) == 1
    assert refused[0]["request_method"] == "POST" and refused[0]["request_path"] == "/subscriptions"
    assert "team or channel" in refused[0]["summary"]
