"""An action or subject type the audit trail cannot hold is refused by name, in the API, the
CLI and the page, instead of answering an empty trail as if nothing had happened."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from factories import API, assert_problem
from failwell.enums import Role
from support import Org, PageClient


def test_the_api_names_the_unknown_action_and_subject(client: TestClient, org: Org) -> None:
    owner = org.headers()
    refused = client.get(f"{API}/audit", headers=owner, params={"action": "bogus"})
    body = assert_problem(refused, 422, "action")
    assert "created" in str(body["errors"]) and "refused" in str(body["errors"])
    refused = client.get(f"{API}/audit/export", headers=owner, params={"subject_type": "teams"})
    body = assert_problem(refused, 422, "subject_type")
    assert "unknown subject type 'teams'" in str(body["errors"]) and "team" in str(body["errors"])
    known = client.get(f"{API}/audit", headers=owner, params={"action": "created", "subject_type": "team"})
    assert known.status_code == 200 and known.json()["total"] >= 2


def test_the_cli_names_the_option(local_env: str, org: Org) -> None:
    from failwell.cli import app

    runner = CliRunner()
    action = runner.invoke(app, ["audit", "list", "--action", "bogus"])
    assert action.exit_code == 2, action.output
    assert "--action" in action.output and "created" in action.output
    subject = runner.invoke(app, ["audit", "export", "--subject", "teams"])
    assert subject.exit_code == 2, subject.output
    assert "--subject" in subject.output and "unknown subject type 'teams'" in subject.output
    listed = runner.invoke(app, ["audit", "list", "--action", "created", "--subject", "team"])
    assert listed.exit_code == 0 and "Team 'platform' created" in listed.output


def test_the_page_shows_the_refusal(pages: Callable[[Role], PageClient], org: Org) -> None:
    owner = pages(Role.practice_owner)
    r = owner.get("/admin/audit", params={"subject_type": "teams", "action": "bogus"})
    assert r.status_code == 422 and "unknown subject type" in r.text
    r = owner.get("/admin/audit/export", params={"subject_type": "teams"})
    assert r.status_code == 422 and "unknown subject type" in r.text
