"""`failwell ideas …` and `failwell action propose|accept|decline`, through a live server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from factories import make_failure
from failwell.cli import main
from failwell.enums import Role
from support import Org

UseRole = Callable[[Role], None]


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def as_role(org: Org, live_url: str, monkeypatch: pytest.MonkeyPatch) -> UseRole:
    def use(role: Role) -> None:
        monkeypatch.setenv("FAILWELL_URL", live_url)
        monkeypatch.setenv("FAILWELL_TOKEN", org.tokens[role])

    use(Role.viewer)
    return use


def test_ideas_from_the_terminal(
    capsys: pytest.CaptureFixture[str], as_role: UseRole, client: TestClient, org: Org
) -> None:
    failure = make_failure(client, org)
    code, out, err = run(
        capsys,
        "ideas",
        "propose",
        "--title",
        "Canary every deploy",
        "--failure",
        str(failure["id"]),
        "--json",
    )
    assert code == 0, err
    idea = json.loads(out)
    assert idea["proposed_by"]["name"] == "Viewer"
    code, out, err = run(capsys, "ideas", "support", str(idea["id"]))
    assert code == 0 and "has 1 supporter(s)" in out, err
    code, out, err = run(capsys, "ideas", "comment", str(idea["id"]), "Yes please")
    assert code == 0 and "Comment" in out, err
    code, out, _ = run(capsys, "ideas", "list")
    assert "Canary every deploy" in out and "Viewer" in out

    code, _, err = run(capsys, "ideas", "accept", str(idea["id"]))
    assert code == 1 and "practice manager" in err and "\n" not in err.strip()
    as_role(Role.practice_manager)
    code, out, err = run(capsys, "ideas", "accept", str(idea["id"]), "--type", "detect")
    assert code == 0 and f"on failure {failure['id']}" in out, err
    anonymous = json.loads(run(capsys, "ideas", "propose", "--title", "Quiet", "--anonymous", "--json")[1])
    assert anonymous["proposed_by"] is None
    code, out, err = run(capsys, "ideas", "close", str(anonymous["id"]), "--reason", "Done already")
    assert code == 0 and "is closed" in out, err
    code, out, _ = run(capsys, "ideas", "list", "--status", "closed", "--json")
    assert [i["id"] for i in json.loads(out)["items"]] == [anonymous["id"]]


def test_proposed_actions_from_the_terminal(
    capsys: pytest.CaptureFixture[str], as_role: UseRole, client: TestClient, org: Org
) -> None:
    failure = make_failure(client, org)
    as_role(Role.practitioner)
    args = (
        "action",
        "propose",
        "--failure",
        str(failure["id"]),
        "--title",
        "Alert on lag",
        "--type",
        "detect",
    )
    code, out, err = run(capsys, *args, "--json")
    assert code == 0, err
    first = json.loads(out)
    assert first["status"] == "proposed"
    second = json.loads(run(capsys, *args, "--json")[1])
    as_role(Role.practice_manager)
    code, out, err = run(capsys, "action", "accept", str(first["id"]))
    assert code == 0 and "is accepted" in out, err
    code, out, err = run(capsys, "action", "decline", str(second["id"]), "--reason", "Same as the first")
    assert code == 0 and "is declined" in out, err
    code, _, err = run(capsys, "action", "accept", str(second["id"]))
    assert code == 1 and "not proposed" in err
