"""The demo organisation's ideas, and its proposed and declined corrective actions.

Written after the rest of the history, with no random draws, so the rest of the demo stays as
it was; every time is relative to the load day (``now`` is its midnight).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import default_owner_team
from failwell.enums import ActionPriority, ActionStatus, ActionType, IdeaStatus, Role
from failwell.failures.models import Failure
from failwell.ideas.models import Idea, IdeaComment, IdeaFailure, IdeaSupport
from failwell.people.models import Person

GAME_DAY = (
    "Run a failover game day each quarter",
    "Twice this year the failover runbook was out of date when we needed it. A planned game day "
    "every quarter, on a weekday morning with everyone around, would find the gaps while nothing "
    "is at stake.\n\n- pick one service per game day\n- time the failover against the runbook\n"
    "- fix the runbook the same week",
)
CHECKLIST = (
    "A shorter release checklist",
    "The release checklist has grown to 34 items and people skim it. Most of the items are checked "
    "by the pipeline already; keeping only what a person must judge would make the rest stand out.",
)
CERT_ALERT = (
    "Warn 14 days before a certificate expires",
    "An expired certificate took us down; the expiry date was known for a year. A warning two "
    "weeks ahead, to the owning team's channel, would have been enough.",
)
DASHBOARD = (
    "One dashboard per partner",
    "Partners ask us how their traffic is doing during an incident. A dashboard per partner would "
    "let the incident lead answer without asking around.",
)
DASHBOARD_CLOSED = (
    "The partner status page already shows this per partner since last month, and partners can "
    "subscribe to it. We would rather improve that page than build a second one."
)
DECLINE_REASON = "Covered already: the saturation alert added after the earlier failure pages for this."


def _by_role(people: Sequence[Person], role: Role) -> list[Person]:
    return sorted((p for p in people if p.role == role), key=lambda p: p.id)


def _idea(
    s: Session,
    text: tuple[str, str],
    created: datetime,
    proposer: Person | None,
    failures: Sequence[Failure],
    supporters: Sequence[Person],
    comments: Sequence[tuple[Person, str, timedelta]],
) -> Idea:
    idea = Idea(
        title=text[0],
        body=text[1],
        proposed_by_id=proposer.id if proposer else None,
        anonymous=proposer is None,
        created_at=created,
        updated_at=created,
    )
    s.add(idea)
    s.flush()
    s.add_all(IdeaFailure(idea_id=idea.id, failure_id=f.id) for f in failures)
    s.add_all(
        IdeaSupport(idea_id=idea.id, person_id=p.id, created_at=created + timedelta(hours=3 * (n + 1)))
        for n, p in enumerate(supporters)
    )
    for author, body, after in comments:
        s.add(IdeaComment(idea_id=idea.id, author_id=author.id, body=body, created_at=created + after))
        idea.updated_at = max(idea.updated_at, created + after)
    return idea


def _proposal(
    s: Session, failure: Failure, proposer: Person, created: datetime, title: str, status: ActionStatus
) -> CorrectiveAction:
    team = default_owner_team(failure)
    assert team is not None, failure.title
    action = CorrectiveAction(
        failure=failure,
        title=title,
        description="Proposed from the review: the signal was there, nobody was told.",
        action_type=ActionType.detect,
        owner_team=team,
        priority=ActionPriority.medium,
        status=status,
        due_date=(created + timedelta(days=21)).date(),
        proposed_by_id=proposer.id,
        decline_reason=DECLINE_REASON if status == ActionStatus.declined else None,
        created_at=created,
        updated_at=created + timedelta(days=2) if status == ActionStatus.declined else created,
    )
    s.add(action)
    return action


def add_ideas(
    s: Session,
    now: datetime,
    people: Sequence[Person],
    failures: Sequence[Failure],
    actions: Sequence[CorrectiveAction],
) -> int:
    """Adds the ideas and two proposals; returns how many corrective actions it added."""
    practitioners = _by_role(people, Role.practitioner)
    viewers = _by_role(people, Role.viewer) or practitioners
    managers = _by_role(people, Role.practice_manager)
    everyone = sorted(people, key=lambda p: p.id)
    recent = sorted((f for f in failures if f.services), key=lambda f: f.started_at, reverse=True)
    day = timedelta(days=1)

    _idea(
        s,
        GAME_DAY,
        now - 9 * day,
        practitioners[0],
        recent[3:5],
        [p for p in everyone if p.id != practitioners[0].id][:6],
        [
            (managers[0], "Yes. Could the first one be for **payments**?", timedelta(days=1, hours=2)),
            (viewers[0], "Happy to join as an observer and take notes.", timedelta(days=2, hours=5)),
        ],
    )
    _idea(
        s,
        CHECKLIST,
        now - 4 * day,
        None,
        [],
        everyone[2:5],
        [(practitioners[-1], "+1, it takes me 20 minutes.", timedelta(hours=26))],
    )

    # An idea accepted into an action that exists: the action credits the idea's proposer.
    done = sorted(
        (a for a in actions if a.status == ActionStatus.done and a.created_at > now - 90 * day),
        key=lambda a: a.created_at,
    )
    if done:
        action = done[-1]
        proposer = viewers[0]
        idea = _idea(
            s,
            (action.title, CERT_ALERT[1]),
            action.created_at - 2 * day,
            proposer,
            [action.failure],
            everyone[:4],
            [],
        )
        idea.status, idea.action_id = IdeaStatus.accepted, action.id
        idea.decided_by_id, idea.updated_at = managers[0].id, action.created_at
        # A bulk update: the ORM's onupdate would stamp the real clock on updated_at.
        s.execute(
            update(CorrectiveAction)
            .where(CorrectiveAction.id == action.id)
            .values(proposed_by_id=proposer.id, updated_at=action.updated_at)
        )

    closed = _idea(s, DASHBOARD, now - 20 * day, practitioners[1 % len(practitioners)], [], everyone[5:7], [])
    closed.status, closed.close_reason = IdeaStatus.closed, DASHBOARD_CLOSED
    closed.decided_by_id, closed.updated_at = managers[0].id, now - 17 * day

    _proposal(
        s,
        recent[0],
        practitioners[0],
        now - 2 * day,
        "Alert when retries double within ten minutes",
        ActionStatus.proposed,
    )
    _proposal(
        s,
        recent[2],
        practitioners[-1],
        now - 12 * day,
        "Page on connection pool saturation",
        ActionStatus.declined,
    )
    s.flush()
    return 2
