"""The mapping rules through the API and /admin/sso, for practice owners only; and single sign-on
switched off by default."""

from __future__ import annotations

from collections.abc import Callable

from fastapi.testclient import TestClient

from failwell.enums import Role
from support import Org, PageClient

RULES = "/api/v1/sso/rules"


def test_owners_manage_rules_through_the_api(client: TestClient, org: Org) -> None:
    rule = {"claim": "groups", "value": "sre-leads", "role": "practice_manager", "team": org.team}
    made = client.post(RULES, json=rule, headers=org.headers())
    assert made.status_code == 201, made.text
    assert made.json()["team"] == org.team
    assert client.post(RULES, json=rule, headers=org.headers()).status_code == 409
    listed = client.get(RULES, headers=org.headers()).json()
    assert [(r["claim"], r["value"], r["role"]) for r in listed] == [
        ("groups", "sre-leads", "practice_manager")
    ]
    assert client.delete(f"{RULES}/{made.json()['id']}", headers=org.headers()).status_code == 204
    assert client.delete(f"{RULES}/{made.json()['id']}", headers=org.headers()).status_code == 404


def test_rules_refuse_bad_input_naming_the_field(client: TestClient, org: Org) -> None:
    nothing = client.post(RULES, json={"claim": "groups", "value": "x"}, headers=org.headers())
    assert nothing.status_code == 422
    assert "a role, a team or both" in nothing.text
    unknown_team = client.post(
        RULES, json={"claim": "groups", "value": "x", "team": "nope"}, headers=org.headers()
    )
    assert unknown_team.status_code == 422
    assert unknown_team.json()["errors"][0]["field"] == "team"
    bad_claim = client.post(
        RULES, json={"claim": "has space", "value": "x", "role": "viewer"}, headers=org.headers()
    )
    assert bad_claim.status_code == 422
    assert client.get(RULES, headers=org.headers()).json() == []


def test_only_practice_owners_see_or_change_the_set_up(client: TestClient, org: Org) -> None:
    manager = org.headers(Role.practice_manager)
    assert client.get(RULES, headers=manager).status_code == 403
    assert client.get("/api/v1/sso", headers=manager).status_code == 403
    rule = {"claim": "groups", "value": "x", "role": "practice_owner"}
    assert client.post(RULES, json=rule, headers=manager).status_code == 403
    status = client.get("/api/v1/sso", headers=org.headers()).json()
    assert status["enabled"] is False
    assert status["redirect_uri"].endswith("/sign-in/sso/callback")
    assert status["password_sign_in"] is True


def test_without_an_issuer_there_is_no_sign_on(client: TestClient) -> None:
    assert "Sign in with" not in client.get("/sign-in").text
    off = client.get("/sign-in/sso", follow_redirects=False)
    assert off.status_code == 404
    assert "not set up" in off.text


def test_the_rules_page_adds_and_removes_rules(pages: Callable[[Role], PageClient], org: Org) -> None:
    owner = pages(Role.practice_owner)
    page = owner.get("/admin/sso")
    assert page.status_code == 200
    assert "Single sign-on is off" in page.text
    wrong = owner.post("/admin/sso/rules", {"claim": "groups", "value": "sre", "role": "", "team": ""})
    assert wrong.status_code == 422
    assert "a rule gives a role, a team or both" in wrong.text
    added = owner.post(
        "/admin/sso/rules", {"claim": "groups", "value": "sre", "role": "practitioner", "team": ""}
    )
    assert added.status_code == 303
    listed = owner.get("/admin/sso").text
    assert "<code>sre</code>" in listed
    rule_id = listed.split("/admin/sso/rules/", 1)[1].split("/", 1)[0]
    assert owner.post(f"/admin/sso/rules/{rule_id}/delete").status_code == 303
    assert "No rules" in owner.get("/admin/sso").text


def test_the_rules_page_is_for_practice_owners(pages: Callable[[Role], PageClient]) -> None:
    manager = pages(Role.practice_manager)
    assert manager.get("/admin/sso").status_code == 403
    refused = manager.post("/admin/sso/rules", {"claim": "groups", "value": "x", "role": "practice_owner"})
    assert refused.status_code == 403
