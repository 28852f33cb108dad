"""A CI batch's look-ups: a repeated external id updates its deployment, a known commit gives its
time, however many batches came before (PostgreSQL asks them as arrays, SQLite as lists)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import select

from factories import iso, utc
from failwell.changes.models import Deployment
from failwell.db import Database
from integrations.conftest import Hook

T0 = utc(2026, 4, 1, 9)
SHA = "a" * 40


def item(n: int, **fields: object) -> dict[str, object]:
    return {
        "service": "payments",
        "repository": "acme/payments",
        "version": f"1.0.{n}",
        "outcome": "succeeded",
        "started_at": iso(T0 + timedelta(minutes=n)),
        "external_id": f"run-{n}",
        **fields,
    }


def test_repeats_and_known_commits_across_many_batches(db: Database, make_hook: Callable[..., Hook]) -> None:
    hook = make_hook("generic")
    first = [item(0, commits=[{"sha": SHA, "committed_at": iso(T0 - timedelta(hours=2))}])]
    assert hook.bearer({"deployments": first}, path="/batch").json()["verdict"] == "accepted"
    # Enough batches for a prepared statement's generic plan (psycopg prepares from the 5th).
    for b in range(1, 9):
        batch = [item(b * 10 + i) for i in range(10)]
        assert hook.bearer({"deployments": batch}, path="/batch").json()["verdict"] == "accepted"
    retry = item(15, outcome="failed")  # run-15 again: an update
    named = item(200, commit_shas=[SHA])  # names the commit the first batch gave a time
    answer = hook.bearer({"deployments": [item(100), retry, named]}, path="/batch").json()
    assert answer["verdict"] == "accepted", answer
    with db.session(write=False) as s:
        rows = {d.external_id: d for d in s.scalars(select(Deployment))}
    assert len(rows) == 1 + 80 + 2
    assert rows["run-15"].outcome.value == "failed"
    assert answer["result"]["deployments"][1] == rows["run-15"].id
    assert rows["run-200"].first_commit_at == T0 - timedelta(hours=2)
    assert rows["run-100"].first_commit_at is None
