"""The failures list's free-text filter: a case-insensitive substring match on both databases
(SQLite answers it from a trigram index, PostgreSQL from trigram GIN indexes), kept in step
with every write."""

from __future__ import annotations

from fastapi.testclient import TestClient

from factories import make_failure
from support import Org

API = "/api/v1"


def _found(client: TestClient, org: Org, q: str) -> list[int]:
    response = client.get(f"{API}/failures", params={"q": q, "limit": 100}, headers=org.headers())
    assert response.status_code == 200, response.text
    return sorted(item["id"] for item in response.json()["items"])


def test_substrings_anywhere_in_title_or_description(client: TestClient, org: Org) -> None:
    pool = make_failure(client, org, "Connection pool exhausted on checkout", description="Saw HTTP 503s")
    cert = make_failure(client, org, "Expired TLS certificate", description="The renewal job silently failed")
    assert _found(client, org, "exhaust") == [pool["id"]]  # inside a word
    assert _found(client, org, "POOL EXH") == [pool["id"]]  # across words, any case
    assert _found(client, org, "renewal job") == [cert["id"]]  # the description counts
    assert _found(client, org, "ex") == sorted([pool["id"], cert["id"]])  # short needles still work
    assert _found(client, org, 'say "hi"') == []  # quotes are text, not query syntax
    assert _found(client, org, "AND OR NOT") == []


def test_non_ascii_text_matches_in_any_case(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, "Zahlungsausfall: Überlastung der Datenbank")
    assert _found(client, org, "überlastung") == [failure["id"]]
    assert _found(client, org, "ÜBERLAST") == [failure["id"]]


def test_the_index_follows_edits_and_deletes(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, "Cache stampede after deploy")
    headers = org.headers()
    assert _found(client, org, "stampede") == [failure["id"]]
    edited = client.patch(
        f"{API}/failures/{failure['id']}", json={"title": "Thundering herd after deploy"}, headers=headers
    )
    assert edited.status_code == 200
    assert _found(client, org, "stampede") == []
    assert _found(client, org, "thundering") == [failure["id"]]
    assert client.delete(f"{API}/failures/{failure['id']}", headers=headers).status_code == 204
    assert _found(client, org, "thundering") == []
