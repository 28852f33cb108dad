"""Badges and the words beside them read once and as written: "Won't do", no "SEV1 · SEV1",
no "Done done" or "Published Published"."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from fastapi.testclient import TestClient

from factories import API, make_action, make_failure, publishable_review
from failwell.enums import Role
from support import Org

if TYPE_CHECKING:
    from support import PageClient

Pages = Callable[[Role], "PageClient"]


def words(page_html: str) -> str:
    """The text a reader sees: tags dropped, entities decoded, white space collapsed."""
    text = re.sub(r"<(script|style)\b.*?</\1>", " ", page_html, flags=re.S)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", text)).split())


def test_action_badges_and_dates_read_once(client: TestClient, org: Org, pages: Pages) -> None:
    failure = make_failure(client, org, "Ledger replica lagged")["id"]
    done = make_action(client, org, failure, "Alert on replica lag")
    dropped = make_action(client, org, failure, "Rewrite the ledger")
    assert client.post(f"{API}/actions/{done['id']}/done", headers=org.headers()).status_code == 200
    r = client.patch(
        f"{API}/actions/{dropped['id']}",
        headers=org.headers(),
        json={"status": "wont_do", "wont_do_reason": "Replaced by the replica alert"},
    )
    assert r.status_code == 200, r.text
    r = client.post(
        f"{API}/problems", headers=org.headers(), json={"title": "Replicas lag", "failure_ids": [failure]}
    )
    assert r.status_code == 201, r.text
    me = pages(Role.practice_owner)

    for path in ("/actions?status=wont_do", f"/failures/{failure}", f"/problems/{r.json()['id']}"):
        text = words(me.get(path).text)
        assert "Won't do" in text, path
        assert "Wont do" not in text, path
        assert not re.search(r"\b(Done|Won't do) done\b", text), path

    problem = words(me.get(f"/problems/{r.json()['id']}").text)
    assert re.search(r"Alert on replica lag — Done \w+ priority, closed", problem)


def test_severity_filter_names_each_level_once(client: TestClient, org: Org, pages: Pages) -> None:
    r = client.patch(f"{API}/severity-levels/2", headers=org.headers(), json={"name": "Major"})
    assert r.status_code == 200, r.text
    listing = pages(Role.viewer).get("/failures").text
    options = re.findall(r'<option value="\d"\s*>([^<]*)</option>', listing)
    assert "SEV1" in options and "SEV2 · Major" in options
    assert not any(re.fullmatch(r"SEV(\d) · SEV\1", o) for o in options)


def test_published_review_says_published_once(client: TestClient, org: Org, pages: Pages) -> None:
    failure = make_failure(client, org)["id"]
    review = publishable_review(client, org, failure)
    r = client.patch(f"{API}/reviews/{review['id']}", headers=org.headers(), json={"status": "published"})
    assert r.status_code == 200, r.text
    me = pages(Role.practice_owner)
    for path in (f"/failures/{failure}/review", f"/failures/{failure}"):
        text = words(me.get(path).text)
        assert re.search(r"Published on \d", text), path
        assert "Published Published" not in text, path
