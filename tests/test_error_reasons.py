"""A refused value is explained in words, not by quoting a regular expression: every pattern a
field of the API holds is registered with what it asks for (fields.worded), and the API, the
pages and the CLI say "must be ..."."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.testclient import TestClient

from factories import API, assert_problem
from failwell.fields import PATTERN_WORDS
from support import Org


def _patterns(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "pattern" and isinstance(value, str):
                yield value
            else:
                yield from _patterns(value)
    elif isinstance(node, list):
        for value in node:
            yield from _patterns(value)


def test_every_pattern_of_the_api_is_worded(client: TestClient) -> None:
    schema = client.get(f"{API}/openapi.json").json()
    found = set(_patterns(schema))
    assert found, "the API has patterned fields"
    assert found - set(PATTERN_WORDS) == set()


def test_a_refusal_says_what_the_pattern_asks_for(client: TestClient, org: Org) -> None:
    body = {"service": org.service, "version": "1.0", "outcome": "failed", "commit_shas": ["not-a-sha"]}
    problem = assert_problem(client.post(f"{API}/deployments", headers=org.headers(), json=body), 422)
    assert problem["errors"] == [
        {"field": "commit_shas[0]", "reason": "must be a commit SHA: 7 to 64 hexadecimal digits"}
    ]
    r = client.get(f"{API}/failures", headers=org.headers(), params={"tag": "Not A Tag"})
    [error] = assert_problem(r, 422)["errors"]
    assert error["field"] == "tag" and error["reason"].startswith("must be lower-case letters"), error
