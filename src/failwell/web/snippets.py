"""Where a search matched: a short excerpt with the match marked, for result lists."""

from __future__ import annotations

from markupsafe import Markup, escape

from failwell.search import Snippet

ELLIPSIS = "…"


def snippet(text: str | None, needle: str, width: int = 90) -> Markup | None:
    """About `width` characters of `text` around the first case-insensitive occurrence of
    `needle`, escaped, with the occurrence in <mark>; None when it does not occur."""
    needle = needle.strip()
    if not text or not needle:
        return None
    flat = " ".join(text.split())  # markdown's line breaks and indents read as spaces here
    at = flat.casefold().find(needle.casefold())
    if at < 0:
        return None
    end = at + len(needle)
    before = max(0, at - (width - len(needle)) // 2)
    after = min(len(flat), end + (width - len(needle)) // 2)
    # Cut at word boundaries where one is near, so the excerpt does not start mid-word.
    if before > 0:
        space = flat.find(" ", before, at)
        before = space + 1 if space >= 0 else before
    if after < len(flat):
        space = flat.rfind(" ", end, after)
        after = space if space >= 0 else after
    head = ELLIPSIS if before > 0 else ""
    tail = ELLIPSIS if after < len(flat) else ""
    return Markup("{}{}<mark>{}</mark>{}{}").format(
        head, escape(flat[before:at]), escape(flat[at:end]), escape(flat[end:after]), tail
    )


def first_match(fields: list[tuple[str, str | None]], needle: str) -> tuple[str, Markup] | None:
    """The first (label, excerpt) among the labelled fields that contains `needle`."""
    for label, text in fields:
        found = snippet(text, needle)
        if found is not None:
            return label, found
    return None


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
