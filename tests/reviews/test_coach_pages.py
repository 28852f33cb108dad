"""The blameless-language coach beside the review editor: the htmx fragment lists marked
sentences of the sections and factor descriptions with reason and suggestion, needs the
CSRF token, and says so when nothing reads as blame."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from failwell.enums import Role

if TYPE_CHECKING:  # only for types: with tests/e2e in the same run, "conftest" can be that one
    from support import PageClient

Pages = Callable[[Role], "PageClient"]
HTMX = {"HX-Request": "true"}


def test_fragment_lists_marked_sentences_with_reason(pages: Pages) -> None:
    me = pages(Role.practitioner)
    answer = me.post(
        "/reviews/coach",
        data={
            "summary": "The deploy failed to roll back.",
            "what_went_wrong": "The on-call engineer failed to check the dashboard.",
            "factor_category": ["process", "knowledge"],
            "factor_description": ["No canary for config changes", "Steve's unfamiliarity with DNS"],
        },
        headers=HTMX,
    )
    assert answer.status_code == 200
    html = answer.text
    assert "<html" not in html
    assert "What went wrong" in html and "The on-call engineer failed to check the dashboard." in html
    assert "Contributing factor 2" in html and "Steve&#39;s unfamiliarity with DNS" in html
    assert "The deploy failed to roll back." not in html  # a system at work: no mark
    assert "No canary" not in html
    assert html.count('class="fw-coach-mark"') == 2
    assert "Why:" in html and "Try:" in html and "you decide" in html


def test_fragment_says_when_nothing_reads_as_blame(pages: Pages) -> None:
    me = pages(Role.viewer)
    clean = me.post("/reviews/coach", data={"summary": "Priya spotted the spike."}, headers=HTMX)
    assert clean.status_code == 200 and "Nothing here reads as blame" in clean.text
    empty = me.post("/reviews/coach", data={}, headers=HTMX)
    assert "As you write" in empty.text


def test_fragment_needs_the_csrf_token(pages: Pages) -> None:
    me = pages(Role.practitioner)
    assert me.http.post("/reviews/coach", data={"summary": "Bob forgot."}).status_code == 403
