"""What the audit trail answers, and the filters it is read with."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from failwell.audit.enums import AuditAction
from failwell.audit.models import ActorKind
from failwell.audit.registry import subject_types
from failwell.fields import Id, UtcDateTime
from failwell.listing import PageParams


def known_subject_type(value: str) -> str:
    """A subject type the trail can hold, or a refusal naming them."""
    known = subject_types()
    if value not in known:
        raise ValueError(f"unknown subject type '{value}'; one of: {', '.join(known)}")
    return value


# A filter's subject type: one the trail can hold (the API's, the page's and the CLI's).
SubjectType = Annotated[str, StringConstraints(max_length=64), AfterValidator(known_subject_type)]


class AuditFilter(PageParams):
    actor_person_id: Id | None = Field(None, description="Only what this person did (by any means).")
    actor: str | None = Field(None, max_length=200, description="Actor's name contains this.")
    actor_kind: ActorKind | None = None
    action: AuditAction | None = None
    subject_type: SubjectType | None = Field(None, description="e.g. person, api_token, channel.")
    subject_id: str | None = Field(None, max_length=64)
    since: UtcDateTime | None = Field(None, description="At or after this time.")
    until: UtcDateTime | None = Field(None, description="Before this time.")


class AuditExportFilter(AuditFilter):
    format: Literal["csv", "jsonl"] = Field("csv", description="csv or jsonl (JSON lines).")


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    at: datetime
    actor_kind: ActorKind
    actor_person_id: int | None = Field(description="Absent for the system and anonymous reports.")
    actor_name: str = Field(description="The actor's name when they acted; empty when anonymous.")
    token_id: int | None = Field(description="The API token used, if any.")
    action: str
    subject_type: str
    subject_id: str
    summary: str
    changes: dict[str, Any] = Field(description="{field: [before, after]}; secrets only as a mask.")
    request_method: str | None = None
    request_path: str | None = None
