"""Administration pages for users and roles (/admin/users, practice owners only): adding a
person, the users list, changing role and teams, the last practice owner, deactivating and
reactivating, and setting a password."""

from __future__ import annotations

import re

from failwell.db import Database
from failwell.enums import Role
from failwell.people import service as people
from failwell.people import sign_in
from people.helpers import Pages, _person_id, _state
from support import Org

# ---- users and roles -----------------------------------------------------------------------


def test_an_owner_adds_a_person_who_can_then_sign_in(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    r = owner.post(
        "/admin/users/new",
        data={
            "name": "  Ada Lovelace ",
            "email": "Ada@Example.com",
            "role": "practice_manager",
            "teams": ["payments-team", "platform"],
            "password": "analytical engine",
        },
    )
    assert r.status_code == 303, r.text
    assert re.fullmatch(r"/admin/users/\d+", r.headers["location"])
    with db.session() as s:
        ada = people.person_by_email(s, "ada@example.com")
        assert (ada.name, ada.role, [t.name for t in ada.teams]) == (
            "Ada Lovelace",
            Role.practice_manager,
            ["payments-team", "platform"],
        )
        assert sign_in.authenticate_password(s, "ada@example.com", "analytical engine") is not None
    page = owner.get(r.headers["location"])
    assert "Ada Lovelace" in page.text and "Can sign in" in page.text
    assert "analytical engine" not in page.text
    found = owner.get("/admin/users?q=lovelace")
    assert "ada@example.com" in found.text and org.emails[Role.viewer] not in found.text
    by_role = owner.get("/admin/users?role=viewer")
    assert org.emails[Role.viewer] in by_role.text and "ada@example.com" not in by_role.text
    by_team = owner.get("/admin/users?team=platform")
    assert "ada@example.com" in by_team.text and org.emails[Role.viewer] not in by_team.text


def test_the_users_list_explains_roles_and_paginates(pages: Pages, db: Database) -> None:
    owner = pages(Role.practice_owner)
    page = owner.get("/admin/users?limit=2")
    assert page.status_code == 200
    for role in ("Practice owner", "Practice manager", "Practitioner", "Viewer"):
        assert f"<dt>{role}</dt>" in page.text
    assert "Showing 1\u20132 of 4" in page.text
    assert 'rel="next" href="/admin/users?offset=2&limit=2"' in page.text
    second = owner.get("/admin/users?offset=2&limit=2")
    assert "Showing 3\u20134 of 4" in second.text
    bad = owner.get("/admin/users?role=emperor&team=nowhere")
    assert bad.status_code == 422
    assert "field-error" in bad.text


def test_bad_new_person_comes_back_with_input_and_nothing_saved(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    before = _state(db)
    r = owner.post(
        "/admin/users/new",
        data={
            "name": "Grace",
            "email": "not-an-email",
            "role": "viewer",
            "teams": ["platform"],
            "password": "short",
        },
    )
    assert r.status_code == 422
    assert 'value="Grace"' in r.text and 'value="not-an-email"' in r.text
    assert 'id="email-error"' in r.text and 'id="password-error"' in r.text
    assert re.search(r'value="viewer"[^>]*checked', r.text)
    assert re.search(r'value="platform"[^>]*checked', r.text)
    assert 'value="short"' not in r.text  # a password is never written back
    dup = owner.post(
        "/admin/users/new",
        data={
            "name": "Twin",
            "email": org.emails[Role.viewer],
            "role": "viewer",
            "password": "long enough pw",
        },
    )
    assert dup.status_code == 409
    assert "already exists" in dup.text and 'id="email-error"' in dup.text
    assert 'value="Twin"' in dup.text and "long enough pw" not in dup.text
    assert _state(db) == before


def test_an_owner_changes_role_and_teams(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    pid = _person_id(db, org.emails[Role.viewer])
    r = owner.post(
        f"/admin/users/{pid}",
        data={
            "name": "Vera Viewer",
            "email": org.emails[Role.viewer],
            "role": "practitioner",
            "teams": ["platform"],
        },
    )
    assert r.status_code == 303 and r.headers["location"] == f"/admin/users/{pid}"
    with db.session() as s:
        vera = people.get_person(s, pid)
        assert (vera.name, vera.role, [t.name for t in vera.teams]) == (
            "Vera Viewer",
            Role.practitioner,
            ["platform"],
        )
    # No teams ticked means no teams.
    r = owner.post(
        f"/admin/users/{pid}",
        data={"name": "Vera Viewer", "email": org.emails[Role.viewer], "role": "viewer"},
    )
    assert r.status_code == 303
    with db.session() as s:
        assert people.get_person(s, pid).teams == []
    bad = owner.post(
        f"/admin/users/{pid}", data={"name": "", "email": org.emails[Role.viewer], "role": "viewer"}
    )
    assert bad.status_code == 422 and 'id="name-error"' in bad.text


def test_the_last_practice_owner_cannot_step_down(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    me = _person_id(db, org.emails[Role.practice_owner])
    before = _state(db)
    r = owner.post(
        f"/admin/users/{me}",
        data={"name": "Practice Owner", "email": org.emails[Role.practice_owner], "role": "viewer"},
    )
    assert r.status_code == 409
    assert "no active practice owner" in r.text
    assert _state(db) == before
    # With a second owner, stepping down works and lands on the account page.
    other = _person_id(db, org.emails[Role.practice_manager])
    owner.post(
        f"/admin/users/{other}",
        data={"name": "Manager", "email": org.emails[Role.practice_manager], "role": "practice_owner"},
    )
    r = owner.post(
        f"/admin/users/{me}",
        data={"name": "Practice Owner", "email": org.emails[Role.practice_owner], "role": "viewer"},
    )
    assert r.status_code == 303 and r.headers["location"] == "/account"
    assert owner.get("/admin").status_code == 403  # the change applies at once


def test_deactivate_and_reactivate(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    viewer = pages(Role.viewer)
    assert viewer.get("/account").status_code == 200
    pid = _person_id(db, org.emails[Role.viewer])
    r = owner.post(f"/admin/users/{pid}/access", data={"is_active": "false"})
    assert r.status_code == 303
    assert viewer.get("/account").status_code == 303  # signed out at once
    page = owner.get(f"/admin/users/{pid}")
    assert "Deactivated" in page.text and "Reactivate" in page.text
    assert owner.post(f"/admin/users/{pid}/access", data={"is_active": "true"}).status_code == 303
    with db.session() as s:
        assert people.get_person(s, pid).is_active
    me = _person_id(db, org.emails[Role.practice_owner])
    assert "You cannot deactivate yourself" in owner.get(f"/admin/users/{me}").text
    refused = owner.post(f"/admin/users/{me}/access", data={"is_active": "false"})
    assert refused.status_code == 409
    with db.session() as s:
        assert people.get_person(s, me).is_active


def test_an_owner_sets_a_password(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    viewer = pages(Role.viewer)
    pid = _person_id(db, org.emails[Role.viewer])
    mismatch = owner.post(
        f"/admin/users/{pid}/password", data={"password": "new secret 1", "confirm": "new secret 2"}
    )
    assert mismatch.status_code == 422
    assert "does not match" in mismatch.text and "new secret" not in mismatch.text
    short = owner.post(f"/admin/users/{pid}/password", data={"password": "short", "confirm": "short"})
    assert short.status_code == 422 and "at least 12 characters" in short.text
    with db.session() as s:
        assert people.get_person(s, pid).password_hash is None
    ok = owner.post(
        f"/admin/users/{pid}/password", data={"password": "new secret 1", "confirm": "new secret 1"}
    )
    assert ok.status_code == 303
    with db.session() as s:
        assert sign_in.authenticate_password(s, org.emails[Role.viewer], "new secret 1") is not None
    assert viewer.get("/account").status_code == 303  # their other sessions end
    assert owner.get("/admin").status_code == 200
