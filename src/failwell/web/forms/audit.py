"""The audit page's filters: typed as the form sends them (dates, blank for any), read into the
slice's AuditFilter."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from pydantic import Field

from failwell.audit.enums import AuditAction
from failwell.audit.models import ActorKind
from failwell.audit.schemas import AuditFilter, SubjectType
from failwell.fields import Day
from failwell.listing import PageParams
from failwell.web.forms.base import plain_words, validate

ACTIONS = tuple(a.value for a in AuditAction)
ACTOR_KINDS = [(k.value, k.value.capitalize()) for k in ActorKind]
EXPORT_FORMATS = ("csv", "jsonl")


class AuditPageFilter(PageParams):
    limit: int = Field(50, ge=1, le=200)
    actor: str | None = Field(None, max_length=200)
    actor_kind: ActorKind | None = None
    action: AuditAction | None = None
    subject_type: SubjectType | None = None
    since: Day | None = None
    until: Day | None = None


def _start_of(day: date | None, days_after: int = 0) -> datetime | None:
    if day is None:
        return None
    return datetime.combine(day + timedelta(days=days_after), time(), tzinfo=UTC)


def audit_filters(
    query: dict[str, str],
) -> tuple[AuditFilter, AuditPageFilter, dict[str, str], dict[str, str]]:
    """The slice's filter, the page's, the error at each bad field, and the non-blank values typed.
    'Until' a day includes that whole day."""
    raw = {k: v for k, v in query.items() if v.strip()}
    page, errors = validate(AuditPageFilter, raw)
    page = page or AuditPageFilter()
    errors = plain_words(errors)
    if page.since and page.until and page.until < page.since:
        errors["until"] = "must be on or after the 'from' day"
    fields: dict[str, Any] = {
        "limit": page.limit,
        "offset": page.offset,
        "actor": page.actor,
        "actor_kind": page.actor_kind,
        "action": page.action,
        "subject_type": page.subject_type,
    }
    if not errors:
        fields["since"] = _start_of(page.since)
        fields["until"] = _start_of(page.until, 1)
    return AuditFilter(**fields), page, errors, raw
