"""The recurrence bench's results: what one run measured, as a dated section of bench/RESULTS.md."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.report import RUNS_MARKER
from failwell.recurrence import embedding

TARGET_P95_MS = 50.0
WARMUP = 20
NOTES = [
    "What the numbers led to (2026-11-22): the first runs answered in p95 84-289 ms. Four changes "
    "brought them under 50 ms: (1) on a large database, words found in more than 5% of failures are "
    "left out of the full-text query (their BM25 weight is small, but they made the engine score most "
    "of the table), keeping the rarest words while they match at most 4% of it; PostgreSQL estimates "
    "word frequencies from its own statistics of the index column (pg_stats), SQLite counts them once "
    "(bounded) and remembers them for ten minutes; (2) one 384-dimension vector per failure (text and "
    "title summed) instead of two side by side: half the matrix, equal quality on the training "
    "pairs; (3) single-threaded BLAS for the matrix-vector product (threads fought the server's own); "
    "(4) plain column reads instead of ORM objects for the query failure and the suggestions "
    "(29 statements per request down to 15). Ranking quality did not change (same eval numbers): "
    "the GitBugs corpus is below the 5,000 failures where leaving words out starts.",
]


@dataclass
class Latency:
    kind: str
    n: int
    p50: float
    p95: float
    p99: float
    mean_items: float


@dataclass
class BackendResult:
    backend: str
    failures: int = 0
    index_s: float = 0.0
    index_cpu_s: float = 0.0
    embedded: int = 0
    text_index_s: float = 0.0
    embed_s: float = 0.0
    embed_copy_s: float = 0.0
    rss_before_mb: float = 0.0
    rss_peak_mb: float = 0.0
    cache_load_s: float = 0.0
    cache_mb: float = 0.0
    busy_before: float = 0.0
    latencies: list[Latency] = field(default_factory=list)


def render(record: dict[str, Any]) -> str:
    m = record["machine"]
    lines = [
        f"<!-- run: {record['key']} -->",
        f"## {record['started']} — recurrence detection ({', '.join(r['backend'] for r in record['backends'])})",  # noqa: E501
        "",
        f"`{record['command']}` on {m['cores (nproc)']} cores ({m['CPU']}), Python {m['Python']}, "
        f"SQLite {m['SQLite']}, PostgreSQL {m['PostgreSQL']}; code {m['code']}.",
        "",
    ]
    thr = record.get("throughput")
    if thr:
        lines += [
            f"Embedding model {embedding.MODEL_ID} (int8 ONNX on onnxruntime, 2 threads): "
            f"**{thr['failures_per_s']:.0f} failures/s** in batches over {thr['failures']:,} distinct "
            "generated failures (each failure is two texts, its whole text and its title, summed into one "
            f"vector); one text alone takes p50 {thr['single_p50_ms']:.1f} ms / p95 "
            f"{thr['single_p95_ms']:.1f} ms on 1 thread (what a report or a typed query costs).",
            "",
        ]
    lines += [
        "Indexing the 100,000 failures of the large organisation (`failwell recurrence reindex`'s code): "
        "the full-text rows of all of them, then embeddings for a sample (its rate, including "
        "repeated texts embedded once, gives the estimate for all); the other failures get copies of "
        "the sample's vectors, so the suggestions below search a full 100,000-row matrix. PostgreSQL "
        "builds its own text index and copies the vectors from the SQLite run (same model, same texts).",
        "",
        "| backend | failures | full-text rows s | embedded (sample) | embedding s | all embedded, est. s | "
        "vectors copied s | peak RSS MB | cache load s | cache MB | busy before |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in record["backends"]:
        lines.append(
            f"| {r['backend']} | {r['failures']:,} | {r['text_index_s']:.0f} | {r['embedded']:,} | "
            f"{r['embed_s']:.0f} | {r['index_s']:.0f} | {r['embed_copy_s']:.0f} | {r['rss_peak_mb']:.0f} | "
            f"{r['cache_load_s']:.1f} | {r['cache_mb']:.0f} | {r['busy_before']:.2f} |"
        )
    lines += [
        "",
        f"Suggestion latency through the service layer, one request at a time after {WARMUP} untimed ones "
        f'(target p95 < {TARGET_P95_MS:.0f} ms); "busy before" is how many cores other processes '
        "kept busy just before (the machine is shared):",
        "",
        "| backend | query | calls | p50 ms | p95 ms | p99 ms | items | target |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | --- |",
    ]
    for r in record["backends"]:
        for lat in r["latencies"]:
            ok = "MET" if lat["p95"] < TARGET_P95_MS else "NOT MET"
            lines.append(
                f"| {r['backend']} | {lat['kind']} | {lat['n']} | {lat['p50']:.1f} | {lat['p95']:.1f} | "
                f"{lat['p99']:.1f} | {lat['mean_items']:.1f} | {ok} |"
            )
    ev = record.get("eval")
    if ev:
        lines += [
            "",
            "Ranking quality, `failwell eval recurrence` on GitBugs Hadoop "
            f"({ev['pairs']} labelled duplicate pairs over {ev['reports']} reports; the later report is "
            "the query, only earlier reports are candidates). The fused weights were chosen on the 100 "
            "train pairs only; the 25 test pairs were "
            "not used for any choice. Targets: fused recall@5 ≥ 0.85 and recall@10 ≥ 0.92 on all pairs.",
            "",
            "| ranking | pairs | n | recall@1 | recall@5 | recall@10 | MRR |",
            "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for mode, splits in ev["scores"].items():
            for split in ("all", "train", "test"):
                if split in splits:
                    s = splits[split]
                    lines.append(
                        f"| {mode} | {split} | {int(s['n'])} | {s['recall@1']:.3f} | {s['recall@5']:.3f} | "
                        f"{s['recall@10']:.3f} | {s['mrr']:.3f} |"
                    )
        lines += [
            "",
            "Data: GitBugs (Apache Hadoop bug reports with known duplicates), CC BY 4.0 — "
            'Patil, Avinash. "GitBugs: Bug Reports for Duplicate Detection, Retrieval Augmented '
            'Generation, Triage, and More." arXiv:2504.09651 (2025); converted to JSON Lines in '
            "shared/data/gitbugs-hadoop without other changes.",
        ]
    lines += ["", *NOTES, "", "<!-- /run -->", ""]
    return "\n".join(lines)


def write_section(path: Path, key: str, section: str) -> None:
    existing = path.read_text() if path.exists() else f"# Benchmark results\n\n{RUNS_MARKER}\n"
    if RUNS_MARKER not in existing:
        existing = existing.rstrip() + "\n\n" + RUNS_MARKER + "\n"
    head, _, runs = existing.partition(RUNS_MARKER)
    runs = re.sub(rf"<!-- run: {re.escape(key)} -->.*?<!-- /run -->\n*", "", runs, flags=re.S).strip()
    path.write_text(head + RUNS_MARKER + "\n\n" + section + ("\n" + runs + "\n" if runs else ""))
