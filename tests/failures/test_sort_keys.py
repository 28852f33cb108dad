"""Sort keys read the way people mean them: '-severity' is the most severe first."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from fastapi.testclient import TestClient

from factories import ids, make_failure, page
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:
    from support import PageClient


def _sort_parameter(client: TestClient, path: str) -> dict[str, Any]:
    document = client.get("/api/v1/openapi.json").json()
    parameters = document["paths"][path]["get"]["parameters"]
    return next(p for p in parameters if p["name"] == "sort")


def test_openapi_says_what_descending_severity_and_priority_mean(client: TestClient) -> None:
    failures = _sort_parameter(client, "/api/v1/failures")["description"]
    assert "'-severity' most severe first" in failures
    assert "severity 1 is the most severe" in failures
    actions = _sort_parameter(client, "/api/v1/actions")["description"]
    assert "'-priority' most urgent first" in actions


def test_most_severe_first_on_the_api_and_the_list_page(
    client: TestClient, org: Org, pages: Callable[[Role], PageClient]
) -> None:
    by_severity = {
        level: make_failure(client, org, f"Sev {level} outage", severity=level)["id"]
        for level in (3, 1, 5, 2)
    }
    listed = ids(page(client, org, "/failures", sort="-severity"))
    assert listed == [by_severity[1], by_severity[2], by_severity[3], by_severity[5]]
    listed = ids(page(client, org, "/failures", sort="severity"))
    assert listed == [by_severity[5], by_severity[3], by_severity[2], by_severity[1]]

    me = pages(Role.viewer)
    listing = me.get("/failures").text
    assert re.search(r'<option value="-severity"\s*>Most severe first</option>', listing)
    text = me.get("/failures?sort=-severity").text
    positions = [text.index(f"Sev {level} outage") for level in (1, 2, 3, 5)]
    assert positions == sorted(positions)
