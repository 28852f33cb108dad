"""The demo's failures planned in memory: what happens, to which services, when; their timestamps,
statuses and review states, with every status and review state made to appear."""

from __future__ import annotations

import calendar
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from itertools import pairwise

from failwell.demo.content.recurring import RECURRING
from failwell.demo.content.shapes import Scenario
from failwell.demo.content.standalone import FAILED_DEPLOYMENTS, INCIDENTS, NEAR_MISSES
from failwell.demo.world import HISTORY_DAYS, Plan, Release, World
from failwell.enums import DeploymentOutcome, FailureKind, FailureStatus, ReviewStatus

# Standalone failures on top of the recurring families (which hold 23): about 150 in all.
INCIDENT_COUNT = 46
NEAR_MISS_COUNT = 28
FAILED_DEPLOYMENT_COUNT = 53
ANONYMOUS_SHARE = 0.1


def _review_is(state: ReviewStatus) -> Callable[[Plan], bool]:
    return lambda plan: plan.review == state


def random_start(w: World, scenario: Scenario) -> datetime:
    # Skewed towards recent months, as a team's use of the tool grows.
    span = HISTORY_DAYS * 1440 - 3 * 1440
    started = w.now - timedelta(minutes=180 + int(span * w.rng.random() ** 1.35))
    return place(w, started, scenario)


def place(w: World, started: datetime, scenario: Scenario) -> datetime:
    started -= w.shift  # month ends are read on the reference calendar
    if scenario.month_end:
        year, month = started.year, started.month
        last = calendar.monthrange(year, month)[1]
        started = started.replace(day=last)
    if scenario.start_at is not None:
        hour, minute = scenario.start_at
        started = started.replace(hour=hour, minute=minute, second=0)
    while started > w.now - w.shift - timedelta(hours=3):
        if scenario.month_end:
            first = started.replace(day=1)
            started = (first - timedelta(days=1)).replace(hour=started.hour, minute=started.minute)
        else:
            started -= timedelta(days=1)
    return started + w.shift


def prod_releases(w: World, outcomes: Sequence[DeploymentOutcome], svc: str | None = None) -> list[Release]:
    return [
        r
        for r in w.releases
        if r.prod is not None and r.prod.outcome in outcomes and (svc is None or r.svc.name == svc)
    ]


def plan_failures(w: World) -> list[Plan]:
    rng = w.rng
    plans: list[Plan] = []
    used: set[int] = set()
    for family in RECURRING:
        family_plans: list[Plan] = []
        for days_ago, scenario in zip(family.days_ago, family.occurrences, strict=True):
            services = [w.svcs[n] for n in scenario.services]
            jitter = timedelta(days=rng.randint(-4, 4), minutes=rng.randint(0, 1439))
            target = w.now - timedelta(days=days_ago) - jitter
            plan = Plan(scenario, services, target, in_family=True, family=family.key)
            if scenario.kind == FailureKind.failed_deployment:
                plan.release = pick_release(w, services[0].name, scenario, target, used)
                plan.started = plan.release.prod.started_at if plan.release.prod else target
            else:
                plan.started = place(w, target, scenario)
            family_plans.append(plan)
        for earlier, later in pairwise(family_plans):
            earlier.family_next = later.started
        family_plans[-1].fix_holds = family.key in w.fixes_hold
        plans.extend(family_plans)

    pool = [
        r
        for r in prod_releases(w, [DeploymentOutcome.failed, DeploymentOutcome.rolled_back])
        if id(r) not in used
    ]
    chosen = sorted(rng.sample(range(len(pool)), min(FAILED_DEPLOYMENT_COUNT, len(pool))))
    seen: set[tuple[str, str]] = set()
    for index in chosen:
        release = pool[index]
        assert release.prod is not None
        fits = [
            sc
            for sc in FAILED_DEPLOYMENTS
            if sc.outcome == release.prod.outcome and (not sc.services or release.svc.name in sc.services)
        ]
        fresh = [sc for sc in fits if (sc.key, release.svc.name) not in seen]
        scenario = rng.choice(fresh or fits)
        seen.add((scenario.key, release.svc.name))
        used.add(id(release))
        plans.append(Plan(scenario, [release.svc], release.prod.started_at, release=release))

    for scenarios, count in ((INCIDENTS, INCIDENT_COUNT), (NEAR_MISSES, NEAR_MISS_COUNT)):
        pairs = scenario_uses(w, scenarios, count)
        for scenario, svc_name in pairs:
            plans.append(Plan(scenario, [w.svcs[svc_name]], random_start(w, scenario)))
    return plans


def scenario_uses(w: World, scenarios: Sequence[Scenario], count: int) -> list[tuple[Scenario, str]]:
    """Each scenario once, then more uses on other services: the same text never
    lands twice on one service, which would read as a recurrence it is not."""
    everyone = tuple(w.svcs)
    first = [(sc, w.rng.choice(sc.services or everyone)) for sc in scenarios]
    taken = {(sc.key, name) for sc, name in first}
    rest = [(sc, n) for sc in scenarios for n in (sc.services or everyone) if (sc.key, n) not in taken]
    w.rng.shuffle(rest)
    return first + rest[: max(0, count - len(first))]


def pick_release(w: World, svc: str, scenario: Scenario, target: datetime, used: set[int]) -> Release:
    """The failed production release of `svc` nearest `target`, made to fail if none did."""
    outcome = scenario.outcome or DeploymentOutcome.rolled_back
    candidates = [r for r in prod_releases(w, [outcome], svc) if id(r) not in used]
    if not candidates:
        candidates = [r for r in prod_releases(w, list(DeploymentOutcome), svc) if id(r) not in used]
    release = min(candidates, key=lambda r: abs((r.prod.started_at if r.prod else target) - target))
    prod = release.prod
    assert prod is not None
    if prod.outcome != outcome:
        prod.outcome = outcome
        prod.finished_at = prod.started_at + timedelta(minutes=w.rng.randint(18, 35))
        prod.created_at = prod.finished_at
    used.add(id(release))
    return release


def settle(w: World, plans: list[Plan]) -> None:
    rng = w.rng
    for plan in plans:
        sc = plan.scenario
        plan.severity = rng.randint(*sc.severity)
        set_times(w, plan)
        age = w.now - plan.started
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
        plan.review = review_state(w, plan)
    ensure_coverage(w, plans)
    for i in sorted(rng.sample(range(len(plans)), round(len(plans) * ANONYMOUS_SHARE))):
        plans[i].anonymous = True


def set_times(w: World, plan: Plan) -> None:
    sc, rng = plan.scenario, w.rng
    prod = plan.release.prod if plan.release else None
    if prod is not None and prod.finished_at is not None:
        if prod.outcome == DeploymentOutcome.failed:
            plan.started = prod.started_at + timedelta(minutes=rng.randint(1, 3))
            plan.detected = max(prod.finished_at, plan.started)
            plan.mitigated = plan.detected + w.minutes(sc.mitigate_minutes)
        else:
            # The new version serves a few minutes into the rollout; the rollback ends it.
            plan.started = prod.started_at + timedelta(minutes=rng.randint(2, 5))
            plan.mitigated = max(prod.finished_at, plan.started + timedelta(minutes=4))
            window = plan.mitigated - plan.started
            plan.detected = plan.started + min(w.minutes(sc.detect_minutes), window * 0.7)
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
        plan.detected = plan.started + w.minutes(sc.detect_minutes)
        late = plan.detected - (w.now - timedelta(minutes=20))
        if late > timedelta(0):
            # Nothing is recorded before it is noticed: move the whole failure back.
            shift = late + timedelta(hours=rng.randint(1, 12))
            plan.started -= shift
            plan.detected -= shift
        plan.mitigated = plan.detected + w.minutes(sc.mitigate_minutes)
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
    if plan.mitigated is not None and plan.mitigated > w.now:
        plan.mitigated = plan.resolved = None
    if plan.resolved is not None and plan.resolved > w.now:
        plan.resolved = None


def review_state(w: World, plan: Plan) -> ReviewStatus | None:
    rng = w.rng
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


def ensure_coverage(w: World, plans: list[Plan]) -> None:
    """Every failure status and review state appears a few times, whatever the seed.

    Shortfalls are made up from the most recent failures, where they are plausible.
    """
    newest_first = sorted(plans, key=lambda p: p.started, reverse=True)

    def top_up(count: int, done: Callable[[Plan], bool], fits: Callable[[Plan], bool]) -> list[Plan]:
        missing = count - sum(1 for p in plans if done(p))
        return [p for p in newest_first if not done(p) and fits(p)][: max(0, missing)]

    for plan in top_up(
        3,
        lambda p: p.status == FailureStatus.open,
        lambda p: p.scenario.kind != FailureKind.failed_deployment,
    ):
        plan.mitigated = plan.resolved = None
        plan.status, plan.review = FailureStatus.open, None
    for plan in top_up(4, lambda p: p.status == FailureStatus.mitigated, lambda p: p.resolved is not None):
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
