"""The demo organisation while it is being built: the shared state every builder step reads and
fills (session, random streams, calendar, teams, people, services, releases), the planning
structures (a service, a release, a planned failure) and the small helpers they share.

HISTORY_DAYS of history end at midnight UTC at the start of `today`; the weekday and month-end
rules are read on the reference calendar that starts at REFERENCE_DAY and shifted to today's
(see demo/loader.py).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.changes.models import Change, Deployment
from failwell.demo.content.problems import PROBLEMS
from failwell.demo.content.shapes import Scenario, ServiceSpec
from failwell.enums import ConsumerKind, FailureStatus, ReviewStatus, Role
from failwell.failures.models import Tag
from failwell.people.models import Person, Team

HISTORY_DAYS = 730
# The calendar the weekday and month-end rules are read on (see demo/loader.py).
REFERENCE_DAY = date(2026, 1, 1)


@dataclass
class Svc:
    spec: ServiceSpec
    row: Service
    team: Team

    @property
    def name(self) -> str:
        return self.spec.name


@dataclass
class Release:
    svc: Svc
    version: str
    deployments: list[Deployment]
    prod: Deployment | None
    hotfix_of: Release | None = None
    follow_up: Release | None = None  # the next release of the same service
    change: Change | None = None


@dataclass
class Plan:
    """One failure, decided before any row is built so coverage can be checked first."""

    scenario: Scenario
    services: list[Svc]
    started: datetime
    release: Release | None = None
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
    def svc(self) -> Svc:
        return self.services[0]


def _join(names: Sequence[str]) -> str:
    if len(names) <= 1:
        return "".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


class World:
    """The organisation being built, and what every step of the build draws on."""

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
        self.svcs: dict[str, Svc] = {}
        self.releases: list[Release] = []
        self.tags: dict[str, Tag] = {}
        self.fixes_hold = {p.family for p in PROBLEMS if p.fix_holds}
        self.family_of: dict[int, str] = {}  # failure id -> key of its recurring family

    def minutes(self, span: tuple[int, int]) -> timedelta:
        return timedelta(minutes=self.rng.randint(*span))

    def clamp(self, moment: datetime) -> datetime:
        return min(moment, self.now - timedelta(minutes=1))

    def sha(self) -> str:
        return f"{self.rng.getrandbits(160):040x}"

    def context(self, svc: Svc, version: str = "") -> dict[str, str]:
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

    def someone(self, team: Team, *, responders: bool = False) -> Person:
        crew = self.members[team.name]
        if responders:
            crew = [p for p in crew if p.role in (Role.practitioner, Role.practice_manager)] or crew
        return self.rng.choice(crew or self.people)
