"""Excerpts that show where a search matched."""

from __future__ import annotations

from failwell.web.snippets import first_match, snippet


def test_marks_the_first_match_case_insensitively() -> None:
    found = snippet("Client Retries amplified the outage", "retries")
    assert found == "Client <mark>Retries</mark> amplified the outage"


def test_long_text_is_cut_at_words_with_ellipses() -> None:
    text = " ".join(["word"] * 40) + " retries " + " ".join(["more"] * 40)
    found = str(snippet(text, "retries", width=40))
    assert found.startswith("…word") and found.endswith("more…")
    assert "<mark>retries</mark>" in found and len(found) < 80


def test_escapes_html_and_reads_line_breaks_as_spaces() -> None:
    found = str(snippet("<b>bold</b>\n\nretries & <script>", "retries"))
    assert found == "&lt;b&gt;bold&lt;/b&gt; <mark>retries</mark> &amp; &lt;script&gt;"


def test_no_match_and_empty_inputs_give_none() -> None:
    assert snippet("nothing here", "retries") is None
    assert snippet(None, "retries") is None
    assert snippet("retries", "   ") is None


def test_first_match_names_the_field() -> None:
    fields = [("the summary", "no"), ("the lessons", "Cap retries with a budget")]
    assert first_match(fields, "retries") == ("the lessons", "Cap <mark>retries</mark> with a budget")
    assert first_match(fields, "absent") is None
