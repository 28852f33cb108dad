"""The demo organisation's two culture-survey campaigns, with simulated anonymous answers.

Both are closed, so their results show: one about three months before the load day, one last
week. Most teams answered in full; mobile and support-tooling are below k = 5, so their results
are withheld. Three colleagues who appear nowhere else in the history join platform, identity
and data, so that four teams reach k. Everything is relative to the load day.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from failwell.authz import SYSTEM
from failwell.enums import Role
from failwell.people import service as people
from failwell.people.models import Person, Team
from failwell.people.schemas import PersonIn
from failwell.surveys.instruments import INSTRUMENTS
from failwell.surveys.models import (
    CampaignStatus,
    SurveyCampaign,
    SurveyInvitation,
    SurveyResponse,
)

COLLEAGUES = (
    ("Noor Haddad", "noor.haddad@demo.failwell.dev", "platform"),
    ("Ines Moreau", "ines.moreau@demo.failwell.dev", "identity"),
    ("Kofi Mensah", "kofi.mensah@demo.failwell.dev", "data"),
)
# How each team tends to answer (1-7), in the earlier and the later campaign.
LEANING = {
    "payments": (5.6, 6.0),
    "platform": (4.9, 5.5),
    "identity": (4.4, 4.6),
    "data": (3.6, 4.3),
    "mobile": (3.4, 3.8),
    "support-tooling": (4.2, 4.4),
    None: (4.5, 4.7),
}
WISHES = (
    "Leaders sharing their own mistakes in the review meetings.",
    "Fewer surprise deadlines, so raising a risk does not feel like slowing everyone down.",
    "Knowing that a near-miss report leads to a fix, not to questions about who did it.",
    "Time in the sprint for the corrective actions we agree on.",
    "A retro format where the quieter people speak first.",
    "Being asked what I think before the decision is made.",
    "Less blame in the incident channel while things are still on fire.",
    "Hearing back what happened to the things we raised.",
)
CUSTOM_ITEM = "We have the time to follow through on corrective actions."


@dataclass(frozen=True)
class _Campaign:
    title: str
    opens_days_ago: int
    closes_days_ago: int
    custom: bool
    # (team, how many of its members do not answer)
    skipped: tuple[tuple[str | None, int], ...]
    phase: int


CAMPAIGNS = (
    _Campaign(
        "Culture survey: spring", 104, 90, False, (("mobile", 1), ("support-tooling", 1), (None, 1)), 0
    ),
    _Campaign("Culture survey: summer", 19, 5, True, (("data", 0), ("support-tooling", 0), (None, 1)), 1),
)


def _first_team(person: Person) -> Team | None:
    return person.teams[0] if person.teams else None


def _answer(rng: random.Random, lean: float) -> int:
    return max(1, min(7, round(rng.gauss(lean, 0.9))))


def add_culture_surveys(session: Session, today: date, everyone: list[Person], rng: random.Random) -> int:
    """Adds the campaigns; answers how many people it added (the three colleagues)."""
    founded = datetime.combine(today - timedelta(days=200), time.min, tzinfo=UTC)
    for i, (name, email, team_name) in enumerate(COLLEAGUES):
        person = people.create_person(
            session, SYSTEM, PersonIn(name=name, email=email, role=Role.practitioner, teams=[team_name])
        )
        person.created_at = founded + timedelta(hours=i)
        everyone = [*everyone, person]
    session.flush()
    active = sorted((p for p in everyone if p.is_active), key=lambda p: p.id)
    for spec in CAMPAIGNS:
        opens = today - timedelta(days=spec.opens_days_ago)
        closes = today - timedelta(days=spec.closes_days_ago)
        custom = [{"key": "custom_1", "text": CUSTOM_ITEM}] if spec.custom else []
        campaign = SurveyCampaign(
            title=spec.title,
            instruments=["westrum", "safety"],
            custom_items=custom,
            free_text=True,
            scope="organisation",
            status=CampaignStatus.closed.value,
            opens_on=opens,
            closes_on=closes,
            remind_days_before=3,
            reminded=True,
            created_at=datetime.combine(opens - timedelta(days=2), time(9), tzinfo=UTC),
        )
        session.add(campaign)
        session.flush()
        skips = dict(spec.skipped)
        for person in active:
            team = _first_team(person)
            key = team.name if team else None
            answered = skips.get(key, 0) <= 0
            if not answered:
                skips[key] -= 1
            session.add(
                SurveyInvitation(
                    campaign_id=campaign.id,
                    person_id=person.id,
                    team_id=team.id if team else None,
                    secret_hash=f"{rng.getrandbits(256):064x}",  # no usable link: the campaign is closed
                    answered=answered,
                )
            )
            if not answered:
                continue
            lean = LEANING.get(key, LEANING[None])[spec.phase]
            answers: dict[str, int] = {}
            for instrument in INSTRUMENTS.values():
                for item in instrument.items:
                    value = _answer(rng, lean)
                    answers[item.key] = 8 - value if item.reverse else value
            if custom:
                answers["custom_1"] = _answer(rng, lean - 0.6)
            session.add(
                SurveyResponse(
                    id=f"{rng.getrandbits(128):032x}",
                    campaign_id=campaign.id,
                    team_id=team.id if team else None,
                    answered_on=opens + timedelta(days=rng.randrange((closes - opens).days + 1)),
                    answers=answers,
                    free_text=rng.choice(WISHES) if rng.random() < 0.45 else None,
                )
            )
    session.flush()
    return len(COLLEAGUES)
