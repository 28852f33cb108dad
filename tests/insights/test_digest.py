"""The weekly digest's reads, one by one, then together, and the port broadcast reaches
them through (SQLite and PostgreSQL)."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import pytest
from sqlalchemy.orm import Session

from factories import utc
from failwell.actions.models import CorrectiveAction
from failwell.actions.schemas import ActionIn
from failwell.actions.service import create_action
from failwell.authz import SYSTEM
from failwell.broadcast import ports
from failwell.broadcast.digest import build_digest as broadcast_build_digest
from failwell.broadcast.digest import render_digest
from failwell.broadcast.digest_model import LessonItem
from failwell.broadcast.models import OutboxEvent, ReviewRead, Topic
from failwell.changes.schemas import DeploymentIn
from failwell.changes.service import record_deployment
from failwell.db import Database
from failwell.enums import ActionStatus, ActionType, FailureKind, ReviewStatus, Role
from failwell.errors import InvalidInput
from failwell.failures.schemas import FailureIn
from failwell.failures.service import report_failure
from failwell.insights import digest as d
from failwell.people.teams import team_by_name
from failwell.reviews.models import Review
from support import Org

WEEK = "2026-W10"  # Monday 2 March 2026 to Monday 9 March
START, END = utc(2026, 3, 2), utc(2026, 3, 9)


def _lesson(review_id: int, readers: int, severity: int) -> LessonItem:
    return LessonItem(review_id, review_id, f"f{review_id}", severity, [], "x", readers, "u")


def test_lesson_of_the_week_is_the_most_read_then_most_severe_then_newest() -> None:
    assert d.lesson_of_the_week([]) is None
    most_read = [_lesson(1, 5, 4), _lesson(2, 3, 1)]
    assert d.lesson_of_the_week(most_read) == most_read[0]
    tied = [_lesson(1, 2, 3), _lesson(2, 2, 1), _lesson(3, 2, 1)]
    assert d.lesson_of_the_week(tied) == tied[2]


def test_the_port_is_wired_and_says_so_when_not(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ports.digest_builder() is d.build_digest
    monkeypatch.setattr(ports, "_digest_builder", None)
    with pytest.raises(ports.DigestBuilderNotWired, match="bootstrap"):
        ports.digest_builder()


# ---- reads -----------------------------------------------------------------------------


def _failure(s: Session, org: Org, title: str, severity: int, *services: str) -> int:
    data = FailureIn(
        title=title,
        kind=FailureKind.incident,
        severity=severity,
        started_at=utc(2026, 3, 1),
        services=list(services),
    )
    return report_failure(s, org.actors[Role.practice_owner], data).id


def _published(s: Session, failure_id: int, lessons: str, at: datetime, readers: list[int]) -> int:
    review = Review(
        failure_id=failure_id, status=ReviewStatus.published, lessons_learned=lessons, published_at=at
    )
    s.add(review)
    s.flush()
    s.add_all(ReviewRead(review_id=review.id, person_id=p) for p in readers)
    return review.id


def _recurrence(s: Session, at: datetime, title: str, **facts: object) -> None:
    s.add(
        OutboxEvent(
            uid=uuid.uuid4().hex,
            topic=Topic.recurrence_detected.value,
            title=title,
            text="",
            html="",
            facts=facts,
            created_at=at,
        )
    )


def _action(
    s: Session, org: Org, failure_id: int, title: str, team: str, due: date | None = None
) -> CorrectiveAction:
    data = ActionIn(
        failure_id=failure_id, title=title, action_type=ActionType.prevent, owner_team=team, due_date=due
    )
    return create_action(s, org.actors[Role.practice_owner], data)


def test_reads_and_the_whole(db: Database, org: Org) -> None:
    readers = [org.actors[Role.viewer].person_id, org.actors[Role.practitioner].person_id]
    with db.session() as s:
        payments = team_by_name(s, org.team)
        platform = team_by_name(s, org.other_team)
        disk = _failure(s, org, "Disk full", 3, org.service)
        page = _failure(s, org, "Paged too late", 1)
        late = _failure(s, org, "Published the week after", 2, org.service)
        read_most = _published(s, disk, "Rotate logs", utc(2026, 3, 3), readers)
        newest = _published(s, page, "Page on symptoms", utc(2026, 3, 4), [])
        _published(s, late, "Not this week", END, readers)
        _recurrence(
            s, utc(2026, 3, 5), "[failwell] x", team_ids=[payments.id], failure_title="Disk full again"
        )
        _recurrence(s, utc(2026, 3, 6), "[failwell] Happened before: Queue stuck", team_ids=[])
        _recurrence(s, utc(2026, 2, 28), "[failwell] The week before", team_ids=[payments.id])
        fixed = _action(s, org, disk, "Rotate logs", org.team)
        fixed.status, fixed.completed_at = ActionStatus.done, utc(2026, 3, 5)
        done = fixed.id
        overdue = _action(s, org, page, "Alert on symptoms", org.other_team, date(2026, 3, 7)).id
        _action(s, org, page, "Due on the last day", org.other_team, date(2026, 3, 8))
        payments_id, platform_id = payments.id, platform.id

    with db.session(write=False) as s:
        payments = team_by_name(s, org.team)
        platform = team_by_name(s, org.other_team)
        lessons = d.new_lessons(s, START, END, None)
        assert [(x.review_id, x.readers) for x in lessons] == [(newest, 0), (read_most, 2)]
        assert lessons[1].services == [org.service] and lessons[1].url.endswith(f"/failures/{disk}")
        assert [x.review_id for x in d.new_lessons(s, START, END, payments)] == [read_most]
        assert d.new_lessons(s, START, END, platform) == []

        assert [(x.title, x.failure_id) for x in d.recurrences_detected(s, START, END, None)] == [
            ("Disk full again", None),
            ("Happened before: Queue stuck", None),
        ]
        assert [x.title for x in d.recurrences_detected(s, START, END, payments)] == ["Disk full again"]

        assert [a.action_id for a in d.actions_done(s, START, END, None)] == [done]
        assert d.actions_done(s, START, END, platform) == []
        assert [(a.action_id, a.team) for a in d.actions_overdue(s, END, None)] == [(overdue, org.other_team)]
        assert d.actions_overdue(s, END, payments) == []

        whole = d.build_digest(s, WEEK)
        assert (whole.scope, whole.team_id, whole.week) == ("organisation", None, WEEK)
        assert whole.lesson_of_the_week is not None and whole.lesson_of_the_week.review_id == read_most
        assert (len(whole.lessons), len(whole.recurrences), len(whole.actions_done)) == (2, 2, 1)
        team = d.build_digest(s, WEEK, platform)
        assert (team.scope, team.team_id) == (org.other_team, platform_id)
        assert [a.action_id for a in team.actions_overdue] == [overdue] and not team.lessons
        # Broadcast's callers reach the same reads through the port.
        assert broadcast_build_digest(s, WEEK, platform) == team
        assert d.build_digest(s, WEEK, payments).team_id == payments_id
        with pytest.raises(InvalidInput):
            d.build_digest(s, "2026-13")


def test_the_digest_says_the_weeks_deliveries(db: Database, org: Org) -> None:
    with db.session() as s:
        data = DeploymentIn(service=org.service, version="1", started_at=utc(2026, 3, 4), outcome="failed")
        record_deployment(s, SYSTEM, data)
    with db.session(write=False) as s:
        whole = d.build_digest(s, WEEK)
        other = d.build_digest(s, WEEK, team_by_name(s, org.other_team))
    assert whole.delivery == "1 production deployment; change fail rate 100.0 %."
    assert other.delivery == "No production deployments this week."
    _subject, text, html = render_digest(whole)
    assert "DELIVERY\n1 production deployment" in text and "<h2>Delivery</h2>" in html
