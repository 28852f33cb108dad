"""The calibrated signals: "this has happened before" only above the measured threshold, "possibly
related" below it; and the recency prior, a setting that is off unless configured."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from failwell.db import Database
from failwell.enums import Role
from failwell.recurrence import confidence
from failwell.recurrence.confidence import STRONG_CONFIDENCE, first_confidence
from failwell.recurrence.fusion import Reason, Scored, is_strong, set_confidence
from failwell.recurrence.ranking import WEIGHTS, configured_weights
from failwell.recurrence.service import similar_to_failure
from failwell.settings import Settings
from recurrence.test_pages import Pages, fix, make_failure
from support import Org

STRONG_BANNER = "This has happened before, and the fix did not hold"


def test_a_suggestion_is_strong_when_confidently_first_or_when_a_person_linked_it() -> None:
    # The threshold measured on GitBugs train (cross-validated 90 % precision), and its reading.
    assert STRONG_CONFIDENCE == 0.83
    assert not is_strong(Scored(1, score=5.0, reasons=[Reason("semantic", "alike", 0.8)]))  # no confidence
    assert is_strong(Scored(1, score=1.0, confidence=0.83)) and not is_strong(Scored(1, confidence=0.829))
    linked = Scored(1, score=0.35, reasons=[Reason("linked", "recorded", WEIGHTS.linked)])
    assert is_strong(linked)


def test_confidence_reads_the_lead_over_the_next_suggestion() -> None:
    one = first_confidence
    assert one([]) is None
    # The near miss: cosine 0.44 and two shared generic words (about 0.66), even alone.
    assert (one([0.66]) or 1.0) < 0.7
    # A high score far ahead of the next one is strong; the same score in a crowd is not.
    assert (one([1.2, 0.5]) or 0.0) >= STRONG_CONFIDENCE > (one([1.2, 1.1]) or 1.0)
    # With few earlier failures there is no close second: a weak lone match gains nothing from it.
    assert one([0.9]) == one([0.9, 0.1]) == one([0.9, 0.4])
    assert (one([0.9, 0.6]) or 1.0) < (one([0.9, 0.4]) or 0.0)
    # The best of the others is the competitor, whatever order they came in.
    assert one([1.0, 0.5, 0.9]) == one([1.0, 0.9, 0.5])


def test_only_the_first_suggestion_gets_a_confidence_and_recency_is_not_evidence() -> None:
    first = Scored(1, score=1.4, reasons=[Reason("semantic", "alike", 1.2), Reason("recent", "days", 0.2)])
    second = Scored(2, score=0.5)
    set_confidence([first, second])
    assert first.confidence == first_confidence([1.2, 0.5]) and second.confidence is None
    set_confidence([])  # nothing to do


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

    assert top.confidence is not None
    monkeypatch.setattr(confidence, "STRONG_CONFIDENCE", top.confidence - 0.001)  # the top match passes it
    with db.session(write=False) as s:
        strong = similar_to_failure(s, now)
    assert strong.items[0].strong and strong.strong_alert == "fix_did_not_hold"
    page = me.get(f"/similar/panel?failure_id={now}").text
    assert STRONG_BANNER in page and "likely the same failure" in page and "Possibly related" not in page

    monkeypatch.setattr(confidence, "STRONG_CONFIDENCE", top.confidence + 0.001)  # just below it
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
    monkeypatch.setattr(confidence, "STRONG_CONFIDENCE", 1.01)  # out of reach
    with db.session(write=False) as s:
        body = similar_to_failure(s, now).model_dump()
    assert body["alert"] == "fix_did_not_hold" and body["strong_alert"] == "none"
    assert [i["strong"] for i in body["items"]] == [False] * len(body["items"])


def test_recency_is_a_setting_off_by_default(db: Database, org: Org, monkeypatch: pytest.MonkeyPatch) -> None:
    assert WEIGHTS.recency == 0.0 and Settings().recurrence_recency == 0.0
    # Turned on, it means a burst (the same failure within a day or two), not a season.
    assert WEIGHTS.recency_days == Settings().recurrence_recency_days == 1.0
    on = configured_weights(Settings(recurrence_recency=0.2, recurrence_recency_days=90))
    assert (on.recency, on.recency_days) == (0.2, 90)
    _earlier, now = _fix_that_did_not_hold(db, org)
    with db.session(write=False) as s:
        off = similar_to_failure(s, now)
    assert "recent" not in {r.kind for r in off.items[0].reasons}
    monkeypatch.setenv("FAILWELL_RECURRENCE_RECENCY", "0.2")
    monkeypatch.setenv("FAILWELL_RECURRENCE_RECENCY_DAYS", "180")  # 30 days back, a season counts
    from failwell.settings import get_settings

    get_settings.cache_clear()
    try:
        with db.session(write=False) as s:
            with_prior = similar_to_failure(s, now)
    finally:
        monkeypatch.delenv("FAILWELL_RECURRENCE_RECENCY")
        monkeypatch.delenv("FAILWELL_RECURRENCE_RECENCY_DAYS")
        get_settings.cache_clear()
    recent = [r for r in with_prior.items[0].reasons if r.kind == "recent"]
    assert recent and recent[0].weight == pytest.approx(0.2 * 2.718281828 ** (-30 / 180), rel=1e-3)
    assert with_prior.items[0].score > off.items[0].score
    # The prior is not evidence of the same cause: it never makes a suggestion more confident.
    assert with_prior.items[0].confidence == pytest.approx(off.items[0].confidence)


def test_eval_counts_the_first_suggestions_above_the_confidence_threshold() -> None:
    from failwell.recurrence.calibration import Row, confidence_summary

    rows = [Row(1.2, True, 1, 0.95), Row(0.9, False, 2), Row(1.1, False, 1, 0.9), Row(0.7, True, 1, 0.4)]
    summary = confidence_summary(rows)
    assert (summary["queries"], summary["strong"], summary["strong_true"]) == (3, 2, 1)
    assert summary["strong_precision"] == 0.5 and summary["strong_threshold"] == STRONG_CONFIDENCE
