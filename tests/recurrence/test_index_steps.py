"""The steps of writing embeddings: which docs are stale, which rows get touched, and the memo
that spares recomputing a text seen before. Pure functions on unsaved rows, a counting fake model."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import cast

import numpy as np

from failwell.recurrence import embedding
from failwell.recurrence.index import Doc, stale_docs, text_hash, touch_unchanged, vectors_for
from failwell.recurrence.models import FailureEmbedding

OLD = datetime(2026, 1, 1, tzinfo=UTC)
NOW = datetime(2026, 2, 1, tzinfo=UTC)


class CountingModel:
    """Stands in for the embedder: a distinct unit vector per text, and a count of texts embedded."""

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> embedding.Vectors:
        self.embedded += texts
        out = np.zeros((len(texts), embedding.DIM), dtype=np.float32)
        for row, text in enumerate(texts):
            out[row, sum(map(ord, text)) % embedding.DIM] = 1.0
        return out


def doc(failure_id: int, title: str, text: str) -> Doc:
    return Doc(failure_id=failure_id, title=title, body=text, signatures="", embed_text=f"{title}. {text}")


def stored(d: Doc, same_text: bool = True) -> FailureEmbedding:
    digest = text_hash(d) if same_text else "0" * 64
    return FailureEmbedding(failure_id=d.failure_id, text_hash=digest, updated_at=OLD)


def test_only_new_or_changed_texts_are_stale() -> None:
    same, changed, new = doc(1, "Pool", "exhausted"), doc(2, "Cert", "expired"), doc(3, "DNS", "down")
    existing = {1: stored(same), 2: stored(changed, same_text=False)}
    assert stale_docs([same, changed, new], existing) == [changed, new]


def test_touch_marks_only_the_unchanged_rows() -> None:
    same, changed = doc(1, "Pool", "exhausted"), doc(2, "Cert", "expired")
    existing = {1: stored(same), 2: stored(changed, same_text=False)}
    touch_unchanged([same, changed], [changed], existing, NOW)
    assert existing[1].updated_at == NOW and existing[2].updated_at == OLD


def test_vectors_reuse_the_memo_and_each_text_is_embedded_once() -> None:
    model = CountingModel()
    embedder = cast(embedding.Embedder, model)
    memo: dict[tuple[str, str], embedding.Vectors] = {}
    first, twin, other = doc(1, "Pool", "exhausted"), doc(2, "Pool", "exhausted"), doc(3, "Cert", "expired")
    vectors = vectors_for(embedder, [first, twin, other], memo)
    assert len(vectors) == 3 and np.array_equal(vectors[0], vectors[1])
    assert not np.array_equal(vectors[0], vectors[2])
    # Each distinct text once (the two identical reports share theirs); titles are no longer
    # embedded apart since the whole text alone ranked better (docs/recurrence.md).
    assert sorted(model.embedded) == sorted(["Pool. exhausted", "Cert. expired"])
    assert set(memo) == {("Pool. exhausted", "Pool"), ("Cert. expired", "Cert")}
    model.embedded.clear()
    again = vectors_for(embedder, [doc(9, "Cert", "expired")], memo)
    assert model.embedded == [] and np.array_equal(again[0], vectors[2])
