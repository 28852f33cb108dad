"""Awards: a practice owner defines them and runs their cycles (nominations → voting → announced);
anyone nominates a person or a team with a reason and a link; the voters (a chosen panel or
everyone) vote once per cycle; the practice owner announces the winner, the nomination with most
votes, choosing among the tied when votes are level. The announcement goes out through broadcast.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.db import utcnow
from failwell.enums import CycleStatus, RecipientKind, Role, VoterScope
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.events import AWARD_ANNOUNCED, DomainEvent, emit
from failwell.listing import paginate
from failwell.people.models import Person
from failwell.recognition.models import Award, AwardCycle, AwardPanelMember, Nomination, Vote
from failwell.recognition.naming import hidden_people, recognised
from failwell.recognition.schemas import (
    AnnounceIn,
    AwardIn,
    AwardOut,
    AwardPatch,
    CycleFilter,
    CycleIn,
    CycleOut,
    NominationIn,
    NominationOut,
    VoteIn,
)
from failwell.recognition.service import recipient


def get_award(session: Session, award_id: int) -> Award:
    award = session.get(Award, award_id)
    if award is None:
        raise NotFound(detail=f"No award with id {award_id}.")
    return award


def get_cycle(session: Session, cycle_id: int) -> AwardCycle:
    cycle = session.get(AwardCycle, cycle_id)
    if cycle is None:
        raise NotFound(detail=f"No award cycle with id {cycle_id}.")
    return cycle


def _unique_name(session: Session, name: str, award_id: int | None = None) -> None:
    # Compared in Python: SQLite's lower() folds ASCII only, so "Ã…" and "ã…" would pass a SQL
    # check and then break the unique index. An organisation has a handful of awards.
    wanted = name.casefold()
    for other_id, other_name in session.execute(select(Award.id, Award.name)):
        if other_id != award_id and other_name.casefold() == wanted:
            raise Conflict.on("name", f"an award named '{name}' exists already")


def create_award(session: Session, actor: Actor, data: AwardIn) -> Award:
    require(actor, Role.practice_owner, "Defining an award")
    _unique_name(session, data.name)
    award = Award(name=data.name, description=data.description)
    session.add(award)
    session.flush()
    return award


def update_award(session: Session, actor: Actor, award_id: int, data: AwardPatch) -> Award:
    require(actor, Role.practice_owner, "Changing an award")
    award = get_award(session, award_id)
    if data.name is not None:
        _unique_name(session, data.name, award.id)
        award.name = data.name
    if data.description is not None:
        award.description = data.description
    session.flush()
    return award


def list_awards(session: Session) -> list[AwardOut]:
    counts = dict(
        session.execute(select(AwardCycle.award_id, func.count()).group_by(AwardCycle.award_id)).all()
    )
    awards = session.scalars(select(Award).order_by(Award.name, Award.id)).all()
    return [
        AwardOut(
            id=a.id,
            name=a.name,
            description=a.description,
            cycles=int(counts.get(a.id, 0)),
            created_at=a.created_at,
        )
        for a in awards
    ]


def open_cycle(session: Session, actor: Actor, award_id: int, data: CycleIn) -> AwardCycle:
    """Opens nominations for a new round of the award."""
    require(actor, Role.practice_owner, "Opening an award's nominations")
    award = get_award(session, award_id)
    if data.voting_closes_on < data.nominations_close_on:
        raise InvalidInput.on("voting_closes_on", "must be on or after nominations_close_on")
    panel = list(dict.fromkeys(data.panel_ids))
    if data.voters == VoterScope.panel and not panel:
        raise InvalidInput.on("panel_ids", "name at least one voter when the panel votes")
    if data.voters == VoterScope.everyone and panel:
        raise InvalidInput.on("panel_ids", "must be empty when everyone votes")
    for person_id in panel:
        person = session.get(Person, person_id)
        if person is None or not person.is_active:
            raise InvalidInput.on("panel_ids", f"no active person with id {person_id}")
    cycle = AwardCycle(
        award_id=award.id,
        title=data.title,
        nominations_close_on=data.nominations_close_on,
        voting_closes_on=data.voting_closes_on,
        voters=data.voters,
    )
    session.add(cycle)
    session.flush()
    session.add_all(AwardPanelMember(cycle_id=cycle.id, person_id=p) for p in panel)
    session.flush()
    return cycle


def _require_status(cycle: AwardCycle, wanted: CycleStatus, doing: str) -> None:
    if cycle.status != wanted:
        raise Conflict.on(
            "status", f"cycle {cycle.id} is {cycle.status.value}: {doing} needs it {wanted.value}"
        )


def start_voting(session: Session, actor: Actor, cycle_id: int) -> AwardCycle:
    require(actor, Role.practice_owner, "Closing nominations")
    cycle = get_cycle(session, cycle_id)
    _require_status(cycle, CycleStatus.nominating, "opening the vote")
    if not session.scalar(select(Nomination.id).where(Nomination.cycle_id == cycle.id).limit(1)):
        raise InvalidInput.on("nominations", "there is nothing to vote on yet: no nominations")
    cycle.status = CycleStatus.voting
    session.flush()
    return cycle


def nominate(session: Session, actor: Actor, cycle_id: int, data: NominationIn) -> Nomination:
    require(actor, Role.viewer, "Nominating")
    cycle = get_cycle(session, cycle_id)
    _require_status(cycle, CycleStatus.nominating, "nominating")
    if data.nominee_kind == RecipientKind.anonymous_reporter:
        raise InvalidInput.on("nominee_kind", "nominate a person or a team")
    person, team = recipient(session, data.nominee_kind, data.person_id, data.team_id)
    nomination = Nomination(
        cycle_id=cycle.id,
        nominee_kind=data.nominee_kind,
        nominee_person_id=person.id if person else None,
        nominee_team_id=team.id if team else None,
        nominated_by_id=actor.person_id or None,
        reason=data.reason,
        link=data.link,
    )
    session.add(nomination)
    session.flush()
    return nomination


def _panel(session: Session, cycle_id: int) -> list[int]:
    return list(
        session.scalars(
            select(AwardPanelMember.person_id)
            .where(AwardPanelMember.cycle_id == cycle_id)
            .order_by(AwardPanelMember.person_id)
        )
    )


def may_vote(session: Session, actor: Actor, cycle: AwardCycle) -> bool:
    if not actor.person_id:
        return False
    return cycle.voters == VoterScope.everyone or actor.person_id in _panel(session, cycle.id)


def vote(session: Session, actor: Actor, cycle_id: int, data: VoteIn) -> Vote:
    """One vote per voter per cycle: a second one is refused with 409, the first one stands."""
    require(actor, Role.viewer, "Voting")
    cycle = get_cycle(session, cycle_id)
    _require_status(cycle, CycleStatus.voting, "voting")
    if not actor.person_id:
        raise InvalidInput.on("voter", "a vote is cast by a person, not by the system")
    if not may_vote(session, actor, cycle):
        raise InvalidInput.on("voter", "only the chosen panel votes in this cycle")
    nomination = session.get(Nomination, data.nomination_id)
    if nomination is None or nomination.cycle_id != cycle.id:
        raise InvalidInput.on("nomination_id", f"no nomination {data.nomination_id} in cycle {cycle.id}")
    voted = select(Vote.id).where(Vote.cycle_id == cycle.id, Vote.voter_id == actor.person_id)
    if session.scalar(voted) is not None:
        raise Conflict.on("voter", f"you have voted in cycle {cycle.id} already: one vote per voter")
    row = Vote(cycle_id=cycle.id, nomination_id=nomination.id, voter_id=actor.person_id)
    try:
        with session.begin_nested():  # two requests at once: the unique constraint decides
            session.add(row)
            session.flush()
    except IntegrityError:
        raise Conflict.on(
            "voter", f"you have voted in cycle {cycle.id} already: one vote per voter"
        ) from None
    return row


def tally(session: Session, cycle_id: int) -> dict[int, int]:
    """Votes per nomination (nominations without votes count 0)."""
    ids = session.scalars(select(Nomination.id).where(Nomination.cycle_id == cycle_id)).all()
    votes = dict(
        session.execute(
            select(Vote.nomination_id, func.count())
            .where(Vote.cycle_id == cycle_id)
            .group_by(Vote.nomination_id)
        ).all()
    )
    return {i: int(votes.get(i, 0)) for i in ids}


def announce(session: Session, actor: Actor, cycle_id: int, data: AnnounceIn) -> AwardCycle:
    """Closes the vote and names the winner: most votes; when tied, the owner's choice among the tied."""
    require(actor, Role.practice_owner, "Announcing an award")
    cycle = get_cycle(session, cycle_id)
    _require_status(cycle, CycleStatus.voting, "announcing")
    votes = tally(session, cycle.id)
    if not votes:
        raise InvalidInput.on("nominations", "there is no nomination to announce")
    top = max(votes.values())
    leaders = sorted(i for i, n in votes.items() if n == top)
    if data.winner_nomination_id is not None:
        if data.winner_nomination_id not in leaders:
            listed = ", ".join(str(i) for i in leaders)
            raise InvalidInput.on(
                "winner_nomination_id", f"must be one of the nominations with most votes ({listed})"
            )
        winner = data.winner_nomination_id
    elif len(leaders) > 1:
        listed = ", ".join(str(i) for i in leaders)
        raise Conflict.on(
            "winner_nomination_id", f"votes are tied ({top} each) between nominations {listed}: choose one"
        )
    else:
        winner = leaders[0]
    nomination = session.get(Nomination, winner)
    assert nomination is not None
    nomination.won = True
    cycle.status, cycle.announced_at = CycleStatus.announced, utcnow()
    session.flush()
    emit(session, actor, DomainEvent(AWARD_ANNOUNCED, cycle.id, {"nomination_id": nomination.id}))
    return cycle


def list_cycles(session: Session, filters: CycleFilter) -> tuple[Sequence[AwardCycle], int, bool]:
    stmt = select(AwardCycle)
    if filters.status is not None:
        stmt = stmt.where(AwardCycle.status == filters.status)
    if filters.award_id is not None:
        stmt = stmt.where(AwardCycle.award_id == filters.award_id)
    stmt = stmt.order_by(AwardCycle.created_at.desc(), AwardCycle.id.desc())
    return paginate(session, stmt, filters)


def nominations_out(
    session: Session, actor: Actor, cycle: AwardCycle, rows: Sequence[Nomination]
) -> list[NominationOut]:
    show_votes = cycle.status == CycleStatus.announced or actor.at_least(Role.practice_owner)
    votes = tally(session, cycle.id) if show_votes else {}
    hidden = hidden_people(session, [n.nominee_person_id or 0 for n in rows])
    return [
        NominationOut(
            id=n.id,
            cycle_id=n.cycle_id,
            nominee=recognised(actor, n.nominee_kind, n.nominee_person, n.nominee_team, hidden),
            reason=n.reason,
            link=n.link,
            votes=votes.get(n.id, 0) if show_votes else None,
            won=n.won,
            created_at=n.created_at,
        )
        for n in rows
    ]


def cycle_out(session: Session, actor: Actor, cycle: AwardCycle) -> CycleOut:
    rows = session.scalars(
        select(Nomination).where(Nomination.cycle_id == cycle.id).order_by(Nomination.id)
    ).all()
    nominations = nominations_out(session, actor, cycle, rows)
    mine = session.scalar(
        select(Vote.nomination_id).where(Vote.cycle_id == cycle.id, Vote.voter_id == actor.person_id)
    )
    return CycleOut(
        id=cycle.id,
        award_id=cycle.award_id,
        award_name=cycle.award.name,
        title=cycle.title,
        status=cycle.status,
        nominations_close_on=cycle.nominations_close_on,
        voting_closes_on=cycle.voting_closes_on,
        voters=cycle.voters,
        panel_ids=_panel(session, cycle.id) if actor.at_least(Role.practice_owner) else [],
        announced_at=cycle.announced_at,
        nominations=nominations,
        my_vote=mine,
        may_vote=may_vote(session, actor, cycle),
        winner=next((n for n in nominations if n.won), None),
    )


def winners_of(
    session: Session,
    actor: Actor,
    *,
    person_id: int | None = None,
    team_id: int | None = None,
    limit: int = 20,
) -> list[tuple[CycleOut, NominationOut]]:
    """Announced awards won by this person or team, newest first (for their pages)."""
    stmt = select(Nomination).join(AwardCycle, AwardCycle.id == Nomination.cycle_id).where(Nomination.won)
    if person_id is not None:
        stmt = stmt.where(Nomination.nominee_person_id == person_id)
    if team_id is not None:
        stmt = stmt.where(Nomination.nominee_team_id == team_id)
    rows = session.scalars(stmt.order_by(AwardCycle.announced_at.desc(), Nomination.id.desc()).limit(limit))
    out = []
    for n in rows:
        cycle = cycle_out(session, actor, get_cycle(session, n.cycle_id))
        if cycle.winner is not None and not cycle.winner.nominee.hidden:
            out.append((cycle, cycle.winner))
    return out
