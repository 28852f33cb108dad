"""Each process's copy of its integrations and rules (integrations.cache): the copy is used while
nothing changed, and an edit made through any process is used by the very next delivery of every
other one. Two Database objects on the same database stand for two processes."""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import event, func, select

from failwell.authz import SYSTEM
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn, ServiceUpdate
from failwell.changes.models import Deployment
from failwell.db import Database
from failwell.enums import Tier
from failwell.errors import NotAuthenticated, PermissionDenied
from failwell.integrations import cache
from failwell.integrations import service as integrations
from failwell.integrations.models import IntegrationDelivery, IntegrationKind, Verdict
from failwell.integrations.receive import Received, receive
from failwell.integrations.schemas import IntegrationIn, IntegrationUpdate, RuleIn, RuleUpdate
from support import Org

SECRET = "cache-test-secret-0123456789"
_ids = itertools.count(1)


def delivery(repository: str, secret: str = SECRET) -> tuple[dict[str, str], bytes]:
    n = next(_ids)
    body = json.dumps(
        {
            "deployment_status": {"state": "success", "environment": "production"},
            "deployment": {"id": 900 + n, "sha": f"{n:040x}", "ref": "main", "environment": "production"},
            "repository": {"full_name": repository},
        }
    ).encode()
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {
        "x-github-event": "deployment_status",
        "x-github-delivery": f"cache-{n}",
        "x-hub-signature-256": f"sha256={digest}",
    }
    return headers, body


@pytest.fixture
def other(database_url: str) -> Iterator[Database]:
    """Another process's Database on the same database."""
    database = Database(database_url, pool_size=2)
    yield database
    database.dispose()


@pytest.fixture
def hook(db: Database, org: Org) -> int:
    with db.session() as s:
        catalogue.create_service(s, SYSTEM, ServiceIn(name="ledger", owner_team=org.team, tier=Tier.tier2))
        made, _ = integrations.create_integration(
            s, SYSTEM, IntegrationIn(kind=IntegrationKind.github, name="gh", secret=SECRET)
        )
        integrations.create_rule(
            s, SYSTEM, made.id, RuleIn(match_field="repository", pattern="acme/app", service=org.service)
        )
        return made.id


def deliver(db: Database, hook: int, repository: str = "acme/app", secret: str = SECRET) -> Received:
    return receive(db, hook, IntegrationKind.github, *delivery(repository, secret))


def service_of(db: Database, got: Received) -> str:
    assert got.verdict == Verdict.accepted, got.detail
    with db.session(write=False) as s:
        dep = s.get_one(Deployment, got.result["deployments"][0])
        return dep.service.name


def reads_of_integrations(db: Database) -> list[str]:
    seen: list[str] = []

    def spy(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if "FROM integrations" in statement or "FROM integration_rules" in statement:
            seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", spy)
    return seen


def test_the_copy_is_used_while_nothing_changes(db: Database, hook: int, org: Org) -> None:
    assert service_of(db, deliver(db, hook)) == org.service
    reads = reads_of_integrations(db)
    for _ in range(3):
        assert service_of(db, deliver(db, hook)) == org.service
    assert reads == []


def test_a_rule_edit_in_one_process_is_used_by_the_next_delivery_in_another(
    db: Database, other: Database, hook: int, org: Org
) -> None:
    assert service_of(other, deliver(other, hook)) == org.service
    with db.session() as s:
        rule = integrations.list_rules(s, hook)[0]
        integrations.update_rule(s, SYSTEM, hook, rule.id, RuleUpdate(service="ledger"))
    assert service_of(other, deliver(other, hook)) == "ledger"
    # Renaming the service a rule names changes what the rule maps to.
    with db.session() as s:
        ledger = catalogue.service_by_name(s, "ledger")
        catalogue.update_service(s, SYSTEM, ledger.id, ServiceUpdate(name="general-ledger"))
    assert service_of(other, deliver(other, hook)) == "general-ledger"
    with db.session() as s:
        integrations.create_rule(
            s, SYSTEM, hook, RuleIn(match_field="repository", pattern="acme/new-*", service=org.service)
        )
    assert service_of(other, deliver(other, hook, "acme/new-thing")) == org.service
    with db.session() as s:
        for rule in integrations.list_rules(s, hook):
            integrations.delete_rule(s, SYSTEM, hook, rule.id)
    assert deliver(other, hook).verdict == Verdict.unmapped


def test_a_rotated_secret_or_a_switch_off_holds_at_once_in_another_process(
    db: Database, other: Database, hook: int
) -> None:
    assert deliver(other, hook).verdict == Verdict.accepted
    new_secret = "cache-test-rotated-0123456789"
    with db.session() as s:
        integrations.update_integration(s, SYSTEM, hook, IntegrationUpdate(secret=new_secret))
    with pytest.raises(NotAuthenticated):
        deliver(other, hook)
    assert deliver(other, hook, secret=new_secret).verdict == Verdict.accepted
    with db.session() as s:
        integrations.update_integration(s, SYSTEM, hook, IntegrationUpdate(active=False))
    with pytest.raises(PermissionDenied):
        deliver(other, hook, secret=new_secret)
    with db.session() as s:
        integrations.update_integration(s, SYSTEM, hook, IntegrationUpdate(active=True))
    assert deliver(other, hook, secret=new_secret).verdict == Verdict.accepted


def test_an_edit_whose_transaction_is_undone_moves_nothing(
    db: Database, other: Database, hook: int, org: Org
) -> None:
    deliver(other, hook)
    with db.session(write=False) as s:
        before = s.connection().execute(cache._STAMP).scalar()
    with pytest.raises(RuntimeError), db.session() as s:
        rule = integrations.list_rules(s, hook)[0]
        integrations.update_rule(s, SYSTEM, hook, rule.id, RuleUpdate(service="ledger"))
        raise RuntimeError("undone")
    with db.session(write=False) as s:
        assert s.connection().execute(cache._STAMP).scalar() == before
    assert service_of(other, deliver(other, hook)) == org.service


def test_twins_delivered_at_once_by_two_processes_record_one_deployment(
    db: Database, other: Database, hook: int
) -> None:
    headers, body = delivery("acme/app")
    start = threading.Barrier(2)
    got: list[Received] = []

    def send(database: Database) -> None:
        start.wait()
        got.append(receive(database, hook, IntegrationKind.github, headers, body))

    threads = [threading.Thread(target=send, args=(d,)) for d in (db, other)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(g.verdict for g in got) == [Verdict.accepted, Verdict.duplicate]
    assert got[0].delivery_id == got[1].delivery_id
    external_id = f"deployment:{json.loads(body)['deployment']['id']}"
    with db.session(write=False) as s:
        assert s.scalar(select(func.count()).where(Deployment.external_id == external_id)) == 1
        assert s.scalar(select(func.count()).select_from(IntegrationDelivery)) == 1
