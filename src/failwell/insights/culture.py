"""Culture-survey results: per organisation and team, per scale and item, with the distribution,
Westrum's type, the trend across campaigns and, beside them, the learning behaviours.

Anonymity rules applied here (docs/culture-surveys.md):
- results appear only once a campaign is closed (watching them change while it is open would
  tell one person's answers apart);
- a group (team, "no team", the organisation) with fewer than k respondents is withheld;
- complementary suppression: when the organisation is shown, the groups withheld together must
  hold 0 or at least k respondents, else "organisation minus the shown teams" would reveal them;
  the smallest shown groups are withheld too until that holds;
- free text is shown for shown groups only, in the order of the responses' random keys (no team
  beside the organisation's texts, no time anywhere).
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.catalogue.models import Service
from failwell.failures.models import failure_services
from failwell.insights.learning import follow_through, kind_counts, reach, review_lag_days
from failwell.insights.measures import resolve_scope, rounded, share
from failwell.people.models import Team
from failwell.settings import get_settings
from failwell.surveys.instruments import INSTRUMENTS, SCALE_MAX, SCALE_MIN, WESTRUM_TYPES, westrum_type
from failwell.surveys.models import SurveyCampaign, SurveyInvitation, SurveyResponse
from failwell.surveys.schemas import CampaignOut
from failwell.surveys.service import campaign_out, get_campaign, is_closed, items_of

ORGANISATION = "Organisation"
NO_TEAM = "No team"
LEARNING_WINDOW_DAYS = 90
TREND_CAMPAIGNS = 8
WITHHELD_SMALL = "fewer than {k} respondents"
WITHHELD_DERIVABLE = "a smaller group could otherwise be worked out by subtraction"
NO_ANSWERS = "no one in this group answered"


class ScaleResult(BaseModel):
    key: str
    name: str
    mean: float
    distribution: list[int]  # respondents whose score rounds to 1 … 7
    westrum_type: str | None = None


class ItemResult(BaseModel):
    key: str
    instrument: str | None
    text: str
    reverse: bool
    mean: float
    distribution: list[int]  # answers 1 … 7


class Behaviours(BaseModel):
    """The learning metrics of the same team over the 90 days before the campaign closed."""

    near_miss_ratio: float | None
    review_lag_days: float | None
    actions_on_time: float | None
    lesson_reach: float | None
    cross_team_actions: int


class GroupResult(BaseModel):
    label: str
    team: str | None
    shown: bool
    respondents: int | None  # None when withheld: not even the count of a small group
    withheld_reason: str | None = None
    scales: list[ScaleResult] = []
    items: list[ItemResult] = []
    free_text: list[str] = []
    behaviours: Behaviours | None = None


class TrendPoint(BaseModel):
    campaign_id: int
    title: str
    closes_on: str
    scale: str
    organisation: float | None
    teams: dict[str, float | None]


class CultureResults(BaseModel):
    campaign: CampaignOut
    min_respondents: int
    available: bool
    note: str
    organisation: GroupResult | None
    groups: list[GroupResult]
    trend: list[TrendPoint]
    westrum_types: dict[str, str]


def min_respondents() -> int:
    return max(3, get_settings().survey_min_respondents)


def _rounded(value: float) -> float:
    return round(value, 2)


def _distribution(values: list[float]) -> list[int]:
    counts = [0] * (SCALE_MAX - SCALE_MIN + 1)
    for v in values:
        counts[min(SCALE_MAX, max(SCALE_MIN, int(v + 0.5))) - SCALE_MIN] += 1
    return counts


def _scales(campaign: SurveyCampaign, answers: list[dict[str, int]]) -> list[ScaleResult]:
    out = []
    for key in campaign.instruments:
        instrument = INSTRUMENTS[key]
        scores = [instrument.score(a) for a in answers]
        mean = sum(scores) / len(scores)
        out.append(
            ScaleResult(
                key=key,
                name=instrument.name,
                mean=_rounded(mean),
                distribution=_distribution(scores),
                westrum_type=westrum_type(mean) if key == "westrum" else None,
            )
        )
    return out


def _items(campaign: SurveyCampaign, answers: list[dict[str, int]]) -> list[ItemResult]:
    out = []
    for instrument, item in items_of(campaign):
        values = [float(a[item.key]) for a in answers if item.key in a]
        if not values:
            continue
        stem = INSTRUMENTS[instrument].stem + " " if instrument else ""
        out.append(
            ItemResult(
                key=item.key,
                instrument=instrument,
                text=stem + item.text,
                reverse=item.reverse,
                mean=_rounded(sum(values) / len(values)),
                distribution=_distribution(values),
            )
        )
    return out


def withheld_groups(counts: dict[Any, int], k: int) -> dict[Any, str]:
    """Which groups to withhold, and why: the small ones, then (complementary suppression) the
    smallest others until the withheld together hold 0 or at least k respondents, so that
    "organisation minus the shown groups" never reveals fewer than k people."""
    withheld = {g: WITHHELD_SMALL.format(k=k) for g, n in counts.items() if 0 < n < k}
    if sum(counts.values()) < k:  # the organisation itself is withheld: nothing to subtract from
        return {g: WITHHELD_SMALL.format(k=k) for g, n in counts.items() if n > 0}
    hidden = sum(counts[g] for g in withheld)
    for group in sorted(
        (g for g, n in counts.items() if n > 0 and g not in withheld), key=lambda g: counts[g]
    ):
        if hidden == 0 or hidden >= k:
            break
        withheld[group] = WITHHELD_DERIVABLE
        hidden += counts[group]
    return withheld


def _responses(session: Session, campaign_id: int) -> list[tuple[int | None, dict[str, int], str | None]]:
    rows = session.execute(
        select(SurveyResponse.team_id, SurveyResponse.answers, SurveyResponse.free_text)
        .where(SurveyResponse.campaign_id == campaign_id)
        .order_by(SurveyResponse.id)  # the random key: no order of answering
    )
    return [(team_id, dict(answers), text) for team_id, answers, text in rows]


def _team_names(session: Session, campaign_id: int) -> dict[int | None, str]:
    """Every group the campaign asked: the teams of its invitations (and "no team")."""
    invited = select(SurveyInvitation.team_id).where(SurveyInvitation.campaign_id == campaign_id).distinct()
    names: dict[int | None, str] = {}
    for (team_id,) in session.execute(invited):
        names[team_id] = NO_TEAM
    for team_id, name in session.execute(
        select(Team.id, Team.name).where(Team.id.in_([t for t in names if t]))
    ):
        names[team_id] = name
    return dict(sorted(names.items(), key=lambda kv: (kv[0] is None, kv[1])))


def cross_team_actions(session: Session, team_id: int, since: datetime, until: datetime) -> int:
    """Corrective actions this team took on for failures of services other teams own."""
    others = (
        select(failure_services.c.failure_id)
        .join(Service, Service.id == failure_services.c.service_id)
        .where(Service.owner_team_id != team_id)
    )
    stmt = select(func.count()).where(
        CorrectiveAction.owner_team_id == team_id,
        CorrectiveAction.created_at >= since,
        CorrectiveAction.created_at < until,
        CorrectiveAction.failure_id.in_(others),
    )
    return int(session.scalar(stmt) or 0)


def behaviours(
    session: Session, team: str | None, team_id: int | None, campaign: SurveyCampaign
) -> Behaviours:
    """The four learning figures that go beside the answers, from the learning metrics' own
    queries (only those: the repeat-rate queries are the costly ones and are not shown here)."""
    until = datetime.combine(campaign.closes_on + timedelta(days=1), time.min, tzinfo=UTC)
    since = until - timedelta(days=LEARNING_WINDOW_DAYS)
    scope = resolve_scope(session, until, team=team, since=since, until=until)
    near, incidents = kind_counts(session, scope)
    _, lag_median, _ = review_lag_days(session, scope)
    due, on_time = follow_through(session, scope, until.date())
    lessons, teams, reading = reach(session, scope)
    return Behaviours(
        near_miss_ratio=rounded(near / incidents, 4) if incidents else None,
        review_lag_days=rounded(lag_median),
        actions_on_time=share(on_time, due),
        lesson_reach=share(reading, lessons * teams),
        cross_team_actions=cross_team_actions(session, team_id, since, until) if team_id else 0,
    )


def _group(
    campaign: SurveyCampaign,
    label: str,
    team: str | None,
    rows: list[tuple[int | None, dict[str, int], str | None]],
    reason: str | None,
) -> GroupResult:
    if reason is not None:
        return GroupResult(label=label, team=team, shown=False, respondents=None, withheld_reason=reason)
    if not rows:  # nothing to hide, nothing to show
        return GroupResult(label=label, team=team, shown=False, respondents=0, withheld_reason=NO_ANSWERS)
    answers = [a for _, a, _ in rows]
    return GroupResult(
        label=label,
        team=team,
        shown=True,
        respondents=len(rows),
        scales=_scales(campaign, answers) if answers else [],
        items=_items(campaign, answers) if answers else [],
        free_text=[text for _, _, text in rows if text] if campaign.free_text else [],
    )


def campaign_groups(
    session: Session, campaign: SurveyCampaign, k: int
) -> tuple[GroupResult | None, list[GroupResult]]:
    """(the organisation, each group) of a closed campaign, withheld as the module says."""
    rows = _responses(session, campaign.id)
    names = _team_names(session, campaign.id)
    by_group: dict[int | None, list[tuple[int | None, dict[str, int], str | None]]] = defaultdict(list)
    for row in rows:
        by_group[row[0]].append(row)
        names.setdefault(row[0], NO_TEAM)
    withheld = withheld_groups({g: len(by_group[g]) for g in names}, k)
    org_reason = None if len(rows) >= k else WITHHELD_SMALL.format(k=k)
    organisation = _group(campaign, ORGANISATION, None, rows, org_reason)
    groups = [
        _group(campaign, name, None if g is None else name, by_group[g], withheld.get(g))
        for g, name in names.items()
        if not (g is None and not by_group[g])
    ]
    return organisation, groups


def trend(session: Session, campaign: SurveyCampaign, k: int) -> list[TrendPoint]:
    """Scale means of the closed campaigns up to this one (oldest first), as withheld in each."""
    closed = [
        c
        for c in session.scalars(
            select(SurveyCampaign)
            .where(SurveyCampaign.opens_on <= campaign.opens_on)
            .order_by(SurveyCampaign.closes_on.desc(), SurveyCampaign.id.desc())
        )
        if is_closed(c)
    ][:TREND_CAMPAIGNS]
    points: list[TrendPoint] = []
    for c in reversed(closed):
        organisation, groups = campaign_groups(session, c, k)
        for scale in c.instruments:
            if scale not in campaign.instruments:
                continue

            def mean_of(group: GroupResult | None, key: str = scale) -> float | None:
                found = [s.mean for s in (group.scales if group else []) if s.key == key]
                return found[0] if found else None

            points.append(
                TrendPoint(
                    campaign_id=c.id,
                    title=c.title,
                    closes_on=c.closes_on.isoformat(),
                    scale=scale,
                    organisation=mean_of(organisation),
                    teams={g.label: mean_of(g) for g in groups},
                )
            )
    return points


def culture_results(session: Session, campaign_id: int, *, with_behaviours: bool = True) -> CultureResults:
    campaign = get_campaign(session, campaign_id)
    k = min_respondents()
    out = campaign_out(session, campaign)
    if not is_closed(campaign):
        return CultureResults(
            campaign=out,
            min_respondents=k,
            available=False,
            note="Results appear when the campaign closes: watching them change while it is open "
            "could tell one person's answers apart.",
            organisation=None,
            groups=[],
            trend=[],
            westrum_types=WESTRUM_TYPES,
        )
    organisation, groups = campaign_groups(session, campaign, k)
    if with_behaviours:
        team_ids: dict[str, int] = {name: tid for name, tid in session.execute(select(Team.name, Team.id))}
        if organisation is not None:
            organisation.behaviours = behaviours(session, None, None, campaign)
        for group in groups:
            if group.team is not None:
                group.behaviours = behaviours(session, group.team, team_ids.get(group.team), campaign)
    return CultureResults(
        campaign=out,
        min_respondents=k,
        available=True,
        note=f"Groups with fewer than {k} respondents are withheld, and so is any group that could be "
        "worked out from the others.",
        organisation=organisation,
        groups=groups,
        trend=trend(session, campaign, k),
        westrum_types=WESTRUM_TYPES,
    )
