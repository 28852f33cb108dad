"""The audit trail's API and CLI: practice owners read, filter and export; everyone else is
refused, and that refusal is itself recorded. Both databases."""

from __future__ import annotations

import csv
import io
import json

from fastapi.testclient import TestClient
from typer.testing import CliRunner

from audit.helpers import entries, last
from factories import API, assert_problem, make_team
from failwell.db import Database
from failwell.enums import Role
from support import Org


def test_owners_read_newest_first_with_filters(client: TestClient, org: Org, db: Database) -> None:
    make_team(client, org, "sre")
    owner = org.headers()
    r = client.get(f"{API}/audit", headers=owner, params={"limit": 5})
    assert r.status_code == 200, r.text
    page = r.json()
    assert page["items"][0]["summary"] == "Team 'sre' created"
    assert page["total"] >= 5 and len(page["items"]) == 5
    ats = [i["at"] for i in page["items"]]
    assert ats == sorted(ats, reverse=True)

    r = client.get(f"{API}/audit", headers=owner, params={"subject_type": "team", "action": "created"})
    assert {i["summary"] for i in r.json()["items"]} >= {"Team 'sre' created", "Team 'platform' created"}
    mine = org.actors[Role.practice_owner].person_id
    r = client.get(f"{API}/audit", headers=owner, params={"actor_person_id": mine})
    assert [i["summary"] for i in r.json()["items"]] == ["Team 'sre' created"]
    r = client.get(f"{API}/audit", headers=owner, params={"actor_kind": "token", "subject_type": "team"})
    assert r.json()["total"] == 1
    first = entries(db)[0]["at"]
    r = client.get(f"{API}/audit", headers=owner, params={"until": first})
    assert r.json()["total"] == 0
    assert_problem(
        client.get(f"{API}/audit", headers=owner, params={"since": first, "until": first}), 422, "until"
    )
    assert_problem(client.get(f"{API}/audit", headers=owner, params={"actor_kind": "robot"}), 422)


def test_other_roles_are_refused_and_recorded(client: TestClient, org: Org, db: Database) -> None:
    for role in (Role.practice_manager, Role.practitioner, Role.viewer):
        assert_problem(client.get(f"{API}/audit", headers=org.headers(role)), 403)
        assert_problem(client.get(f"{API}/audit/export", headers=org.headers(role)), 403)
        refused = last(db, action="refused", actor_person_id=org.actors[role].person_id)
        assert refused["request_path"] == "/api/v1/audit/export"


def test_there_is_no_way_to_change_an_entry(client: TestClient, org: Org) -> None:
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        r = client.request(method, f"{API}/audit", headers=org.headers())
        assert r.status_code == 405, (method, r.text)


def test_export_csv_and_jsonl(client: TestClient, org: Org, db: Database) -> None:
    make_team(client, org, "sre")
    r = client.get(f"{API}/audit/export", headers=org.headers(), params={"subject_type": "team"})
    assert r.status_code == 200, r.text
    assert r.headers["content-type"].startswith("text/csv")
    assert "attachment" in r.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(r.text)))
    assert [row["summary"] for row in rows][-1] == "Team 'sre' created"  # oldest first
    assert json.loads(rows[-1]["changes"])["name"] == [None, "sre"]

    r = client.get(f"{API}/audit/export", headers=org.headers(), params={"format": "jsonl"})
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    assert len(lines) == len(entries(db)) and lines[0]["id"] < lines[-1]["id"]


def test_cli_list_and_export(local_env: str, org: Org, db: Database, tmp_path: object) -> None:
    from pathlib import Path

    from failwell.cli import app

    runner = CliRunner()
    listed = runner.invoke(app, ["audit", "list", "--subject", "team"])
    assert listed.exit_code == 0, listed.output
    assert "Team 'platform' created" in listed.output
    as_json = runner.invoke(app, ["audit", "list", "--json", "--limit", "1"])
    assert json.loads(as_json.output)["items"][0]["id"] == entries(db)[-1]["id"]
    out = Path(str(tmp_path)) / "audit.jsonl"
    exported = runner.invoke(app, ["audit", "export", "--format", "jsonl", "-o", str(out)])
    assert exported.exit_code == 0, exported.output
    assert len(out.read_text().splitlines()) == len(entries(db))
    bad = runner.invoke(app, ["audit", "export", "--format", "xml"])
    assert bad.exit_code != 0
    bad_time = runner.invoke(app, ["audit", "list", "--since", "yesterday"])
    assert bad_time.exit_code != 0 and "ISO 8601" in bad_time.output
    purged = runner.invoke(app, ["audit", "purge"])
    assert purged.exit_code == 0 and "Removed 0 audit entries" in purged.output
