"""`failwell recognition kudos …` and `failwell recognition awards …`, through a live server."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from fastapi.testclient import TestClient

from factories import make_failure
from failwell.cli import main
from failwell.enums import Role
from recognition.helpers import team_id
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


def test_kudos_from_the_terminal(
    capsys: pytest.CaptureFixture[str], as_role: UseRole, client: TestClient, org: Org
) -> None:
    failure = make_failure(client, org, anonymous=True, kind="near_miss")
    code, out, err = run(
        capsys,
        "recognition",
        "kudos",
        "give",
        "--for",
        "failure",
        "--id",
        str(failure["id"]),
        "--anonymous-reporter",
        "--message",
        "Brave report",
    )
    assert code == 0 and "to the anonymous reporter" in out, err
    team = team_id(client, org)
    code, out, err = run(
        capsys,
        "recognition",
        "kudos",
        "give",
        "--for",
        "failure",
        "--id",
        str(failure["id"]),
        "--team",
        str(team),
        "--message",
        "Fixed it fast",
        "--json",
    )
    assert code == 0 and json.loads(out)["recipient"]["name"] == org.team, err
    # --team takes the team's name, as every other verb does (the id still works, above).
    code, out, err = run(
        capsys, "recognition", "kudos", "give", "--for", "failure", "--id", str(failure["id"]),
        "--team", org.team, "--message", "Wrote the runbook", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["recipient"]["name"] == org.team, err
    code, out, err = run(capsys, "recognition", "kudos", "list", "--team", org.team, "--json")
    assert code == 0 and {k["message"] for k in json.loads(out)["items"]} == {
        "Fixed it fast",
        "Wrote the runbook",
    }
    code, _, err = run(capsys, "recognition", "kudos", "list", "--team", "nobody")
    assert code == 1 and err.strip() == "error: --team: unknown team 'nobody'", err
    code, out, _ = run(capsys, "recognition", "kudos", "list")
    assert "Brave report" in out and "the anonymous reporter" in out
    # Bad input: one line on stderr, a non-zero exit.
    code, _, err = run(
        capsys,
        "recognition",
        "kudos",
        "give",
        "--for",
        "failure",
        "--id",
        "99999",
        "--team",
        str(team),
        "--message",
        "x",
    )
    assert code != 0 and "--id: unknown failure" in err and "\n" not in err.strip()
    code, _, err = run(
        capsys, "recognition", "kudos", "give", "--for", "nothing", "--id", "1", "--message", "x"
    )
    assert code != 0


def test_an_award_from_the_terminal(
    capsys: pytest.CaptureFixture[str], as_role: UseRole, client: TestClient, org: Org
) -> None:
    code, _, err = run(capsys, "recognition", "awards", "create", "--name", "Learning of the month")
    assert code == 1 and "practice owner" in err and "\n" not in err.strip()
    as_role(Role.practice_owner)
    award = json.loads(
        run(capsys, "recognition", "awards", "create", "--name", "Learning of the month", "--json")[1]
    )
    code, out, err = run(
        capsys,
        "recognition",
        "awards",
        "open",
        str(award["id"]),
        "--title",
        "November",
        "--nominations-close",
        "2026-11-20",
        "--voting-closes",
        "2026-11-30",
        "--json",
    )
    assert code == 0, err
    cycle = json.loads(out)
    code, _, err = run(
        capsys,
        "recognition",
        "awards",
        "open",
        str(award["id"]),
        "--title",
        "Bad",
        "--nominations-close",
        "2026-11-20",
        "--voting-closes",
        "2026-11-01",
    )
    assert code == 1 and "voting_closes_on" in err
    as_role(Role.viewer)
    code, out, err = run(
        capsys,
        "recognition",
        "awards",
        "nominate",
        str(cycle["id"]),
        "--team",
        str(team_id(client, org)),
        "--reason",
        "Shared the pool lesson",
        "--json",
    )
    assert code == 0, err
    nomination = json.loads(out)["id"]
    as_role(Role.practice_owner)
    assert run(capsys, "recognition", "awards", "voting", str(cycle["id"]))[0] == 0
    as_role(Role.viewer)
    assert run(capsys, "recognition", "awards", "vote", str(cycle["id"]), str(nomination))[0] == 0
    code, _, err = run(capsys, "recognition", "awards", "vote", str(cycle["id"]), str(nomination))
    assert code == 1 and "one vote per voter" in err
    as_role(Role.practice_owner)
    code, out, err = run(capsys, "recognition", "awards", "announce", str(cycle["id"]))
    assert code == 0 and f"goes to {org.team}" in out, err
    code, out, _ = run(capsys, "recognition", "awards", "list")
    assert "Learning of the month" in out and "announced" in out


def test_people_are_named_by_e_mail(
    capsys: pytest.CaptureFixture[str], as_role: UseRole, client: TestClient, org: Org
) -> None:
    """--person and --panel take an e-mail, as --team takes a name; an id still works."""
    failure = make_failure(client, org, kind="near_miss")
    colleague = org.emails[Role.practitioner]
    code, out, err = run(
        capsys, "recognition", "kudos", "give", "--for", "failure", "--id", str(failure["id"]),
        "--person", colleague.upper(), "--message", "Wrote it up the same day", "--json",
    )  # fmt: skip
    assert code == 0, err
    thanked = json.loads(out)["recipient"]
    assert thanked["kind"] == "person" and thanked["person_id"] == org.actors[Role.practitioner].person_id
    code, out, err = run(capsys, "recognition", "kudos", "list", "--person", colleague, "--json")
    assert code == 0 and [k["message"] for k in json.loads(out)["items"]] == ["Wrote it up the same day"], err
    code, out, err = run(
        capsys, "recognition", "kudos", "list", "--person", str(thanked["person_id"]), "--json"
    )
    assert code == 0 and len(json.loads(out)["items"]) == 1, err
    code, _, err = run(capsys, "recognition", "kudos", "list", "--person", "nobody@example.com")
    assert code == 1 and err.strip() == "error: --person: nobody has the e-mail 'nobody@example.com'", err

    as_role(Role.practice_owner)
    award = json.loads(
        run(capsys, "recognition", "awards", "create", "--name", "Lesson of the month", "--json")[1]
    )
    code, out, err = run(
        capsys, "recognition", "awards", "open", str(award["id"]), "--title", "December",
        "--nominations-close", "2026-12-20", "--voting-closes", "2026-12-30",
        "--panel", org.emails[Role.viewer], "--panel", org.emails[Role.practice_owner], "--json",
    )  # fmt: skip
    assert code == 0, err
    cycle = json.loads(out)
    assert cycle["voters"] == "panel"
    code, _, err = run(
        capsys, "recognition", "awards", "open", str(award["id"]), "--title", "Bad",
        "--nominations-close", "2026-12-20", "--voting-closes", "2026-12-30", "--panel", "ghost@example.com",
    )  # fmt: skip
    assert code == 1 and "--panel: nobody has the e-mail 'ghost@example.com'" in err, err
    code, out, err = run(
        capsys, "recognition", "awards", "nominate", str(cycle["id"]), "--person", colleague,
        "--reason", "Shared the near miss", "--json",
    )  # fmt: skip
    assert code == 0 and json.loads(out)["nominee"]["kind"] == "person", err
