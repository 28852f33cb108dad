"""The demo's corrective actions: rows for a failure's planned actions, their outcomes, and every
action status (and some overdue actions) made to appear."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from failwell.actions.models import CorrectiveAction
from failwell.demo.content.organisation import DEMO_DOMAIN, TEAMS
from failwell.demo.content.phrases import WONT_DO_REASONS
from failwell.demo.content.shapes import ActionSpec
from failwell.demo.world import Plan, World
from failwell.enums import ActionPriority, ActionStatus
from failwell.failures.models import Failure
from failwell.reviews.models import Review

_DUE_DAYS = {
    ActionPriority.critical: (7, 14),
    ActionPriority.high: (14, 30),
    ActionPriority.medium: (30, 60),
    ActionPriority.low: (45, 90),
}
# Past this many days overdue, an action is seldom still open (see action_outcome).
STALE_AFTER_DAYS = 60


def action_rows(
    w: World, failure: Failure, plan: Plan, ctx: dict[str, str], review: Review | None
) -> list[CorrectiveAction]:
    rng, sc = w.rng, plan.scenario
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
        else w.clamp((plan.mitigated or plan.detected) + timedelta(hours=rng.randint(2, 48)))
    )
    rows = []
    for i, spec in enumerate(specs):
        created = w.clamp(created_base + timedelta(minutes=5 * i + rng.randint(0, 30)))
        team = w.teams[spec.team] if spec.team else plan.svc.team
        low, high = _DUE_DAYS[spec.priority]
        due = created.date() + timedelta(days=rng.randint(low, high))
        status, completed, reason = action_outcome(w, plan, spec, created, due)
        owner = w.someone(team, responders=True) if rng.random() < 0.6 else None
        url = None
        if rng.random() < 0.45:
            key = next(t.tracker_key for t in TEAMS if t.name == team.name)
            url = f"https://tracker.{DEMO_DOMAIN}/browse/{key}-{rng.randint(100, 2999)}"
        updated = completed or (
            w.clamp(created + timedelta(days=rng.randint(1, 10)))
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
    w: World, plan: Plan, spec: ActionSpec, created: datetime, due: date
) -> tuple[ActionStatus, datetime | None, str | None]:
    rng = w.rng
    if plan.fix_holds:
        # The fix that held: done by its due date, and the failure has not come back since.
        end = min(
            datetime.combine(due, time(12), tzinfo=UTC),
            created + timedelta(days=30),
            w.now - timedelta(minutes=1),
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
        if done < w.now:
            return ActionStatus.done, done, None
        return ActionStatus.in_progress, None, None
    roll = rng.random()
    if due < w.today:
        # Teams close or drop what falls behind: an action due weeks ago may still be open, one
        # due many months ago seldom is (an even 18 % made the demo's overdue median 315 days).
        still_open = 0.18 if (w.today - due).days <= STALE_AFTER_DAYS else 0.03
        if roll < still_open:
            return (ActionStatus.in_progress if rng.random() < 0.5 else ActionStatus.open), None, None
        status = ActionStatus.done if roll < still_open + (1 - still_open) * 0.88 else ActionStatus.wont_do
    elif roll < 0.15:
        status = ActionStatus.done
    else:
        return (ActionStatus.in_progress if roll < 0.55 else ActionStatus.open), None, None
    span = datetime.combine(due, time(12), tzinfo=UTC) - created
    completed = w.clamp(created + span * rng.uniform(0.3, 1.25)).replace(microsecond=0)
    completed = max(completed, created)
    reason = rng.choice(WONT_DO_REASONS) if status == ActionStatus.wont_do else None
    return status, completed, reason


def ensure_action_coverage(w: World, actions: list[CorrectiveAction]) -> None:
    """Every action status appears, and some actions are overdue, whatever the seed."""
    newest_first = sorted(actions, key=lambda a: a.created_at, reverse=True)

    def overdue(a: CorrectiveAction) -> bool:
        return (
            a.status in (ActionStatus.open, ActionStatus.in_progress)
            and a.due_date is not None
            and (a.due_date < w.today)
        )

    shortfall = 3 - sum(1 for a in actions if overdue(a))
    for action in newest_first:
        if shortfall <= 0:
            break
        past_due = action.due_date is not None and action.due_date < w.today
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
                    action.wont_do_reason = WONT_DO_REASONS[0]
                else:
                    action.completed_at, action.updated_at = None, action.created_at
                break
