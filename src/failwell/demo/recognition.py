"""The demo organisation's recognition: kudos for contributions to learning (one to the anonymous
reporter of a near miss), an award announced last month and another open for nominations.

Written after the ideas, with no random draws, so the rest of the demo stays as it was; every time
is relative to the load day (``now`` is its midnight).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.enums import (
    ActionStatus,
    CycleStatus,
    FailureKind,
    RecipientKind,
    ReviewStatus,
    Role,
    ThankedKind,
)
from failwell.failures.models import Failure
from failwell.ideas.models import Idea
from failwell.people.models import Person, Team
from failwell.recognition.models import Award, AwardCycle, Kudos, Nomination, Vote
from failwell.reviews.models import Review

DAY = timedelta(days=1)


def _kudos(
    s: Session,
    when: datetime,
    giver: Person,
    thanked: tuple[ThankedKind, int],
    message: str,
    person: Person | None = None,
    team: Team | None = None,
) -> None:
    kind = (
        RecipientKind.person if person else RecipientKind.team if team else RecipientKind.anonymous_reporter
    )
    s.add(
        Kudos(
            from_id=giver.id,
            recipient_kind=kind,
            to_person_id=person.id if person else None,
            to_team_id=team.id if team else None,
            thanked_kind=thanked[0],
            thanked_id=thanked[1],
            message=message,
            created_at=when,
        )
    )


def add_recognition(
    s: Session,
    now: datetime,
    people: Sequence[Person],
    failures: Sequence[Failure],
    reviews: Sequence[Review],
    actions: Sequence[CorrectiveAction],
) -> int:
    """Adds kudos and two award cycles; returns how many kudos it added."""
    everyone = sorted(people, key=lambda p: p.id)
    managers = [p for p in everyone if p.role == Role.practice_manager]
    owner = next(p for p in everyone if p.role == Role.practice_owner)
    published = sorted(
        (r for r in reviews if r.status == ReviewStatus.published and r.published_at and r.author_id),
        key=lambda r: (r.published_at or now, r.id),
        reverse=True,
    )
    held = sorted(
        (
            a
            for a in actions
            if a.status == ActionStatus.done and a.completed_at and a.completed_at < now - 30 * DAY
        ),
        key=lambda a: (a.completed_at or now, a.id),
        reverse=True,
    )
    near_misses = sorted(
        (f for f in failures if f.kind == FailureKind.near_miss),
        key=lambda f: (f.started_at, f.id),
        reverse=True,
    )
    anonymous = next((f for f in near_misses if f.anonymous), None)
    named = next((f for f in near_misses if f.reporter_id and not f.anonymous), None)
    by_id = {p.id: p for p in everyone}
    teams = {t.id: t for t in s.scalars(select(Team).order_by(Team.id))}
    count = 0

    if held:
        a = held[0]
        _kudos(
            s,
            now - 20 * DAY,
            managers[0],
            (ThankedKind.action, a.id),
            "Not one recurrence since this went in. Thank you for doing it properly rather than quickly.",
            team=teams[a.owner_team_id],
        )
        count += 1
    if anonymous is not None:
        _kudos(
            s,
            now - 12 * DAY,
            managers[-1],
            (ThankedKind.failure, anonymous.id),
            "Whoever wrote this up: it let us fix the gap before it hurt anyone. Thank you.",
        )
        count += 1
    if named is not None and named.reporter_id in by_id:
        reporter = by_id[named.reporter_id]
        giver = next(p for p in everyone if p.id != reporter.id)
        _kudos(
            s,
            now - 8 * DAY,
            giver,
            (ThankedKind.failure, named.id),
            "Reporting a near miss you caused yourself takes nerve, and the whole team learned from it.",
            person=reporter,
        )
        count += 1
    for i, review in enumerate(published[:2]):
        author = by_id.get(review.author_id or 0)
        giver = next(p for p in reversed(everyone) if author is None or p.id != author.id)
        if author is not None:
            _kudos(
                s,
                now - (5 - 2 * i) * DAY,
                giver,
                (ThankedKind.lesson, review.id),
                "The lessons section is the clearest I have read; we changed our own runbook after it.",
                person=author,
            )
            count += 1
    idea = s.scalar(select(Idea).where(Idea.proposed_by_id.is_not(None)).order_by(Idea.id).limit(1))
    if idea is not None and idea.proposed_by_id in by_id:
        giver = next(p for p in everyone if p.id != idea.proposed_by_id)
        _kudos(
            s,
            now - 2 * DAY,
            giver,
            (ThankedKind.idea, idea.id),
            "Great idea, and the discussion under it was worth reading too.",
            person=by_id[idea.proposed_by_id],
        )
        count += 1
    s.flush()
    _awards(s, now, owner, everyone, teams, published, held)
    return count


def _awards(
    s: Session,
    now: datetime,
    owner: Person,
    everyone: Sequence[Person],
    teams: dict[int, Team],
    published: Sequence[Review],
    held: Sequence[CorrectiveAction],
) -> None:
    founded = now - 60 * DAY
    monthly = Award(
        name="Learning of the month",
        description="For the contribution that helped most people learn this month: a review, a lesson "
        "shared across teams, a fix that held. Never for having no failures.",
        created_at=founded,
        updated_at=founded,
    )
    near_miss = Award(
        name="Best near miss",
        description="For the near-miss report that taught us most before anything broke.",
        created_at=founded,
        updated_at=founded,
    )
    s.add_all([monthly, near_miss])
    s.flush()
    opened = now - 40 * DAY
    last_month = AwardCycle(
        award_id=monthly.id,
        title=f"{(now - 35 * DAY):%B %Y}",
        status=CycleStatus.announced,
        nominations_close_on=(now - 30 * DAY).date(),
        voting_closes_on=(now - 23 * DAY).date(),
        announced_at=now - 22 * DAY,
        created_at=opened,
        updated_at=now - 22 * DAY,
    )
    open_now = AwardCycle(
        award_id=near_miss.id,
        title=f"{now:%B %Y}",
        nominations_close_on=(now + 10 * DAY).date(),
        voting_closes_on=(now + 17 * DAY).date(),
        created_at=now - 3 * DAY,
        updated_at=now - 3 * DAY,
    )
    s.add_all([last_month, open_now])
    s.flush()
    team_ids = sorted({a.owner_team_id for a in held[:3]}) or sorted(teams)[:2]
    nominations = [
        Nomination(
            cycle_id=last_month.id,
            nominee_kind=RecipientKind.team,
            nominee_team_id=team_id,
            nominated_by_id=everyone[(i * 3 + 1) % len(everyone)].id,
            reason=(
                "Their fix held: no recurrence since it went in, and they wrote up why it works"
                " for other teams."
            ),
            link="/lessons",
            won=i == 0,
            created_at=opened + (i + 1) * DAY,
        )
        for i, team_id in enumerate(team_ids[:2])
    ]
    if published and published[-1].author_id:
        review = published[-1]
        nominations.append(
            Nomination(
                cycle_id=last_month.id,
                nominee_kind=RecipientKind.person,
                nominee_person_id=review.author_id,
                nominated_by_id=owner.id,
                reason="A review so clear that three other teams changed their runbooks after reading it.",
                link=f"/failures/{review.failure_id}/review",
                created_at=opened + 4 * DAY,
            )
        )
    s.add_all(nominations)
    s.flush()
    # Most votes go to the first nomination: the winner, without a tie.
    for i, voter in enumerate(everyone[:9]):
        choice = (
            nominations[0]
            if i % 3 != 2 or len(nominations) == 1
            else nominations[1 + i % (len(nominations) - 1)]
        )
        s.add(
            Vote(
                cycle_id=last_month.id, nomination_id=choice.id, voter_id=voter.id, created_at=now - 25 * DAY
            )
        )
    named = next((p for p in everyone if p.role == Role.practitioner), everyone[0])
    s.add(
        Nomination(
            cycle_id=open_now.id,
            nominee_kind=RecipientKind.person,
            nominee_person_id=named.id,
            nominated_by_id=everyone[-1].id,
            reason="Reported the near miss on the config push before it reached production.",
            created_at=now - 2 * DAY,
        )
    )
    s.flush()
