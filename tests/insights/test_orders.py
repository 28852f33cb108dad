"""The order of what people read first: home's open failures most severe first, the digest's
overdue actions most overdue first (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from factories import utc
from failwell.actions.schemas import ActionIn
from failwell.actions.service import create_action
from failwell.db import Database
from failwell.enums import ActionType, FailureKind, Role
from failwell.failures.schemas import FailureIn
from failwell.failures.service import report_failure
from failwell.insights import attention
from failwell.insights import digest as d
from failwell.people.teams import team_by_name
from support import Org


def _failure(s: Session, org: Org, title: str, severity: int, day: int, *services: str) -> int:
    data = FailureIn(
        title=title,
        kind=FailureKind.incident,
        severity=severity,
        started_at=utc(2026, 3, day),
        services=list(services),
    )
    return report_failure(s, org.actors[Role.practice_owner], data).id


def test_open_failures_come_most_severe_first_then_newest(db: Database, org: Org) -> None:
    with db.session() as s:
        # Started in an order that matches neither severity nor its reverse.
        _failure(s, org, "SEV3 newest", 3, 9, org.service)
        _failure(s, org, "SEV1 oldest", 1, 1, org.service)
        _failure(s, org, "SEV2", 2, 5)
        _failure(s, org, "SEV1 newer", 1, 4)
        _failure(s, org, "SEV5", 5, 8, org.service)
        payments = team_by_name(s, org.team).id

    with db.session(write=False) as s:
        everyone = attention.open_failures(s, [], limit=10)
        assert [f.title for f in everyone.items] == [
            "SEV1 newer",
            "SEV1 oldest",
            "SEV2",
            "SEV3 newest",
            "SEV5",
        ]
        # The person's teams still lead the panel; each part is by severity.
        mine = attention.open_failures(s, [payments], limit=10)
        assert mine.mine == 3
        assert [f.title for f in mine.items] == ["SEV1 oldest", "SEV3 newest", "SEV5", "SEV1 newer", "SEV2"]


def test_digest_overdue_actions_come_by_due_date(db: Database, org: Org) -> None:
    with db.session() as s:
        failure = _failure(s, org, "Paged too late", 2, 1)
        # Created (so numbered) in an order that is not the due dates'.
        for title, due in (("Due 5 March", 5), ("Due 1 March", 1), ("Due 7 March", 7), ("Due 3 March", 3)):
            data = ActionIn(
                failure_id=failure,
                title=title,
                action_type=ActionType.prevent,
                owner_team=org.team,
                due_date=date(2026, 3, due),
            )
            create_action(s, org.actors[Role.practice_owner], data)

    with db.session(write=False) as s:
        overdue = d.actions_overdue(s, utc(2026, 3, 9), None)
        assert [a.title for a in overdue] == ["Due 1 March", "Due 3 March", "Due 5 March", "Due 7 March"]
        assert [a.title for a in d.build_digest(s, "2026-W10").actions_overdue] == [a.title for a in overdue]
