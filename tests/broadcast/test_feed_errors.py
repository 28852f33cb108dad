"""Feed URLs answer like addresses: no token is 401 (as a wrong one), an unknown name is 404."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem
from failwell.enums import Role
from support import Org


def _feed_token(client: TestClient, org: Org) -> str:
    created = client.post(f"{API}/feeds/tokens", headers=org.headers(Role.viewer))
    assert created.status_code == 201
    return str(created.json()["token"])


@pytest.mark.parametrize(
    "path", ["/feeds/lessons.atom", "/feeds/services/payments.atom", "/feeds/teams/x.atom"]
)
def test_a_feed_without_a_token_is_401(client: TestClient, org: Org, path: str) -> None:
    r = client.get(f"{API}{path}")
    body = assert_problem(r, 401)
    assert "token" in body["detail"]
    assert r.headers["www-authenticate"] == "Bearer"
    assert_problem(client.get(f"{API}{path}", params={"token": ""}), 401)


def test_an_unknown_service_or_team_feed_is_404(client: TestClient, org: Org) -> None:
    token = _feed_token(client, org)
    body = assert_problem(client.get(f"{API}/feeds/services/no-such.atom", params={"token": token}), 404)
    assert "no-such" in body["detail"]
    assert_problem(client.get(f"{API}/feeds/teams/no-such.atom", params={"token": token}), 404)
    # Known names still answer with their feed.
    assert client.get(f"{API}/feeds/services/{org.service}.atom", params={"token": token}).status_code == 200
    assert client.get(f"{API}/feeds/teams/{org.team}.atom", params={"token": token}).status_code == 200


def test_the_token_is_checked_before_the_name(client: TestClient, org: Org) -> None:
    # A wrong token learns nothing about which services exist.
    assert_problem(client.get(f"{API}/feeds/services/no-such.atom", params={"token": "fwf_wrong"}), 401)
