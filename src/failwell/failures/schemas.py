from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from failwell.enums import FailureKind, FailureStatus, FailureStatusFilter, ReportChannel, TimelineKind
from failwell.fields import Id, InputModel, LongText, Name, ShortText, TagName, Title, UtcDateTime, YesNo
from failwell.listing import PageParams
from failwell.search import Snippet


class FailureIn(InputModel):
    title: Title = Field(description="What happened, in a line.")
    description: LongText = ""
    kind: FailureKind
    severity: int = Field(3, ge=1, le=5, description="1 (worst) to 5; see /severity-levels.")
    status: FailureStatus = FailureStatus.open
    started_at: UtcDateTime | None = Field(None, description="Default: now.")
    detected_at: UtcDateTime | None = None
    mitigated_at: UtcDateTime | None = None
    resolved_at: UtcDateTime | None = None
    services: list[Name] = Field(default_factory=list, max_length=50, description="Affected services.")
    impact_partners: LongText = ""
    impact_consumers: LongText = ""
    deployment_ids: list[Id] = Field(default_factory=list, max_length=100)
    change_ids: list[Id] = Field(default_factory=list, max_length=100)
    tags: list[TagName] = Field(default_factory=list, max_length=30)
    anonymous: YesNo = Field(False, description="Store nothing that identifies the reporter.")
    reported_via: ReportChannel = ReportChannel.api


class FailureUpdate(InputModel):
    title: Title | None = None
    description: LongText | None = None
    kind: FailureKind | None = None
    severity: int | None = Field(None, ge=1, le=5)
    status: FailureStatus | None = None
    started_at: UtcDateTime | None = None
    detected_at: UtcDateTime | None = None
    mitigated_at: UtcDateTime | None = None
    resolved_at: UtcDateTime | None = None
    services: list[Name] | None = Field(None, max_length=50)
    impact_partners: LongText | None = None
    impact_consumers: LongText | None = None
    deployment_ids: list[Id] | None = Field(None, max_length=100)
    change_ids: list[Id] | None = Field(None, max_length=100)
    tags: list[TagName] | None = Field(None, max_length=30)


class PersonRef(BaseModel):
    id: int
    name: str


class FailureOut(BaseModel):
    id: int
    title: str
    description: str
    kind: FailureKind
    severity: int
    status: FailureStatus
    started_at: datetime
    detected_at: datetime | None
    mitigated_at: datetime | None
    resolved_at: datetime | None
    services: list[str]
    impact_partners: str
    impact_consumers: str
    deployment_ids: list[int]
    change_ids: list[int]
    tags: list[str]
    reporter: PersonRef | None = Field(description="Absent for anonymous reports.")
    anonymous: bool
    reported_via: ReportChannel
    created_at: datetime
    updated_at: datetime


FailureSort = Literal[
    "started_at",
    "-started_at",
    "severity",
    "-severity",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "title",
    "-title",
    "relevance",
]


class FailureFilter(PageParams):
    sort: FailureSort | None = Field(
        None,
        description=(
            "Sort key; '-' first for descending, highest first: '-started_at' newest first, "
            "'-severity' most severe first (severity 1 is the most severe), '-title' Z to A; "
            "'relevance' best match for q first (bm25 on SQLite, ts_rank on PostgreSQL). "
            "Default: relevance when q is given, else -started_at."
        ),
    )
    service: Name | None = Field(None, description="Affected service.")
    team: Name | None = Field(None, description="Team owning an affected service.")
    kind: FailureKind | None = None
    status: FailureStatusFilter | None = Field(
        None, description="A status, or 'unresolved': open or mitigated (home's 'Open failures')."
    )
    severity: int | None = Field(None, ge=1, le=5, description="Exactly this severity.")
    severity_at_least: int | None = Field(None, ge=1, le=5, description="This severity or worse.")
    tag: TagName | None = None
    since: UtcDateTime | None = Field(None, description="Started at or after.")
    until: UtcDateTime | None = Field(None, description="Started before.")
    q: str | None = Field(
        None,
        max_length=200,
        description=(
            "Words found in the title, description, tags, services, review sections or factor notes, "
            'in any order; the last word also matches as a prefix; "a phrase", -excluded, a OR b.'
        ),
    )


class FailureListItem(FailureOut):
    snippet: Snippet | None = Field(None, description="Where q matched (only when q is given).")


class TimelineEventIn(InputModel):
    occurred_at: UtcDateTime | None = Field(None, description="Default: now.")
    kind: TimelineKind = TimelineKind.note
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
    set_failure_time: YesNo = Field(
        False,
        description=(
            "For a detection, mitigation or resolution: also set the failure's detected, mitigated "
            "or resolved time to this event's, and move an open (or mitigated) failure on to "
            "mitigated or resolved. Ignored for other kinds."
        ),
    )


class TimelineEventUpdate(InputModel):
    occurred_at: UtcDateTime | None = None
    kind: TimelineKind | None = None
    description: ShortText | None = None


class TimelineEventOut(BaseModel):
    id: int
    failure_id: int
    occurred_at: datetime
    kind: TimelineKind
    description: str
    author: PersonRef | None
    created_at: datetime


class SeverityLevelOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    level: int
    name: str
    description: str


class SeverityLevelUpdate(InputModel):
    name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=50)] | None = None
    description: ShortText | None = None
