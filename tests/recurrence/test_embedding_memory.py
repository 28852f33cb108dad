"""Remembered embeddings (the test suite's, see tests/conftest.py) are exactly the computed ones."""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import pytest

from failwell.recurrence import embedding

TEXTS = ["Checkout errors. The pool ran dry", "Certificate expired on the payments API", "x"]


@pytest.fixture
def embedder() -> Iterator[embedding.Embedder]:
    model = embedding.get_embedder()
    if model is None:
        pytest.fail(f"the embedding model is not available: {embedding.unavailable_reason()}")
    yield model
    embedding.remember_embeddings(20_000)  # as tests/conftest.py sets it


def test_remembered_vectors_equal_computed_ones_and_are_copies(embedder: embedding.Embedder) -> None:
    embedding.remember_embeddings(0)
    computed = embedder.embed(TEXTS)
    embedding.remember_embeddings(100)
    first = embedder.embed(TEXTS)
    first[0, 0] = 42.0  # a caller's change does not reach the memory
    again = embedder.embed(TEXTS)
    assert np.array_equal(again, computed)
    # A different call (another batch) is computed, not pieced together from remembered rows.
    assert np.array_equal(embedder.embed(TEXTS[:1]), embedding.Embedder().embed(TEXTS[:1]))


def test_the_memory_keeps_to_its_size(embedder: embedding.Embedder) -> None:
    embedding.remember_embeddings(2)
    embedder.embed(TEXTS)  # three vectors: more than the memory holds, not kept
    embedder.embed(TEXTS[:1])
    embedder.embed(TEXTS[1:2])
    embedder.embed(TEXTS[2:])  # the oldest goes
    assert embedding._remembered is not None
    assert [key[2] for key in embedding._remembered] == [(TEXTS[1],), (TEXTS[2],)]
