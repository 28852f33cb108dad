"""The failure page's domain rules, at the service: which time a status records, and the
field-by-field merge of an edit with what others changed meanwhile."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from failwell.db import Database
from failwell.enums import FailureKind, FailureStatus, Role
from failwell.errors import Conflict, InvalidInput, PermissionDenied
from failwell.failures import edits
from failwell.failures import service as failures
from failwell.failures.schemas import FailureIn, FailureUpdate
from support import Org

STARTED = datetime(2026, 11, 1, 10, 0, 30, tzinfo=UTC)


def at(hour: int, minute: int, second: int = 0, day: int = 1) -> datetime:
    return datetime(2026, 11, day, hour, minute, second, tzinfo=UTC)


def make_failure(db: Database, org: Org, **fields: Any) -> int:
    data = FailureIn(
        **{"title": "Checkout errors", "kind": FailureKind.incident, "started_at": STARTED, **fields}
    )
    with db.session(write=True) as s:
        return failures.report_failure(s, org.actors[Role.practice_owner], data).id


def read(db: Database, failure_id: int) -> dict[str, Any]:
    with db.session() as s:
        return failures.failure_out(failures.get_failure(s, failure_id)).model_dump()


def change_status(db: Database, org: Org, failure_id: int, status: FailureStatus, when: datetime) -> None:
    with db.session(write=True) as s:
        edits.change_status(s, org.actors[Role.practitioner], failure_id, status, when)


def edit(db: Database, org: Org, failure_id: int, shown: dict[str, Any], submitted: dict[str, Any]) -> bool:
    with db.session(write=True) as s:
        return edits.edit_failure(s, org.actors[Role.practitioner], failure_id, shown, submitted) is not None


def someone_else_sets(db: Database, org: Org, failure_id: int, **fields: Any) -> None:
    with db.session(write=True) as s:
        failures.update_failure(s, org.actors[Role.practice_owner], failure_id, FailureUpdate(**fields))


# ---- which time a status records ------------------------------------------------------


def test_a_status_records_its_time(db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    change_status(db, org, failure_id, FailureStatus.mitigated, at(10, 30))
    after = read(db, failure_id)
    assert after["status"] == FailureStatus.mitigated and after["mitigated_at"] == at(10, 30)
    assert after["resolved_at"] is None

    change_status(db, org, failure_id, FailureStatus.resolved, at(11, 0))
    after = read(db, failure_id)
    assert after["resolved_at"] == at(11, 0) and after["mitigated_at"] == at(10, 30)

    # Closing keeps the time it was resolved.
    change_status(db, org, failure_id, FailureStatus.closed, at(12, 0, day=3))
    after = read(db, failure_id)
    assert after["status"] == FailureStatus.closed and after["resolved_at"] == at(11, 0)

    # Reopening takes no time, and forgets the ones that no longer hold.
    change_status(db, org, failure_id, FailureStatus.open, at(13, 0, day=3))
    after = read(db, failure_id)
    assert after["status"] == FailureStatus.open
    assert after["mitigated_at"] is None and after["resolved_at"] is None


def test_closing_an_unresolved_failure_records_when(db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    change_status(db, org, failure_id, FailureStatus.closed, at(15, 0))
    after = read(db, failure_id)
    assert after["status"] == FailureStatus.closed and after["resolved_at"] == at(15, 0)


def test_a_status_time_before_the_start_is_refused(db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    before = read(db, failure_id)
    with pytest.raises(InvalidInput) as refused:
        change_status(db, org, failure_id, FailureStatus.resolved, datetime(2026, 10, 1, 10, 30, tzinfo=UTC))
    assert [e.field for e in refused.value.errors] == ["resolved_at"]
    assert read(db, failure_id) == before


# ---- the merge of an edit -------------------------------------------------------------


def test_edited_fields_is_what_changed_since_it_was_shown() -> None:
    shown = {"title": "A", "tags": ["x", "y"], "started_at": at(10, 0), "description": "Text"}
    current = {**shown, "started_at": at(10, 0, 30)}  # stored with seconds, shown to the minute
    same = {"title": " A ", "tags": ["y", "x", "x"], "started_at": at(10, 0), "description": "Text\r\n"}
    assert edits.edited_fields(shown, same, current) == {}
    assert edits.edited_fields(shown, {**same, "title": "B"}, current) == {"title": "B"}
    # A field the form did not show is compared with what is stored.
    assert edits.edited_fields({}, {"title": "A", "tags": ["z"]}, current) == {"tags": ["z"]}


def test_edited_fields_refuses_a_field_changed_on_both_sides() -> None:
    shown = {"title": "A", "severity": 3}
    current = {"title": "Renamed meanwhile", "severity": 3}
    # Their field is left alone when this person did not touch it...
    assert edits.edited_fields(shown, {"title": "A", "severity": 1}, current) == {"severity": 1}
    # ... refused when both changed it differently ...
    with pytest.raises(Conflict) as clash:
        edits.edited_fields(shown, {"title": "Mine", "severity": 1}, current)
    assert [(e.field, e.reason) for e in clash.value.errors] == [("title", edits.CHANGED_MEANWHILE)]
    # ... and fine when both made the same change.
    assert edits.edited_fields(shown, {"title": "Renamed meanwhile"}, current) == {
        "title": "Renamed meanwhile"
    }


def test_edit_saves_only_what_this_person_changed(db: Database, org: Org) -> None:
    failure_id = make_failure(db, org, tags=["cards"], detected_at=at(10, 2, 15))
    shown = {
        "title": "Checkout errors",
        "severity": 3,
        "started_at": at(10, 0),
        "detected_at": at(10, 2),
        "tags": ["cards"],
    }
    someone_else_sets(db, org, failure_id, title="Renamed meanwhile")
    submitted = {**shown, "severity": 1, "tags": ["cards", "timeout"]}
    assert edit(db, org, failure_id, shown, submitted)
    after = read(db, failure_id)
    assert after["title"] == "Renamed meanwhile"  # not put back by a person who left it alone
    assert after["severity"] == 1 and after["tags"] == ["cards", "timeout"]
    # Times left as shown keep their seconds.
    assert after["started_at"] == STARTED and after["detected_at"] == at(10, 2, 15)

    # Nothing changed: nothing saved.
    before = read(db, failure_id)
    assert not edit(db, org, failure_id, {"severity": 1}, {"severity": 1, "title": "Renamed meanwhile"})
    assert read(db, failure_id) == before


def test_edit_refuses_a_field_someone_else_changed_meanwhile(db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    shown = {"title": "Checkout errors", "severity": 3}
    someone_else_sets(db, org, failure_id, title="Renamed meanwhile")
    before = read(db, failure_id)
    with pytest.raises(Conflict) as clash:
        edit(db, org, failure_id, shown, {"title": "Card payments fail", "severity": 2})
    assert [e.field for e in clash.value.errors] == ["title"]
    assert read(db, failure_id) == before  # all or nothing: the severity was not saved either

    # Seen the latest version, the person's change is saved.
    assert edit(db, org, failure_id, {**shown, "title": "Renamed meanwhile"}, {"title": "Card payments fail"})
    assert read(db, failure_id)["title"] == "Card payments fail"


def test_edit_is_refused_to_viewers(db: Database, org: Org) -> None:
    failure_id = make_failure(db, org)
    with db.session(write=True) as s, pytest.raises(PermissionDenied):
        edits.edit_failure(s, org.actors[Role.viewer], failure_id, {}, {"title": "Forged"})
    assert read(db, failure_id)["title"] == "Checkout errors"
