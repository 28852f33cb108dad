"""Deliveries recorded together (integrations.grouped): one transaction for the usual case, and
exactly the answers each would have had alone when one of them is not the usual case."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import itertools
import json
import threading
from typing import Any

import httpx
import pytest
from sqlalchemy import event, func, select

from failwell.authz import SYSTEM
from failwell.changes.models import Deployment
from failwell.db import Database
from failwell.integrations import github, grouped
from failwell.integrations import service as integrations
from failwell.integrations.grouped import Grouper, record_together
from failwell.integrations.models import IntegrationDelivery, IntegrationKind, IntegrationRule, Verdict
from failwell.integrations.receive import Inbound, Received, admit
from failwell.integrations.schemas import IntegrationIn, RuleIn
from support import Org

SECRET = "grouped-test-secret-0123456789"
_ids = itertools.count(1)


def delivery(repository: str = "acme/app", outcome: str = "success") -> tuple[dict[str, str], bytes]:
    n = next(_ids)
    body = json.dumps(
        {
            "deployment_status": {"state": outcome, "environment": "staging"},
            "deployment": {"id": 5000 + n, "sha": f"{n:040x}", "ref": "main", "environment": "staging"},
            "repository": {"full_name": repository},
        }
    ).encode()
    headers = {
        "x-github-event": "deployment_status",
        "x-github-delivery": f"grouped-{n}",
        "x-hub-signature-256": "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest(),
    }
    return headers, body


@pytest.fixture
def hook(db: Database, org: Org) -> int:
    with db.session() as s:
        made, _ = integrations.create_integration(
            s, SYSTEM, IntegrationIn(kind=IntegrationKind.github, name="gh", secret=SECRET)
        )
        integrations.create_rule(
            s, SYSTEM, made.id, RuleIn(match_field="repository", pattern="acme/app", service=org.service)
        )
        return made.id


def admitted(db: Database, hook: int, *deliveries: tuple[dict[str, str], bytes]) -> list[Inbound]:
    return [admit(db, hook, IntegrationKind.github, headers, body) for headers, body in deliveries]


def counted_commits(db: Database) -> list[int]:
    commits: list[int] = []
    event.listen(db.engine, "commit", lambda _conn: commits.append(1))
    return commits


def stored(db: Database) -> tuple[int, list[Verdict]]:
    with db.session(write=False) as s:
        deployments = s.scalar(select(func.count()).select_from(Deployment)) or 0
        verdicts = list(s.scalars(select(IntegrationDelivery.verdict).order_by(IntegrationDelivery.id)))
    return deployments, verdicts


def test_deliveries_that_arrive_together_are_committed_once(db: Database, hook: int) -> None:
    group = admitted(db, hook, *(delivery() for _ in range(6)))
    commits = counted_commits(db)
    answers = record_together(db, group)
    assert len(commits) == 1
    assert all(isinstance(a, Received) and a.verdict == Verdict.accepted for a in answers)
    ids = [a.delivery_id for a in answers if isinstance(a, Received)]
    assert len(set(ids)) == 6 and ids == sorted(ids)  # stored in the order they came
    assert stored(db) == (6, [Verdict.accepted] * 6)


def test_a_group_with_a_twin_and_an_unmapped_event_answers_as_if_each_came_alone(
    db: Database, hook: int
) -> None:
    first, unmapped, last = delivery(), delivery(repository="acme/unknown"), delivery()
    group = admitted(db, hook, first, first, unmapped, last)
    answers = record_together(db, group)
    verdicts = [a.verdict for a in answers if isinstance(a, Received)]
    assert verdicts == [Verdict.accepted, Verdict.duplicate, Verdict.unmapped, Verdict.accepted]
    first_id = answers[0].delivery_id  # type: ignore[union-attr]
    assert answers[1].delivery_id == first_id  # type: ignore[union-attr]  # the twin points at it
    # The unmapped one is kept for replay; the twin changed nothing.
    assert stored(db) == (2, [Verdict.accepted, Verdict.unmapped, Verdict.accepted])


def test_a_handler_error_in_a_group_is_stored_for_that_delivery_only(
    db: Database, hook: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = github.final_status  # read by the group's single deployments and by the handler alone

    def flaky(payload: Any) -> Any:
        if payload["deployment"]["id"] == broken_id:
            raise RuntimeError("a bug in a handler")
        return real(payload)

    good, broken = delivery(), delivery()
    broken_id = json.loads(broken[1])["deployment"]["id"]
    monkeypatch.setattr(github, "final_status", flaky)
    answers = record_together(db, admitted(db, hook, good, broken, delivery()))
    verdicts = [a.verdict for a in answers if isinstance(a, Received)]
    assert verdicts == [Verdict.accepted, Verdict.error, Verdict.accepted]
    assert stored(db) == (2, [Verdict.accepted, Verdict.error, Verdict.accepted])


def test_a_bug_while_recording_a_group_together_loses_no_delivery(
    db: Database, hook: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> list[int]:
        raise RuntimeError("a bug in the together path")

    monkeypatch.setattr(grouped, "record_each", broken)
    answers = record_together(db, admitted(db, hook, delivery(), delivery(), delivery()))
    assert [a.verdict for a in answers if isinstance(a, Received)] == [Verdict.accepted] * 3
    assert stored(db) == (3, [Verdict.accepted] * 3)  # each alone, none lost


def test_a_rule_edited_after_the_deliveries_were_admitted_is_used(db: Database, hook: int) -> None:
    group = admitted(db, hook, delivery(), delivery())
    with db.session() as s:
        rule_id = s.scalar(select(IntegrationRule.id).where(IntegrationRule.integration_id == hook))
        assert rule_id is not None
        integrations.delete_rule(s, SYSTEM, hook, rule_id)
    answers = record_together(db, group)
    assert [a.verdict for a in answers if isinstance(a, Received)] == [Verdict.unmapped] * 2


def test_the_grouper_records_what_one_turn_of_the_loop_brought_in_one_group(
    db: Database, hook: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    groups: list[int] = []

    def counting(database: Database, group: list[Inbound]) -> list[Received | Exception]:
        groups.append(len(group))
        return record_together(database, group)

    monkeypatch.setattr(grouped, "record_together", counting)
    inbound = admitted(db, hook, *(delivery() for _ in range(5)))

    async def burst() -> list[Received]:
        grouper = Grouper(db, asyncio.get_running_loop())
        return await asyncio.gather(*(grouper.record(i) for i in inbound))

    answers = asyncio.run(burst())
    assert groups == [5]
    assert [a.verdict for a in answers] == [Verdict.accepted] * 5


def test_each_request_of_a_concurrent_burst_gets_its_own_answer(
    live_url: str, db: Database, hook: int
) -> None:
    """Through the real server: 40 deliveries on 20 connections at once, 8 of them twins of
    others and 4 unsigned. Each gets the answer it would have had alone (grouped on SQLite, each
    in its own thread's transaction on PostgreSQL)."""
    originals = [delivery() for _ in range(28)]
    unsigned = [
        ({**h, "x-hub-signature-256": "sha256=" + "0" * 64}, b) for h, b in (delivery() for _ in range(4))
    ]
    sends = originals + originals[:8] + unsigned
    answers: dict[int, httpx.Response] = {}
    lock = threading.Lock()

    def send(indexes: list[int]) -> None:
        with httpx.Client(base_url=live_url, timeout=30) as http:
            for i in indexes:
                headers, body = sends[i]
                r = http.post(f"/api/v1/hooks/{hook}/github", headers=headers, content=body)
                with lock:
                    answers[i] = r

    threads = [threading.Thread(target=send, args=(list(range(n, len(sends), 20)),)) for n in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    verdicts = [
        r.json()["verdict"] if r.status_code == 200 else r.status_code
        for r in (answers[i] for i in range(len(sends)))
    ]
    for i in range(8):  # of each pair of twins, one was recorded and the other answered as its twin
        assert sorted([verdicts[i], verdicts[28 + i]]) == ["accepted", "duplicate"], (i, verdicts)
    assert verdicts[8:28] == ["accepted"] * 20
    assert verdicts[36:] == [401] * 4
    assert stored(db) == (28, [Verdict.accepted] * 28)  # nothing stored for the unsigned ones
