"""Excerpts that show where a search matched, as the result pages print them."""

from __future__ import annotations

from failwell.search import Snippet
from failwell.web.snippets import marked, where_matched


def test_marks_each_highlight_and_escapes_the_rest() -> None:
    found = Snippet(field="summary", text="<b>Client</b> retries & retries", highlights=[(14, 21), (24, 31)])
    assert marked(found) == "&lt;b&gt;Client&lt;/b&gt; <mark>retries</mark> &amp; <mark>retries</mark>"


def test_no_snippet_gives_none() -> None:
    assert marked(None) is None
    assert where_matched(None) is None


def test_where_names_the_field_in_words() -> None:
    found = Snippet(field="lessons_learned", text="Cap retries", highlights=[(4, 11)])
    assert where_matched(found) == ("the lessons", "Cap <mark>retries</mark>")
    other = Snippet(field="runbook_notes", text="retries", highlights=[(0, 7)])
    assert where_matched(other) == ("runbook notes", "<mark>retries</mark>")
