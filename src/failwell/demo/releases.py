"""The demo's releases, their staging and production deployments, and the changes they ship under."""

from __future__ import annotations

from collections import deque
from datetime import datetime, timedelta

from failwell.changes.models import Change, Deployment
from failwell.demo.content.organisation import DEMO_DOMAIN
from failwell.demo.content.phrases import CHANGE_DESCRIPTION, EMERGENCY_CHANGE_DESCRIPTION
from failwell.demo.delivery import first_commit_before
from failwell.demo.world import HISTORY_DAYS, Release, Svc, World
from failwell.enums import ChangeType, DeploymentOutcome, Risk

CHANGE_TARGET = 360


def plan_releases(w: World) -> None:
    for svc in w.svcs.values():
        w.releases.extend(service_releases(w, svc))


def service_releases(w: World, svc: Svc) -> list[Release]:
    rng = w.rng
    major, minor, patch = svc.spec.first_version
    per_weekday = svc.spec.releases_per_week / 5
    releases: list[Release] = []
    not_before = w.start
    pipeline = rng.randint(1_000, 9_000)
    for day in range(HISTORY_DAYS):
        midnight = w.start + timedelta(days=day)
        # Weekends see the odd release only.
        expected = per_weekday if (midnight - w.shift).weekday() < 5 else per_weekday * 0.06
        count = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
        times = sorted(rng.randint(7 * 60, 17 * 60) for _ in range(count))
        slots = deque(midnight + timedelta(minutes=m) for m in times)
        hotfix_of: Release | None = None
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
            release = one_release(w, svc, f"{major}.{minor}.{patch}", begin, pipeline)
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


def one_release(w: World, svc: Svc, version: str, begin: datetime, pipeline: int) -> Release | None:
    rng = w.rng
    shas = [w.sha() for _ in range(rng.randint(1, 3))]
    url = f"https://ci.{DEMO_DOMAIN}/{svc.name}/pipelines/{pipeline}"
    first_commit = begin - first_commit_before(w.side_rng)
    staging_end = begin + timedelta(minutes=rng.randint(3, 12), seconds=rng.randint(0, 59))
    staging_ok = rng.random() >= 0.04
    staging = deployment_row(w, svc, "staging", version, shas, begin, staging_end, url, staging_ok)
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
        prod = deployment_row(w, svc, "production", version, shas, prod_start, prod_end, url, True)
        prod.outcome = outcome
        deployments.append(prod)
    for dep in deployments:
        dep.first_commit_at = first_commit
    if (deployments[-1].finished_at or begin) > w.now - timedelta(minutes=5):
        return None
    return Release(svc, version, deployments, prod)


def deployment_row(
    w: World,
    svc: Svc,
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


def plan_changes(w: World, failed: set[int]) -> None:
    """Every release a failure points at gets a change; others get one at random."""
    rng = w.rng
    forced = [r for r in w.releases if id(r) in failed]
    for release in forced:
        kind = ChangeType.standard if rng.random() < 0.35 else ChangeType.normal
        release.change = change_row(w, release, kind)
        fix = release.follow_up
        if fix is not None and fix.hotfix_of is release and fix.change is None:
            # Half the time the fix ships under the same change, re-released.
            fix.change = release.change if rng.random() < 0.5 else change_row(w, fix, ChangeType.emergency)
    linked = sum(1 for r in w.releases if r.change is not None)
    rest = [r for r in w.releases if r.change is None]
    share = max(0.0, (CHANGE_TARGET - linked) / max(1, len(rest)))
    for release in rest:
        if rng.random() >= share:
            continue
        if release.hotfix_of is not None:
            kind = ChangeType.emergency if rng.random() < 0.7 else ChangeType.normal
        else:
            kind = ChangeType.standard if rng.random() < 0.68 else ChangeType.normal
        release.change = change_row(w, release, kind)


def number_changes(w: World, changes: list[Change]) -> None:
    number = 4_000
    for change in changes:
        if change.external_ref is not None:
            number += w.rng.randint(1, 9)  # other changes are filed outside these services
            change.external_ref = f"CHG-{number}"


def change_row(w: World, release: Release, kind: ChangeType) -> Change:
    rng = w.rng
    svc = release.svc
    first = release.deployments[0].started_at
    if kind == ChangeType.emergency:
        broken = release.hotfix_of.version if release.hotfix_of else "the previous release"
        title = f"{svc.name} {release.version}: fix forward for {broken}"
        subject = f"fix the fault that made {broken} fail in production"
        text = EMERGENCY_CHANGE_DESCRIPTION
        risk = Risk.high if rng.random() < 0.4 else Risk.medium
        created = first - timedelta(minutes=rng.randint(5, 30))
    else:
        subject = rng.choice(svc.spec.change_subjects)
        title = f"{svc.name} {release.version}: {subject}"
        text = CHANGE_DESCRIPTION
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
