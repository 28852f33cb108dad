"""Loads the demo organisation into an empty database, deterministically.

Everything is derived from `today` and a seeded random.Random: the same seed and day
give the same rows, ids included, on SQLite and PostgreSQL alike. Teams, people and
services go through the service layer (validation, password hashing); the bulk
(deployments, failures, reviews, actions) is planned in memory first and inserted as
ORM objects with every column set explicitly, so nothing depends on the clock.

Nothing happens after midnight UTC at the start of `today`, so a demo loaded today
never shows events in the future.

The demo is the same organisation whatever the day: every moment is planned relative to
`today`, and the two calendar rules (quiet weekends, month-end batch jobs) are read on a fixed
reference calendar (REFERENCE_DAY) and shifted, so loading it on another day moves every time
by the same number of days and changes nothing else. Tests and screenshots rely on that.
"""

from __future__ import annotations

import calendar
import random
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from failwell.actions.models import CorrectiveAction
from failwell.authz import SYSTEM
from failwell.catalogue import service as catalogue
from failwell.catalogue.models import Service
from failwell.catalogue.schemas import ConsumerIn, ServiceIn
from failwell.changes.models import Change, Deployment
from failwell.db import Database
from failwell.demo import content
from failwell.demo.content import DEMO_DOMAIN, ActionSpec, Scenario, ServiceSpec
from failwell.demo.delivery import first_commit_before, lesson_reads
from failwell.demo.ideas import add_ideas
from failwell.demo.recognition import add_recognition
from failwell.demo.surveys import add_culture_surveys
from failwell.enums import (
    ActionPriority,
    ActionStatus,
    ChangeType,
    ConsumerKind,
    DeploymentOutcome,
    FailureKind,
    FailureStatus,
    ReportChannel,
    ReviewStatus,
    Risk,
    Role,
    TimelineKind,
)
from failwell.errors import Conflict
from failwell.failures.models import Failure, Tag, TimelineEvent
from failwell.insights.failure_rollup import rebuild_failure_rollup
from failwell.insights.rollup import rebuild_rollup
from failwell.people import service as people
from failwell.people.models import Person, Team
from failwell.people.passwords import length_problem
from failwell.people.schemas import PersonIn, TeamIn
from failwell.people.security import hash_password
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.index import index_failures
from failwell.recurrence.models import KnownError, Problem, ProblemFailure, RecurrenceLink
from failwell.reviews.models import ContributingFactor, FactorCategory, Review

DEMO_LOGIN_EMAIL = "owner@demo.failwell.dev"
DEMO_LOGIN_PASSWORD = "failwell-demo"


def published_password_hash(password: str) -> str:
    """The hash of a password that is published on purpose (README, banner, sign-in page).

    It skips the strength estimate, which rightly calls the product's own name guessable:
    a published password is no secret whatever its strength, and only the demo organisation
    has it. The length rule still holds."""
    problem = length_problem(password)
    if problem is not None:
        raise ValueError(f"the demo password: {problem}")
    return hash_password(password)


HISTORY_DAYS = 730
# The calendar the weekday and month-end rules are read on (see the module docstring).
REFERENCE_DAY = date(2026, 1, 1)
# Standalone failures on top of the recurring families (which hold 23): about 150 in all.
INCIDENT_COUNT = 46
NEAR_MISS_COUNT = 28
FAILED_DEPLOYMENT_COUNT = 53
CHANGE_TARGET = 360
ANONYMOUS_SHARE = 0.1

_DUE_DAYS = {
    ActionPriority.critical: (7, 14),
    ActionPriority.high: (14, 30),
    ActionPriority.medium: (30, 60),
    ActionPriority.low: (45, 90),
}


@dataclass
class DemoSummary:
    teams: int
    people: int
    services: int
    changes: int
    deployments: int
    failures: int
    reviews: int
    actions: int
    problems: int
    login_email: str
    login_password: str


def _is_empty(session: Session) -> bool:
    models = (Team, Person, Service, Failure)
    return all(session.scalar(select(model.id).limit(1)) is None for model in models)


def database_is_empty(db: Database) -> bool:
    """True when the database holds no teams, people, services or failures."""
    with db.session(write=False) as session:
        return _is_empty(session)


def load_demo(db: Database, *, today: date | None = None, seed: int = 42) -> DemoSummary:
    """Fills an empty database with the demo organisation; Conflict if it holds data.

    One transaction: a failed load leaves the database empty, so it can be retried.
    """
    day = today or datetime.now(UTC).date()
    try:
        with db.session() as session:
            # Checked inside the write transaction: on SQLite it holds the write lock already.
            if not _is_empty(session):
                raise Conflict(
                    detail="The database already holds data; the demo loads only into an empty one."
                )
            return _Loader(session, random.Random(seed), day).run()
    except IntegrityError as exc:
        # Another writer filled the database between our check and our inserts (PostgreSQL).
        raise Conflict(detail="The database was filled while the demo was loading.") from exc


# ---- planning structures -----------------------------------------------------------


@dataclass
class _Svc:
    spec: ServiceSpec
    row: Service
    team: Team

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass
class _Release:
    svc: _Svc
    version: str
    deployments: list[Deployment]
    prod: Deployment | None
    hotfix_of: _Release | None = None
    follow_up: _Release | None = None  # the next release of the same service
    change: Change | None = None


@dataclass
class _Plan:
    """One failure, decided before any row is built so coverage can be checked first."""

    scenario: Scenario
    services: list[_Svc]
    started: datetime
    release: _Release | None = None
    family_next: datetime | None = None  # a recurrence follows: its actions were done before this
    in_family: bool = False
    family: str | None = None  # key of its recurring family
    fix_holds: bool = False  # the last of a family whose fix held: its actions all get done
    severity: int = 3
    detected: datetime = field(init=False)
    mitigated: datetime | None = None
    resolved: datetime | None = None
    status: FailureStatus = FailureStatus.open
    review: ReviewStatus | None = None
    anonymous: bool = False

    @property
    def svc(self) -> _Svc:
        return self.services[0]


def _review_is(state: ReviewStatus) -> Callable[[_Plan], bool]:
    return lambda plan: plan.review == state


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min"
    return f"{hours // 24} days {hours % 24} h"


class _Loader:
    def __init__(self, session: Session, rng: random.Random, today: date) -> None:
        self.s = session
        self.rng = rng
        # Commit times and lesson reads draw from their own generator (seeded from the main
        # one's state without consuming it), so the rest of the history stays as it was.
        self.side_rng = random.Random(hash(rng.getstate()[1]))
        self.today = today
        self.now = datetime.combine(today, time.min, tzinfo=UTC)
        self.start = self.now - timedelta(days=HISTORY_DAYS)
        # From the reference calendar to today's: whole days, so times of day are kept.
        self.shift = timedelta(days=(today - REFERENCE_DAY).days)
        self.teams: dict[str, Team] = {}
        self.people: list[Person] = []
        self.members: dict[str, list[Person]] = {}
        self.svcs: dict[str, _Svc] = {}
        self.releases: list[_Release] = []
        self.tags: dict[str, Tag] = {}
        self.fixes_hold = {p.family for p in content.PROBLEMS if p.fix_holds}
        self.family_of: dict[int, str] = {}  # failure id -> key of its recurring family

    # ---- helpers ---------------------------------------------------------------

    def minutes(self, span: tuple[int, int]) -> timedelta:
        return timedelta(minutes=self.rng.randint(*span))

    def clamp(self, moment: datetime) -> datetime:
        return min(moment, self.now - timedelta(minutes=1))

    def sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def context(self, svc: _Svc, version: str = "") -> dict[str, str]:
        consumers = svc.spec.consumers
        partners = [n for n, k in consumers if k == ConsumerKind.partner]
        users = [n for n, k in consumers if k == ConsumerKind.consumer] or [
            n for n, k in consumers if k == ConsumerKind.internal
        ]
        return {
            "service": svc.name,
            "team": svc.team.name,
            "partners": _join(partners) or "partners",
            "consumers": _join(users) or "users",
            "version": version,
        }

    # ---- the run ---------------------------------------------------------------

    def run(self) -> DemoSummary:
        self.create_organisation()
        self.plan_releases()
        plans = self.plan_failures()
        self.settle(plans)
        self.plan_changes({id(p.release) for p in plans if p.release is not None})
        changes = sorted(
            {id(r.change): r.change for r in self.releases if r.change is not None}.values(),
            key=lambda c: c.created_at,
        )
        self.number_changes(changes)
        self.s.add_all(changes)
        self.s.flush()
        deployments = [d for r in self.releases for d in r.deployments]
        for release in self.releases:
            for dep in release.deployments:
                dep.change_id = release.change.id if release.change is not None else None
        deployments.sort(key=lambda d: (d.started_at, d.service_id, d.environment))
        self.s.add_all(deployments)
        self.s.flush()
        failures, reviews, actions = self.build(plans)
        problems = self.problems(failures, actions)
        proposals = add_ideas(self.s, self.now, self.people, failures, actions)
        add_recognition(self.s, self.now, self.people, failures, reviews, actions)
        self.s.add_all(lesson_reads(reviews, self.members, self.now, self.side_rng))
        # The rows above bypass the services, so their events never fired: index the failures
        # for similar-failure search (text and embeddings) as reporting them would have.
        index_failures(self.s, [f.id for f in failures])
        # Likewise the deployment and failure rollups the metrics read.
        self.s.flush()
        rebuild_rollup(self.s)
        rebuild_failure_rollup(self.s)
        # Last, with its own random stream, so the history above does not depend on it.
        colleagues = add_culture_surveys(
            self.s, self.today, self.people, random.Random(self.rng.getrandbits(64))
        )
        return DemoSummary(
            teams=len(self.teams),
            people=len(self.people) + colleagues,
            services=len(self.svcs),
            changes=len(changes),
            deployments=len(deployments),
            failures=len(failures),
            reviews=len(reviews),
            actions=len(actions) + proposals,
            problems=len(problems),
            login_email=DEMO_LOGIN_EMAIL,
            login_password=DEMO_LOGIN_PASSWORD,
        )

    # ---- teams, people, services (through the service layer) ------------------------

    def create_organisation(self) -> None:
        # The organisation predates the two years of history a little.
        founded = self.start - timedelta(days=30)
        for i, t in enumerate(content.TEAMS):
            team = people.create_team(self.s, SYSTEM, TeamIn(name=t.name, description=t.description))
            team.created_at = founded + timedelta(hours=i)
            self.teams[t.name] = team
            self.members[t.name] = []
        for i, p in enumerate(content.PEOPLE):
            is_login = i == 0
            person = people.create_person(
                self.s,
                SYSTEM,
                PersonIn(
                    name=p.name,
                    email=DEMO_LOGIN_EMAIL if is_login else p.email,
                    role=p.role,
                    teams=list(p.teams),
                ),
            )
            if is_login:  # argon2 is slow by design: only the demo login can sign in with a password.
                person.password_hash = published_password_hash(DEMO_LOGIN_PASSWORD)
            person.created_at = founded + timedelta(days=1, hours=i)
            self.people.append(person)
            for team_name in p.teams:
                self.members[team_name].append(person)
        for i, spec in enumerate(content.SERVICES):
            row = catalogue.create_service(
                self.s,
                SYSTEM,
                ServiceIn(
                    name=spec.name,
                    description=spec.description,
                    owner_team=spec.team,
                    tier=spec.tier,
                    consumers=[ConsumerIn(name=n, kind=k) for n, k in spec.consumers],
                ),
            )
            row.created_at = founded + timedelta(days=2, hours=i)
            self.svcs[spec.name] = _Svc(spec, row, self.teams[spec.team])
        self.s.flush()

    # ---- releases and deployments ------------------------------------------------

    def plan_releases(self) -> None:
        for svc in self.svcs.values():
            self.releases.extend(self.service_releases(svc))

    def service_releases(self, svc: _Svc) -> list[_Release]:
        rng = self.rng
        major, minor, patch = svc.spec.first_version
        per_weekday = svc.spec.releases_per_week / 5
        releases: list[_Release] = []
        not_before = self.start
        pipeline = rng.randint(1_000, 9_000)
        for day in range(HISTORY_DAYS):
            midnight = self.start + timedelta(days=day)
            # Weekends see the odd release only.
            expected = per_weekday if (midnight - self.shift).weekday() < 5 else per_weekday * 0.06
            count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            times = sorted(rng.randint(7 * 60, 17 * 60) for _ in range(count))
            slots = deque(midnight + timedelta(minutes=m) for m in times)
            hotfix_of: _Release | None = None
            while slots:
                begin = max(slots.popleft(), not_before)
                bump = rng.random()
                if releases and hotfix_of is None and bump < 0.008:
                    major, minor, patch = major + 1, 0, 0
                elif releases and hotfix_of is None and bump < 0.2:
                    minor, patch = minor + 1, 0
                elif releases:
                    patch += 1
                pipeline += rng.randint(1, 40)
                release = self.release(svc, f"{major}.{minor}.{patch}", begin, pipeline)
                if release is None:
                    break
                release.hotfix_of, hotfix_of = hotfix_of, None
                for dep in release.deployments:  # unplanned: made because of a production failure
                    dep.rework = release.hotfix_of is not None
                if releases:
                    releases[-1].follow_up = release
                releases.append(release)
                last = release.deployments[-1]
                not_before = (last.finished_at or last.started_at) + timedelta(minutes=10)
                prod = release.prod
                if prod is not None and prod.outcome != DeploymentOutcome.succeeded and rng.random() < 0.6:
                    # Fix forward within hours, ahead of whatever else was planned that day.
                    hotfix_of = release
                    slots.appendleft(not_before + timedelta(minutes=rng.randint(35, 170)))
        return releases

    def release(self, svc: _Svc, version: str, begin: datetime, pipeline: int) -> _Release | None:
        rng = self.rng
        shas = [self.sha() for _ in range(rng.randint(1, 3))]
        url = f"https://ci.{DEMO_DOMAIN}/{svc.name}/pipelines/{pipeline}"
        first_commit = begin - first_commit_before(self.side_rng)
        staging_end = begin + timedelta(minutes=rng.randint(3, 12), seconds=rng.randint(0, 59))
        staging_ok = rng.random() >= 0.04
        staging = self.deployment(svc, "staging", version, shas, begin, staging_end, url, staging_ok)
        deployments = [staging]
        prod: Deployment | None = None
        if staging_ok:
            prod_start = staging_end + timedelta(minutes=rng.randint(15, 150))
            roll = rng.random()
            if roll < 0.03:
                # The pipeline gives up when pods never become ready; the old version keeps serving.
                outcome, minutes = DeploymentOutcome.failed, rng.randint(8, 15)
            elif roll < 0.085:
                # Deployed, misbehaved, rolled back: the record closes when the rollback finishes.
                outcome, minutes = DeploymentOutcome.rolled_back, rng.randint(18, 60)
            else:
                outcome, minutes = DeploymentOutcome.succeeded, rng.randint(5, 20)
            prod_end = prod_start + timedelta(minutes=minutes, seconds=rng.randint(0, 59))
            prod = self.deployment(svc, "production", version, shas, prod_start, prod_end, url, True)
            prod.outcome = outcome
            deployments.append(prod)
        for dep in deployments:
            dep.first_commit_at = first_commit
        if (deployments[-1].finished_at or begin) > self.now - timedelta(minutes=5):
            return None
        return _Release(svc, version, deployments, prod)

    def deployment(
        self,
        svc: _Svc,
        env: str,
        version: str,
        shas: list[str],
        started: datetime,
        finished: datetime,
        url: str,
        ok: bool,
    ) -> Deployment:
        return Deployment(
            service_id=svc.row.id,
            change_id=None,
            environment=env,
            version=version,
            commit_shas=list(shas),
            started_at=started,
            finished_at=finished,
            outcome=DeploymentOutcome.succeeded if ok else DeploymentOutcome.failed,
            pipeline_url=url,
            created_at=finished,
        )

    # ---- failures: what happens, where and when --------------------------------------

    def random_start(self, scenario: Scenario) -> datetime:
        # Skewed towards recent months, as a team's use of the tool grows.
        span = HISTORY_DAYS * 1440 - 3 * 1440
        started = self.now - timedelta(minutes=180 + int(span * self.rng.random() ** 1.35))
        return self.place(started, scenario)

    def place(self, started: datetime, scenario: Scenario) -> datetime:
        started -= self.shift  # month ends are read on the reference calendar
        if scenario.month_end:
            year, month = started.year, started.month
            last = calendar.monthrange(year, month)[1]
            started = started.replace(day=last)
        if scenario.start_at is not None:
            hour, minute = scenario.start_at
            started = started.replace(hour=hour, minute=minute, second=0)
        while started > self.now - self.shift - timedelta(hours=3):
            if scenario.month_end:
                first = started.replace(day=1)
                started = (first - timedelta(days=1)).replace(hour=started.hour, minute=started.minute)
            else:
                started -= timedelta(days=1)
        return started + self.shift

    def prod_releases(self, outcomes: Sequence[DeploymentOutcome], svc: str | None = None) -> list[_Release]:
        return [
            r
            for r in self.releases
            if r.prod is not None and r.prod.outcome in outcomes and (svc is None or r.svc.name == svc)
        ]

    def plan_failures(self) -> list[_Plan]:
        rng = self.rng
        plans: list[_Plan] = []
        used: set[int] = set()
        for family in content.RECURRING:
            family_plans: list[_Plan] = []
            for days_ago, scenario in zip(family.days_ago, family.occurrences, strict=True):
                services = [self.svcs[n] for n in scenario.services]
                jitter = timedelta(days=rng.randint(-4, 4), minutes=rng.randint(0, 1439))
                target = self.now - timedelta(days=days_ago) - jitter
                plan = _Plan(scenario, services, target, in_family=True, family=family.key)
                if scenario.kind == FailureKind.failed_deployment:
                    plan.release = self.pick_release(services[0].name, scenario, target, used)
                    plan.started = plan.release.prod.started_at if plan.release.prod else target
                else:
                    plan.started = self.place(target, scenario)
                family_plans.append(plan)
            for earlier, later in pairwise(family_plans):
                earlier.family_next = later.started
            family_plans[-1].fix_holds = family.key in self.fixes_hold
            plans.extend(family_plans)

        pool = [
            r
            for r in self.prod_releases([DeploymentOutcome.failed, DeploymentOutcome.rolled_back])
            if id(r) not in used
        ]
        chosen = sorted(rng.sample(range(len(pool)), min(FAILED_DEPLOYMENT_COUNT, len(pool))))
        seen: set[tuple[str, str]] = set()
        for index in chosen:
            release = pool[index]
            assert release.prod is not None
            fits = [
                sc
                for sc in content.FAILED_DEPLOYMENTS
                if sc.outcome == release.prod.outcome and (not sc.services or release.svc.name in sc.services)
            ]
            fresh = [sc for sc in fits if (sc.key, release.svc.name) not in seen]
            scenario = rng.choice(fresh or fits)
            seen.add((scenario.key, release.svc.name))
            used.add(id(release))
            plans.append(_Plan(scenario, [release.svc], release.prod.started_at, release=release))

        for scenarios, count in ((content.INCIDENTS, INCIDENT_COUNT), (content.NEAR_MISSES, NEAR_MISS_COUNT)):
            pairs = self.scenario_uses(scenarios, count)
            for scenario, svc_name in pairs:
                plans.append(_Plan(scenario, [self.svcs[svc_name]], self.random_start(scenario)))
        return plans

    def scenario_uses(self, scenarios: Sequence[Scenario], count: int) -> list[tuple[Scenario, str]]:
        """Each scenario once, then more uses on other services: the same text never
        lands twice on one service, which would read as a recurrence it is not."""
        everyone = tuple(self.svcs)
        first = [(sc, self.rng.choice(sc.services or everyone)) for sc in scenarios]
        taken = {(sc.key, name) for sc, name in first}
        rest = [(sc, n) for sc in scenarios for n in (sc.services or everyone) if (sc.key, n) not in taken]
        self.rng.shuffle(rest)
        return first + rest[: max(0, count - len(first))]

    def pick_release(self, svc: str, scenario: Scenario, target: datetime, used: set[int]) -> _Release:
        """The failed production release of `svc` nearest `target`, made to fail if none did."""
        outcome = scenario.outcome or DeploymentOutcome.rolled_back
        candidates = [r for r in self.prod_releases([outcome], svc) if id(r) not in used]
        if not candidates:
            candidates = [r for r in self.prod_releases(list(DeploymentOutcome), svc) if id(r) not in used]
        release = min(candidates, key=lambda r: abs((r.prod.started_at if r.prod else target) - target))
        prod = release.prod
        assert prod is not None
        if prod.outcome != outcome:
            prod.outcome = outcome
            prod.finished_at = prod.started_at + timedelta(minutes=self.rng.randint(18, 35))
            prod.created_at = prod.finished_at
        used.add(id(release))
        return release

    # ---- timestamps, statuses and review states ---------------------------------

    def settle(self, plans: list[_Plan]) -> None:
        rng = self.rng
        for plan in plans:
            sc = plan.scenario
            plan.severity = rng.randint(*sc.severity)
            self.times(plan)
            age = self.now - plan.started
            recent = age < timedelta(days=45) and not plan.in_family
            if plan.resolved is not None and recent and rng.random() < 0.3:
                plan.resolved = None  # mitigated; the lasting fix is still being worked on
            lingering = plan.severity >= 3 or sc.kind == FailureKind.near_miss
            if (
                age < timedelta(days=14)
                and lingering
                and sc.kind != FailureKind.failed_deployment
                and rng.random() < 0.5
            ):
                # Low-impact failures and near misses often stay open while someone digs in.
                plan.mitigated = plan.resolved = None
            if plan.resolved is not None:
                closed = age > timedelta(days=21) and rng.random() < 0.88
                plan.status = FailureStatus.closed if closed else FailureStatus.resolved
            elif plan.mitigated is not None:
                plan.status = FailureStatus.mitigated
            else:
                plan.status = FailureStatus.open
            plan.review = self.review_state(plan)
        self.ensure_coverage(plans)
        for i in sorted(rng.sample(range(len(plans)), round(len(plans) * ANONYMOUS_SHARE))):
            plans[i].anonymous = True

    def times(self, plan: _Plan) -> None:
        sc, rng = plan.scenario, self.rng
        prod = plan.release.prod if plan.release else None
        if prod is not None and prod.finished_at is not None:
            if prod.outcome == DeploymentOutcome.failed:
                plan.started = prod.started_at + timedelta(minutes=rng.randint(1, 3))
                plan.detected = max(prod.finished_at, plan.started)
                plan.mitigated = plan.detected + self.minutes(sc.mitigate_minutes)
            else:
                # The new version serves a few minutes into the rollout; the rollback ends it.
                plan.started = prod.started_at + timedelta(minutes=rng.randint(2, 5))
                plan.mitigated = max(prod.finished_at, plan.started + timedelta(minutes=4))
                window = plan.mitigated - plan.started
                plan.detected = plan.started + min(self.minutes(sc.detect_minutes), window * 0.7)
            # Resolved when the next release of the service went out fine, if it came soon.
            fix = plan.release.follow_up if plan.release is not None else None
            fixed = fix.prod if fix is not None else None
            if (
                fixed is not None
                and fixed.finished_at is not None
                and fixed.outcome == DeploymentOutcome.succeeded
                and plan.mitigated < fixed.finished_at < plan.mitigated + timedelta(days=5)
            ):
                plan.resolved = fixed.finished_at
            else:
                plan.resolved = plan.mitigated + timedelta(hours=rng.randint(*sc.resolve_hours))
        else:
            plan.detected = plan.started + self.minutes(sc.detect_minutes)
            late = plan.detected - (self.now - timedelta(minutes=20))
            if late > timedelta(0):
                # Nothing is recorded before it is noticed: move the whole failure back.
                shift = late + timedelta(hours=rng.randint(1, 12))
                plan.started -= shift
                plan.detected -= shift
            plan.mitigated = plan.detected + self.minutes(sc.mitigate_minutes)
            plan.resolved = plan.mitigated + timedelta(
                hours=rng.randint(*sc.resolve_hours), minutes=rng.randint(0, 59)
            )
        plan.started, plan.detected = (
            plan.started.replace(microsecond=0),
            plan.detected.replace(microsecond=0),
        )
        if plan.mitigated is not None:
            plan.mitigated = plan.mitigated.replace(microsecond=0)
        if plan.resolved is not None:
            plan.resolved = plan.resolved.replace(microsecond=0)
        if plan.mitigated is not None and plan.mitigated > self.now:
            plan.mitigated = plan.resolved = None
        if plan.resolved is not None and plan.resolved > self.now:
            plan.resolved = None

    def review_state(self, plan: _Plan) -> ReviewStatus | None:
        rng = self.rng
        if plan.status == FailureStatus.open:
            return None
        wanted = {1: 1.0, 2: 1.0, 3: 0.85, 4: 0.45, 5: 0.35}[plan.severity]
        if not plan.in_family and rng.random() >= wanted:
            return None
        if plan.status == FailureStatus.closed:
            return ReviewStatus.published
        if plan.status == FailureStatus.resolved:
            roll = rng.random()
            if roll < 0.45:
                return ReviewStatus.in_review
            return ReviewStatus.draft if roll < 0.8 else ReviewStatus.published
        return ReviewStatus.draft if plan.in_family or rng.random() < 0.5 else None

    def ensure_coverage(self, plans: list[_Plan]) -> None:
        """Every failure status and review state appears a few times, whatever the seed.

        Shortfalls are made up from the most recent failures, where they are plausible.
        """
        newest_first = sorted(plans, key=lambda p: p.started, reverse=True)

        def top_up(count: int, done: Callable[[_Plan], bool], fits: Callable[[_Plan], bool]) -> list[_Plan]:
            missing = count - sum(1 for p in plans if done(p))
            return [p for p in newest_first if not done(p) and fits(p)][: max(0, missing)]

        for plan in top_up(
            3,
            lambda p: p.status == FailureStatus.open,
            lambda p: p.scenario.kind != FailureKind.failed_deployment,
        ):
            plan.mitigated = plan.resolved = None
            plan.status, plan.review = FailureStatus.open, None
        for plan in top_up(
            4, lambda p: p.status == FailureStatus.mitigated, lambda p: p.resolved is not None
        ):
            plan.resolved = None
            plan.status = FailureStatus.mitigated
            plan.review = ReviewStatus.draft if plan.review is not None else None
        for plan in top_up(
            4, lambda p: p.status == FailureStatus.resolved, lambda p: p.status == FailureStatus.closed
        ):
            plan.status = FailureStatus.resolved
        for state, fits in (
            (ReviewStatus.published, lambda p: p.status == FailureStatus.closed),
            (ReviewStatus.in_review, lambda p: p.status == FailureStatus.resolved),
            (ReviewStatus.draft, lambda p: p.status != FailureStatus.open and p.review is None),
        ):
            for plan in top_up(3, _review_is(state), fits):
                plan.review = state

    # ---- changes -----------------------------------------------------------------

    def plan_changes(self, failed: set[int]) -> None:
        """Every release a failure points at gets a change; others get one at random."""
        rng = self.rng
        forced = [r for r in self.releases if id(r) in failed]
        for release in forced:
            kind = ChangeType.standard if rng.random() < 0.35 else ChangeType.normal
            release.change = self.change(release, kind)
            fix = release.follow_up
            if fix is not None and fix.hotfix_of is release and fix.change is None:
                # Half the time the fix ships under the same change, re-released.
                fix.change = release.change if rng.random() < 0.5 else self.change(fix, ChangeType.emergency)
        linked = sum(1 for r in self.releases if r.change is not None)
        rest = [r for r in self.releases if r.change is None]
        share = max(0.0, (CHANGE_TARGET - linked) / max(1, len(rest)))
        for release in rest:
            if rng.random() >= share:
                continue
            if release.hotfix_of is not None:
                kind = ChangeType.emergency if rng.random() < 0.7 else ChangeType.normal
            else:
                kind = ChangeType.standard if rng.random() < 0.68 else ChangeType.normal
            release.change = self.change(release, kind)

    def number_changes(self, changes: list[Change]) -> None:
        number = 4_000
        for change in changes:
            if change.external_ref is not None:
                number += self.rng.randint(1, 9)  # other changes are filed outside these services
                change.external_ref = f"CHG-{number}"

    def change(self, release: _Release, kind: ChangeType) -> Change:
        rng = self.rng
        svc = release.svc
        first = release.deployments[0].started_at
        if kind == ChangeType.emergency:
            broken = release.hotfix_of.version if release.hotfix_of else "the previous release"
            title = f"{svc.name} {release.version}: fix forward for {broken}"
            subject = f"fix the fault that made {broken} fail in production"
            text = content.EMERGENCY_CHANGE_DESCRIPTION
            risk = Risk.high if rng.random() < 0.4 else Risk.medium
            created = first - timedelta(minutes=rng.randint(5, 30))
        else:
            subject = rng.choice(svc.spec.change_subjects)
            title = f"{svc.name} {release.version}: {subject}"
            text = content.CHANGE_DESCRIPTION
            if kind == ChangeType.standard:
                risk = Risk.low
                created = first - timedelta(minutes=rng.randint(10, 120))
            else:
                risk = Risk.high if rng.random() < 0.3 else Risk.medium
                created = first - timedelta(hours=rng.randint(2, 72))
        # Numbered once all changes are known, so numbers follow time (see number_changes).
        ref = "CHG" if kind != ChangeType.standard or rng.random() < 0.4 else None
        return Change(
            title=title[:300],
            description=text.format(version=release.version, service=svc.name, subject=subject),
            change_type=kind,
            risk=risk,
            service_id=svc.row.id,
            external_ref=ref,
            created_at=created,
        )

    # ---- rows --------------------------------------------------------------------

    def build(self, plans: list[_Plan]) -> tuple[list[Failure], list[Review], list[CorrectiveAction]]:
        categories = {c.key: c for c in self.s.scalars(select(FactorCategory))}
        for name in sorted({t for p in plans for t in p.scenario.tags}):
            self.tags[name] = Tag(name=name)
        self.s.add_all(self.tags.values())
        built = [self.failure(plan) for plan in plans]
        built.sort(key=lambda item: (item[0].created_at, item[0].title))
        failures = [f for f, _, _ in built]
        self.s.add_all(failures)
        self.s.flush()
        self.family_of = {f.id: plan.family for f, plan, _ in built if plan.family is not None}
        reviews: list[Review] = []
        actions: list[CorrectiveAction] = []
        for failure, plan, ctx in built:
            review = self.review(failure, plan, ctx, categories) if plan.review is not None else None
            if review is not None:
                reviews.append(review)
            actions.extend(self.actions(failure, plan, ctx, review))
        # The actions of a family whose fix held stay as planned: its problem shows recurrences stopped.
        held = {id(f) for f, plan, _ in built if plan.family in self.fixes_hold}
        self.ensure_action_coverage([a for a in actions if id(a.failure) not in held])
        reviews.sort(key=lambda r: r.created_at)
        actions.sort(key=lambda a: a.created_at)
        self.s.add_all(reviews)
        self.s.add_all(actions)
        self.s.flush()
        return failures, reviews, actions

    def someone(self, team: Team, *, responders: bool = False) -> Person:
        crew = self.members[team.name]
        if responders:
            crew = [p for p in crew if p.role in (Role.practitioner, Role.practice_manager)] or crew
        return self.rng.choice(crew or self.people)

    def failure(self, plan: _Plan) -> tuple[Failure, _Plan, dict[str, str]]:
        rng, sc, svc = self.rng, plan.scenario, plan.svc
        version = plan.release.version if plan.release else ""
        ctx = self.context(svc, version)
        partners = any(k == ConsumerKind.partner for _, k in svc.spec.consumers)
        reporter: Person | None = None
        if not plan.anonymous:
            reporter = rng.choice(self.people) if rng.random() < 0.1 else self.someone(svc.team)
        created = self.clamp(plan.detected + timedelta(minutes=rng.randint(2, 20)))
        failure = Failure(
            title=sc.title.format(**ctx)[:300],
            description=sc.description.format(**ctx),
            kind=sc.kind,
            severity=plan.severity,
            status=plan.status,
            started_at=plan.started,
            detected_at=plan.detected,
            mitigated_at=plan.mitigated,
            resolved_at=plan.resolved,
            impact_partners=sc.impact_partners.format(**ctx)
            if partners
            else f"None: no partner depends on {svc.name} directly.",
            impact_consumers=sc.impact_consumers.format(**ctx),
            reporter_id=reporter.id if reporter else None,
            anonymous=plan.anonymous,
            reported_via=ReportChannel.demo,
            created_at=created,
            updated_at=created,
        )
        failure.services = [s.row for s in plan.services]
        failure.tags = [self.tags[t] for t in sc.tags]
        if plan.release is not None and plan.release.prod is not None:
            failure.deployments = [plan.release.prod]
            failure.changes = [plan.release.change] if plan.release.change is not None else []
        failure.timeline = self.timeline(plan, ctx, reporter, created)
        latest = max([created, *(e.created_at for e in failure.timeline)])
        failure.updated_at = latest
        return failure, plan, ctx

    def timeline(
        self, plan: _Plan, ctx: dict[str, str], reporter: Person | None, reported: datetime
    ) -> list[TimelineEvent]:
        rng, sc, team = self.rng, plan.scenario, plan.svc.team
        end = plan.mitigated or self.clamp(plan.detected + timedelta(hours=3))
        events: list[tuple[datetime, TimelineKind, str, Person | None]] = [
            (plan.detected, TimelineKind.detection, sc.detection.format(**ctx), reporter)
        ]
        if plan.severity <= 3 and sc.kind != FailureKind.near_miss:
            declared = min(plan.detected + timedelta(minutes=rng.randint(2, 8)), end)
            deploy = sc.kind == FailureKind.failed_deployment
            what = "Deploy halted" if deploy else f"Declared SEV{plan.severity}"
            text = f"{what}; {team.name} on-call paged and an incident channel opened."
            events.append((declared, TimelineKind.key_moment, text, self.someone(team, responders=True)))
        events.append(
            (
                plan.detected + (end - plan.detected) * rng.uniform(0.3, 0.7),
                TimelineKind.diagnosis,
                sc.diagnosis.format(**ctx),
                self.someone(team, responders=True),
            )
        )
        if sc.kind != FailureKind.near_miss and rng.random() < 0.35:
            # Notes about status pages and support replies only fit failures with impact.
            events.append(
                (
                    plan.detected + (end - plan.detected) * rng.uniform(0.2, 0.9),
                    TimelineKind.note,
                    rng.choice(content.TIMELINE_NOTES),
                    self.someone(team, responders=True),
                )
            )
        if plan.mitigated is not None:
            events.append(
                (
                    plan.mitigated,
                    TimelineKind.mitigation,
                    sc.mitigation.format(**ctx),
                    self.someone(team, responders=True),
                )
            )
        if plan.resolved is not None:
            events.append(
                (
                    plan.resolved,
                    TimelineKind.resolution,
                    sc.resolution.format(**ctx),
                    self.someone(team, responders=True),
                )
            )
        rows = []
        for occurred, kind, text, author in sorted(events, key=lambda e: e[0]):
            occurred = occurred.replace(microsecond=0)
            logged = self.clamp(max(occurred, reported) + timedelta(minutes=rng.randint(0, 10)))
            rows.append(
                TimelineEvent(
                    occurred_at=occurred,
                    kind=kind,
                    description=text,
                    author_id=author.id if author else None,
                    created_at=max(logged, occurred),
                )
            )
        return rows

    def review(
        self, failure: Failure, plan: _Plan, ctx: dict[str, str], categories: dict[str, FactorCategory]
    ) -> Review:
        rng, sc = self.rng, plan.scenario
        assert plan.review is not None
        base = plan.mitigated or plan.detected
        created = self.clamp(max(base + timedelta(hours=rng.randint(4, 72)), failure.created_at))
        published: datetime | None = None
        if plan.review == ReviewStatus.published:
            after = max(created, plan.resolved or created) + timedelta(days=rng.randint(2, 12))
            published = max(self.clamp(after), created)
            updated = published
        else:
            updated = max(created, self.clamp(created + timedelta(hours=rng.randint(0, 120))))
        summary = sc.description.format(**ctx) + "\n\nMitigation: " + sc.mitigation.format(**ctx)
        if plan.resolved is not None:
            summary += "\nResolution: " + sc.resolution.format(**ctx)
        impact = [
            f"Partners: {failure.impact_partners}",
            f"Consumers: {failure.impact_consumers}",
            f"Time to detect: {_duration(plan.detected - plan.started)}.",
        ]
        if plan.mitigated is not None:
            impact.append(f"Time to mitigate: {_duration(plan.mitigated - plan.started)}.")
        well = sc.went_well.format(**ctx)
        if rng.random() < 0.5:
            well += " " + rng.choice(content.WENT_WELL_EXTRAS)
        review = Review(
            failure=failure,
            status=plan.review,
            summary=summary,
            impact="\n".join(impact),
            what_went_well=well,
            what_went_wrong=sc.went_wrong.format(**ctx),
            where_we_got_lucky=sc.lucky.format(**ctx),
            lessons_learned=sc.lessons.format(**ctx),
            author_id=self.someone(plan.svc.team, responders=True).id,
            created_at=created,
            updated_at=updated,
            published_at=published,
        )
        review.factors = [
            ContributingFactor(
                category=categories[f.category], description=f.description.format(**ctx), position=i
            )
            for i, f in enumerate(sc.factors)
        ]
        return review

    def actions(
        self, failure: Failure, plan: _Plan, ctx: dict[str, str], review: Review | None
    ) -> list[CorrectiveAction]:
        rng, sc = self.rng, plan.scenario
        specs = list(sc.actions)
        if review is None:
            # Without a review, only the most urgent follow-up gets written down, and not always.
            if plan.severity > 3 or rng.random() >= 0.3:
                return []
            specs = specs[:1]
        elif not plan.in_family:
            specs = specs[: rng.randint(1, len(specs))]
        created_base = (
            review.created_at
            if review is not None
            else self.clamp((plan.mitigated or plan.detected) + timedelta(hours=rng.randint(2, 48)))
        )
        rows = []
        for i, spec in enumerate(specs):
            created = self.clamp(created_base + timedelta(minutes=5 * i + rng.randint(0, 30)))
            team = self.teams[spec.team] if spec.team else plan.svc.team
            low, high = _DUE_DAYS[spec.priority]
            due = created.date() + timedelta(days=rng.randint(low, high))
            status, completed, reason = self.action_outcome(plan, spec, created, due)
            owner = self.someone(team, responders=True) if rng.random() < 0.6 else None
            url = None
            if rng.random() < 0.45:
                key = next(t.tracker_key for t in content.TEAMS if t.name == team.name)
                url = f"https://tracker.{DEMO_DOMAIN}/browse/{key}-{rng.randint(100, 2999)}"
            updated = completed or (
                self.clamp(created + timedelta(days=rng.randint(1, 10)))
                if status == ActionStatus.in_progress
                else created
            )
            rows.append(
                CorrectiveAction(
                    failure=failure,
                    title=spec.title.format(**ctx),
                    description=spec.description.format(**ctx),
                    action_type=spec.action_type,
                    owner_team=team,
                    owner_person=owner,
                    due_date=due,
                    priority=spec.priority,
                    status=status,
                    wont_do_reason=reason,
                    external_url=url,
                    completed_at=completed,
                    created_at=created,
                    updated_at=max(updated, created),
                )
            )
        return rows

    def action_outcome(
        self, plan: _Plan, spec: ActionSpec, created: datetime, due: date
    ) -> tuple[ActionStatus, datetime | None, str | None]:
        rng = self.rng
        if plan.fix_holds:
            # The fix that held: done by its due date, and the failure has not come back since.
            end = min(
                datetime.combine(due, time(12), tzinfo=UTC),
                created + timedelta(days=30),
                self.now - timedelta(minutes=1),
            )
            done = (created + max(end - created, timedelta(0)) * rng.uniform(0.3, 0.9)).replace(microsecond=0)
            return ActionStatus.done, max(done, created), None
        if plan.family_next is not None and plan.family_next > created + timedelta(days=1):
            if spec.done_before_recurrence:
                # The failure came back although this was marked done: the demo's point.
                window = (plan.family_next - created).total_seconds()
                done = created + timedelta(seconds=int(window * rng.uniform(0.2, 0.8)))
                return ActionStatus.done, done, None
            # Still being worked on when the failure came back; finished soon after.
            done = plan.family_next + timedelta(days=rng.randint(3, 20), minutes=rng.randint(0, 600))
            if done < self.now:
                return ActionStatus.done, done, None
            return ActionStatus.in_progress, None, None
        roll = rng.random()
        if due < self.today:
            if roll < 0.72:
                status = ActionStatus.done
            elif roll < 0.82:
                status = ActionStatus.wont_do
            else:
                return (ActionStatus.in_progress if rng.random() < 0.5 else ActionStatus.open), None, None
        elif roll < 0.15:
            status = ActionStatus.done
        else:
            return (ActionStatus.in_progress if roll < 0.55 else ActionStatus.open), None, None
        span = datetime.combine(due, time(12), tzinfo=UTC) - created
        completed = self.clamp(created + span * rng.uniform(0.3, 1.25)).replace(microsecond=0)
        completed = max(completed, created)
        reason = rng.choice(content.WONT_DO_REASONS) if status == ActionStatus.wont_do else None
        return status, completed, reason

    def ensure_action_coverage(self, actions: list[CorrectiveAction]) -> None:
        """Every action status appears, and some actions are overdue, whatever the seed."""
        newest_first = sorted(actions, key=lambda a: a.created_at, reverse=True)

        def overdue(a: CorrectiveAction) -> bool:
            return (
                a.status in (ActionStatus.open, ActionStatus.in_progress)
                and a.due_date is not None
                and (a.due_date < self.today)
            )

        shortfall = 3 - sum(1 for a in actions if overdue(a))
        for action in newest_first:
            if shortfall <= 0:
                break
            past_due = action.due_date is not None and action.due_date < self.today
            if action.status == ActionStatus.done and past_due:
                action.status, action.completed_at = ActionStatus.in_progress, None
                action.updated_at = action.created_at
                shortfall -= 1
        # Proposals come from demo/ideas.py, written by people: the planned history has none.
        for status in (ActionStatus.open, ActionStatus.in_progress, ActionStatus.done, ActionStatus.wont_do):
            if any(a.status == status for a in actions):
                continue
            for action in newest_first:
                if action.status == ActionStatus.done and not overdue(action):
                    action.status = status
                    if status == ActionStatus.wont_do:
                        action.wont_do_reason = content.WONT_DO_REASONS[0]
                    else:
                        action.completed_at, action.updated_at = None, action.created_at
                    break

    # ---- problems and recurrence links ---------------------------------------------

    def problems(self, failures: list[Failure], actions: list[CorrectiveAction]) -> list[Problem]:
        """The problems of content.PROBLEMS, each grouping a recurring family, with a known error
        and a recurrence link from every occurrence to the one before it.

        Built as rows, like the failures they group, so their times are history, not the clock."""
        rng = self.rng
        members: dict[str, list[Failure]] = defaultdict(list)
        for failure in failures:
            if failure.id in self.family_of:
                members[self.family_of[failure.id]].append(failure)
        rows: list[Problem] = []
        for spec in content.PROBLEMS:
            family = sorted(members[spec.family], key=lambda f: (f.started_at, f.id))
            team = self.teams[spec.owner_team]
            created = self.clamp(family[spec.recorded_at].created_at + timedelta(hours=rng.randint(2, 30)))
            problem = Problem(
                title=spec.title,
                description=spec.description,
                root_cause=spec.root_cause,
                status=ProblemStatus.open,
                owner_team_id=team.id,
                created_by_id=self.someone(team, responders=True).id,
                created_at=created,
                updated_at=created,
                resolved_at=None,
            )
            self.s.add(problem)
            self.s.flush()
            updated = created
            for i, failure in enumerate(family):
                who = self.someone(team, responders=True).id
                at = created
                if i > spec.recorded_at:
                    at = self.clamp(max(failure.created_at + timedelta(hours=rng.randint(1, 12)), created))
                self.s.add(
                    ProblemFailure(
                        problem_id=problem.id, failure_id=failure.id, linked_by_id=who, created_at=at
                    )
                )
                if i > 0:
                    self.s.add(
                        RecurrenceLink(
                            failure_id=failure.id,
                            earlier_id=family[i - 1].id,
                            note=f"Another occurrence of problem #{problem.id}: {spec.title}.",
                            linked_by_id=who,
                            created_at=at,
                        )
                    )
                updated = max(updated, at)
            if spec.known_error is not None:
                known_at = self.clamp(
                    created + timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600))
                )
                self.s.add(
                    KnownError(
                        problem_id=problem.id,
                        title=spec.known_error.title,
                        symptoms=spec.known_error.symptoms,
                        workaround=spec.known_error.workaround,
                        created_at=known_at,
                        updated_at=known_at,
                    )
                )
                problem.status = ProblemStatus.known_error
                updated = max(updated, known_at)
            if spec.fix_holds:
                ids = {f.id for f in family}
                fixes = [
                    a.completed_at
                    for a in actions
                    if a.failure.id in ids and a.status == ActionStatus.done and a.completed_at is not None
                ]
                problem.status = ProblemStatus.resolved
                problem.resolved_at = self.clamp(max([updated, *fixes]) + timedelta(days=rng.randint(7, 21)))
                updated = problem.resolved_at
            problem.updated_at = updated
            rows.append(problem)
        self.s.flush()
        return rows
