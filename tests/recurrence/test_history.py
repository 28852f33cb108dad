"""What corrective actions say about a failure (the "fix did not hold" case first), and the plain
steps of a suggestion: pure functions on unsaved records, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from failwell.actions.models import CorrectiveAction
from failwell.actions.service import today
from failwell.enums import ActionStatus, FailureStatus, ReviewStatus
from failwell.failures.models import Failure
from failwell.recurrence import history
from failwell.recurrence.schemas import SuggestionOut
from failwell.recurrence.service import lessons, loudest, shown_terms

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def action(failure_id: int = 1, status: ActionStatus = ActionStatus.done, **fields: Any) -> CorrectiveAction:
    return CorrectiveAction(failure_id=failure_id, status=status, **fields)


def failure(failure_id: int, started_at: datetime) -> Failure:
    return Failure(id=failure_id, started_at=started_at)


def test_a_fix_marked_done_before_the_failure_did_not_hold() -> None:
    done_before = action(completed_at=T0 - timedelta(days=3))
    assert history.fix_did_not_hold([done_before], reference=T0)
    # Done after the failure started (or at that very moment): it may yet hold.
    assert not history.fix_did_not_hold([action(completed_at=T0 + timedelta(hours=1))], reference=T0)
    assert not history.fix_did_not_hold([action(completed_at=T0)], reference=T0)
    # Not done, or done without a completion time: nothing to judge by.
    assert not history.fix_did_not_hold([action(status=ActionStatus.open)], reference=T0)
    assert not history.fix_did_not_hold([action(completed_at=None)], reference=T0)
    assert not history.fix_did_not_hold([], reference=T0)


def test_open_and_overdue_fixes() -> None:
    yesterday = today() - timedelta(days=1)
    late = action(status=ActionStatus.in_progress, due_date=yesterday)
    on_time = action(status=ActionStatus.open, due_date=today() + timedelta(days=30))
    assert history.open_fix([on_time]) and not history.overdue_fix([on_time])
    assert history.open_fix([late]) and history.overdue_fix([late])
    finished = action(completed_at=T0, due_date=yesterday)
    assert not history.open_fix([finished]) and not history.overdue_fix([finished])


def test_a_problem_recurred_after_a_fix_of_another_of_its_failures() -> None:
    first, second = failure(1, T0), failure(2, T0 + timedelta(days=20))
    fixed_first = action(failure_id=1, completed_at=T0 + timedelta(days=5))
    assert history.recurred_after_fix([first, second], [fixed_first])
    # A failure is not a recurrence of itself, whatever the order of its own fix.
    own_fix = action(failure_id=2, completed_at=T0 + timedelta(days=5))
    assert not history.recurred_after_fix([first, second], [own_fix])
    late_fix = action(failure_id=1, completed_at=T0 + timedelta(days=30))
    assert not history.recurred_after_fix([first, second], [late_fix])
    assert not history.recurred_after_fix([first, second], [action(failure_id=1, status=ActionStatus.open)])


def test_recurrences_stopped_once_every_fix_is_done_and_nothing_came_since() -> None:
    first, second = failure(1, T0), failure(2, T0 + timedelta(days=20))
    last_fix = action(failure_id=2, completed_at=T0 + timedelta(days=25))
    earlier_fix = action(failure_id=1, completed_at=T0 + timedelta(days=2))
    assert history.recurrences_stopped([first, second], [earlier_fix, last_fix])
    assert not history.recurrences_stopped([first, second], [earlier_fix])  # the second came after
    still_open = action(failure_id=2, status=ActionStatus.open)
    assert not history.recurrences_stopped([first, second], [earlier_fix, last_fix, still_open])
    assert not history.recurrences_stopped([first, second], [])
    assert not history.recurrences_stopped([], [last_fix])


def test_done_at_keeps_completion_times_of_done_actions() -> None:
    actions = [
        action(completed_at=T0),
        action(completed_at=None),
        action(status=ActionStatus.wont_do, completed_at=T0 + timedelta(days=1)),
    ]
    assert history.done_at(actions) == [T0]


def test_lessons_are_shown_once_the_review_is_published() -> None:
    assert lessons(ReviewStatus.published, "Alert on pool usage.") == ["Alert on pool usage."]
    assert lessons(ReviewStatus.published, "  \n") == []
    assert lessons(ReviewStatus.draft, "Alert on pool usage.") == []


def test_signature_tokens_are_not_shown_as_searched_words() -> None:
    terms = ["pool", "exhausted", "sigab12cd34ef56", "excIOException"] + [f"w{i}" for i in range(30)]
    shown = shown_terms(terms)
    assert shown[:2] == ["pool", "exhausted"] and len(shown) == 20
    assert not any(t.startswith(("sig", "exc")) for t in shown)
    # Words that merely start like a token are shown.
    assert shown_terms(["exceeded", "signal", "keystore", "sigab12cd34ef56", "ver1x2x3"]) == [
        "exceeded",
        "signal",
        "keystore",
    ]


def suggestion(**flags: bool) -> SuggestionOut:
    return SuggestionOut(
        failure_id=1,
        title="t",
        status=FailureStatus.resolved,
        started_at=T0,
        services=[],
        score=0.5,
        lexical=None,
        semantic=None,
        reasons=[],
        lessons=[],
        review_id=None,
        actions=[],
        open_fix=flags.get("open_fix", False),
        overdue_fix=flags.get("overdue_fix", False),
        fix_did_not_hold=flags.get("fix_did_not_hold", False),
        problem_ids=[],
    )


def test_a_fix_that_did_not_hold_is_the_loudest_alert() -> None:
    assert loudest([]) == "none"
    assert loudest([suggestion(open_fix=True), suggestion()]) == "open_fix"
    assert loudest([suggestion(open_fix=True), suggestion(overdue_fix=True)]) == "overdue_fix"
    items = [suggestion(overdue_fix=True), suggestion(fix_did_not_hold=True), suggestion(open_fix=True)]
    assert loudest(items) == "fix_did_not_hold"
