"""Culture-survey campaigns: creating, opening (invitations), answering, closing, reminding.

Answering writes two rows that share nothing: the invitation is marked answered (participation,
to stop a second answer) and a response row is written with a random key, the team snapshot,
the day and the answers. See docs/culture-surveys.md for what this protects and what not.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import case, delete, func, select, update
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast.models import Topic
from failwell.broadcast.outbox import Message, Target, enqueue
from failwell.broadcast.render import link, page
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.people.models import Person, Team
from failwell.people.teams import team_by_name
from failwell.surveys.instruments import FREE_TEXT_QUESTION, INSTRUMENTS, Item
from failwell.surveys.models import (
    CampaignScope,
    CampaignStatus,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
    survey_campaign_teams,
)
from failwell.surveys.schemas import AnswerIn, CampaignIn, CampaignOut, CustomItemOut


def today() -> date:
    return utcnow().date()


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def items_of(campaign: SurveyCampaign) -> list[tuple[str | None, Item]]:
    """Every item asked, in order, with its instrument's key (None: the owner's own items)."""
    out: list[tuple[str | None, Item]] = []
    for key in campaign.instruments:
        out += [(key, item) for item in INSTRUMENTS[key].items]
    out += [(None, Item(c["key"], c["text"])) for c in campaign.custom_items]
    return out


def campaign_teams(session: Session, campaign_id: int) -> list[Team]:
    return list(
        session.scalars(
            select(Team)
            .join(survey_campaign_teams, survey_campaign_teams.c.team_id == Team.id)
            .where(survey_campaign_teams.c.campaign_id == campaign_id)
            .order_by(Team.name)
        )
    )


def is_closed(campaign: SurveyCampaign, on: date | None = None) -> bool:
    """Closed by hand, or past its closing day."""
    return campaign.status == CampaignStatus.closed or (
        campaign.status == CampaignStatus.open and campaign.closes_on < (on or today())
    )


def accepts_answers(campaign: SurveyCampaign, on: date | None = None) -> bool:
    day = on or today()
    return campaign.status == CampaignStatus.open and campaign.opens_on <= day <= campaign.closes_on


def shown_status(campaign: SurveyCampaign, on: date | None = None) -> str:
    return CampaignStatus.closed.value if is_closed(campaign, on) else campaign.status


def campaigns_out(session: Session, campaigns: Sequence[SurveyCampaign]) -> list[CampaignOut]:
    ids = [c.id for c in campaigns]
    counts: dict[int, tuple[int, int]] = {}
    if ids:
        rows = session.execute(
            select(
                SurveyInvitation.campaign_id,
                func.count(),
                func.sum(case((SurveyInvitation.answered.is_(True), 1), else_=0)),
            )
            .where(SurveyInvitation.campaign_id.in_(ids))
            .group_by(SurveyInvitation.campaign_id)
        )
        counts = {cid: (int(n), int(a or 0)) for cid, n, a in rows}
    out = []
    for c in campaigns:
        invited, answered = counts.get(c.id, (0, 0))
        out.append(
            CampaignOut(
                id=c.id,
                title=c.title,
                instruments=list(c.instruments),
                custom_items=[CustomItemOut(key=i["key"], text=i["text"]) for i in c.custom_items],
                free_text=c.free_text,
                free_text_question=FREE_TEXT_QUESTION if c.free_text else None,
                scope=CampaignScope(c.scope).value,
                teams=[t.name for t in campaign_teams(session, c.id)],
                status=shown_status(c),
                opens_on=c.opens_on,
                closes_on=c.closes_on,
                remind_days_before=c.remind_days_before,
                invited=invited,
                answered=answered,
                created_at=c.created_at,
            )
        )
    return out


def campaign_out(session: Session, campaign: SurveyCampaign) -> CampaignOut:
    return campaigns_out(session, [campaign])[0]


def get_campaign(session: Session, campaign_id: int) -> SurveyCampaign:
    campaign = session.get(SurveyCampaign, campaign_id)
    if campaign is None:
        raise NotFound(detail=f"No survey campaign {campaign_id}.")
    return campaign


def list_campaigns(session: Session, limit: int = 200) -> list[SurveyCampaign]:
    return list(
        session.scalars(
            select(SurveyCampaign)
            .order_by(SurveyCampaign.opens_on.desc(), SurveyCampaign.id.desc())
            .limit(limit)
        )
    )


def create_campaign(session: Session, actor: Actor, data: CampaignIn) -> SurveyCampaign:
    require(actor, Role.practice_owner, "Creating a survey campaign")
    teams = [team_by_name(session, name, "teams") for name in dict.fromkeys(data.teams)]
    campaign = SurveyCampaign(
        title=data.title,
        instruments=list(data.instruments),
        custom_items=[{"key": f"custom_{i}", "text": text} for i, text in enumerate(data.custom_items, 1)],
        free_text=data.free_text,
        scope=(CampaignScope.teams if teams else CampaignScope.organisation).value,
        status=CampaignStatus.draft.value,
        opens_on=data.opens_on,
        closes_on=data.closes_on,
        remind_days_before=data.remind_days_before,
    )
    session.add(campaign)
    session.flush()
    for team in teams:
        session.execute(survey_campaign_teams.insert().values(campaign_id=campaign.id, team_id=team.id))
    return campaign


def _invitees(session: Session, campaign: SurveyCampaign) -> list[tuple[Person, int | None]]:
    """(person, the team their answers count in): their first team in scope, by name."""
    people = session.scalars(select(Person).where(Person.is_active.is_(True)).order_by(Person.id)).all()
    if campaign.scope == CampaignScope.organisation:
        return [(p, p.teams[0].id if p.teams else None) for p in people]
    in_scope = {t.id for t in campaign_teams(session, campaign.id)}
    out: list[tuple[Person, int | None]] = []
    for person in people:
        mine = [t.id for t in person.teams if t.id in in_scope]
        if mine:
            out.append((person, mine[0]))
    return out


def _send_link(
    session: Session, campaign: SurveyCampaign, invitation: SurveyInvitation, reminder: bool
) -> None:
    """A new one-time link for the invited person (a reminder's link replaces the earlier one)."""
    secret = secrets.token_urlsafe(24)
    invitation.secret_hash = hash_secret(secret)
    url = link(f"/s/{secret}")
    head = "Reminder: " if reminder else ""
    title = f"[failwell] {head}Culture survey: {campaign.title} (until {campaign.closes_on.isoformat()})"
    paragraphs = [
        (
            "",
            "Your answers are anonymous: they are stored without your name, and results are shown only "
            "for groups of enough people.",
        ),
        ("Open until", campaign.closes_on.isoformat()),
        (
            "",
            "This link is yours and works once." + (" It replaces the one sent before." if reminder else ""),
        ),
    ]
    text, html = page(title, paragraphs, url)
    enqueue(
        session,
        Message(Topic.survey_invitation, campaign.id, title, text, html, {"campaign_id": campaign.id}),
        extra_targets=[Target(person_id=invitation.person_id, reason="survey invitation")],
    )


def open_campaign(session: Session, actor: Actor, campaign_id: int) -> SurveyCampaign:
    """Invites everyone in scope (one personal link each, through the broadcast outbox)."""
    require(actor, Role.practice_owner, "Opening a survey campaign")
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.draft:
        raise Conflict.on("status", f"the campaign is {campaign.status}; only a draft can be opened")
    if campaign.closes_on < today():
        raise InvalidInput.on("closes_on", "the closing day has passed; create a new campaign")
    campaign.status = CampaignStatus.open.value
    for person, team_id in _invitees(session, campaign):
        invitation = SurveyInvitation(
            campaign_id=campaign.id, person_id=person.id, team_id=team_id, secret_hash=""
        )
        session.add(invitation)
        _send_link(session, campaign, invitation, reminder=False)
    session.flush()
    return campaign


def close_campaign(session: Session, actor: Actor, campaign_id: int) -> SurveyCampaign:
    require(actor, Role.practice_owner, "Closing a survey campaign")
    campaign = get_campaign(session, campaign_id)
    if campaign.status == CampaignStatus.draft:
        raise Conflict.on("status", "the campaign was never opened")
    campaign.status = CampaignStatus.closed.value
    return campaign


def delete_draft(session: Session, actor: Actor, campaign_id: int) -> None:
    require(actor, Role.practice_owner, "Deleting a survey campaign")
    campaign = get_campaign(session, campaign_id)
    if campaign.status != CampaignStatus.draft:
        raise Conflict.on("status", "only a draft can be deleted; close an open campaign instead")
    session.execute(delete(SurveyCampaign).where(SurveyCampaign.id == campaign_id))


def invitation_for_secret(session: Session, secret: str) -> SurveyInvitation | None:
    if not secret or len(secret) > 100:
        return None
    return session.scalar(select(SurveyInvitation).where(SurveyInvitation.secret_hash == hash_secret(secret)))


def invitation_of(session: Session, campaign_id: int, person_id: int) -> SurveyInvitation | None:
    return session.scalar(
        select(SurveyInvitation).where(
            SurveyInvitation.campaign_id == campaign_id, SurveyInvitation.person_id == person_id
        )
    )


def _check_answers(campaign: SurveyCampaign, data: AnswerIn) -> dict[str, int]:
    keys = [item.key for _, item in items_of(campaign)]
    unknown = sorted(set(data.answers) - set(keys))
    if unknown:
        raise InvalidInput.on("answers", f"not items of this survey: {', '.join(unknown)}")
    missing = [k for k in keys if k not in data.answers]
    if missing:
        raise InvalidInput.on("answers", f"every statement needs an answer; missing: {', '.join(missing)}")
    if data.free_text and not campaign.free_text:
        raise InvalidInput.on("free_text", "this survey asks no free-text question")
    return {k: data.answers[k] for k in keys}


def _record(session: Session, invitation: SurveyInvitation, data: AnswerIn) -> SurveyCampaign:
    campaign = get_campaign(session, invitation.campaign_id)
    if not accepts_answers(campaign):
        raise Conflict.on("campaign", "this survey is not open for answers")
    if invitation.answered:
        raise Conflict.on("answers", "you have answered this survey already")
    answers = _check_answers(campaign, data)
    # Participation and answers: two rows, nothing in common but the campaign.
    invitation.answered = True
    session.add(
        SurveyResponse(
            id=uuid.uuid4().hex,
            campaign_id=campaign.id,
            team_id=invitation.team_id,
            answered_on=today(),
            answers=answers,
            free_text=(data.free_text or None) if campaign.free_text else None,
        )
    )
    session.flush()
    return campaign


def answer_with_secret(session: Session, secret: str, data: AnswerIn) -> SurveyCampaign:
    invitation = invitation_for_secret(session, secret)
    if invitation is None:
        raise NotFound(detail="This survey link is unknown, or was replaced by a newer one.")
    return _record(session, invitation, data)


def answer_as(session: Session, actor: Actor, campaign_id: int, data: AnswerIn) -> SurveyCampaign:
    get_campaign(session, campaign_id)
    invitation = invitation_of(session, campaign_id, actor.person_id)
    if invitation is None:
        raise NotFound(detail="You were not invited to this survey.")
    return _record(session, invitation, data)


def open_for(session: Session, person_id: int) -> list[SurveyCampaign]:
    """The campaigns this person may still answer today."""
    day = today()
    return list(
        session.scalars(
            select(SurveyCampaign)
            .join(SurveyInvitation, SurveyInvitation.campaign_id == SurveyCampaign.id)
            .where(
                SurveyInvitation.person_id == person_id,
                SurveyInvitation.answered.is_(False),
                SurveyCampaign.status == CampaignStatus.open,
                SurveyCampaign.opens_on <= day,
                SurveyCampaign.closes_on >= day,
            )
            .order_by(SurveyCampaign.closes_on)
        )
    )


def send_reminders(session: Session) -> int:
    """Housekeeping: one reminder, with a new link, to those who have not answered, once per
    campaign, from `remind_days_before` days before closing. Answers how many were sent."""
    day = today()
    sent = 0
    due = session.scalars(
        select(SurveyCampaign).where(
            SurveyCampaign.status == CampaignStatus.open,
            SurveyCampaign.reminded.is_(False),
            SurveyCampaign.remind_days_before > 0,
            SurveyCampaign.closes_on >= day,
        )
    ).all()
    for campaign in due:
        if campaign.closes_on - timedelta(days=campaign.remind_days_before) > day:
            continue
        # Claimed first: two workers running this at once cannot both remind.
        claimed = session.execute(
            update(SurveyCampaign)
            .where(SurveyCampaign.id == campaign.id, SurveyCampaign.reminded.is_(False))
            .values(reminded=True)
        )
        if not claimed.rowcount:  # type: ignore[attr-defined]
            continue
        pending = session.scalars(
            select(SurveyInvitation)
            .where(SurveyInvitation.campaign_id == campaign.id, SurveyInvitation.answered.is_(False))
            .order_by(SurveyInvitation.id)
        ).all()
        for invitation in pending:
            _send_link(session, campaign, invitation, reminder=True)
            sent += 1
    session.flush()
    return sent
