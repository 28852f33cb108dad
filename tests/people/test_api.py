"""Teams, people and API tokens through the HTTP API."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import update

from factories import API, assert_problem, counts, ids, make_team, page, parse_ts, person_id
from failwell import listing
from failwell.db import Database, utcnow
from failwell.enums import Role
from failwell.errors import PermissionDenied
from failwell.people import teams, tokens
from failwell.people.models import ApiToken
from failwell.people.schemas import TeamFilter, TeamIn, TokenIn
from support import Org


def test_team_create_read_update(client: TestClient, org: Org, db: Database) -> None:
    created = make_team(client, org, "  checkout  ", description="Owns the checkout flow")
    assert created["name"] == "checkout"  # names are trimmed
    assert created["description"] == "Owns the checkout flow"
    assert created["id"] > 0 and parse_ts(created["created_at"])

    got = client.get(f"{API}/teams/{created['id']}", headers=org.headers(Role.viewer))
    assert got.status_code == 200 and got.json() == created

    r = client.patch(
        f"{API}/teams/{created['id']}",
        headers=org.headers(Role.practice_manager),
        json={"name": "checkout-team"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["name"] == "checkout-team"
    assert r.json()["description"] == "Owns the checkout flow"  # untouched fields stay

    r = client.patch(f"{API}/teams/{created['id']}", headers=org.headers(), json={"description": ""})
    assert r.status_code == 200 and r.json()["description"] == ""
    again = client.get(f"{API}/teams/{created['id']}", headers=org.headers()).json()
    assert again["name"] == "checkout-team" and again["description"] == ""

    # Renaming onto another team's name is a conflict; renaming to its own name is not.
    r = client.patch(f"{API}/teams/{created['id']}", headers=org.headers(), json={"name": org.team})
    assert_problem(r, 409, "name")
    r = client.patch(f"{API}/teams/{created['id']}", headers=org.headers(), json={"name": "checkout-team"})
    assert r.status_code == 200

    assert_problem(client.get(f"{API}/teams/999999", headers=org.headers()), 404)

    # The service layer directly.
    before = counts(db)
    with pytest.raises(PermissionDenied), db.session() as s:
        teams.create_team(s, org.actors[Role.practitioner], TeamIn(name="rogue"))
    assert counts(db) == before
    with db.session() as s:
        team = teams.create_team(
            s, org.actors[Role.practice_manager], TeamIn(name="sre", description="on call")
        )
        assert team.id
    with db.session(write=False) as s:
        rows, total, exact = teams.list_teams(s, TeamFilter(q="on call"))
        assert [t.name for t in rows] == ["sre"] and (total, exact) == (1, True)
        token, secret = tokens.create_token(s, org.actors[Role.viewer], TokenIn(name="svc"))
        assert tokens.authenticate_token(s, secret) is not None
        assert tokens.authenticate_token(s, secret + "x") is None
        assert token.prefix == secret[:10]


def test_team_list_filter_sort_and_pagination(
    client: TestClient, org: Org, monkeypatch: pytest.MonkeyPatch
) -> None:
    for name, description in [("alpha", "first"), ("zulu", "last"), ("mike", "middle of the alphabet")]:
        make_team(client, org, name, description=description)

    everything = page(client, org, "/teams")
    names = [t["name"] for t in everything["items"]]
    assert names == sorted(names)  # default: by name
    assert set(names) == {"alpha", "mike", "platform", "payments-team", "zulu"}
    assert everything["total"] == 5 and everything["total_exact"] is True
    assert everything["limit"] == 50 and everything["offset"] == 0

    descending = [t["name"] for t in page(client, org, "/teams", sort="-name")["items"]]
    assert descending == sorted(names, reverse=True)
    by_created = [t["name"] for t in page(client, org, "/teams", sort="created_at")["items"]]
    assert by_created[:2] == ["payments-team", "platform"] and by_created[-1] == "mike"

    # q looks in the name and the description, case-insensitively.
    assert [t["name"] for t in page(client, org, "/teams", q="ALPHABET")["items"]] == ["mike"]
    assert [t["name"] for t in page(client, org, "/teams", q="plat")["items"]] == ["platform"]
    assert page(client, org, "/teams", q="no such text")["total"] == 0

    first = page(client, org, "/teams", limit=2)
    second = page(client, org, "/teams", limit=2, offset=2)
    third = page(client, org, "/teams", limit=2, offset=4)
    beyond = page(client, org, "/teams", limit=2, offset=10)
    assert [len(p["items"]) for p in (first, second, third, beyond)] == [2, 2, 1, 0]
    assert {p["total"] for p in (first, second, third, beyond)} == {5}
    assert ids(first) + ids(second) + ids(third) == ids(everything)
    assert (second["limit"], second["offset"]) == (2, 2)

    r = client.get(f"{API}/teams", headers=org.headers(), params={"sort": "colour"})
    assert_problem(r, 422, "sort")
    assert_problem(client.get(f"{API}/teams", headers=org.headers(), params={"limit": 501}), 422, "limit")
    assert_problem(client.get(f"{API}/teams", headers=org.headers(), params={"offset": -1}), 422, "offset")

    # Beyond the count cap, totals are capped and flagged inexact.
    monkeypatch.setattr(listing, "COUNT_CAP", 3)
    capped = page(client, org, "/teams", limit=1)
    assert capped["total"] == 3 and capped["total_exact"] is False
    assert len(capped["items"]) == 1
    exact = page(client, org, "/teams", limit=1, q="m")  # mike, payments-team, platform: at the cap
    assert exact["total"] == 3 and exact["total_exact"] is True


def test_people_create_read_update_list(client: TestClient, org: Org) -> None:
    r = client.post(
        f"{API}/people",
        headers=org.headers(),
        json={
            "name": "Ada Lovelace",
            "email": "  Ada@Example.COM ",
            "role": "practice_manager",
            "teams": ["platform", "payments-team", "platform"],
        },
    )
    assert r.status_code == 201, r.text
    ada = r.json()
    assert ada["email"] == "ada@example.com"  # trimmed and lower-cased
    assert ada["role"] == "practice_manager" and ada["is_active"] is True
    assert ada["can_sign_in"] is False  # no password
    assert sorted(ada["teams"]) == ["payments-team", "platform"]  # deduplicated
    assert "password" not in ada and "password_hash" not in ada

    got = client.get(f"{API}/people/{ada['id']}", headers=org.headers(Role.viewer))
    assert got.status_code == 200
    assert got.json()["teams"] == ["payments-team", "platform"]
    assert {k: v for k, v in got.json().items() if k != "teams"} == {
        k: v for k, v in ada.items() if k != "teams"
    }

    me = client.get(f"{API}/people/me", headers=org.headers(Role.practitioner)).json()
    assert me["email"] == org.emails[Role.practitioner] and me["role"] == "practitioner"
    owner = client.get(f"{API}/people/me", headers=org.headers()).json()
    assert owner["can_sign_in"] is True

    r = client.patch(
        f"{API}/people/{ada['id']}",
        headers=org.headers(),
        json={"role": "viewer", "teams": ["platform"], "password": "long enough pw"},
    )
    assert r.status_code == 200, r.text
    assert (r.json()["role"], r.json()["teams"], r.json()["can_sign_in"]) == ("viewer", ["platform"], True)

    # Anyone may change their own name; the read-back shows it.
    r = client.patch(f"{API}/people/{me['id']}", headers=org.headers(Role.practitioner), json={"name": "Pat"})
    assert r.status_code == 200 and r.json()["name"] == "Pat"
    assert client.get(f"{API}/people/me", headers=org.headers(Role.practitioner)).json()["name"] == "Pat"

    assert_problem(
        client.post(
            f"{API}/people", headers=org.headers(), json={"name": "Ada again", "email": "ADA@example.com"}
        ),
        409,
        "email",
    )
    assert_problem(
        client.post(
            f"{API}/people",
            headers=org.headers(),
            json={"name": "Bob", "email": "bob@example.com", "teams": ["nope"]},
        ),
        422,
        "teams[0]",
    )
    assert_problem(
        client.post(f"{API}/people", headers=org.headers(), json={"name": "Bob", "email": "not-an-email"}),
        422,
        "email",
    )
    assert_problem(client.get(f"{API}/people/999999", headers=org.headers()), 404)

    # Filters: team, role, q; sort.
    everyone = page(client, org, "/people")
    assert everyone["total"] == 5
    names = [p["name"] for p in everyone["items"]]
    assert names == sorted(names)
    platform = page(client, org, "/people", team="platform")
    assert [p["name"] for p in platform["items"]] == ["Ada Lovelace"]
    assert page(client, org, "/people", team="payments-team")["total"] == 4
    viewers = page(client, org, "/people", role="viewer")
    assert sorted(p["name"] for p in viewers["items"]) == ["Ada Lovelace", "Viewer"]
    assert [p["name"] for p in page(client, org, "/people", q="ADA@")["items"]] == ["Ada Lovelace"]
    assert [p["name"] for p in page(client, org, "/people", q="manager")["items"]] == ["Practice Manager"]
    by_email = [p["email"] for p in page(client, org, "/people", sort="-email")["items"]]
    assert by_email == sorted(by_email, reverse=True)
    assert_problem(client.get(f"{API}/people", headers=org.headers(), params={"team": "nope"}), 422, "team")
    assert_problem(client.get(f"{API}/people", headers=org.headers(), params={"role": "boss"}), 422, "role")


def test_person_teams_listed_in_the_same_order_on_write_and_read(client: TestClient, org: Org) -> None:
    r = client.post(
        f"{API}/people",
        headers=org.headers(),
        json={"name": "Ada", "email": "ada@example.com", "teams": ["platform", "payments-team"]},
    )
    assert r.status_code == 201, r.text
    got = client.get(f"{API}/people/{r.json()['id']}", headers=org.headers())
    assert r.json()["teams"] == got.json()["teams"] == ["payments-team", "platform"]


def test_tokens_show_secret_once_and_revoke_stops_them(client: TestClient, org: Org, db: Database) -> None:
    practitioner = org.headers(Role.practitioner)
    r = client.post(f"{API}/tokens", headers=practitioner, json={"name": "laptop", "expires_in_days": 30})
    assert r.status_code == 201, r.text
    created = r.json()
    secret = created["token"]
    assert secret.startswith("fw_") and len(secret) > 30
    assert created["prefix"] == secret[:10] and created["name"] == "laptop"
    assert created["revoked_at"] is None
    lifetime = parse_ts(created["expires_at"]) - parse_ts(created["created_at"])
    assert 29.9 < lifetime.total_seconds() / 86400 < 30.1

    fresh = {"Authorization": f"Bearer {secret}"}
    me = client.get(f"{API}/people/me", headers=fresh)
    assert me.status_code == 200 and me.json()["email"] == org.emails[Role.practitioner]

    listed = client.get(f"{API}/tokens", headers=practitioner)
    assert listed.status_code == 200
    assert secret not in listed.text and "token_hash" not in listed.text
    assert all("token" not in t for t in listed.json())
    assert [t["name"] for t in listed.json()] == ["tests", "laptop"]
    assert {t["prefix"] for t in listed.json()} >= {secret[:10]}

    # Someone else may not revoke it (unless practice owner); its owner may.
    assert_problem(
        client.delete(f"{API}/tokens/{created['id']}", headers=org.headers(Role.practice_manager)), 403
    )
    assert client.get(f"{API}/people/me", headers=fresh).status_code == 200
    r = client.delete(f"{API}/tokens/{created['id']}", headers=practitioner)
    assert r.status_code == 200, r.text
    revoked_at = r.json()["revoked_at"]
    assert revoked_at is not None and "token" not in r.json()

    r = client.get(f"{API}/people/me", headers=fresh)
    assert_problem(r, 401)
    assert r.headers["www-authenticate"] == "Bearer"
    assert client.get(f"{API}/people/me", headers=practitioner).status_code == 200  # the other token lives on
    again = client.delete(f"{API}/tokens/{created['id']}", headers=practitioner)
    assert again.status_code == 200 and again.json()["revoked_at"] == revoked_at  # idempotent
    assert_problem(client.delete(f"{API}/tokens/999999", headers=practitioner), 404)

    # An expired token stops working too.
    with db.session() as s:
        s.execute(
            update(ApiToken)
            .where(ApiToken.prefix == org.tokens[Role.practitioner][:10])
            .values(expires_at=utcnow())
        )
    assert_problem(client.get(f"{API}/people/me", headers=practitioner), 401)

    # Tokens for someone else, and what deactivating a person does to theirs.
    viewer_id = person_id(client, org, Role.viewer)
    r = client.post(
        f"{API}/tokens",
        headers=org.headers(),
        json={"name": "ci bot", "person": org.emails[Role.viewer].upper()},
    )
    assert r.status_code == 201, r.text
    assert r.json()["person_id"] == viewer_id
    bot = {"Authorization": f"Bearer {r.json()['token']}"}
    assert client.get(f"{API}/people/me", headers=bot).json()["id"] == viewer_id

    owner_view = client.get(f"{API}/tokens", headers=org.headers(), params={"person_id": viewer_id})
    assert owner_view.status_code == 200 and [t["name"] for t in owner_view.json()] == ["tests", "ci bot"]
    assert_problem(
        client.get(
            f"{API}/tokens", headers=org.headers(Role.practice_manager), params={"person_id": viewer_id}
        ),
        403,
    )
    assert_problem(
        client.post(
            f"{API}/tokens",
            headers=org.headers(Role.practice_manager),
            json={"name": "x", "person": org.emails[Role.viewer]},
        ),
        403,
    )
    assert_problem(
        client.post(
            f"{API}/tokens", headers=org.headers(), json={"name": "x", "person": "ghost@example.com"}
        ),
        422,
        "person",
    )

    r = client.patch(f"{API}/people/{viewer_id}", headers=org.headers(), json={"is_active": False})
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert_problem(client.get(f"{API}/people/me", headers=bot), 401)
    assert_problem(client.get(f"{API}/people/me", headers=org.headers(Role.viewer)), 401)
    assert_problem(
        client.post(
            f"{API}/tokens", headers=org.headers(), json={"name": "x", "person": org.emails[Role.viewer]}
        ),
        422,
        "person",
    )
