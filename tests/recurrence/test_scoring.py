"""The fusion of the ranking's signals, on small hand-made inputs: pure functions, no database."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from failwell.recurrence.fusion import (
    WEIGHTS,
    Evidence,
    Query,
    Reason,
    Scored,
    Weights,
    ago,
    explain_terms,
    fuse,
    lexical_reason,
    recency_reason,
    relative,
    semantic_part,
    shared_terms,
    signature_reasons,
    structure_reasons,
    suggestions,
)

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
# Fixed weights (the defaults of 2026-11, recency on), so the arithmetic below reads plainly
# whatever the shipped defaults are.
W = Weights(lexical=0.4, title=0.2, semantic=0.6, semantic_floor=0.3, recency=0.2, recency_days=180.0)


def kinds(reasons: list[Reason]) -> list[str]:
    return [r.kind for r in reasons]


def test_engine_scores_become_fractions_of_the_best() -> None:
    assert relative([(7, 8.0), (3, 4.0), (5, 2.0)]) == [(7, 1.0), (3, 0.5), (5, 0.25)]
    assert relative([(7, 0.0), (3, 0.0)]) == [(7, 0.0), (3, 0.0)]
    assert relative([]) == []


def test_lexical_part_weighs_full_text_and_title_when_fused() -> None:
    both = Scored(1, lexical=1.0, title_lexical=0.5)
    fused = lexical_reason(both, "fused", W)
    assert fused is not None and fused.kind == "shared_terms"
    assert fused.weight == pytest.approx(0.4 * 1.0 + 0.2 * 0.5)
    assert fused.detail == "matches words of the description"
    alone = lexical_reason(both, "lexical", W)
    assert alone is not None and alone.weight == 1.0  # the full-text relevance, unweighted
    assert lexical_reason(both, "semantic", W) is None
    assert lexical_reason(Scored(1, semantic=0.9), "fused", W) is None  # no words in common
    title_only = lexical_reason(Scored(1, title_lexical=1.0), "fused", W)
    assert title_only is not None and title_only.weight == pytest.approx(0.2)


def test_semantic_part_counts_only_above_the_floor_when_fused() -> None:
    assert semantic_part(0.65, "fused", W) == pytest.approx(0.6 * 0.35 / 0.7)
    assert semantic_part(1.0, "fused", W) == pytest.approx(W.semantic)
    assert semantic_part(0.3, "fused", W) == 0.0
    assert semantic_part(-0.2, "fused", W) == 0.0
    # Semantic only: the cosine itself, sign included.
    assert semantic_part(0.65, "semantic", W) == 0.65
    assert semantic_part(-0.2, "semantic", W) == -0.2


def test_fused_score_adds_every_signal_and_says_why() -> None:
    query = Query(
        title="Pool exhausted",
        body="",
        at=NOW,
        service_ids={1, 2},
        factor_ids={5},
        signatures={"sigabc", "excSQLTransientConnectionException"},
        linked={10},
    )
    ev = Evidence(
        services={10: {2, 3}},
        service_names={1: "checkout", 2: "payments", 3: "search"},
        factors={10: {5, 6}},
        factor_names={5: "capacity", 6: "monitoring"},
        signatures={10: "sigabc excSQLTransientConnectionException excOther"},
        starts={10: NOW - timedelta(days=180)},
    )
    s = Scored(10, lexical=1.0, title_lexical=0.5, semantic=0.65)
    fuse(query, s, "fused", ev, W)
    expected = {
        "shared_terms": 0.5,
        "semantic": 0.3,
        "linked": 0.30,
        "same_service": 0.06,
        "same_factor": 0.04,
        "same_signature": 0.10,
        "same_exception": 0.03,
        "recent": 0.2 / math.e,
    }
    assert {r.kind: r.weight for r in s.reasons} == pytest.approx(expected)
    assert s.score == pytest.approx(sum(expected.values()), abs=1e-6)
    assert s.score == round(s.score, 6)
    weights = [r.weight for r in s.reasons]
    assert weights == sorted(weights, reverse=True)  # heaviest first
    why = {r.kind: r.detail for r in s.reasons}
    assert why == {
        "shared_terms": "matches words of the description",
        "semantic": "described alike (cosine 0.65)",
        "linked": "recorded as an earlier occurrence of this failure",
        "same_service": "same service: payments",
        "same_factor": "same contributing factor: capacity",
        "same_signature": "the same error message (1 normalised line(s))",
        "same_exception": "the same exception: SQLTransientConnectionException",
        "recent": "6 months before",
    }


def test_lexical_and_semantic_modes_ignore_structure_and_recency() -> None:
    query = Query(title="t", body="", at=NOW, service_ids={1}, linked={4})
    ev = Evidence(services={4: {1}}, service_names={1: "payments"}, starts={4: NOW})
    lexical = Scored(4, lexical=0.8, semantic=0.9)
    fuse(query, lexical, "lexical", ev, W)
    assert kinds(lexical.reasons) == ["shared_terms"] and lexical.score == 0.8
    semantic = Scored(4, lexical=0.8, semantic=0.9)
    fuse(query, semantic, "semantic", ev, W)
    assert kinds(semantic.reasons) == ["semantic"] and semantic.score == 0.9


def test_a_negative_cosine_lowers_a_semantic_score_without_a_reason() -> None:
    s = Scored(3, semantic=-0.25)
    fuse(Query(title="t", body=""), s, "semantic", Evidence(), W)
    assert s.score == -0.25 and s.reasons == []


def test_a_far_embedding_adds_nothing_when_fused() -> None:
    s = Scored(3, semantic=0.2)
    fuse(Query(title="t", body=""), s, "fused", Evidence(), W)
    assert s.score == 0.0 and s.reasons == []


def test_shared_structure_names_what_is_shared() -> None:
    query = Query(title="t", body="", service_ids={1, 2, 9}, deployment_ids={9, 10, 11}, change_ids={3})
    ev = Evidence(
        services={5: {1, 2, 9}},
        service_names={1: "search", 2: "checkout"},  # 9 since deleted
        deployments={5: {10, 9}},
        changes={5: {3, 4}, 6: {3}},
    )
    reasons = structure_reasons(query, 5, ev, W)
    assert [(r.kind, r.detail, r.weight) for r in reasons] == [
        ("same_service", "same service: ?, checkout, search", W.service),
        ("same_deployment", "same deployment: 9, 10", W.deployment),  # in number order
        ("same_change", "same change: 3", W.change),
    ]
    assert structure_reasons(query, 7, ev, W) == []  # shares nothing


def test_signatures_and_exceptions() -> None:
    ours = {"sig1", "sig2", "sig3", "excZeta", "excAlpha", "excBeta", "excGamma"}
    theirs = {"sig1", "sig3", "sig9", "excZeta", "excAlpha", "excBeta", "excGamma"}
    reasons = signature_reasons(theirs, ours, W)
    assert [(r.kind, r.detail) for r in reasons] == [
        ("same_signature", "the same error message (2 normalised line(s))"),
        ("same_exception", "the same exception: Alpha, Beta, Gamma"),  # sorted, three at most
    ]
    assert signature_reasons({"sig7"}, ours, W) == []


def test_the_same_cve_or_ticket_key_is_a_reason_of_its_own() -> None:
    ours = {"keycvex2020x36518", "keyhadoopx17796", "ver2x13x2x2"}
    theirs = {"keycvex2020x36518", "keyhadoopx17796", "ver2x13x2x2", "keyyarnx11"}
    reasons = signature_reasons(theirs, ours, W)
    # A shared release version helps through full-text relevance only: many reports name one.
    assert [(r.kind, r.detail, r.weight) for r in reasons] == [
        ("same_reference", "names the same: CVE-2020-36518, HADOOP-17796", W.reference)
    ]


def test_recency_decays_with_the_time_before_the_query() -> None:
    assert recency_reason(NOW, NOW, WEIGHTS) is None  # off by default: a setting turns it on
    now = recency_reason(NOW, NOW - timedelta(hours=3), W)
    assert now is not None and now.detail == "less than a day before"
    assert now.weight == pytest.approx(W.recency * math.exp(-0.125 / 180))
    old = recency_reason(NOW, NOW - timedelta(days=360), W)
    assert old is not None and old.weight == pytest.approx(W.recency * math.exp(-2))
    later = recency_reason(NOW, NOW + timedelta(days=3), W)  # clock skew: counted as no time
    assert later is not None and later.weight == W.recency
    assert recency_reason(None, NOW, W) is None
    assert recency_reason(NOW, None, W) is None
    assert recency_reason(NOW, NOW, Weights(recency=0.0)) is None
    # The default time constant is a day (a burst): a month back adds nothing, and says nothing.
    burst = Weights(recency=0.3)
    assert recency_reason(NOW, NOW - timedelta(hours=12), burst) is not None
    assert recency_reason(NOW, NOW - timedelta(days=30), burst) is None


@pytest.mark.parametrize(
    ("days", "said"),
    [
        (0.2, "less than a day"),
        (1.0, "1 day"),
        (1.4, "1 day"),
        (2.0, "2 days"),
        (59.0, "59 days"),
        (60.0, "2 months"),
        (729.0, "24 months"),
        (730.0, "2 years"),
    ],
)
def test_ago(days: float, said: str) -> None:
    assert ago(days) == said


def test_context_alone_is_not_a_suggestion() -> None:
    context = Scored(1, score=0.3, reasons=[Reason("same_service", "", 0.06), Reason("recent", "", 0.2)])
    weak = Scored(2, score=0.03, reasons=[Reason("shared_terms", "", 0.03)])
    a = Scored(3, score=0.5, reasons=[Reason("shared_terms", "", 0.5)])
    b = Scored(4, score=0.5, reasons=[Reason("semantic", "", 0.45), Reason("same_factor", "", 0.05)])
    c = Scored(5, score=0.7, reasons=[Reason("linked", "", 0.3), Reason("recent", "", 0.4)])
    ranked = suggestions([context, weak, a, b, c], 10, W)
    # Ties go to the newer failure (the higher id).
    assert [s.failure_id for s in ranked] == [5, 4, 3]
    assert [s.failure_id for s in suggestions([context, weak, a, b, c], 2, W)] == [5, 4]


def test_the_shared_words_are_named() -> None:
    text = "Checkout TIMEOUT: the connection-pool was exhausted (pool size 10)"
    terms = {"pool", "timeout", "exhausted", "certificate", "checkout", "connection", "size", "was"}
    assert shared_terms(terms, text) == ["checkout", "connection", "exhausted", "pool", "size", "timeout"]
    assert shared_terms(terms, text, limit=2) == ["checkout", "connection"]
    s = Scored(1, reasons=[Reason("semantic", "described alike", 0.2), Reason("shared_terms", "x", 0.3)])
    explain_terms(s, ["pool", "timeout"])
    assert [r.detail for r in s.reasons] == ["described alike", "shares the words: pool, timeout"]
    explain_terms(s, [])
    assert s.reasons[1].detail == "shares the words: pool, timeout"
