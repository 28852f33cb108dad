"""The password policy: at least 12 characters and hard to guess, wherever a password is set."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, person_id
from failwell.cli import main
from failwell.db import Database
from failwell.demo.organisation import DEMO_LOGIN_PASSWORD, published_password_hash
from failwell.enums import Role
from failwell.people import service as people
from failwell.people import sign_in
from failwell.people.passwords import MIN_LENGTH, length_problem, password_problem
from failwell.people.security import verify_password
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
OWNER_PASSWORD = "correct horse battery"  # the org fixture's
STRONG = "quartz lantern meadow"
COMMON = "password1234"  # 12 characters, but on every attacker's list


def test_the_rule_in_plain_words() -> None:
    assert password_problem("short") == "use at least 12 characters"
    assert password_problem("x" * 201) == "use at most 200 characters"
    common = password_problem(COMMON)
    assert common is not None and "common password" in common
    assert password_problem("qwertyuiop12") is not None  # a keyboard row
    assert password_problem("abcdefghijkl") is not None  # a sequence
    # The person's own name and e-mail make a guessable password for them, not for others.
    assert password_problem("Ada Lovelace!", ["Ada Lovelace", "ada@example.com"]) is not None
    assert password_problem(STRONG) is None
    assert password_problem(OWNER_PASSWORD) is None


def test_the_published_demo_password_skips_only_the_estimate() -> None:
    # The product's own name is guessable, and the demo password is published anyway.
    assert password_problem(DEMO_LOGIN_PASSWORD) is not None
    assert len(DEMO_LOGIN_PASSWORD) >= MIN_LENGTH and length_problem(DEMO_LOGIN_PASSWORD) is None
    assert verify_password(published_password_hash(DEMO_LOGIN_PASSWORD), DEMO_LOGIN_PASSWORD)
    with pytest.raises(ValueError, match="12"):
        published_password_hash("demo")


def test_api_refuses_weak_passwords_naming_the_field(client: TestClient, org: Org, db: Database) -> None:
    new = {"name": "Ada Lovelace", "email": "ada@example.com"}
    for weak, reason in (("short", "12 characters"), (COMMON, "common"), ("Ada Lovelace!", "harder")):
        body = assert_problem(
            client.post(f"{API}/people", headers=org.headers(), json={**new, "password": weak}),
            422,
            "password",
        )
        assert reason in body["errors"][0]["reason"]
    created = client.post(f"{API}/people", headers=org.headers(), json={**new, "password": STRONG})
    assert created.status_code == 201 and created.json()["can_sign_in"] is True
    me = person_id(client, org, Role.practitioner)
    r = client.patch(f"{API}/people/{me}", headers=org.headers(Role.practitioner), json={"password": COMMON})
    assert "common" in assert_problem(r, 422, "password")["errors"][0]["reason"]
    with db.session() as s:
        assert people.get_person(s, me).password_hash is None  # nothing was set


def test_pages_refuse_weak_passwords_in_plain_words(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    mine = owner.post(
        "/account/password",
        data={"current_password": OWNER_PASSWORD, "new_password": COMMON, "confirm_password": COMMON},
    )
    assert mine.status_code == 422 and 'id="new_password-error"' in mine.text
    assert "choose a harder password" in mine.text and COMMON not in mine.text
    with db.session() as s:
        viewer_id = people.person_by_email(s, org.emails[Role.viewer]).id
    theirs = owner.post(f"/admin/users/{viewer_id}/password", data={"password": COMMON, "confirm": COMMON})
    assert theirs.status_code == 422 and "choose a harder password" in theirs.text
    added = owner.post(
        "/admin/users/new",
        data={"name": "Ada", "email": "ada@example.com", "role": "viewer", "password": "short"},
    )
    assert added.status_code == 422 and "use at least 12 characters" in added.text
    with db.session() as s:
        assert people.get_person(s, viewer_id).password_hash is None
        assert sign_in.authenticate_password(s, org.emails[Role.practice_owner], OWNER_PASSWORD) is not None


def test_cli_refuses_a_weak_password_in_one_line(
    capsys: pytest.CaptureFixture[str], local_env: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert main(["db", "upgrade"]) == 0
    capsys.readouterr()
    for weak, reason in (("short", "use at least 12 characters"), (COMMON, "choose a harder password")):
        monkeypatch.setattr("sys.stdin", io.StringIO(weak + "\n"))
        code = main(["user", "create", "--email", "kim@example.com", "--name", "Kim", "--password-stdin"])
        err = capsys.readouterr().err
        assert code == 2 and err.startswith("error: password: ") and reason in err
        assert len(err.strip().splitlines()) == 1 and "Traceback" not in err
    monkeypatch.setattr("sys.stdin", io.StringIO(STRONG + "\n"))
    assert main(["user", "create", "--email", "kim@example.com", "--name", "Kim", "--password-stdin"]) == 0
