"""The CLI verbs (through a live server), the CI gate's exit code, and the lexical fallback."""

from __future__ import annotations

import json
from collections.abc import Iterator

import httpx
import pytest
from fastapi.testclient import TestClient

from factories import API, make_action, make_failure
from failwell.cli import main
from failwell.enums import Role
from failwell.recurrence import embedding
from failwell.recurrence.cli import GATE_CLOSED
from support import Org


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cli_env(org: Org, live_url: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("FAILWELL_URL", live_url)
    monkeypatch.setenv("FAILWELL_TOKEN", org.tokens[Role.practitioner])
    return live_url


def test_similar_and_lessons_gate(capsys: pytest.CaptureFixture[str], cli_env: str, org: Org) -> None:
    owner = {"Authorization": f"Bearer {org.tokens[Role.practice_owner]}"}
    with httpx.Client(base_url=f"{cli_env}{API}", headers=owner) as http:
        r = http.post(
            "/failures",
            json={
                "title": "TLS certificate expired on gateway",
                "kind": "incident",
                "services": [org.service],
            },
        )
        failure_id = r.json()["id"]
        r = http.post(
            "/actions",
            json={
                "failure_id": failure_id,
                "title": "Automate renewal",
                "action_type": "prevent",
                "owner_team": org.team,
                "priority": "critical",
            },
        )
        action_id = r.json()["id"]
    code, out, err = run(capsys, "similar", "certificate expired", "--service", org.service, "--json")
    assert code == 0, err
    body = json.loads(out)
    assert body["items"][0]["failure_id"] == failure_id and body["alert"] == "open_fix"
    code, out, err = run(capsys, "similar", "--failure", str(failure_id))
    assert code == 0, err
    code, out, err = run(capsys, "lessons", "--service", org.service, "--fail-on", "open-critical")
    assert code == GATE_CLOSED, (out, err)
    assert "Automate renewal" in out and "lessons gate" in err
    assert run(capsys, "lessons", "--service", org.service)[0] == 0
    code, _, err = run(capsys, "action", "done", str(action_id))
    assert code == 0, err
    assert run(capsys, "lessons", "--service", org.service, "--fail-on", "open-critical")[0] == 0
    code, _, err = run(capsys, "lessons", "--service", "nope")
    assert code == 1 and "unknown service" in err
    code, out, err = run(
        capsys, "problem", "create", "--title", "Manual renewals", "--failure", str(failure_id)
    )
    assert code == 0 and "Problem" in out, err
    assert run(capsys, "problem", "list", "--json")[0] == 0
    code, out, _ = run(capsys, "recurrence", "metrics", "--json")
    assert code == 0 and json.loads(out)["failures"] == 1


@pytest.fixture
def no_model() -> Iterator[None]:
    embedding.reset_for_tests(None, "ModuleNotFoundError: No module named 'onnxruntime'", tried=True)
    yield
    embedding.reset_for_tests()


def test_missing_model_falls_back_to_lexical(client: TestClient, org: Org, no_model: None) -> None:
    first = make_failure(client, org, "Search index corrupted after upgrade")
    second = make_failure(client, org, "Search index corrupted again")
    make_action(client, org, first["id"])
    body = client.get(f"{API}/failures/{second['id']}/similar", headers=org.headers()).json()
    assert body["semantic"] is False
    assert "could not be loaded" in body["note"]
    assert body["items"][0]["failure_id"] == first["id"]
    assert body["items"][0]["semantic"] is None
    r = client.get(f"{API}/similar", headers=org.headers(), params={"text": "index corrupted"})
    assert r.status_code == 200 and r.json()["semantic"] is False


def test_reindex_command(
    capsys: pytest.CaptureFixture[str], client: TestClient, org: Org, local_env: str
) -> None:
    make_failure(client, org, "Queue backed up")
    make_failure(client, org, "Queue backed up again")
    code, out, err = run(capsys, "recurrence", "reindex")
    assert code == 0, err
    assert "Indexed 2 failures; 0 embeddings computed" in out  # already embedded on write
