"""The idea forms <-> the ideas slice's schemas: the list's filters, proposing, accepting, closing."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from pydantic import Field

from failwell.ideas.schemas import CommentIn, IdeaAccept, IdeaClose, IdeaFilter, IdeaIn
from failwell.web.forms.base import cleaned, validate

SORT_CHOICES = [
    ("-support", "Most supported"),
    ("-created_at", "Newest"),
    ("-updated_at", "Last changed"),
]


class IdeaQuery(IdeaFilter):
    """The list's filters, as its URL carries them."""

    limit: int = Field(25, ge=1, le=100)

    def url(self, **changes: Any) -> str:
        values = {
            "status": self.status.value if self.status else None,
            "sort": self.sort,
            "q": self.q,
            **changes,
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return "/ideas" + (f"?{query}" if query else "")


def idea_query(query: Mapping[str, str]) -> tuple[IdeaQuery, dict[str, str]]:
    """The list's filters; a hand-edited URL shows the list unfiltered, with what was ignored."""
    parsed, errors = validate(IdeaQuery, {k: v for k, v in query.items() if v.strip()})
    return (IdeaQuery(), errors) if parsed is None else (parsed, errors)


def numbers(text: str) -> list[str]:
    """ "12, #14 15" -> ["12", "14", "15"]: what people type for a list of failure numbers."""
    return [part.strip().lstrip("#") for part in text.replace(",", " ").split() if part.strip()]


def new_idea(values: Mapping[str, Any]) -> tuple[IdeaIn | None, dict[str, str]]:
    fields = cleaned({k: values.get(k, "") for k in ("title", "body", "problem_id")})
    fields["failure_ids"] = numbers(str(values.get("failure_ids", "")))
    fields["anonymous"] = values.get("anonymous") in ("true", "on")
    return validate(IdeaIn, fields)


def accept(values: Mapping[str, Any]) -> tuple[IdeaAccept | None, dict[str, str]]:
    names = ("failure_id", "title", "action_type", "owner_team", "due_date", "priority")
    return validate(IdeaAccept, cleaned({k: values.get(f"accept_{k}", "") for k in names}))


def close(values: Mapping[str, Any]) -> tuple[IdeaClose | None, dict[str, str]]:
    return validate(IdeaClose, {"reason": values.get("close_reason", "")})


def comment(values: Mapping[str, Any]) -> tuple[CommentIn | None, dict[str, str]]:
    return validate(CommentIn, {"body": values.get("comment_body", "")})


def prefixed(prefix: str, errors: dict[str, str]) -> dict[str, str]:
    return {(k if k.startswith("_") else prefix + k): v for k, v in errors.items()}
