from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Protocol

from pydantic import AnyHttpUrl, BaseModel, Field, StringConstraints

from failwell.enums import ChangeType, DeploymentOutcome, Risk
from failwell.fields import Id, InputModel, LongText, Lowered, Name, Title, Url, UtcDateTime, worded
from failwell.listing import PageParams

CommitSha = Annotated[
    str,
    StringConstraints(pattern=worded(r"^[0-9a-f]{7,64}$", "a commit SHA: 7 to 64 hexadecimal digits")),
    Lowered,
]
Environment = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=64,
        pattern=worded(
            r"^[a-z0-9][a-z0-9._-]*$",
            "lower-case letters, digits and . _ -, starting with a letter or digit (e.g. production)",
        ),
    ),
    Lowered,
]
Version = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=128)]


class ChangeIn(InputModel):
    title: Title
    description: LongText = ""
    change_type: ChangeType
    risk: Risk = Risk.low
    service: Name
    external_ref: str | None = Field(None, max_length=300, description="e.g. the change ticket id")


class ChangeUpdate(InputModel):
    title: Title | None = None
    description: LongText | None = None
    change_type: ChangeType | None = None
    risk: Risk | None = None
    external_ref: str | None = Field(None, max_length=300)


class ChangeOut(BaseModel):
    id: int
    title: str
    description: str
    change_type: ChangeType
    risk: Risk
    service: str
    external_ref: str | None
    created_at: datetime


ChangeSort = Literal["created_at", "-created_at", "title", "-title", "risk", "-risk"]


class ChangeFilter(PageParams):
    sort: ChangeSort | None = Field(None, description="Sort key; '-' first for descending.")
    service: Name | None = None
    team: Name | None = Field(None, description="Team owning the service.")
    change_type: ChangeType | None = None
    risk: Risk | None = None
    since: UtcDateTime | None = Field(None, description="Created at or after.")
    until: UtcDateTime | None = Field(None, description="Created before.")
    q: str | None = Field(None, max_length=200, description="Text in the title or reference.")


class DeploymentIn(InputModel):
    service: Name
    environment: Environment = "production"
    version: Version
    commit_shas: list[CommitSha] = Field(default_factory=list, max_length=100)
    started_at: UtcDateTime | None = Field(None, description="Default: now.")
    finished_at: UtcDateTime | None = None
    outcome: DeploymentOutcome
    change_id: Id | None = Field(None, description="The change this deployment releases.")
    pipeline_url: Url | None = None


class DeploymentFields(Protocol):
    """What a new deployment says, as `record_deployments` reads it: a DeploymentIn, or a
    caller's own record holding values validated as a DeploymentIn's fields are (a CI batch's
    items, which skip building a model each)."""

    @property
    def service(self) -> str: ...
    @property
    def environment(self) -> str: ...
    @property
    def version(self) -> str: ...
    @property
    def commit_shas(self) -> list[str]: ...
    @property
    def started_at(self) -> datetime | None: ...
    @property
    def finished_at(self) -> datetime | None: ...
    @property
    def outcome(self) -> DeploymentOutcome: ...
    @property
    def change_id(self) -> int | None: ...
    @property
    def pipeline_url(self) -> AnyHttpUrl | None: ...


class DeploymentUpdate(InputModel):
    finished_at: UtcDateTime | None = None
    outcome: DeploymentOutcome | None = None
    change_id: Id | None = None
    pipeline_url: Url | None = None


class DeploymentOut(BaseModel):
    id: int
    service: str
    environment: str
    version: str
    commit_shas: list[str]
    started_at: datetime
    finished_at: datetime | None
    outcome: DeploymentOutcome
    change_id: int | None
    pipeline_url: str | None
    created_at: datetime


DeploymentSort = Literal["started_at", "-started_at", "finished_at", "-finished_at", "version", "-version"]


class DeploymentFilter(PageParams):
    sort: DeploymentSort | None = Field(None, description="Sort key; '-' first for descending.")
    service: Name | None = None
    team: Name | None = Field(None, description="Team owning the service.")
    environment: Environment | None = None
    outcome: DeploymentOutcome | None = None
    change_id: Id | None = None
    since: UtcDateTime | None = Field(None, description="Started at or after.")
    until: UtcDateTime | None = Field(None, description="Started before.")
    q: str | None = Field(None, max_length=200, description="Version or commit SHA prefix.")
