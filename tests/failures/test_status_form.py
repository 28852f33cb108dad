"""The failure page's "Change status" card: the moves each status offers, and the time they take."""

from __future__ import annotations

from datetime import UTC, datetime
from html.parser import HTMLParser

from failures.test_pages import Pages, get_failure, make_failure
from failwell.db import Database
from failwell.enums import FailureStatus, Role
from support import Org


class _StatusCard(HTMLParser):
    """The status card's form as a browser would send it: its fields, labels and buttons."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.depth = 0  # sections open inside the card (the card itself is 1)
        self.action = ""
        self.fields: dict[str, str] = {}
        self.labels: list[str] = []
        self.buttons: list[tuple[str, str, str]] = []  # (name, value, words)
        self._text: list[str] | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "section" and (self.depth or a.get("aria-labelledby") == "status-heading"):
            self.depth += 1
        if not self.depth:
            return
        if tag == "form":
            self.action = a.get("action", "")
        elif tag == "input":
            self.fields[a["name"]] = a.get("value", "")
        elif tag in ("label", "button"):
            self._text = []
            if tag == "button":
                self.buttons.append((a.get("name", ""), a.get("value", ""), ""))

    def handle_data(self, data: str) -> None:
        if self._text is not None:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if self.depth and tag == "section":
            self.depth -= 1
        if self._text is not None and tag in ("label", "button"):
            words = " ".join("".join(self._text).split())
            if tag == "label":
                self.labels.append(words)
            else:
                self.buttons[-1] = (*self.buttons[-1][:2], words)
            self._text = None


def test_a_closed_failure_offers_reopening_without_a_time(pages: Pages, db: Database, org: Org) -> None:
    failure_id = make_failure(db, org, started_at=datetime(2026, 11, 1, 9, tzinfo=UTC))
    me = pages(Role.practitioner)
    for status in ("resolved", "closed"):
        moved = me.post(
            f"/failures/{failure_id}/status", data={"status": status, "status_at": "2026-11-01T11:00"}
        )
        assert moved.status_code == 303, moved.text
        card = _StatusCard(me.get(f"/failures/{failure_id}").text)
        if status == "resolved":  # closing or reopening: the "When" is still asked
            assert "status_at" in card.fields and "When (UTC)" in card.labels, card.fields
    assert get_failure(db, failure_id).status == FailureStatus.closed
    # Closed: the one move is reopening, and nothing asks when.
    assert card.buttons == [("status", "open", "Reopen")], card.buttons
    assert set(card.fields) == {"csrf_token"} and card.labels == [], (card.fields, card.labels)
    # Reopening with exactly what the form sends (its own CSRF token and the button) works.
    name, value, _ = card.buttons[0]
    reopened = me.post(card.action, data={**card.fields, name: value})
    assert reopened.status_code == 303, reopened.text
    assert reopened.headers["location"] == f"/failures/{failure_id}"
    failure = get_failure(db, failure_id)
    assert failure.status == FailureStatus.open and failure.resolved_at is None
    # Open again, the next moves take a time: the "When" is back.
    card = _StatusCard(me.get(f"/failures/{failure_id}").text)
    assert "status_at" in card.fields and ("status", "mitigated", "Mark mitigated") in card.buttons
