"""A corrective action's owner team defaults to the team owning the failure's service."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from factories import API, assert_problem, make_failure, make_service
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]


def test_api_takes_the_owner_team_from_the_failure(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org)["id"]
    created = client.post(
        f"{API}/actions",
        headers=org.headers(),
        json={"failure_id": failure, "title": "Alert on pool usage", "action_type": "detect"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["owner_team"] == org.team

    # Several services: the team owning most of them.
    for name in ("search", "indexer"):
        make_service(client, org, name, owner_team=org.other_team)
    spread = make_failure(client, org, services=[org.service, "search", "indexer"])["id"]
    body = {"failure_id": spread, "title": "Rate-limit reindexing", "action_type": "mitigate"}
    created = client.post(f"{API}/actions", headers=org.headers(), json=body)
    assert created.status_code == 201, created.text
    assert created.json()["owner_team"] == org.other_team

    # A team given is kept.
    body = {**body, "owner_team": org.team}
    assert client.post(f"{API}/actions", headers=org.headers(), json=body).json()["owner_team"] == org.team


def test_without_a_service_the_owner_team_is_required(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, services=[])["id"]
    body = {"failure_id": failure, "title": "Alert on pool usage", "action_type": "detect"}
    assert_problem(client.post(f"{API}/actions", headers=org.headers(), json=body), 422, "owner_team")


def test_page_form_preselects_the_failure_service_team(client: TestClient, org: Org, pages: Pages) -> None:
    make_service(client, org, "search", owner_team=org.other_team)
    failure = make_failure(client, org, services=["search"])["id"]
    page = pages(Role.practice_manager).get(f"/failures/{failure}").text
    select = page.split('id="action_owner_team"', 1)[1].split("</select>", 1)[0]
    chosen = re.findall(r'<option value="([^"]+)"\s*selected', select)
    assert chosen == [org.other_team]
    # Posting the form as it comes keeps that team.
    answer = pages(Role.practice_manager).post(
        f"/failures/{failure}/actions",
        data={"action_title": "Alert on lag", "action_type": "detect", "action_owner_team": ""},
    )
    assert answer.status_code == 303, answer.text
    listed = client.get(f"{API}/actions", headers=org.headers(), params={"failure_id": failure}).json()
    assert [a["owner_team"] for a in listed["items"]] == [org.other_team]
