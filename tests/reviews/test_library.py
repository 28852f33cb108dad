"""The library of lessons: published reviews only, searchable, filterable, paginated, for everyone."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from fastapi.testclient import TestClient

from factories import API, make_failure, make_service, make_team
from failwell.enums import Role
from support import Org, PageClient

Pages = Callable[[Role], PageClient]


def _review(client: TestClient, org: Org, failure_id: int, publish: bool = True, **sections: Any) -> int:
    body = {"summary": "Pool exhausted.", "lessons_learned": "Alert early.", **sections}
    r = client.post(f"{API}/failures/{failure_id}/review", headers=org.headers(), json=body)
    assert r.status_code == 201, r.text
    review_id = int(r.json()["id"])
    for status in ("in_review", "published") if publish else ():
        r = client.patch(f"{API}/reviews/{review_id}", headers=org.headers(), json={"status": status})
        assert r.status_code == 200, r.text
    return review_id


def test_viewers_read_published_lessons_only(pages: Pages, client: TestClient, org: Org) -> None:
    shown = make_failure(client, org, "Checkout errors", status="resolved", tags=["database"])
    _review(
        client,
        org,
        shown["id"],
        lessons_learned="Watch the **pool**.\n\n<script>alert(1)</script>",
        factors=[{"category": "detection_gap", "description": "No alert on pool usage."}],
    )
    draft = make_failure(client, org, "Draft only", status="resolved")
    _review(client, org, draft["id"], publish=False)
    r = pages(Role.viewer).get("/lessons")
    assert r.status_code == 200
    html = r.text
    assert "Library of lessons" in html
    assert f'href="/failures/{shown["id"]}"' in html
    assert "Watch the <strong>pool</strong>." in html and "<script>alert" not in html
    assert "Draft only" not in html
    assert "#database" in html
    assert "Showing 1\u20131 of 1" in html


def test_search_and_filters(pages: Pages, client: TestClient, org: Org) -> None:
    make_team(client, org, "search-team")
    make_service(client, org, "search", owner_team="search-team")
    a = make_failure(client, org, "Checkout errors", status="resolved", tags=["database"])
    _review(client, org, a["id"], lessons_learned="Size the connection pool for peaks.")
    b = make_failure(client, org, "Index rebuild stalled", status="resolved", services=["search"])
    _review(
        client,
        org,
        b["id"],
        summary="A 100% CPU_spike",
        lessons_learned="Rebuild indexes off-peak.",
        factors=[{"category": "detection_gap", "description": "No alert."}],
    )
    me = pages(Role.viewer)

    def titles(url: str) -> set[str]:
        html = me.get(url).text
        return {t for t in ("Checkout errors", "Index rebuild stalled") if t in html}

    assert titles("/lessons") == {"Checkout errors", "Index rebuild stalled"}
    assert titles("/lessons?q=CONNECTION+pool") == {"Checkout errors"}  # lessons text, any case
    assert titles("/lessons?q=stalled") == {"Index rebuild stalled"}  # failure title
    assert titles("/lessons?q=100%25") == {"Index rebuild stalled"}  # summary, % is literal
    assert titles("/lessons?q=cpu_spike") == {"Index rebuild stalled"}
    assert titles("/lessons?q=nothing+like+this") == set()
    assert titles("/lessons?service=search") == {"Index rebuild stalled"}
    assert titles("/lessons?team=search-team") == {"Index rebuild stalled"}
    assert titles("/lessons?team=payments-team") == {"Checkout errors"}
    assert titles("/lessons?category=detection_gap") == {"Index rebuild stalled"}
    assert titles("/lessons?tag=database") == {"Checkout errors"}
    assert titles("/lessons?tag=unknown") == set()
    assert titles("/lessons?period=30d") == {"Checkout errors", "Index rebuild stalled"}
    assert titles("/lessons?until=2000-01-01") == set()
    # The search is kept in the form, and an unknown filter says so rather than failing.
    assert 'value="CONNECTION pool"' in me.get("/lessons?q=CONNECTION+pool").text
    odd = me.get("/lessons?service=nope&period=forever")
    assert odd.status_code == 200 and "unknown service" in odd.text


def test_pagination(pages: Pages, client: TestClient, org: Org) -> None:
    for i in range(23):
        f = make_failure(client, org, f"Outage {i:02}", status="resolved")
        _review(client, org, f["id"], lessons_learned=f"Lesson number {i:02}.")
    me = pages(Role.viewer)
    first = me.get("/lessons").text
    assert "Showing 1\u201320 of 23." in first
    assert "Lesson number 22." in first and "Lesson number 02." not in first  # newest first
    assert 'href="/lessons?offset=20&limit=20"' in first
    second = me.get("/lessons?offset=20&limit=20").text
    assert "Showing 21\u201323 of 23" in second and "Lesson number 00." in second
    search = me.get("/lessons?q=number&limit=5").text
    nav = search[search.index('class="pagination"') :]
    assert 'href="/lessons?q=number&amp;offset=5&limit=5"' in nav, nav[:800]


def test_needs_sign_in(client: TestClient) -> None:
    r = client.get("/lessons?q=pool", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=%2Flessons%3Fq%3Dpool"


def test_search_finds_words_in_any_order_and_field(pages: Pages, client: TestClient, org: Org) -> None:
    make_service(client, org, "checkout-api")
    on_service = []
    for n in range(3):
        f = make_failure(client, org, f"Slow responses {n}", status="resolved", services=["checkout-api"])
        _review(client, org, f["id"], summary="Latency rose.", lessons_learned=f"Cache more, round {n}.")
        on_service.append(f"Slow responses {n}")
    pool = make_failure(client, org, "connection-pool starved", status="resolved")
    _review(client, org, pool["id"], summary="Requests queued.", lessons_learned="Size it for peaks.")
    lucky = make_failure(client, org, "Disk filled", status="resolved", tags=["storage"])
    _review(
        client,
        org,
        lucky["id"],
        summary="Writes failed.",
        lessons_learned="Rotate the logs.",
        where_we_got_lucky="A spare volume was mounted already.",
        factors=[{"category": "detection_gap", "description": "No alert on inode usage."}],
    )
    me = pages(Role.viewer)

    def titles(q: str, **params: str) -> list[str]:
        html = me.get("/lessons", params={"q": q, **params}).text
        found = re.findall(r'<h3 id="lesson-\d+"><a href="/failures/\d+">([^<]+)</a>', html)
        return found

    assert sorted(titles("checkout api")) == on_service  # the service's name, split at the hyphen
    assert titles("connection pool") == ["connection-pool starved"]
    assert titles("pool connection") == ["connection-pool starved"]
    assert titles("spare volume") == ["Disk filled"]  # where we got lucky
    assert titles("inode alert") == ["Disk filled"]  # a factor's note
    assert titles("storage disk") == ["Disk filled"]  # a tag
    assert titles("conn") == ["connection-pool starved"]  # a prefix, as typed
    assert titles('"volume spare"') == []  # a phrase keeps its order
    assert sorted(titles("latency -round")) == []
    assert titles("round 1") == ["Slow responses 1"]
    html = me.get("/lessons", params={"q": "inode alert"}).text
    assert "Matched in the contributing factors:" in html
    assert "No <mark>alert</mark> on <mark>inode</mark> usage." in html
    for typed in ('"', "-", "OR", "NEAR(", "^x", "a:*", "{title}:", "'"):
        assert me.get("/lessons", params={"q": typed}).status_code == 200, typed


def test_search_ranks_by_relevance_or_newest(pages: Pages, client: TestClient, org: Org) -> None:
    title = make_failure(client, org, "Thundering herd at midnight", status="resolved")
    _review(client, org, title["id"], summary="Clients retried together.", lessons_learned="Add jitter.")
    body = make_failure(client, org, "Checkout errors", status="resolved")
    _review(client, org, body["id"], summary="A thundering herd of retries.", lessons_learned="Back off.")
    me = pages(Role.viewer)

    def order(**params: str) -> list[str]:
        html = me.get("/lessons", params=params).text
        return re.findall(r'<h3 id="lesson-\d+"><a href="/failures/\d+">([^<]+)</a>', html)

    relevant = ["Thundering herd at midnight", "Checkout errors"]
    assert order(q="thundering herd") == relevant  # the title match first, though older
    assert order(q="thundering herd", sort="relevance") == relevant
    assert order(q="thundering herd", sort="newest") == list(reversed(relevant))
    assert 'name="sort"' in me.get("/lessons", params={"q": "herd"}).text
