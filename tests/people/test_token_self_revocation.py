"""Revoking the token a request (or the CLI) is using needs saying so: an accident locks you out."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API, assert_problem
from failwell.cli import main
from failwell.db import Database
from failwell.enums import Role
from failwell.people import tokens
from failwell.people.models import ApiToken
from failwell.people.schemas import TokenIn
from failwell.people.security import hash_token
from support import Org


def _token_id(db: Database, secret: str) -> int:
    with db.session(write=False) as s:
        return s.scalars(select(ApiToken.id).where(ApiToken.token_hash == hash_token(secret))).one()


def test_api_refuses_revoking_the_token_in_use_unless_confirmed(
    client: TestClient, org: Org, db: Database
) -> None:
    r = client.post(f"{API}/tokens", headers=org.headers(Role.practitioner), json={"name": "laptop"})
    assert r.status_code == 201, r.text
    secret, token_id = r.json()["token"], r.json()["id"]
    itself = {"Authorization": f"Bearer {secret}"}

    refused = assert_problem(client.delete(f"{API}/tokens/{token_id}", headers=itself), 409)
    assert "confirm_self=true" in refused["detail"] and secret[:10] in refused["detail"]
    assert client.get(f"{API}/people/me", headers=itself).status_code == 200  # still works
    with db.session(write=False) as s:
        assert s.get(ApiToken, token_id).revoked_at is None  # type: ignore[union-attr]

    # A false confirm_self is no confirmation.
    assert_problem(client.delete(f"{API}/tokens/{token_id}?confirm_self=false", headers=itself), 409)

    # Another token of the same person revokes it without ceremony...
    other = client.post(f"{API}/tokens", headers=itself, json={"name": "spare"}).json()
    r = client.delete(f"{API}/tokens/{other['id']}", headers=itself)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None

    # ...and the token itself goes when the caller says so.
    r = client.delete(f"{API}/tokens/{token_id}?confirm_self=true", headers=itself)
    assert r.status_code == 200 and r.json()["revoked_at"] is not None
    assert_problem(client.get(f"{API}/people/me", headers=itself), 401)


def test_owner_revoking_others_tokens_is_not_self_revocation(client: TestClient, org: Org) -> None:
    created = client.post(f"{API}/tokens", headers=org.headers(Role.viewer), json={"name": "x"}).json()
    r = client.delete(f"{API}/tokens/{created['id']}", headers=org.headers())
    assert r.status_code == 200 and r.json()["revoked_at"] is not None


def test_service_compares_the_secret_not_the_person(org: Org, db: Database) -> None:
    actor = org.actors[Role.practitioner]
    with db.session() as s:
        token, secret = tokens.create_token(s, actor, TokenIn(name="a"))
        token_id = token.id
    with pytest.raises(tokens.RevokingOwnToken), db.session() as s:
        tokens.revoke_token(s, actor, token_id, using_token=secret)
    with db.session() as s:  # without a token in use (pages, the system) nothing is asked
        assert tokens.revoke_token(s, actor, token_id).revoked_at is not None


def test_cli_refuses_the_token_in_failwell_token(
    capsys: pytest.CaptureFixture[str], local_env: str, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    db = Database(local_env)
    try:
        assert main(["token", "create", "--user", org.emails[Role.viewer], "--name", "ci"]) == 0
        secret = capsys.readouterr().out.strip().splitlines()[-1]
        token_id = _token_id(db, secret)

        monkeypatch.setenv("FAILWELL_TOKEN", secret)
        assert main(["token", "revoke", str(token_id)]) == 1
        err = capsys.readouterr().err.strip()
        assert len(err.splitlines()) == 1 and "--yes-revoke-this-token" in err
        with db.session(write=False) as s:
            assert s.get(ApiToken, token_id).revoked_at is None  # type: ignore[union-attr]

        assert main(["token", "revoke", str(token_id), "--yes-revoke-this-token"]) == 0
        capsys.readouterr()
        with db.session(write=False) as s:
            assert s.get(ApiToken, token_id).revoked_at is not None  # type: ignore[union-attr]

        # A different FAILWELL_TOKEN: no question asked.
        assert main(["token", "create", "--user", org.emails[Role.viewer], "--name", "ci2"]) == 0
        other_id = _token_id(db, capsys.readouterr().out.strip().splitlines()[-1])
        assert main(["token", "revoke", str(other_id)]) == 0
    finally:
        db.dispose()
