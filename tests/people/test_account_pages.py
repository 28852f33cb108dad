"""Everyone's account page (/account): profile, password and own API tokens."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from factories import API
from failwell.db import Database
from failwell.enums import Role
from failwell.errors import InvalidInput
from failwell.people import service as people
from failwell.people import sign_in
from failwell.people.models import ApiToken, Person, WebSession
from failwell.people.security import hash_password
from support import Org

if TYPE_CHECKING:  # only for types: tests/e2e/conftest.py may hold the name 'conftest' at runtime
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
OWNER_PASSWORD = "correct horse battery"


def _token_id(db: Database, email: str) -> int:
    with db.session() as s:
        person = people.person_by_email(s, email)
        found = s.scalar(select(ApiToken.id).where(ApiToken.person_id == person.id).limit(1))
        assert found is not None
        return found


def test_everyone_sees_their_own_account(pages: Pages, org: Org) -> None:
    viewer = pages(Role.viewer)
    page = viewer.get("/account")
    assert page.status_code == 200
    assert org.emails[Role.viewer] in page.text and "Viewer" in page.text and "payments-team" in page.text
    assert "changes nothing" in page.text  # the role's one-line explanation
    assert "tests" in page.text  # their token, by name
    assert "Ask a practice owner to set one" in page.text  # no password yet


def test_changing_my_password(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    elsewhere = pages(Role.practice_owner)
    wrong = owner.post(
        "/account/password",
        data={
            "current_password": "not it",
            "new_password": "a new password",
            "confirm_password": "a new password",
        },
    )
    assert wrong.status_code == 422
    assert "is not your current password" in wrong.text and 'id="current_password-error"' in wrong.text
    assert "not it" not in wrong.text and "a new password" not in wrong.text
    mismatch = owner.post(
        "/account/password",
        data={
            "current_password": OWNER_PASSWORD,
            "new_password": "a new password",
            "confirm_password": "typo",
        },
    )
    assert mismatch.status_code == 422 and 'id="confirm_password-error"' in mismatch.text
    empty = owner.post(
        "/account/password", data={"current_password": "", "new_password": "", "confirm_password": ""}
    )
    assert empty.status_code == 422 and "enter your current password" in empty.text
    with db.session() as s:
        assert sign_in.authenticate_password(s, org.emails[Role.practice_owner], OWNER_PASSWORD) is not None
    ok = owner.post(
        "/account/password",
        data={
            "current_password": OWNER_PASSWORD,
            "new_password": "a new password",
            "confirm_password": "a new password",
        },
    )
    assert ok.status_code == 303 and ok.headers["location"] == "/account"
    with db.session() as s:
        assert sign_in.authenticate_password(s, org.emails[Role.practice_owner], "a new password") is not None
    assert owner.get("/account").status_code == 200  # this session stays
    assert elsewhere.get("/account").status_code == 303  # the others end


def test_my_tokens_shown_once_and_revocable(pages: Pages, org: Org, db: Database, client: TestClient) -> None:
    viewer = pages(Role.viewer)
    r = viewer.post("/account/tokens", data={"name": "laptop CLI", "expires_in_days": "30"})
    assert r.status_code == 303 and r.headers["location"] == "/account"
    match = re.search(r'value="(fw_[^"]+)"', viewer.get("/account").text)
    assert match
    token = match.group(1)
    assert client.get(f"{API}/people/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    again = viewer.get("/account")
    assert token not in again.text and token[:10] in again.text and "laptop CLI" in again.text
    bad = viewer.post("/account/tokens", data={"name": " ", "expires_in_days": "-1"})
    assert (
        bad.status_code == 422 and 'id="name-error"' in bad.text and 'id="expires_in_days-error"' in bad.text
    )
    with db.session() as s:
        tid = s.scalar(select(ApiToken.id).where(ApiToken.name == "laptop CLI"))
    assert viewer.post(f"/account/tokens/{tid}/revoke").status_code == 303
    assert client.get(f"{API}/people/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    # Someone else's token cannot be revoked from /account, not even by a practice owner.
    others = _token_id(db, org.emails[Role.practitioner])
    assert pages(Role.practice_owner).post(f"/account/tokens/{others}/revoke").status_code == 404
    with db.session() as s:
        assert (
            s.scalar(select(func.count()).select_from(ApiToken).where(ApiToken.revoked_at.is_not(None))) == 1
        )
        assert s.scalar(select(func.count()).select_from(WebSession)) == 2


def test_the_once_only_display_shows_only_a_live_token_of_mine(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    viewer = pages(Role.viewer)
    owner.post("/account/tokens", data={"name": "mine"})
    owners_secret = owner.http.cookies.get("fw_new_token")
    assert owners_secret and owners_secret.startswith("fw_")
    viewer.http.cookies.set("fw_new_token", owners_secret, path="/account")
    assert owners_secret not in viewer.get("/account").text  # not the viewer's
    viewer.http.cookies.set("fw_new_token", "fw_made-up", path="/account")
    assert "fw_made-up" not in viewer.get("/account").text
    shown = owner.get("/account")
    assert owners_secret in shown.text
    assert owners_secret not in owner.get("/account").text


def test_a_password_changed_meanwhile_is_not_overwritten(org: Org, db: Database) -> None:
    """The page checks the current password outside the unit of work (argon2 is slow);
    the write then refuses if the stored hash is no longer the one that was checked."""
    owner = org.actors[Role.practice_owner]
    with db.session() as s:
        seen = sign_in.password_hash_of(s, owner.person_id)
    assert seen is not None
    with db.session() as s:
        sign_in.set_password(s, owner, owner.person_id, hash_password("changed elsewhere"))
    with pytest.raises(InvalidInput), db.session() as s:
        sign_in.change_own_password(s, owner, seen, hash_password("too late"))
    with db.session() as s:
        assert (
            sign_in.authenticate_password(s, org.emails[Role.practice_owner], "changed elsewhere") is not None
        )


def test_everyone_may_change_their_own_name_and_email(pages: Pages, org: Org, db: Database) -> None:
    me = pages(Role.viewer)
    page = me.get("/account")
    assert 'action="/account/profile"' in page.text
    saved = me.post(
        "/account/profile", data={"profile_name": "Vic Viewer", "profile_email": "Vic@Example.com"}
    )
    assert saved.status_code == 303 and saved.headers["location"] == "/account"
    with db.session() as s:
        person = s.get(Person, org.actors[Role.viewer].person_id)
        assert person is not None
        assert (person.name, person.email, person.role) == ("Vic Viewer", "vic@example.com", Role.viewer)


def test_a_bad_profile_keeps_the_input_and_changes_nothing(pages: Pages, org: Org, db: Database) -> None:
    me = pages(Role.practitioner)
    taken = org.emails[Role.viewer]
    refused = me.post("/account/profile", data={"profile_name": "New Name", "profile_email": taken})
    assert refused.status_code == 409
    assert "already exists" in refused.text
    assert 'value="New Name"' in refused.text
    blank = me.post("/account/profile", data={"profile_name": " ", "profile_email": "not-an-email"})
    assert blank.status_code == 422
    assert "enter your name" in blank.text and "enter an e-mail address" in blank.text
    with db.session() as s:
        person = s.get(Person, org.actors[Role.practitioner].person_id)
        assert person is not None
        assert person.email == org.emails[Role.practitioner] and person.name == "Practitioner"
    assert (
        me.http.post(
            "/account/profile", data={"profile_name": "X", "profile_email": "x@example.com"}
        ).status_code
        == 403
    )
