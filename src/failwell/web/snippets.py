"""Where a search matched: a short excerpt with the match marked, for result lists."""

from __future__ import annotations

from markupsafe import Markup, escape

from failwell.search import Snippet

# What a search snippet's field is called on a page ("Matched in the lessons: ...").
FIELD_LABELS = {
    "title": "the title",
    "description": "the description",
    "tags": "the tags",
    "services": "the services",
    "review": "the review",
    "summary": "the summary",
    "lessons_learned": "the lessons",
    "what_went_wrong": "what went wrong",
    "what_went_well": "what went well",
    "where_we_got_lucky": "where we got lucky",
    "impact": "the impact",
    "factors": "the contributing factors",
}


def marked(found: Snippet | None) -> Markup | None:
    """A search snippet as HTML: its text escaped, the matched words in <mark>."""
    if found is None:
        return None
    out, at = Markup(), 0
    for start, end in found.highlights:
        out += escape(found.text[at:start]) + Markup("<mark>{}</mark>").format(found.text[start:end])
        at = end
    return out + escape(found.text[at:])


def where_matched(found: Snippet | None) -> tuple[str, Markup] | None:
    """(where, excerpt) for a result list's "Matched in ..." line."""
    excerpt = marked(found)
    if found is None or excerpt is None:
        return None
    return FIELD_LABELS.get(found.field, found.field.replace("_", " ")), excerpt
