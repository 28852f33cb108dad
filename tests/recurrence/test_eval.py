"""The eval command on a tiny labelled set: loads, ranks, and reports recall and MRR per split."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from failwell.cli import main
from failwell.recurrence.eval import Report, chronological
from failwell.recurrence.lexical import identifier_parts
from failwell.recurrence.signatures import (
    exception_names,
    is_signature_token,
    normalise_message,
    references,
    signature_tokens,
)

REPORTS = [
    (
        "1",
        "NameNode crashes with OutOfMemoryError on startup",
        "Heap exhausted while loading the fsimage.",
        "01/Jan/21 10:00",
    ),
    ("2", "Typo in the DistCp documentation", "The -update flag is misspelled.", "02/Jan/21 10:00"),
    ("3", "S3A committer leaks threads", "Thread pool never shut down after job commit.", "03/Jan/21 10:00"),
    (
        "4",
        "NameNode runs out of heap when starting",
        "OutOfMemoryError loading a large fsimage.",
        "04/Jan/21 10:00",
    ),
    ("5", "Thread leak in the S3A committer", "Threads keep piling up after each commit.", "05/Jan/21 10:00"),
]
PAIRS = [("4", "1", "train"), ("5", "3", "test")]


def test_eval_recurrence_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bugs, pairs = tmp_path / "bugs.jsonl", tmp_path / "pairs.jsonl"
    bugs.write_text(
        "".join(
            json.dumps({"id": k, "summary": t, "description": d, "created": c}) + "\n"
            for k, t, d, c in REPORTS
        )
    )
    pairs.write_text(
        "".join(json.dumps({"issue_id": a, "duplicate_id": b, "split": s}) + "\n" for a, b, s in PAIRS)
    )
    code = main(["eval", "recurrence", "--bugs", str(bugs), "--pairs", str(pairs), "--json"])
    out = capsys.readouterr().out
    assert code == 0
    result = json.loads(out)
    assert result["pairs"] == 2 and result["reports"] == 5
    fused = result["scores"]["fused"]
    assert fused["all"]["recall@1"] == 1.0 and fused["all"]["mrr"] == 1.0
    assert set(fused) == {"all", "train", "test"}
    assert (result["weights"]["recency"], result["weights"]["recency_days"]) == (0.0, 1.0)
    args = ["eval", "recurrence", "--bugs", str(bugs), "--pairs", str(pairs), "--json"]
    assert main([*args, "--recency", "0.3", "--recency-days", "2.5"]) == 0
    weights = json.loads(capsys.readouterr().out)["weights"]
    assert (weights["recency"], weights["recency_days"]) == (0.3, 2.5)
    assert main([*args, "--recency-days", "0"]) != 0  # a time constant must be positive


def test_error_signatures() -> None:
    line = "2026-11-02T10:00:01Z ERROR java.net.ConnectException: refused by 10.0.3.7:5432 after 3012 ms"
    other = "2026-11-03T11:12:13Z ERROR java.net.ConnectException: refused by 10.9.9.9:5432 after 15 ms"
    assert normalise_message(line) == normalise_message(other)
    assert "<ip>" in normalise_message(line) and "<time>" in normalise_message(line)
    assert normalise_message("open /var/lib/app/data/0x7f3a.db failed") == "open <path> failed"
    assert exception_names("KeyError then ECONNRESET and java.io.IOException") == [
        "KeyError",
        "IOException",
        "ECONNRESET",
    ]
    assert signature_tokens(line) == signature_tokens(other)


def test_eval_accepts_string_ids(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Ids need not be digits: "q01"-style ids sort as text, digit ids by number."""
    keys = {"1": "s01", "2": "s02", "3": "s03", "4": "q01", "5": "q02"}
    bugs, pairs = tmp_path / "bugs.jsonl", tmp_path / "pairs.jsonl"
    bugs.write_text(
        "".join(
            json.dumps({"id": keys[k], "summary": t, "description": d, "created": c}) + "\n"
            for k, t, d, c in REPORTS
        )
    )
    pairs.write_text(
        "".join(
            json.dumps({"issue_id": keys[a], "duplicate_id": keys[b], "split": s}) + "\n" for a, b, s in PAIRS
        )
    )
    code = main(["eval", "recurrence", "--bugs", str(bugs), "--pairs", str(pairs), "--json"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["pairs"] == 2
    assert result["scores"]["fused"]["all"]["recall@1"] == 1.0


def test_ids_sort_by_number_or_text() -> None:
    when = datetime(2021, 1, 1, tzinfo=UTC)
    reports = [Report(k, "t", "", when) for k in ("10", "q02", "9", "q01")]
    assert [r.key for r in sorted(reports, key=chronological)] == ["q01", "q02", "9", "10"]


def test_references_name_cves_ticket_keys_and_versions() -> None:
    text = (
        "Upgrade jackson-databind to 2.13.2.2 for CVE-2020-36518 (see HADOOP-17796); "
        "UTF-8 and SHA-256 are not tickets, 127.0.0.1 and 10.0.3.7:5432 are not releases, "
        "surefire 3.0.0-M7 is."
    )
    assert references(text) == (["CVE-2020-36518", "HADOOP-17796"], ["2.13.2.2", "3.0.0-M7"])
    tokens = signature_tokens(text)
    assert {"keycvex2020x36518", "keyhadoopx17796", "ver2x13x2x2", "ver3x0x0xm7"} <= set(tokens)
    # Separators are kept apart: 2.13.2 and 21.3.2 are different releases.
    assert signature_tokens("2.13.2") != signature_tokens("21.3.2")
    assert all(is_signature_token(t) for t in tokens)


def test_signature_tokens_are_told_apart_from_words() -> None:
    for token in ("sig00e9be3e1695", "excioexception", "excecconnrefused"[:3] + "econnrefused"):
        assert is_signature_token(token)
    for word in ("signal", "exceeded", "excess", "keyboard", "keystore", "verbose", "version"):
        assert not is_signature_token(word)


def test_long_class_names_are_also_searched_by_their_initials() -> None:
    parts = identifier_parts("AzureBlobFileSystem.open() calls readVectored on AbfsInputStream")
    assert "abfs" in parts and {"azure", "blob", "read", "vectored", "input"} <= set(parts)
    # Three-word names and method names give no initials: "ais" or "rv" would match too much.
    assert "ais" not in parts and "rv" not in parts
