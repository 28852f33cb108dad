"""Learning metrics in SQL, cross-checked against a plain-Python fold over the same events."""

from __future__ import annotations

from datetime import timedelta

import pytest

from failwell.db import Database
from failwell.insights.learning import learning
from failwell.insights.measures import NOT_ENOUGH_DATA, resolve_scope
from insights import folds
from insights.stream import NOW, Stream
from insights.test_delivery import CASES, close, window


@pytest.mark.parametrize(("days", "service", "team", "env"), CASES)
def test_learning_matches_a_plain_fold(
    db: Database, stream: Stream, days: int, service: str | None, team: str | None, env: str | None
) -> None:
    with db.session(write=False) as s:
        scope = resolve_scope(
            s, NOW, service=service, team=team, environment=env, since=NOW - timedelta(days=days), until=NOW
        )
        got = learning(s, scope, NOW)
    want = folds.learning(stream, window(stream, days, service, team, env), NOW.date())
    assert got.repeat_rate.sample_size == want["failures"]
    assert close(got.repeat_rate.value, want["repeat_rate"], 0.0001)
    assert got.recurrence_after_fix.sample_size == want["problems_fixed"]
    assert close(got.recurrence_after_fix.value, want["recurrence_after_fix"], 0.0001)
    assert got.review_lag.sample_size == want["lag_n"]
    assert close(got.review_lag.value, want["review_lag"])
    assert close(got.review_lag_p90, want["review_lag_p90"])
    assert got.actions_on_time.sample_size == want["due"]
    assert close(got.actions_on_time.value, want["actions_on_time"], 0.0001)
    assert got.overdue_action_age.sample_size == want["overdue"]
    assert close(got.overdue_action_age.value, want["overdue_action_age"])
    assert (got.near_misses, got.incidents) == (want["near_misses"], want["incidents"])
    assert close(got.near_miss_ratio.value, want["near_miss_ratio"], 0.0001)
    assert got.lesson_reach.sample_size == want["lessons"]
    assert close(got.lesson_reach.value, want["lesson_reach"], 0.0001)


def test_the_stream_exercises_every_learning_figure(stream: Stream) -> None:
    want = folds.learning(stream, window(stream, 200, None, None, None), NOW.date())
    for key in ("repeat_rate", "recurrence_after_fix", "review_lag", "actions_on_time", "overdue_action_age"):
        assert want[key], key
    assert want["near_miss_ratio"] and want["lesson_reach"]


def test_no_data_gives_null(db: Database) -> None:
    with db.session(write=False) as s:
        got = learning(s, resolve_scope(s, NOW), NOW)
    for figure in got.figures().values():
        assert figure.value is None
        assert figure.band == NOT_ENOUGH_DATA
