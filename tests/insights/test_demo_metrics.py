"""The demo organisation populates every delivery and learning figure, plausibly."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from failwell.db import Database
from failwell.demo.loader import load_demo
from failwell.insights.delivery import dora
from failwell.insights.learning import learning
from failwell.insights.measures import NOT_ENOUGH_DATA, resolve_scope

TODAY = datetime(2026, 11, 22, tzinfo=UTC)


def test_every_figure_is_populated_on_the_demo(db: Database) -> None:
    load_demo(db, today=TODAY.date())
    with db.session(write=False) as s:
        scope = resolve_scope(s, TODAY, since=TODAY - timedelta(days=90), until=TODAY)
        delivery = dora(s, scope)
        learned = learning(s, scope, TODAY)
        yearly = learning(s, resolve_scope(s, TODAY, since=TODAY - timedelta(days=365), until=TODAY), TODAY)
    for key, figure in delivery.figures().items():
        assert figure.value is not None, key
        assert figure.band != NOT_ENOUGH_DATA, key
    assert 0 < (delivery.change_fail_rate.value or 0) < 0.3
    assert 1 < (delivery.change_lead_time.value or 0) < 7 * 24
    assert 0 < (delivery.rework_rate.value or 0) < 0.2
    for key, figure in learned.figures().items():
        if key != "recurrence_after_fix":
            assert figure.value is not None, key
    assert yearly.recurrence_after_fix.value is not None
    assert 0 < (learned.lesson_reach.value or 0) <= 1
