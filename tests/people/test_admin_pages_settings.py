"""Administration pages for API tokens and the organisation's settings (practice owners only):
tokens shown once and revoked, the factor taxonomy, the severity scale and the review template."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select

from factories import API
from failwell.db import Database
from failwell.enums import Role
from failwell.failures.models import SeverityLevel
from failwell.people.models import ApiToken
from failwell.reviews import template
from failwell.reviews.models import FactorCategory
from people.helpers import Pages, _state
from support import Org

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
