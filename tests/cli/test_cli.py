"""The `failwell` command: administration verbs on the database, everyday verbs via a server."""

from __future__ import annotations

import io
import json

import pytest
from sqlalchemy import func, select

from failwell.changes.models import Deployment
from failwell.cli import main
from failwell.db import Database
from failwell.enums import Role
from failwell.failures.models import Failure
from failwell.migrate import head_revision
from support import Org


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


def count(db: Database, model: type) -> int:
    with db.session(write=False) as s:
        return int(s.scalar(select(func.count()).select_from(model)) or 0)


def test_deploy_record_and_list(capsys: pytest.CaptureFixture[str], as_role, db: Database) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        capsys,
        "deploy",
        "record",
        "--service",
        "payments",
        "--version",
        "1.4.2",
        "--outcome",
        "failed",
        "--commit",
        "a1b2c3d4e5f6",
        "--environment",
        "staging",
    )
    assert code == 0, err
    assert "payments 1.4.2 to staging, failed" in out
    code, out, _ = run(capsys, "deploy", "list", "--service", "payments", "--json")
    page = json.loads(out)
    assert code == 0 and page["total"] == 1 and page["items"][0]["commit_shas"] == ["a1b2c3d4e5f6"]


def test_bad_input_is_one_line_and_changes_nothing(
    capsys: pytest.CaptureFixture[str],
    as_role,  # type: ignore[no-untyped-def]
    db: Database,
) -> None:
    before = count(db, Deployment)
    code, _, err = run(
        capsys, "deploy", "record", "--service", "nope", "--version", "1", "--outcome", "failed"
    )
    assert code == 1
    assert err.strip() == "error: --service: unknown service 'nope'"  # the option typed
    code, _, err = run(
        capsys, "deploy", "record", "--service", "payments", "--version", "1", "--outcome", "exploded"
    )
    assert code == 2 and "exploded" in err
    code, _, err = run(
        capsys,
        "deploy",
        "record",
        "--service",
        "payments",
        "--version",
        "1",
        "--outcome",
        "failed",
        "--started-at",
        "yesterday",
    )
    assert code == 2 and "ISO 8601" in err
    code, _, err = run(
        capsys,
        "deploy",
        "record",
        "--service",
        "payments",
        "--version",
        "1",
        "--outcome",
        "failed",
        "--started-at",
        "2026-01-02T10:00:00Z",
        "--finished-at",
        "2026-01-02T09:00:00Z",
    )
    assert code == 1 and "--finished-at: is before started_at" in err
    assert count(db, Deployment) == before


def test_failure_report_named_and_anonymous(
    capsys: pytest.CaptureFixture[str], as_role, db: Database
) -> None:  # type: ignore[no-untyped-def]
    code, out, err = run(
        capsys,
        "failure",
        "report",
        "--title",
        "Checkout timeouts",
        "--kind",
        "incident",
        "--severity",
        "2",
        "--service",
        "payments",
        "--tag",
        "timeouts",
    )
    assert code == 0, err
    assert "by Practitioner" in out
    code, out, err = run(
        capsys,
        "failure",
        "report",
        "--title",
        "Near miss on config push",
        "--kind",
        "near_miss",
        "--anonymous",
    )
    assert code == 0, err
    assert "anonymously" in out
    with db.session(write=False) as s:
        anonymous = s.scalars(select(Failure).where(Failure.anonymous.is_(True))).one()
        assert anonymous.reporter_id is None
        assert anonymous.reported_via.value == "cli"
    code, out, _ = run(capsys, "failure", "list", "--service", "payments", "--json")
    assert code == 0 and [f["title"] for f in json.loads(out)["items"]] == ["Checkout timeouts"]
    code, out, _ = run(capsys, "failure", "list", "--limit", "5")
    assert code == 0 and "Failures" in out
    code, out, _ = run(capsys, "failure", "list", "--status", "unresolved", "--json")  # open or mitigated
    assert code == 0 and {f["status"] for f in json.loads(out)["items"]} <= {"open", "mitigated"}
    code, out, _ = run(capsys, "failure", "show", str(anonymous.id), "--json")
    assert json.loads(out)["reporter"] is None


def test_action_list_overdue_and_done(
    capsys: pytest.CaptureFixture[str],
    as_role,
    org: Org,  # type: ignore[no-untyped-def]
    live_url: str,
) -> None:
    import httpx

    owner = {"Authorization": f"Bearer {org.tokens[Role.practice_owner]}"}
    failure = httpx.post(
        f"{live_url}/api/v1/failures", headers=owner, json={"title": "Pool exhausted", "kind": "incident"}
    ).json()
    for title, due in (("Raise pool size", "2020-01-01"), ("Alert on pool usage", "2099-12-31")):
        r = httpx.post(
            f"{live_url}/api/v1/actions",
            headers=owner,
            json={
                "failure_id": failure["id"],
                "title": title,
                "action_type": "prevent",
                "owner_team": org.team,
                "due_date": due,
            },
        )
        assert r.status_code == 201, r.text
    code, out, _ = run(capsys, "action", "list", "--overdue", "--json")
    items = json.loads(out)["items"]
    assert code == 0 and [a["title"] for a in items] == ["Raise pool size"]
    code, out, _ = run(capsys, "action", "done", str(items[0]["id"]))
    assert code == 0 and "is done" in out
    code, out, _ = run(capsys, "action", "list", "--overdue", "--json")
    assert json.loads(out)["items"] == []
    code, _, err = run(capsys, "action", "done", "9999")
    assert code == 1 and "No corrective action with id 9999" in err


def test_viewer_cannot_record_deployments(capsys: pytest.CaptureFixture[str], as_role, db: Database) -> None:  # type: ignore[no-untyped-def]
    as_role(Role.viewer)
    code, _, err = run(
        capsys, "deploy", "record", "--service", "payments", "--version", "1", "--outcome", "succeeded"
    )
    assert code == 1 and "needs the role of a practitioner" in err
    assert count(db, Deployment) == 0


def test_missing_or_wrong_token(
    capsys: pytest.CaptureFixture[str], live_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("FAILWELL_TOKEN", raising=False)
    code, _, err = run(capsys, "failure", "list", "--url", live_url)
    assert code == 1 and "FAILWELL_TOKEN" in err
    monkeypatch.setenv("FAILWELL_TOKEN", "fw_wrong")
    code, _, err = run(capsys, "failure", "list", "--url", live_url)
    assert code == 1 and "unknown, revoked or expired" in err


def test_unreachable_server(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAILWELL_TOKEN", "fw_x")
    code, _, err = run(capsys, "failure", "list", "--url", "http://127.0.0.1:9")
    assert code == 1 and "cannot reach the failwell server" in err


def test_admin_verbs_on_the_database(
    capsys: pytest.CaptureFixture[str], local_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run(capsys, "db", "upgrade")
    assert code == 0 and "revision" in out
    assert run(capsys, "team", "create", "--name", "sre")[0] == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("a long enough password\n"))
    code, out, err = run(
        capsys,
        "user",
        "create",
        "--email",
        "Kim@Example.com",
        "--name",
        "Kim Lee",
        "--role",
        "practice_manager",
        "--team",
        "sre",
        "--password-stdin",
    )
    assert code == 0, err
    assert "kim@example.com" in out
    code, _, err = run(
        capsys, "user", "create", "--email", "kim@example.com", "--name", "Kim", "--no-password"
    )
    assert code == 1 and "already exists" in err
    code, _, err = run(
        capsys,
        "user",
        "create",
        "--email",
        "x@example.com",
        "--name",
        "X",
        "--team",
        "ghosts",
        "--no-password",
    )
    assert code == 1 and "unknown team 'ghosts'" in err
    code, out, _ = run(capsys, "token", "create", "--user", "kim@example.com", "--name", "ci")
    assert code == 0
    secret = out.strip().splitlines()[-1]
    assert secret.startswith("fw_")
    code, out, _ = run(capsys, "user", "list", "--team", "sre")
    assert code == 0 and "Kim Lee" in out and "practice_manager" in out
    code, out, _ = run(capsys, "db", "current")
    assert code == 0 and f"current: {head_revision()}" in out


def test_token_revoke_stops_access(
    capsys: pytest.CaptureFixture[str],
    local_env: str,
    live_url: str,
    org: Org,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, _ = run(capsys, "token", "create", "--user", org.emails[Role.practitioner], "--name", "ci")
    secret = out.strip().splitlines()[-1]
    monkeypatch.setenv("FAILWELL_TOKEN", secret)
    assert run(capsys, "failure", "list", "--url", live_url)[0] == 0
    from failwell.people.models import ApiToken
    from failwell.people.security import hash_token

    with Database(local_env).session(write=False) as s:
        token_id = s.scalars(select(ApiToken.id).where(ApiToken.token_hash == hash_token(secret))).one()
    # FAILWELL_TOKEN is this very token: the CLI refuses unless told it is meant.
    code, _, err = run(capsys, "token", "revoke", str(token_id))
    assert code == 1 and "--yes-revoke-this-token" in err and len(err.strip().splitlines()) == 1
    assert run(capsys, "failure", "list", "--url", live_url)[0] == 0
    assert run(capsys, "token", "revoke", str(token_id), "--yes-revoke-this-token")[0] == 0
    code, _, err = run(capsys, "failure", "list", "--url", live_url)
    assert code == 1 and "revoked" in err
