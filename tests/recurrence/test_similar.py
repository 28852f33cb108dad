"""Similar-failure search: ranking on a small hand-made set, index upkeep on edit and delete."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, make_failure, make_service
from support import Org

# Three families of related failures, and unrelated noise.
FAILURES: list[dict[str, Any]] = [
    {
        "key": "pool1",
        "title": "Checkout times out: database connection pool exhausted",
        "description": "HikariPool-1 - Connection is not available, request timed out after 30000ms. "
        "java.sql.SQLTransientConnectionException during the evening peak.",
        "started_at": "2026-01-10T18:00:00Z",
    },
    {
        "key": "cert1",
        "title": "Partner API down after TLS certificate expired",
        "description": "The certificate on api.example.com expired at midnight; "
        "partners got handshake errors.",
        "started_at": "2026-02-01T00:05:00Z",
    },
    {
        "key": "dns1",
        "title": "Internal DNS resolver overloaded",
        "description": "Lookups for internal names failed intermittently, SERVFAIL from the resolver.",
        "started_at": "2026-02-15T09:00:00Z",
    },
    {
        "key": "noise1",
        "title": "Marketing e-mail sent twice",
        "description": "The newsletter job ran twice after a cron overlap.",
        "started_at": "2026-03-01T08:00:00Z",
    },
    {
        "key": "cert2",
        "title": "Expired TLS certificate broke the payments gateway",
        "description": "Handshake failures for every client: the gateway certificate was not renewed.",
        "started_at": "2026-04-01T10:00:00Z",
    },
    {
        "key": "pool2",
        "title": "Payments slow, connection pool saturated",
        "description": "Connection is not available, request timed out after 30000ms "
        "(java.sql.SQLTransientConnectionException) while traffic spiked.",
        "started_at": "2026-05-01T18:30:00Z",
    },
]


def load(client: TestClient, org: Org) -> dict[str, int]:
    ids = {}
    for spec in FAILURES:
        body = {k: v for k, v in spec.items() if k != "key"}
        ids[spec["key"]] = make_failure(client, org, **body)["id"]
    return ids


def similar(client: TestClient, org: Org, failure_id: int, **params: Any) -> dict[str, Any]:
    r = client.get(f"{API}/failures/{failure_id}/similar", headers=org.headers(), params=params)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def test_ranks_the_earlier_failure_of_the_same_cause_first(client: TestClient, org: Org) -> None:
    ids = load(client, org)
    pool = similar(client, org, ids["pool2"])
    assert pool["items"][0]["failure_id"] == ids["pool1"]
    top = pool["items"][0]
    kinds = {r["kind"] for r in top["reasons"]}
    assert "shared_terms" in kinds and "same_service" in kinds
    assert "same_exception" in kinds  # SQLTransientConnectionException in both
    assert top["score"] > 0 and top["lexical"] is not None
    cert = similar(client, org, ids["cert2"])
    assert cert["items"][0]["failure_id"] == ids["cert1"]
    # Only earlier failures are suggested.
    assert all(item["failure_id"] != ids["pool2"] for item in cert["items"])
    assert similar(client, org, ids["pool1"])["items"] == []


def test_text_query_and_service(client: TestClient, org: Org) -> None:
    ids = load(client, org)
    r = client.get(
        f"{API}/similar",
        headers=org.headers(),
        params={"text": "certificate expired, TLS handshake failing", "service": org.service},
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["items"][0]["failure_id"] in (ids["cert1"], ids["cert2"])
    assert body["failure_id"] is None
    assert "certificate" in body["terms"]
    unknown = client.get(f"{API}/similar", headers=org.headers(), params={"text": "x", "service": "nope"})
    assert_problem(unknown, 422, "service")


def test_index_follows_edit_and_delete(client: TestClient, org: Org) -> None:
    ids = load(client, org)

    def top_for(text: str) -> list[int]:
        r = client.get(f"{API}/similar", headers=org.headers(), params={"text": text})
        assert r.status_code == 200, r.text
        return [i["failure_id"] for i in r.json()["items"]]

    assert ids["noise1"] in top_for("newsletter")
    r = client.patch(
        f"{API}/failures/{ids['noise1']}",
        headers=org.headers(),
        json={"title": "Kafka consumer lag alarm", "description": "Consumers fell behind by an hour."},
    )
    assert r.status_code == 200, r.text
    assert ids["noise1"] not in top_for("newsletter")
    assert top_for("kafka consumer lag")[0] == ids["noise1"]
    r = client.delete(f"{API}/failures/{ids['noise1']}", headers=org.headers())
    assert r.status_code == 204, r.text
    assert ids["noise1"] not in top_for("kafka consumer lag")


@pytest.mark.parametrize(
    "text",
    ["", "   \n\t "],
)
def test_empty_text_is_a_clear_422(client: TestClient, org: Org, text: str) -> None:
    r = client.get(f"{API}/similar", headers=org.headers(), params={"text": text})
    assert_problem(r, 422, "text")


def test_odd_text_never_fails(client: TestClient, org: Org) -> None:
    load(client, org)
    make_service(client, org, "search")
    for text in [
        "<script>alert(1)</script> <b>certificate</b> &amp;",
        "数据库连接池耗尽 超时",
        "Zahlungsdienst: Zeitüberschreitung der Verbindung",
        '" OR 1=1 -- NEAR( * ) : ^ AND NOT',
        "!!! ??? ...",
        "é" * 5000,
    ]:
        r = client.get(f"{API}/similar", headers=org.headers(), params={"text": text})
        assert r.status_code == 200, (text[:20], r.text)
    long_text = "connection pool exhausted " * 7_000  # 182,000 characters: ranked on its start
    r = client.post(f"{API}/similar", headers=org.headers(), json={"text": long_text})
    assert r.status_code == 200, r.text[:300]
    assert r.json()["truncated"] is True
    too_long = client.post(f"{API}/similar", headers=org.headers(), json={"text": "x" * 200_001})
    assert_problem(too_long, 422, "text")
    megabytes = client.post(f"{API}/similar", headers=org.headers(), json={"text": "y" * 3_000_000})
    assert_problem(megabytes, 413)


def test_the_longest_text_a_url_may_carry_reaches_the_app(live_url: str, org: Org) -> None:
    """GET /similar's text limit fits the HTTP server's 64 KiB request line even when every
    character takes 12 bytes percent-encoded; one more character is the app's own 422."""
    import httpx

    from failwell.recurrence.schemas import URL_TEXT_MAX

    longest = {"text": "😀" * URL_TEXT_MAX, "service": "s" * 100, "limit": 50}
    with httpx.Client(base_url=live_url, headers=org.headers(), timeout=30) as http:
        r = http.get(f"{API}/similar", params=longest)
        assert_problem(r, 422, "service")  # type: ignore[arg-type]  # the app answered, not the parser
        r = http.get(f"{API}/similar", params={"text": "😀" * (URL_TEXT_MAX + 1)})
        assert_problem(r, 422, "text")  # type: ignore[arg-type]
