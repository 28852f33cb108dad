"""The calibrated signals: "this has happened before" only above the measured threshold, "possibly
related" below it; and the recency prior, a setting that is off unless configured."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from failwell.db import Database
from failwell.enums import Role
from failwell.recurrence import fusion
from failwell.recurrence.fusion import STRONG_SCORE, Reason, Scored, is_strong
from failwell.recurrence.ranking import WEIGHTS, configured_weights
from failwell.recurrence.service import similar_to_failure
from failwell.settings import Settings
from recurrence.test_pages import Pages, fix, make_failure
from support import Org

STRONG_BANNER = "This has happened before, and the fix did not hold"


def test_a_suggestion_is_strong_from_the_threshold_up_or_when_a_person_linked_it(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Measured: no score reaches 90 % precision on the labelled sets, so none is strong by itself.
    assert math.isinf(STRONG_SCORE)
    assert not is_strong(Scored(1, score=5.0, reasons=[Reason("semantic", "alike", 0.8)]))
    linked = Scored(1, score=0.35, reasons=[Reason("linked", "recorded", WEIGHTS.linked)])
    assert is_strong(linked)
    monkeypatch.setattr(fusion, "STRONG_SCORE", 0.9)  # were a threshold measured
    assert is_strong(Scored(1, score=0.9)) and not is_strong(Scored(1, score=0.899))


def _fix_that_did_not_hold(db: Database, org: Org) -> tuple[int, int]:
    earlier = make_failure(
        db, org, "Connection pool exhausted", started_at=datetime.now(UTC) - timedelta(days=30)
    )
    fix(db, org, earlier, done=True)
    return earlier, make_failure(db, org, "Connection pool exhausted again")


def test_the_strong_banner_only_above_the_threshold(
    pages: Pages, db: Database, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    earlier, now = _fix_that_did_not_hold(db, org)
    with db.session(write=False) as s:
        result = similar_to_failure(s, now)
    top = result.items[0]
    assert top.failure_id == earlier and top.fix_did_not_hold and result.alert == "fix_did_not_hold"
    me = pages(Role.viewer)

    monkeypatch.setattr(fusion, "STRONG_SCORE", top.score - 0.001)  # the top match passes it
    with db.session(write=False) as s:
        strong = similar_to_failure(s, now)
    assert strong.items[0].strong and strong.strong_alert == "fix_did_not_hold"
    page = me.get(f"/similar/panel?failure_id={now}").text
    assert STRONG_BANNER in page and "likely the same failure" in page and "Possibly related" not in page

    monkeypatch.setattr(fusion, "STRONG_SCORE", top.score + 0.01)  # just below it
    with db.session(write=False) as s:
        weak = similar_to_failure(s, now)
    assert not weak.items[0].strong
    assert weak.alert == "fix_did_not_hold" and weak.strong_alert == "none"
    page = me.get(f"/similar/panel?failure_id={now}").text
    assert "This has happened before" not in page and "The fix did not hold:" not in page
    assert "Possibly related:" in page and "If this is the same cause, its fix did not hold" in page


def test_a_weak_match_is_only_possibly_related_in_the_api(
    client: object, db: Database, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    _earlier, now = _fix_that_did_not_hold(db, org)
    monkeypatch.setattr(fusion, "STRONG_SCORE", 5.0)  # out of reach
    with db.session(write=False) as s:
        body = similar_to_failure(s, now).model_dump()
    assert body["alert"] == "fix_did_not_hold" and body["strong_alert"] == "none"
    assert [i["strong"] for i in body["items"]] == [False] * len(body["items"])


def test_recency_is_a_setting_off_by_default(db: Database, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    assert WEIGHTS.recency == 0.0 and Settings().recurrence_recency == 0.0
    on = configured_weights(Settings(recurrence_recency=0.2, recurrence_recency_days=90))
    assert (on.recency, on.recency_days) == (0.2, 90)
    _earlier, now = _fix_that_did_not_hold(db, org)
    with db.session(write=False) as s:
        off = similar_to_failure(s, now)
    assert "recent" not in {r.kind for r in off.items[0].reasons}
    monkeypatch.setenv("FAILWELL_RECURRENCE_RECENCY", "0.2")
    from failwell.settings import get_settings

    get_settings.cache_clear()
    try:
        with db.session(write=False) as s:
            with_prior = similar_to_failure(s, now)
    finally:
        monkeypatch.delenv("FAILWELL_RECURRENCE_RECENCY")
        get_settings.cache_clear()
    recent = [r for r in with_prior.items[0].reasons if r.kind == "recent"]
    assert recent and recent[0].weight == pytest.approx(0.2 * 2.718281828 ** (-30 / 180), rel=1e-3)
    assert with_prior.items[0].score > off.items[0].score
