"""The demo's planned failures built as rows: failures with their timelines, reviews with their
contributing factors, and (through demo/action_rows.py) their corrective actions."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from failwell.actions.models import CorrectiveAction
from failwell.demo.action_rows import action_rows, ensure_action_coverage
from failwell.demo.content.phrases import TIMELINE_NOTES, WENT_WELL_EXTRAS
from failwell.demo.world import Plan, World
from failwell.enums import ConsumerKind, FailureKind, ReportChannel, ReviewStatus, TimelineKind
from failwell.failures.models import Failure, Tag, TimelineEvent
from failwell.people.models import Person
from failwell.reviews.models import ContributingFactor, FactorCategory, Review


def _duration(delta: timedelta) -> str:
    minutes = max(0, int(delta.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    if hours < 48:
        return f"{hours} h {rest} min"
    return f"{hours // 24} days {hours % 24} h"


def build_rows(w: World, plans: list[Plan]) -> tuple[list[Failure], list[Review], list[CorrectiveAction]]:
    categories = {c.key: c for c in w.s.scalars(select(FactorCategory))}
    for name in sorted({t for p in plans for t in p.scenario.tags}):
        w.tags[name] = Tag(name=name)
    w.s.add_all(w.tags.values())
    built = [failure_row(w, plan) for plan in plans]
    built.sort(key=lambda item: (item[0].created_at, item[0].title))
    failures = [f for f, _, _ in built]
    w.s.add_all(failures)
    w.s.flush()
    w.family_of = {f.id: plan.family for f, plan, _ in built if plan.family is not None}
    reviews: list[Review] = []
    actions: list[CorrectiveAction] = []
    for failure, plan, ctx in built:
        review = review_row(w, failure, plan, ctx, categories) if plan.review is not None else None
        if review is not None:
            reviews.append(review)
        actions.extend(action_rows(w, failure, plan, ctx, review))
    # The actions of a family whose fix held stay as planned: its problem shows recurrences stopped.
    held = {id(f) for f, plan, _ in built if plan.family in w.fixes_hold}
    ensure_action_coverage(w, [a for a in actions if id(a.failure) not in held])
    reviews.sort(key=lambda r: r.created_at)
    actions.sort(key=lambda a: a.created_at)
    w.s.add_all(reviews)
    w.s.add_all(actions)
    w.s.flush()
    return failures, reviews, actions


def failure_row(w: World, plan: Plan) -> tuple[Failure, Plan, dict[str, str]]:
    rng, sc, svc = w.rng, plan.scenario, plan.svc
    version = plan.release.version if plan.release else ""
    ctx = w.context(svc, version)
    partners = any(k == ConsumerKind.partner for _, k in svc.spec.consumers)
    reporter: Person | None = None
    if not plan.anonymous:
        reporter = rng.choice(w.people) if rng.random() < 0.1 else w.someone(svc.team)
    created = w.clamp(plan.detected + timedelta(minutes=rng.randint(2, 20)))
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
    failure.tags = [w.tags[t] for t in sc.tags]
    if plan.release is not None and plan.release.prod is not None:
        failure.deployments = [plan.release.prod]
        failure.changes = [plan.release.change] if plan.release.change is not None else []
    failure.timeline = timeline_rows(w, plan, ctx, reporter, created)
    latest = max([created, *(e.created_at for e in failure.timeline)])
    failure.updated_at = latest
    return failure, plan, ctx


def timeline_rows(
    w: World, plan: Plan, ctx: dict[str, str], reporter: Person | None, reported: datetime
) -> list[TimelineEvent]:
    rng, sc, team = w.rng, plan.scenario, plan.svc.team
    end = plan.mitigated or w.clamp(plan.detected + timedelta(hours=3))
    events: list[tuple[datetime, TimelineKind, str, Person | None]] = [
        (plan.detected, TimelineKind.detection, sc.detection.format(**ctx), reporter)
    ]
    if plan.severity <= 3 and sc.kind != FailureKind.near_miss:
        declared = min(plan.detected + timedelta(minutes=rng.randint(2, 8)), end)
        deploy = sc.kind == FailureKind.failed_deployment
        what = "Deploy halted" if deploy else f"Declared SEV{plan.severity}"
        text = f"{what}; {team.name} on-call paged and an incident channel opened."
        events.append((declared, TimelineKind.key_moment, text, w.someone(team, responders=True)))
    events.append(
        (
            plan.detected + (end - plan.detected) * rng.uniform(0.3, 0.7),
            TimelineKind.diagnosis,
            sc.diagnosis.format(**ctx),
            w.someone(team, responders=True),
        )
    )
    if sc.kind != FailureKind.near_miss and rng.random() < 0.35:
        # Notes about status pages and support replies only fit failures with impact.
        events.append(
            (
                plan.detected + (end - plan.detected) * rng.uniform(0.2, 0.9),
                TimelineKind.note,
                rng.choice(TIMELINE_NOTES),
                w.someone(team, responders=True),
            )
        )
    if plan.mitigated is not None:
        events.append(
            (
                plan.mitigated,
                TimelineKind.mitigation,
                sc.mitigation.format(**ctx),
                w.someone(team, responders=True),
            )
        )
    if plan.resolved is not None:
        events.append(
            (
                plan.resolved,
                TimelineKind.resolution,
                sc.resolution.format(**ctx),
                w.someone(team, responders=True),
            )
        )
    rows = []
    for occurred, kind, text, author in sorted(events, key=lambda e: e[0]):
        occurred = occurred.replace(microsecond=0)
        logged = w.clamp(max(occurred, reported) + timedelta(minutes=rng.randint(0, 10)))
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


def review_row(
    w: World, failure: Failure, plan: Plan, ctx: dict[str, str], categories: dict[str, FactorCategory]
) -> Review:
    rng, sc = w.rng, plan.scenario
    assert plan.review is not None
    base = plan.mitigated or plan.detected
    created = w.clamp(max(base + timedelta(hours=rng.randint(4, 72)), failure.created_at))
    published: datetime | None = None
    if plan.review == ReviewStatus.published:
        after = max(created, plan.resolved or created) + timedelta(days=rng.randint(2, 12))
        published = max(w.clamp(after), created)
        updated = published
    else:
        updated = max(created, w.clamp(created + timedelta(hours=rng.randint(0, 120))))
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
        well += " " + rng.choice(WENT_WELL_EXTRAS)
    review = Review(
        failure=failure,
        status=plan.review,
        summary=summary,
        impact="\n".join(impact),
        what_went_well=well,
        what_went_wrong=sc.went_wrong.format(**ctx),
        where_we_got_lucky=sc.lucky.format(**ctx),
        lessons_learned=sc.lessons.format(**ctx),
        author_id=w.someone(plan.svc.team, responders=True).id,
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
