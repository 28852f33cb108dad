"""A generated stream of delivery and learning events, written to the database as rows and
kept as plain Python values, so tests can fold over the values independently of the SQL."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.broadcast.models import ReviewRead
from failwell.catalogue.models import Service
from failwell.changes.models import Deployment
from failwell.failures.models import Failure, failure_deployments, failure_services
from failwell.insights.failure_rollup import rebuild_failure_rollup
from failwell.insights.rollup import rebuild_rollup
from failwell.people.models import Person, Team, team_members
from failwell.recurrence.models import Problem, ProblemFailure, RecurrenceLink
from failwell.reviews.models import Review

NOW = datetime(2026, 6, 15, 12, 0, tzinfo=UTC)
SERVICES = ("checkout", "search", "ledger")
TEAMS = ("shop-team", "data-team")
ENVIRONMENTS = ("production", "production", "production", "prod", "staging")
OUTCOMES = ("succeeded",) * 8 + ("failed", "rolled_back")
KINDS = ("failed_deployment", "incident", "incident", "near_miss")
STATES = ("confirmed", "confirmed", "suggested", "rejected")


@dataclass
class Dep:
    id: int
    service: str
    environment: str
    started_at: datetime
    finished_at: datetime | None
    outcome: str
    first_commit_at: datetime | None
    rework: bool


@dataclass
class Fail:
    id: int
    kind: str
    started_at: datetime
    resolved_at: datetime | None
    services: list[str]
    links: list[tuple[int, str]] = field(default_factory=list)  # (deployment id, state)
    earlier: list[int] = field(default_factory=list)  # recurrence links
    published_at: datetime | None = None
    review_id: int | None = None


@dataclass
class Action:
    id: int
    failure_id: int
    team: str
    due_date: date
    status: str
    completed_at: datetime | None


@dataclass
class Stream:
    deployments: list[Dep]
    failures: list[Fail]
    problems: list[list[int]]
    actions: list[Action]
    reads: dict[int, set[str]]  # review id -> teams of its readers
    service_team: dict[str, str]

    def failure(self, fid: int) -> Fail:
        return next(f for f in self.failures if f.id == fid)


def _moment(rng: random.Random, days_back: int = 200) -> datetime:
    return NOW - timedelta(seconds=rng.randint(0, days_back * 86_400))


def generate(seed: int, n_deployments: int = 160, n_failures: int = 70) -> Stream:
    rng = random.Random(seed)
    service_team = {s: TEAMS[i % 2] for i, s in enumerate(SERVICES)}
    deployments = []
    for i in range(n_deployments):
        started = _moment(rng)
        finished = started + timedelta(seconds=rng.randint(30, 3_000)) if rng.random() < 0.85 else None
        commit = None
        if rng.random() < 0.8:
            # Some commits are (wrongly) later than the deployment: such rows are left out.
            commit = started - timedelta(seconds=rng.randint(-600, 20 * 86_400))
        deployments.append(
            Dep(
                id=i + 1,
                service=rng.choice(SERVICES),
                environment=rng.choice(ENVIRONMENTS),
                started_at=started,
                finished_at=finished,
                outcome=rng.choice(OUTCOMES),
                first_commit_at=commit,
                rework=rng.random() < 0.1,
            )
        )
    failures: list[Fail] = []
    for i in range(n_failures):
        started = _moment(rng)
        resolved = started + timedelta(seconds=rng.randint(60, 5 * 86_400)) if rng.random() < 0.75 else None
        f = Fail(
            id=i + 1,
            kind=rng.choice(KINDS),
            started_at=started,
            resolved_at=resolved,
            services=sorted(set(rng.sample(SERVICES, rng.randint(1, 2)))),
        )
        for dep in rng.sample(deployments, rng.choice((0, 0, 1, 1, 2))):
            f.links.append((dep.id, rng.choice(STATES)))
        if i > 3 and rng.random() < 0.2:
            f.earlier.append(rng.randint(1, i))
        if resolved and rng.random() < 0.6:
            f.published_at = resolved + timedelta(seconds=rng.randint(-3_600, 30 * 86_400))
            f.review_id = len([x for x in failures if x.review_id]) + 1
        failures.append(f)
    problems = [sorted(rng.sample(range(1, n_failures + 1), rng.randint(2, 4))) for _ in range(6)]
    actions = []
    for i in range(50):
        fid = rng.randint(1, n_failures)
        due = (NOW - timedelta(days=rng.randint(-30, 180))).date()
        status = rng.choice(("open", "in_progress", "done", "done", "done", "wont_do"))
        done_at = None
        if status == "done":
            done_at = datetime.combine(due, datetime.min.time(), tzinfo=UTC) + timedelta(
                hours=rng.randint(-240, 240)
            )
        actions.append(Action(i + 1, fid, rng.choice(TEAMS), due, status, done_at))
    reads: dict[int, set[str]] = {}
    for f in failures:
        if f.review_id and rng.random() < 0.7:
            reads[f.review_id] = set(rng.sample(TEAMS, rng.randint(1, 2)))
    return Stream(deployments, failures, problems, actions, reads, service_team)


def load(session: Session, stream: Stream) -> None:
    """Writes the stream as rows (ids as generated)."""
    teams = {}
    for name in TEAMS:
        team = Team(name=name)
        session.add(team)
        teams[name] = team
    session.flush()
    readers = {}
    for name, team in teams.items():
        person = Person(name=f"Reader of {name}", email=f"reader@{name}.example")
        session.add(person)
        session.flush()
        session.execute(insert(team_members).values(team_id=team.id, person_id=person.id))
        readers[name] = person.id
    services = {}
    for name in SERVICES:
        svc = Service(name=name, owner_team_id=teams[stream.service_team[name]].id)
        session.add(svc)
        services[name] = svc
    session.flush()
    for d in stream.deployments:
        session.add(
            Deployment(
                id=d.id,
                service_id=services[d.service].id,
                environment=d.environment,
                version=f"1.0.{d.id}",
                commit_shas=[],
                started_at=d.started_at,
                finished_at=d.finished_at,
                outcome=d.outcome,
                first_commit_at=d.first_commit_at,
                rework=d.rework,
            )
        )
    for f in stream.failures:
        session.add(
            Failure(
                id=f.id,
                title=f"Failure {f.id}",
                kind=f.kind,
                severity=3,
                status="resolved" if f.resolved_at else "open",
                started_at=f.started_at,
                resolved_at=f.resolved_at,
            )
        )
    session.flush()
    for f in stream.failures:
        for s in f.services:
            session.execute(insert(failure_services).values(failure_id=f.id, service_id=services[s].id))
        for dep_id, state in f.links:
            source = "suggested" if state != "confirmed" else "reported"
            session.execute(
                insert(failure_deployments).values(
                    failure_id=f.id, deployment_id=dep_id, state=state, source=source
                )
            )
        for earlier in f.earlier:
            session.add(RecurrenceLink(failure_id=f.id, earlier_id=earlier))
        if f.review_id:
            session.add(
                Review(id=f.review_id, failure_id=f.id, status="published", published_at=f.published_at)
            )
    session.flush()
    for i, members in enumerate(stream.problems):
        problem = Problem(id=i + 1, title=f"Problem {i + 1}")
        session.add(problem)
        session.flush()
        for fid in members:
            session.add(ProblemFailure(problem_id=problem.id, failure_id=fid))
    for a in stream.actions:
        session.add(
            CorrectiveAction(
                id=a.id,
                failure_id=a.failure_id,
                title=f"Action {a.id}",
                action_type="prevent",
                owner_team_id=teams[a.team].id,
                due_date=a.due_date,
                status=a.status,
                completed_at=a.completed_at,
            )
        )
    for review_id, reader_teams in stream.reads.items():
        for team_name in reader_teams:
            session.add(ReviewRead(review_id=review_id, person_id=readers[team_name], read_at=NOW))
    session.flush()
    # The rows went around the services: the rollups are summed as bulk loaders do.
    rebuild_rollup(session)
    rebuild_failure_rollup(session)
