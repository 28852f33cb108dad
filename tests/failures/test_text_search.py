"""The failures list's search on both databases: every word in any order, in any searchable field,
hyphens and punctuation splitting words, the last word a prefix, "phrases", -exclusions, ranked by
relevance with a snippet of where it matched; served by the full-text index (FTS5 / tsvector) and
kept in step with every write."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from factories import make_failure, make_review, make_service
from failwell.enums import Role
from support import Org, PageClient

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


def _page(client: TestClient, org: Org, q: str, **params: Any) -> list[dict[str, Any]]:
    response = client.get(f"{API}/failures", params={"q": q, "limit": 100, **params}, headers=org.headers())
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


def test_words_match_in_any_order_across_fields(client: TestClient, org: Org) -> None:
    make_service(client, org, "checkout-api")
    on_service = [
        make_failure(client, org, f"Slow responses {n}", services=["checkout-api"])["id"] for n in range(3)
    ]
    pool = make_failure(client, org, "Connection pool exhausted", description="Saw HTTP 503s")
    hyphen = make_failure(client, org, "connection-pool leak in the worker")
    other = make_failure(client, org, "Pool of workers idle", tags=["exhausted-budget"])
    assert _found(client, org, "checkout api") == sorted(on_service)  # a service name, split
    assert _found(client, org, "pool exhausted") == sorted([pool["id"], other["id"]])  # tags count
    assert _found(client, org, "exhausted pool") == sorted([pool["id"], other["id"]])  # any order
    assert _found(client, org, "connection pool") == sorted([pool["id"], hyphen["id"]])
    assert _found(client, org, "connection-pool") == sorted([pool["id"], hyphen["id"]])
    assert _found(client, org, "pool exhau") == sorted([pool["id"], other["id"]])  # typing a prefix
    assert _found(client, org, "connecti") == sorted([pool["id"], hyphen["id"]])  # typed past the stem
    assert _found(client, org, '"pool exhausted"') == [pool["id"]]  # a phrase is in order
    assert _found(client, org, '"exhausted pool"') == []
    assert _found(client, org, "pool -connection") == [other["id"]]  # an exclusion
    assert _found(client, org, "-connection -slow") == [other["id"]]  # exclusions alone
    assert _found(client, org, "idle OR leak") == sorted([hyphen["id"], other["id"]])


def test_review_sections_factor_notes_and_tags_are_searched(client: TestClient, org: Org) -> None:
    failure = make_failure(client, org, "Checkout errors", tags=["database"])
    make_review(
        client,
        org,
        failure["id"],
        summary="Errors for ten minutes.",
        where_we_got_lucky="The standby replica happened to be warm.",
        factors=[{"category": "detection_gap", "description": "No alert on saturation."}],
    )
    assert _found(client, org, "standby replica") == [failure["id"]]
    assert _found(client, org, "saturation alert") == [failure["id"]]
    assert _found(client, org, "database checkout") == [failure["id"]]
    found = _page(client, org, "standby replica")[0]["snippet"]
    assert found["field"] == "review"
    assert [found["text"][a:b] for a, b in found["highlights"]] == ["standby", "replica"]


def test_ranked_by_relevance_with_a_sort_option(client: TestClient, org: Org) -> None:
    in_body = make_failure(client, org, "Checkout errors", description="The cache stampede began at noon.")
    in_title = make_failure(client, org, "Cache stampede on the catalogue", started_at="2025-01-01T00:00:00Z")
    ranked = [item["id"] for item in _page(client, org, "cache stampede")]
    assert ranked == [in_title["id"], in_body["id"]]  # a title match counts most, though older
    assert [i["id"] for i in _page(client, org, "cache stampede", sort="relevance")] == ranked
    newest = [i["id"] for i in _page(client, org, "cache stampede", sort="-started_at")]
    assert newest == [in_body["id"], in_title["id"]]  # an explicit sort is honoured
    assert [i["id"] for i in _page(client, org, "cache stampede", sort="started_at")] == ranked
    plain = client.get(f"{API}/failures", params={"sort": "relevance"}, headers=org.headers())
    assert plain.status_code == 200  # relevance without words: newest first
    assert [i["snippet"] for i in plain.json()["items"]] == [None] * len(plain.json()["items"])


def test_each_result_has_a_snippet_of_where_it_matched(client: TestClient, org: Org) -> None:
    failure = make_failure(
        client,
        org,
        "Checkout errors",
        description="Long text. " * 40
        + "Then the connection pool was exhausted by retries. "
        + "More. " * 40,
    )
    item = _page(client, org, "exhausted pool")[0]
    assert item["id"] == failure["id"]
    snippet = item["snippet"]
    assert snippet["field"] == "description"
    assert snippet["text"].startswith("…") and len(snippet["text"]) < 200
    assert [snippet["text"][a:b] for a, b in snippet["highlights"]] == ["pool", "exhausted"]
    title = _page(client, org, "checkout")[0]["snippet"]
    assert title == {"field": "title", "text": "Checkout errors", "highlights": [[0, 8]]}


def test_hostile_input_never_fails(client: TestClient, org: Org) -> None:
    make_failure(client, org, "Connection pool exhausted")
    for typed in [
        '"',
        '"pool',
        "-",
        "--",
        "OR",
        "pool OR",
        "NEAR(a b)",
        "^pool",
        "pool*",
        "title:pool",
        "{title}: x",
        "a & b | !c",
        "'",
        "\\",
        "%_",
        "(((",
        "pool:*AB",
        "😀",
    ]:
        _page(client, org, typed)  # 200, whatever was typed
    assert _found(client, org, '"pool') == _found(client, org, "pool")  # an unclosed quote still reads


def test_the_list_page_shows_where_each_result_matched(
    pages: Callable[[Role], PageClient], client: TestClient, org: Org
) -> None:
    in_title = make_failure(client, org, "Cache stampede on the catalogue", started_at="2025-01-01T00:00:00Z")
    make_failure(client, org, "Checkout errors", description="Then a <b>cache</b> stampede began.")
    me = pages(Role.viewer)
    html = me.get("/failures", params={"q": "stampede cache"}).text
    rows = re.findall(r'<a href="/failures/(\d+)">', html)
    assert rows[0] == str(in_title["id"])  # relevance first
    assert (
        "Matched in the description: Then a &lt;b&gt;<mark>cache</mark>&lt;/b&gt; <mark>stampede</mark>"
        in html
    )
    assert 'value="" selected' in html or "Best match first" in html
    newest = me.get("/failures", params={"q": "stampede cache", "sort": "-started_at"}).text
    assert re.findall(r'<a href="/failures/(\d+)">', newest)[1] == str(in_title["id"])
    assert me.get("/failures", params={"q": '"'}).status_code == 200
