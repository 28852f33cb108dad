"""Campaigns, invitations through the outbox, answering once, reminders, scoring."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from failwell.authz import SYSTEM
from failwell.broadcast.models import OutboxEvent, Topic
from failwell.db import Database, utcnow
from failwell.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from failwell.surveys import service as surveys
from failwell.surveys.instruments import SAFETY, WESTRUM, westrum_type
from failwell.surveys.models import SurveyInvitation, SurveyResponse
from failwell.surveys.schemas import AnswerIn, CampaignIn
from surveys.helpers import SurveyOrg, answer, close, new_campaign


def _links(db: Database) -> list[str]:
    with db.session(write=False) as s:
        texts = s.scalars(
            select(OutboxEvent.text)
            .where(OutboxEvent.topic == Topic.survey_invitation.value)
            .order_by(OutboxEvent.id)
        ).all()
    return [re.search(r"/s/([\w-]+)", t).group(1) for t in texts]  # type: ignore[union-attr]


def test_opening_invites_everyone_in_scope_with_a_one_time_link(db: Database, survey_org: SurveyOrg) -> None:
    campaign_id = new_campaign(db, teams=["alpha", "gamma"])
    secrets = _links(db)
    assert len(secrets) == 8  # alpha's 6 and gamma's 2; beta was not asked
    keys = [i.key for i in WESTRUM.items + SAFETY.items]
    with db.session() as s:
        surveys.answer_with_secret(
            s, secrets[0], AnswerIn(answers=dict.fromkeys(keys, 6), free_text="More time")
        )
    with db.session() as s, pytest.raises(Conflict):
        surveys.answer_with_secret(s, secrets[0], AnswerIn(answers=dict.fromkeys(keys, 6)))
    with db.session() as s, pytest.raises(NotFound):
        surveys.answer_with_secret(s, "not-a-secret", AnswerIn(answers=dict.fromkeys(keys, 6)))
    with db.session(write=False) as s:
        out = surveys.campaign_out(s, surveys.get_campaign(s, campaign_id))
        assert (out.invited, out.answered, out.status, out.teams) == (8, 1, "open", ["alpha", "gamma"])
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 1


def test_answers_are_checked_and_nothing_is_half_saved(db: Database, survey_org: SurveyOrg) -> None:
    campaign_id = new_campaign(db, instruments=["westrum"], custom_items=["We talk about near misses."])
    me = survey_org.actors["alpha"][0]
    with db.session() as s, pytest.raises(InvalidInput, match="missing"):
        surveys.answer_as(s, me, campaign_id, AnswerIn(answers={"westrum_1": 5}))
    with db.session() as s, pytest.raises(InvalidInput, match="not items"):
        surveys.answer_as(s, me, campaign_id, AnswerIn(answers={"safety_1": 5}))
    with pytest.raises(ValueError):
        AnswerIn(answers={"westrum_1": 8})
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).select_from(SurveyResponse)) == 0
        assert not s.scalar(
            select(SurveyInvitation.answered).where(SurveyInvitation.person_id == me.person_id)
        )
    answer(db, me, campaign_id, 4)
    with db.session(write=False) as s:
        stored = s.scalars(select(SurveyResponse)).one()
        assert set(stored.answers) == {i.key for i in WESTRUM.items} | {"custom_1"}


def test_only_practice_owners_run_campaigns(db: Database, survey_org: SurveyOrg) -> None:
    today = utcnow().date()
    data = CampaignIn(title="Ours", opens_on=today, closes_on=today + timedelta(days=7))
    with db.session() as s, pytest.raises(PermissionDenied):
        surveys.create_campaign(s, survey_org.actors["alpha"][0], data)
    with pytest.raises(ValueError):
        CampaignIn(title="Backwards", opens_on=today, closes_on=today - timedelta(days=1))


def test_closed_campaigns_take_no_answers_and_drafts_open_once(db: Database, survey_org: SurveyOrg) -> None:
    campaign_id = new_campaign(db)
    close(db, campaign_id)
    with pytest.raises(Conflict):
        answer(db, survey_org.actors["alpha"][0], campaign_id, 5)
    with db.session() as s, pytest.raises(Conflict):
        surveys.open_campaign(s, SYSTEM, campaign_id)


def test_one_reminder_with_a_new_link_to_those_who_have_not_answered(
    db: Database, survey_org: SurveyOrg
) -> None:
    today = utcnow().date()
    campaign_id = new_campaign(db, teams=["gamma"], closes_on=today + timedelta(days=2))
    first = _links(db)
    answer(db, survey_org.actors["gamma"][0], campaign_id, 5)
    with db.session() as s:
        assert surveys.send_reminders(s) == 1
    with db.session() as s:
        assert surveys.send_reminders(s) == 0  # at most once
    links = _links(db)
    assert len(links) == 3
    keys = [i.key for i in WESTRUM.items + SAFETY.items]
    with db.session() as s:  # the reminded person's first link was replaced by the reminder's
        assert surveys.invitation_for_secret(s, first[1]) is None
        surveys.answer_with_secret(s, links[2], AnswerIn(answers=dict.fromkeys(keys, 3)))


def test_scoring_reverses_edmondsons_items_1_3_5() -> None:
    answers = {i.key: 7 for i in SAFETY.items}
    assert SAFETY.score(answers) == pytest.approx((1 + 7 + 1 + 7 + 1 + 7 + 7) / 7)
    assert WESTRUM.score({i.key: 6 for i in WESTRUM.items}) == 6
    assert [westrum_type(v) for v in (2.0, 3.5, 5.5, 5.6)] == [
        "pathological",
        "bureaucratic",
        "bureaucratic",
        "generative",
    ]
