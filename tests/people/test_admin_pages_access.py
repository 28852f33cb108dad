"""Administration pages (/admin, practice owners only): who may administer.

Every page renders for a practice owner and every form carries the session's CSRF token; other
roles, and forms posted without the token, are refused and change nothing. Users and roles are
in test_admin_pages_users.py, tokens and the organisation's settings in
test_admin_pages_settings.py; /account is in test_account_pages.py.
"""

from __future__ import annotations

import re

import pytest

from failwell.db import Database
from failwell.enums import Role
from people.helpers import OWNER_PASSWORD, Pages, _admin_requests, _category_id, _person_id, _state
from support import Org

# ---- who may administer ---------------------------------------------------------------------


def test_every_admin_page_renders_for_a_practice_owner(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    viewer_id = _person_id(db, org.emails[Role.viewer])
    expected = {
        "/admin": "Administration",
        "/admin/users": "Users and roles",
        "/admin/users/new": "Add a person",
        f"/admin/users/{viewer_id}": "Viewer",
        "/admin/tokens": "API tokens",
        "/admin/factors": "Factor taxonomy",
        f"/admin/factors/{_category_id(db)}": "Edit",
        "/admin/severity": "Severity scale",
        "/admin/review-template": "Review template",
        "/account": "My account",
    }
    for url, heading in expected.items():
        r = owner.get(url)
        assert r.status_code == 200, (url, r.text[:500])
        assert re.search(r"<h1>[^<]*" + re.escape(heading), r.text), url
    home = owner.get("/")
    assert 'href="/admin"' in home.text


def test_every_form_carries_the_session_csrf_token(pages: Pages, org: Org, db: Database) -> None:
    """The page tests post the token themselves; a browser posts what the page rendered."""
    owner = pages(Role.practice_owner)
    owner.post("/admin/tokens", data={"person": org.emails[Role.viewer], "name": "to revoke"})
    urls = [url for method, url, _ in _admin_requests(db, org) if method == "GET"] + ["/account"]
    for url in urls:
        text = owner.get(url).text
        forms = re.findall(r'<form method="post"', text)
        tokens = re.findall(r'name="csrf_token" value="([^"]*)"', text)
        # Every POST form on the page (sign-out in the header among them).
        assert len(tokens) == len(forms) >= 1, url
        assert set(tokens) == {owner.csrf}, url


@pytest.mark.parametrize("role", [Role.practice_manager, Role.practitioner, Role.viewer])
def test_only_practice_owners_may_administer(pages: Pages, org: Org, db: Database, role: Role) -> None:
    me = pages(role)
    before = _state(db)
    for method, url, data in _admin_requests(db, org):
        r = me.get(url) if method == "GET" else me.post(url, data=data)
        assert r.status_code == 403, (method, url, r.status_code)
        assert "needs the role of a practice owner" in r.text, (method, url)
    assert _state(db) == before
    assert 'href="/admin"' not in me.get("/").text


def test_admin_forms_without_the_csrf_token_are_refused(pages: Pages, org: Org, db: Database) -> None:
    owner = pages(Role.practice_owner)
    before = _state(db)
    for method, url, data in _admin_requests(db, org):
        if method == "POST":
            r = owner.http.post(url, data=data)  # no csrf_token
            assert r.status_code == 403, url
            assert "Form expired" in r.text, url
    for url, data in [
        ("/account/password", {"current_password": OWNER_PASSWORD, "new_password": "x" * 10}),
        ("/account/tokens", {"name": "no csrf"}),
    ]:
        r = owner.http.post(url, data=data)
        assert r.status_code == 403 and "Form expired" in r.text
    wrong = owner.http.post("/admin/factors", data={"csrf_token": "forged", "key": "x", "name": "X"})
    assert wrong.status_code == 403
    assert _state(db) == before
