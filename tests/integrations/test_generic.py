"""Integrations administration, the generic CI endpoint and its batch twin."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta

from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, assert_problem, counts, iso, utc
from failwell.db import Database
from failwell.enums import Role
from failwell.failures.models import failure_deployments
from failwell.integrations.config import get_integration_settings
from failwell.integrations.models import IntegrationDelivery, IntegrationKind, Verdict
from failwell.integrations.receive import admit, record
from failwell.integrations.schemas import GenericBatch, GenericDeployment
from failwell.integrations.service import purge_deliveries
from integrations.conftest import Hook, as_bytes, sign
from support import Org

T0 = utc(2026, 4, 1, 9)


def deployment(version: str = "1.2.3", **fields: object) -> dict[str, object]:
    return {
        "service": "payments",
        "version": version,
        "outcome": "succeeded",
        "started_at": iso(T0),
        **fields,
    }


def test_secret_is_shown_once_and_only_owners_administer(
    client: TestClient, org: Org, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic", "ci")
    assert hook.secret.startswith("fwh_")
    listed = client.get(f"{API}/integrations", headers=org.headers()).json()
    assert [i["name"] for i in listed] == ["ci"]
    assert "secret" not in listed[0]
    assert listed[0]["inbound_url"].endswith(f"/api/v1/hooks/{hook.id}/generic")
    assert hook.secret not in client.get(f"{API}/integrations/{hook.id}", headers=org.headers()).text
    denied = client.post(
        f"{API}/integrations",
        headers=org.headers(Role.practice_manager),
        json={"kind": "github", "name": "x"},
    )
    assert_problem(denied, 403)
    assert_problem(client.get(f"{API}/integrations", headers=org.headers(Role.practitioner)), 403)
    duplicate = client.post(
        f"{API}/integrations", headers=org.headers(), json={"kind": "github", "name": "ci"}
    )
    assert_problem(duplicate, 409, "name")
    rotated = client.patch(
        f"{API}/integrations/{hook.id}", headers=org.headers(), json={"rotate_secret": True}
    )
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert new_secret != hook.secret
    assert_problem(hook.bearer(deployment()), 401)
    hook.secret = new_secret
    assert hook.bearer(deployment()).json()["verdict"] == "accepted"


def test_generic_deployment_is_recorded_once(
    client: TestClient, org: Org, db: Database, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic")
    sha = "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"
    body = deployment(
        commit_shas=[sha],
        repository="acme/payments",
        commits=[{"sha": sha, "committed_at": iso(T0 - timedelta(hours=5))}],
        external_id="run-17",
    )
    first = hook.bearer(body, **{"Idempotency-Key": "k-1"})
    assert first.status_code == 200, first.text
    got = first.json()
    assert got["verdict"] == "accepted"
    [dep_id] = got["result"]["deployments"]
    again = hook.bearer(body, **{"Idempotency-Key": "k-1"})
    assert again.json()["verdict"] == "duplicate"
    assert again.json()["delivery_id"] == got["delivery_id"]
    listed = client.get(f"{API}/deployments", headers=org.headers()).json()["items"]
    assert [d["id"] for d in listed] == [dep_id]
    assert listed[0]["commit_shas"] == [sha]
    # The same external id again (a later status of that run) updates it.
    hook.bearer({**body, "outcome": "rolled_back"}, **{"Idempotency-Key": "k-2"})
    listed = client.get(f"{API}/deployments", headers=org.headers()).json()["items"]
    assert [(d["id"], d["outcome"]) for d in listed] == [(dep_id, "rolled_back")]
    from failwell.changes.models import Deployment

    with db.session(write=False) as s:
        dep = s.get_one(Deployment, dep_id)
        assert dep.first_commit_at == T0 - timedelta(hours=5)
        assert dep.integration_id == hook.id and dep.external_id == "run-17"
    # Signed with HMAC instead of the bearer token works too.
    signed = deployment("1.2.4")
    raw = __import__("json").dumps(signed).encode()
    r = hook.post(raw, {"X-Failwell-Signature-256": "sha256=" + sign(hook.secret, raw)})
    assert r.json()["verdict"] == "accepted"


def test_strangers_and_oversized_bodies_change_nothing(
    client: TestClient, org: Org, db: Database, make_hook: Callable[..., Hook], monkeypatch: object
) -> None:
    hook = make_hook("generic")
    before = counts(db)
    assert_problem(hook.post(deployment()), 401)
    assert_problem(hook.post(deployment(), {"Authorization": "Bearer fwh_not-the-secret"}), 401)
    assert_problem(hook.post(deployment(), {"Authorization": "Basic !!"}), 401)
    raw = b'{"service": "payments"}'
    assert_problem(hook.post(raw, {"X-Failwell-Signature-256": "sha256=" + sign("wrong", raw)}), 401)
    big = deployment(version="9" * 100, pipeline_url="https://ci.example/" + "x" * 1500)
    get_integration_settings().max_body_bytes = 1024
    assert_problem(hook.bearer(big), 413)
    assert counts(db) == before
    assert hook.deliveries() == []
    # Unknown integration, or the wrong kind in the URL.
    assert_problem(client.post(f"{API}/hooks/999/generic", content=b"{}"), 404)
    assert_problem(client.post(f"{API}/hooks/{hook.id}/github", content=b"{}"), 404)
    client.patch(f"{API}/integrations/{hook.id}", headers=org.headers(), json={"active": False})
    assert_problem(hook.bearer(deployment()), 403)


def test_unmapped_is_kept_then_replayed_after_a_rule(
    client: TestClient, org: Org, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic")
    body = deployment(service=None, repository="acme/payments-api", environment="prod")
    r = hook.bearer(body)
    assert r.status_code == 200
    assert r.json()["verdict"] == "unmapped"
    [kept] = hook.deliveries(verdict="unmapped")
    assert kept["event"] == "deployment"
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["items"] == []
    hook.rule(
        match_field="repository", pattern="acme/payments-*", service="payments", environment="production"
    )
    replayed = client.post(f"{API}/integration-deliveries/{kept['id']}/replay", headers=org.headers())
    assert replayed.status_code == 200, replayed.text
    assert replayed.json()["verdict"] == "accepted"
    [dep] = client.get(f"{API}/deployments", headers=org.headers()).json()["items"]
    assert (dep["service"], dep["environment"]) == ("payments", "production")
    # An accepted delivery is not replayed (it would record its deployment twice).
    again = client.post(f"{API}/integration-deliveries/{kept['id']}/replay", headers=org.headers())
    assert_problem(again, 409)
    detail = client.get(f"{API}/integration-deliveries/{kept['id']}", headers=org.headers()).json()
    assert '"acme/payments-api"' in detail["body"]
    assert detail["replayed_at"] is not None


def test_invalid_payload_is_refused_and_kept(
    client: TestClient, org: Org, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic")
    r = hook.bearer({"service": "payments", "outcome": "exploded"})
    body = assert_problem(r, 422)
    assert body["verdict"] == "refused" and body["delivery_id"]
    assert_problem(hook.bearer(b"not json", **{"Idempotency-Key": "nj"}), 422)
    assert {d["verdict"] for d in hook.deliveries()} == {"refused"}


def test_failed_production_deployment_opens_one_failure(
    client: TestClient, org: Org, db: Database, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic")
    first = hook.bearer(deployment("7.0.0", outcome="failed")).json()
    retry = hook.bearer(
        deployment("7.0.0", outcome="failed", started_at=iso(T0 + timedelta(minutes=5)))
    ).json()
    [failure_id] = first["result"]["failures"]
    assert retry["result"]["failures"] == [failure_id]
    failures = client.get(f"{API}/failures", headers=org.headers()).json()["items"]
    assert [(f["id"], f["kind"], f["reported_via"]) for f in failures] == [
        (failure_id, "failed_deployment", "webhook")
    ]
    assert sorted(failures[0]["deployment_ids"]) == sorted(
        first["result"]["deployments"] + retry["result"]["deployments"]
    )
    with db.session(write=False) as s:
        sources = set(
            s.scalars(
                select(failure_deployments.c.source).where(failure_deployments.c.failure_id == failure_id)
            )
        )
    assert sources == {"webhook"}
    # A staging failure, or an integration told not to, opens none.
    hook.bearer(deployment("7.0.1", outcome="failed", environment="staging"))
    quiet = make_hook("generic", "quiet", options={"open_failures": False})
    quiet.bearer(deployment("7.0.2", outcome="failed"))
    assert client.get(f"{API}/failures", headers=org.headers()).json()["total"] == 1


def test_batch_is_all_or_nothing(client: TestClient, org: Org, make_hook: Callable[..., Hook]) -> None:
    hook = make_hook("generic")
    items = [deployment(f"2.0.{i}", started_at=iso(T0 + timedelta(minutes=i))) for i in range(20)]
    bad = [*items, deployment("2.1.0", service=None, repository="unknown/repo")]
    r = hook.bearer({"deployments": bad}, path="/batch")
    assert r.json()["verdict"] == "unmapped"
    assert "deployments[20]" in r.json()["detail"]
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["total"] == 0
    invalid = [*items, {"service": "payments"}]
    assert_problem(hook.bearer({"deployments": invalid}, path="/batch"), 422)
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["total"] == 0
    ok = hook.bearer({"deployments": items}, path="/batch")
    assert ok.json()["verdict"] == "accepted", ok.text
    assert len(ok.json()["result"]["deployments"]) == 20
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["total"] == 20


def test_batch_names_the_bad_item_and_keeps_the_order(
    client: TestClient, org: Org, make_hook: Callable[..., Hook]
) -> None:
    """One multi-row insert: the error still names the item, and the ids come back in order."""
    hook = make_hook("generic")
    items = [deployment(f"3.0.{i}", started_at=iso(T0 + timedelta(minutes=i))) for i in range(12)]
    unknown = [*items[:7], deployment("3.1.0", service="no-such-service"), *items[7:]]
    problem = assert_problem(hook.bearer({"deployments": unknown}, path="/batch"), 422)
    assert "deployments[7].service" in problem["detail"] and "no-such-service" in problem["detail"]
    backwards = [*items, deployment("3.2.0", finished_at=iso(T0 - timedelta(hours=1)))]
    problem = assert_problem(hook.bearer({"deployments": backwards}, path="/batch"), 422)
    assert "deployments[12].finished_at" in problem["detail"]
    assert client.get(f"{API}/deployments", headers=org.headers()).json()["total"] == 0
    ok = hook.bearer({"deployments": items}, path="/batch")
    ids = ok.json()["result"]["deployments"]
    versions = [client.get(f"{API}/deployments/{i}", headers=org.headers()).json()["version"] for i in ids]
    assert versions == [f"3.0.{i}" for i in range(12)]


def test_rules_crud(client: TestClient, org: Org, make_hook: Callable[..., Hook]) -> None:
    hook = make_hook("alertmanager")
    rule = hook.rule(match_field="label:team", pattern="pay*", service="payments")
    url = f"{API}/integrations/{hook.id}/rules"
    assert_problem(
        client.post(
            url, headers=org.headers(), json={"match_field": "colour", "pattern": "x", "service": "payments"}
        ),
        422,
    )
    assert_problem(
        client.post(url, headers=org.headers(), json={"match_field": "repository", "pattern": "x"}), 422
    )
    assert_problem(
        client.post(
            url, headers=org.headers(), json={"match_field": "repository", "pattern": "x", "service": "nope"}
        ),
        422,
    )
    patched = client.patch(
        f"{url}/{rule['id']}", headers=org.headers(), json={"environment": "production", "position": 5}
    )
    assert patched.json()["environment"] == "production" and patched.json()["position"] == 5
    assert [r["id"] for r in client.get(url, headers=org.headers()).json()] == [rule["id"]]
    assert client.delete(f"{url}/{rule['id']}", headers=org.headers()).status_code == 204
    assert client.get(url, headers=org.headers()).json() == []


def test_purge_removes_old_deliveries(db: Database, make_hook: Callable[..., Hook]) -> None:
    hook = make_hook("generic")
    hook.bearer(deployment("1.0.0"))
    hook.bearer(deployment("1.0.1"))
    with db.session() as s:
        oldest = s.scalars(select(IntegrationDelivery).order_by(IntegrationDelivery.id)).first()
        assert oldest is not None
        oldest.received_at = oldest.received_at - timedelta(days=31)
    with db.session() as s:
        assert purge_deliveries(s) == 1
    assert len(hook.deliveries()) == 1


def test_the_delivery_worker_purges_old_deliveries_by_itself(
    db: Database, make_hook: Callable[..., Hook]
) -> None:
    """bootstrap() registers the purge as a housekeeping job; the worker's first tick runs it."""
    from failwell.broadcast.ports import housekeeping_jobs
    from failwell.broadcast.worker import Worker

    assert "purge integration deliveries" in dict(housekeeping_jobs())
    hook = make_hook("generic")
    hook.bearer(deployment("1.0.0"))
    hook.bearer(deployment("1.0.1"))
    with db.session() as s:
        oldest = s.scalars(select(IntegrationDelivery).order_by(IntegrationDelivery.id)).first()
        assert oldest is not None
        oldest.received_at = oldest.received_at - timedelta(days=31)
        oldest_id = oldest.id
    worker = Worker(db, schedule=True)
    try:
        worker.run_once()
    finally:
        worker.stop()
    [kept] = hook.deliveries()
    assert kept["id"] != oldest_id


def test_cli_purge(local_env: str, make_hook: Callable[..., Hook]) -> None:
    from typer.testing import CliRunner

    from failwell.cli import app

    hook = make_hook("generic")
    hook.bearer(deployment("1.0.0"))
    result = CliRunner().invoke(app, ["integrations", "purge", "--days", "1"])
    assert result.exit_code == 0, result.output
    assert "Removed 0 deliveries." in result.output
    listed = CliRunner().invoke(app, ["integrations", "list"])
    # Off a terminal: a header and one whole line per integration, whatever its width.
    [header, row] = [line.split() for line in listed.output.splitlines()[1:]]
    assert header == ["id", "kind", "name", "state", "inbound", "path", "unmapped"], listed.output
    assert row[0] == str(hook.id) and row[-2:] == [f"/api/v1/hooks/{hook.id}/generic", "0"], listed.output
    as_json = CliRunner().invoke(app, ["integrations", "list", "--json"])
    assert json.loads(as_json.output)[0]["inbound_path"] == f"/api/v1/hooks/{hook.id}/generic"


def test_a_refused_batch_names_its_item_once(
    client: TestClient, org: Org, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("generic")
    items = [deployment("7.1.0"), {**deployment("7.1.1"), "service": "nope"}]
    body = assert_problem(hook.bearer({"deployments": items}, path="/batch"), 422)
    assert body["detail"] == "deployments[1].service: unknown service 'nope'"
    [kept] = hook.deliveries()
    assert kept["verdict"] == "refused" and kept["detail"] == body["detail"]


def test_a_generic_body_is_validated_before_the_write_transaction(
    db: Database, make_hook: Callable[..., Hook]
) -> None:
    """So that one app process validates a CI batch while another holds the write lock."""
    hook = make_hook("generic")
    headers = {"authorization": f"Bearer {hook.secret}"}
    batch = as_bytes({"deployments": [deployment()]})
    good = admit(db, hook.id, IntegrationKind.generic, headers, batch, "batch")
    assert isinstance(good.payload, GenericBatch) and good.problem == ""
    one = admit(db, hook.id, IntegrationKind.generic, headers, as_bytes(deployment("7.2.0")))
    assert isinstance(one.payload, GenericDeployment) and one.payload.version == "7.2.0"
    items = [deployment("7.2.1"), deployment("7.2.2", outcome="maybe")]
    bad = admit(db, hook.id, IntegrationKind.generic, headers, as_bytes({"deployments": items}), "batch")
    assert bad.problem.startswith("deployments.1.outcome: "), bad.problem
    # Refused as the handler would have refused it: stored with its verdict, nothing recorded.
    got = record(db, bad)
    assert (got.verdict, got.detail) == (Verdict.refused, bad.problem)
    assert counts(db)["deployments"] == 0
    [kept] = hook.deliveries()
    assert kept["verdict"] == "refused" and kept["detail"] == bad.problem
