"""Helpers for the culture-survey tests: three teams of 6, 5 and 2 people (k = 5 by default)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from failwell.authz import SYSTEM, Actor
from failwell.db import Database, utcnow
from failwell.people import service as people
from failwell.people import teams
from failwell.people.schemas import PersonIn, TeamIn
from failwell.surveys import service as surveys
from failwell.surveys.schemas import AnswerIn, CampaignIn

TEAM_SIZES = {"alpha": 6, "beta": 5, "gamma": 2}


@dataclass
class SurveyOrg:
    actors: dict[str, list[Actor]]  # team → its members

    def everyone(self) -> list[Actor]:
        return [a for members in self.actors.values() for a in members]


def make_survey_org(db: Database) -> SurveyOrg:
    actors: dict[str, list[Actor]] = {}
    with db.session() as s:
        for team, size in TEAM_SIZES.items():
            teams.create_team(s, SYSTEM, TeamIn(name=team, description=f"Team {team}"))
            actors[team] = []
            for i in range(size):
                person = people.create_person(
                    s,
                    SYSTEM,
                    PersonIn(name=f"{team.title()} {i}", email=f"{team}{i}@example.com", teams=[team]),
                )
                actors[team].append(people.actor_for(person))
    return SurveyOrg(actors)


def new_campaign(db: Database, **changes: object) -> int:
    today = utcnow().date()
    data = {
        "title": "Culture check",
        "opens_on": today - timedelta(days=3),
        "closes_on": today + timedelta(days=10),
        "free_text": True,
        **changes,
    }
    with db.session() as s:
        campaign = surveys.create_campaign(s, SYSTEM, CampaignIn.model_validate(data))
        surveys.open_campaign(s, SYSTEM, campaign.id)
        return campaign.id


def all_answers(campaign_items: list[str], value: int) -> dict[str, int]:
    return dict.fromkeys(campaign_items, value)


def answer(db: Database, actor: Actor, campaign_id: int, value: int, text: str | None = None) -> None:
    with db.session() as s:
        campaign = surveys.get_campaign(s, campaign_id)
        keys = [item.key for _, item in surveys.items_of(campaign)]
        surveys.answer_as(s, actor, campaign_id, AnswerIn(answers=dict.fromkeys(keys, value), free_text=text))


def close(db: Database, campaign_id: int) -> None:
    with db.session() as s:
        surveys.close_campaign(s, SYSTEM, campaign_id)
