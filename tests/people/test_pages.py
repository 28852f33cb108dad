"""Administration pages (/admin, practice owners only); /account is in test_account_pages.py."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API
from failwell.db import Database
from failwell.enums import Role
from failwell.failures.models import SeverityLevel
from failwell.people import service as people
from failwell.people import sign_in
from failwell.people.models import ApiToken, OrgSetting, Person
from failwell.reviews import template
from failwell.reviews.models import FactorCategory
from support import Org

if TYPE_CHECKING:  # only for types: tests/e2e/conftest.py may hold the name 'conftest' at runtime
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
OWNER_PASSWORD = "correct horse battery"


def _person_id(db: Database, email: str) -> int:
    with db.session() as s:
        return people.person_by_email(s, email).id


def _category_id(db: Database) -> int:
    with db.session() as s:
        found = s.scalar(select(FactorCategory.id).order_by(FactorCategory.id).limit(1))
        assert found is not None, "the migrations seed a factor taxonomy"
        return found


def _state(db: Database) -> dict[str, Any]:
    """Everything the administration pages can change, to prove a refusal changed nothing."""
    with db.session() as s:
        return {
            "people": s.execute(
                select(
                    Person.email, Person.name, Person.role, Person.is_active, Person.password_hash
                ).order_by(Person.id)
            ).all(),
            "teams": {p.email: [t.name for t in p.teams] for p in s.scalars(select(Person))},
            "tokens": s.execute(
                select(ApiToken.id, ApiToken.name, ApiToken.revoked_at).order_by(ApiToken.id)
            ).all(),
            "categories": s.execute(
                select(
                    FactorCategory.key,
                    FactorCategory.name,
                    FactorCategory.description,
                    FactorCategory.is_active,
                )
            ).all(),
            "severity": s.execute(
                select(SeverityLevel.level, SeverityLevel.name, SeverityLevel.description)
            ).all(),
            "settings": s.execute(select(OrgSetting.key, OrgSetting.value)).all(),
        }


def _token_id(db: Database, email: str) -> int:
    with db.session() as s:
        person = people.person_by_email(s, email)
        found = s.scalar(select(ApiToken.id).where(ApiToken.person_id == person.id).limit(1))
        assert found is not None
        return found


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


def _admin_requests(db: Database, org: Org) -> list[tuple[str, str, dict[str, Any]]]:
    viewer_id = _person_id(db, org.emails[Role.viewer])
    category = _category_id(db)
    token = _token_id(db, org.emails[Role.practice_owner])
    gets = [
        "/admin",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{viewer_id}",
        "/admin/tokens",
        "/admin/factors",
        f"/admin/factors/{category}",
        "/admin/severity",
        "/admin/review-template",
    ]
    posts: list[tuple[str, dict[str, Any]]] = [
        ("/admin/users/new", {"name": "Mallory", "email": "mallory@example.com", "role": "practice_owner"}),
        ("/admin/users/new", {"name": "", "email": "not an e-mail"}),  # a 422 would leak the form
        (
            f"/admin/users/{viewer_id}",
            {"name": "Viewer", "email": org.emails[Role.viewer], "role": "practice_owner"},
        ),
        (f"/admin/users/{viewer_id}/access", {"is_active": "false"}),
        (f"/admin/users/{viewer_id}/password", {"password": "taken over!", "confirm": "taken over!"}),
        ("/admin/tokens", {"person": org.emails[Role.practice_owner], "name": "stolen"}),
        (f"/admin/tokens/{token}/revoke", {}),
        ("/admin/factors", {"key": "blame", "name": "Blame", "position": "1"}),
        (f"/admin/factors/{category}", {"name": "Renamed", "description": ""}),
        (f"/admin/factors/{category}/active", {"is_active": "false"}),
        ("/admin/severity", {"name_1": "Meh", "description_1": ""}),
        ("/admin/review-template", {"template": "Find who did it."}),
        ("/admin/review-template/preview", {"template": "# hi"}),
    ]
    return [("GET", url, {}) for url in gets] + [("POST", url, data) for url, data in posts]


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


# ---- API tokens ----------------------------------------------------------------------------


def test_an_owner_creates_a_token_shown_once_then_revokes_it(
    pages: Pages, org: Org, db: Database, client: TestClient
) -> None:
    owner = pages(Role.practice_owner)
    r = owner.post("/admin/tokens", data={"person": org.emails[Role.practitioner], "name": "deploy pipeline"})
    assert r.status_code == 303 and r.headers["location"] == "/admin/tokens"  # a reload cannot re-create
    handed = r.headers["set-cookie"].lower()
    assert "httponly" in handed and "samesite=strict" in handed and "path=/admin/tokens" in handed
    shown = owner.get("/admin/tokens")
    assert shown.headers["cache-control"] == "no-store"
    secret = re.search(r'id="new-token" type="text" readonly value="(fw_[^"]+)"', shown.text)
    assert secret, shown.text
    token = secret.group(1)
    assert "shown only this once" in shown.text
    assert 'fw_new_token=""' in shown.headers["set-cookie"]  # and forgotten at once
    me = client.get(f"{API}/people/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200 and me.json()["email"] == org.emails[Role.practitioner]
    reload = owner.get("/admin/tokens")
    assert token not in reload.text and token[:10] in reload.text
    assert "deploy pipeline<br>" in reload.text
    with db.session() as s:
        tid = s.scalar(select(ApiToken.id).where(ApiToken.name == "deploy pipeline"))
    assert owner.post(f"/admin/tokens/{tid}/revoke").status_code == 303
    assert client.get(f"{API}/people/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    listed = owner.get("/admin/tokens")
    assert "Revoked" in listed.text
    active = owner.get("/admin/tokens?active=true")
    assert "deploy pipeline<br>" not in active.text


def test_bad_token_input_says_why(pages: Pages, db: Database) -> None:
    owner = pages(Role.practice_owner)
    before = _state(db)
    r = owner.post("/admin/tokens", data={"person": "nobody@example.com", "name": "x"})
    assert r.status_code == 422 and "unknown person" in r.text and 'value="nobody@example.com"' in r.text
    r = owner.post("/admin/tokens", data={"person": "nobody", "name": "", "expires_in_days": "0"})
    assert r.status_code == 422
    for name in ("person", "name", "expires_in_days"):
        assert f'id="{name}-error"' in r.text
    assert _state(db) == before


# ---- factor taxonomy -----------------------------------------------------------------------


def test_an_owner_edits_the_factor_taxonomy(pages: Pages, db: Database) -> None:
    owner = pages(Role.practice_owner)
    r = owner.post(
        "/admin/factors",
        data={
            "key": "alert_fatigue",
            "name": "Alert fatigue",
            "description": "Too many pages",
            "position": "5",
        },
    )
    assert r.status_code == 303 and r.headers["location"] == "/admin/factors"
    with db.session() as s:
        cat = s.scalar(select(FactorCategory).where(FactorCategory.key == "alert_fatigue"))
        assert cat is not None and cat.is_active
        cid = cat.id
    dup = owner.post("/admin/factors", data={"key": "alert_fatigue", "name": "Again"})
    assert dup.status_code == 409 and 'id="key-error"' in dup.text and 'value="Again"' in dup.text
    bad = owner.post("/admin/factors", data={"key": "Has spaces!", "name": ""})
    assert bad.status_code == 422
    assert "lower-case letters" in bad.text and 'id="name-error"' in bad.text
    edit = owner.post(
        f"/admin/factors/{cid}", data={"name": "Alerting noise", "description": "", "position": "7"}
    )
    assert edit.status_code == 303
    blank = owner.post(f"/admin/factors/{cid}", data={"name": " ", "description": "kept?"})
    assert blank.status_code == 422 and 'value="kept?"' not in blank.text and "kept?" in blank.text
    assert owner.post(f"/admin/factors/{cid}/active", data={"is_active": "false"}).status_code == 303
    listing = owner.get("/admin/factors")
    row = listing.text.split('<tr class="adm-retired">')[1].split("</tr>")[0]
    assert "Alerting noise" in row and "Retired" in row and "Restore Alerting noise" in row
    assert owner.post(f"/admin/factors/{cid}/active", data={"is_active": "true"}).status_code == 303
    with db.session() as s:
        cat = s.get(FactorCategory, cid)
        assert cat is not None
        assert (cat.name, cat.description, cat.position, cat.is_active) == ("Alerting noise", "", 7, True)
    assert owner.get("/admin/factors/999999").status_code == 404


# ---- severity scale and review template ----------------------------------------------------


def test_an_owner_edits_the_severity_scale_all_or_nothing(pages: Pages, db: Database) -> None:
    owner = pages(Role.practice_owner)
    page = owner.get("/admin/severity")
    values = dict(re.findall(r'name="(name_\d)"\s+type="text"\s+value="([^"]*)"', page.text))
    assert len(values) >= 3, page.text
    before = _state(db)
    bad = owner.post(
        "/admin/severity", data={"name_1": "Meltdown", "description_1": "Everything", "name_2": " "}
    )
    assert bad.status_code == 422 and 'id="name_2-error"' in bad.text and 'value="Meltdown"' in bad.text
    assert _state(db) == before
    ok = owner.post("/admin/severity", data={"name_1": "Meltdown", "description_1": "Everyone is affected"})
    assert ok.status_code == 303
    with db.session() as s:
        level = s.get(SeverityLevel, 1)
        assert level is not None and (level.name, level.description) == ("Meltdown", "Everyone is affected")


def test_an_owner_edits_the_review_template_with_a_preview(pages: Pages, db: Database) -> None:
    owner = pages(Role.practice_owner)
    page = owner.get("/admin/review-template")
    assert "Contributing factors" in page.text  # the default text, rendered and in the textarea
    hostile = "# Our template\n\n<script>alert(1)</script>\n\n[x](javascript:alert(2))"
    preview = owner.post(
        "/admin/review-template/preview", data={"template": hostile}, headers={"HX-Request": "true"}
    )
    assert preview.status_code == 200
    assert "<h1>Our template</h1>" in preview.text
    assert "<script>" not in preview.text and 'href="javascript:' not in preview.text
    shown = owner.post("/admin/review-template", data={"template": "Just *this*", "preview": "1"})
    assert shown.status_code == 200 and "<em>this</em>" in shown.text and "not saved yet" in shown.text
    with db.session() as s:
        assert template.review_template(s) == template.DEFAULT_TEMPLATE
    saved = owner.post("/admin/review-template", data={"template": "Tell the story of the system."})
    assert saved.status_code == 303
    with db.session() as s:
        assert template.review_template(s) == "Tell the story of the system."
    too_long = owner.post("/admin/review-template", data={"template": "x" * 20_001})
    assert too_long.status_code == 422 and 'id="template-error"' in too_long.text
    restored = owner.post("/admin/review-template", data={"template": "", "restore": "1"})
    assert restored.status_code == 200 and "Contributing factors" in restored.text
    with db.session() as s:
        assert template.review_template(s) == "Tell the story of the system."
