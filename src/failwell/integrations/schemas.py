"""API shapes of the integrations slice."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints, model_validator

from failwell.changes.schemas import CommitSha, Environment, Version
from failwell.enums import DeploymentOutcome
from failwell.fields import Id, InputModel, Name, Url, UtcDateTime, YesNo, worded
from failwell.integrations.models import IntegrationKind, Verdict
from failwell.listing import PageParams

Secret = Annotated[str, StringConstraints(strip_whitespace=True, min_length=16, max_length=200)]
MatchField = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        pattern=worded(
            r"^(repository|environment|label:[A-Za-z_][A-Za-z0-9_]{0,90})$",
            "repository, environment or label:<name> (a label's name: letters, digits and _)",
        ),
    ),
]
Pattern = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
Repository = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class IntegrationOptions(InputModel):
    """What an integration does with what it receives."""

    default_environment: Environment = Field(
        "production", description="When neither event nor rule names one."
    )
    open_failures: YesNo = Field(
        True, description="A failed production deployment opens a failure of kind failed_deployment."
    )
    deploy_workflows: list[Pattern] = Field(
        default_factory=list,
        max_length=50,
        description="GitHub workflow names or paths (globs) whose runs are deployments.",
    )
    severity: int = Field(
        3, ge=1, le=5, description="Severity of the failures it opens, unless a label says."
    )


class IntegrationIn(InputModel):
    kind: IntegrationKind
    name: Name
    secret: Secret | None = Field(None, description="Default: failwell makes one (e.g. PagerDuty's own).")
    active: YesNo = True
    options: IntegrationOptions = Field(default_factory=IntegrationOptions)


class IntegrationUpdate(InputModel):
    name: Name | None = None
    active: YesNo | None = None
    options: IntegrationOptions | None = None
    secret: Secret | None = Field(None, description="Replace the secret with this one.")
    rotate_secret: YesNo = Field(False, description="Make a new secret; answered once.")


class IntegrationOut(BaseModel):
    id: int
    kind: IntegrationKind
    name: str
    active: bool
    options: IntegrationOptions
    secret_hint: str
    inbound_url: str
    created_at: datetime


class IntegrationCreated(IntegrationOut):
    secret: str = Field(description="Shown once: configure the sender with it now.")


class RuleIn(InputModel):
    match_field: MatchField = Field(description="repository, environment or label:<name>.")
    pattern: Pattern = Field(description="Exact (case-insensitive), or a glob with * ? [...].")
    service: Name | None = None
    environment: Environment | None = None
    position: int = Field(0, ge=0, le=100_000, description="Lower first.")

    @model_validator(mode="after")
    def _maps_something(self) -> RuleIn:
        if self.service is None and self.environment is None:
            raise ValueError("a rule maps to a service, an environment or both")
        return self


class RuleUpdate(InputModel):
    match_field: MatchField | None = None
    pattern: Pattern | None = None
    service: Name | None = None
    environment: Environment | None = None
    position: int | None = Field(None, ge=0, le=100_000)


class RuleOut(BaseModel):
    id: int
    integration_id: int
    match_field: str
    pattern: str
    service: str | None
    environment: str | None
    position: int


class DeliveryOut(BaseModel):
    id: int
    integration_id: int
    delivery_key: str
    event: str
    received_at: datetime
    verdict: Verdict
    detail: str
    result: dict[str, Any]
    headers: dict[str, str]
    size: int
    replayed_at: datetime | None


class DeliveryDetail(DeliveryOut):
    body: str = Field(description="The raw body as received (UTF-8, invalid bytes replaced).")


class DeliveryFilter(PageParams):
    integration_id: Id | None = None
    verdict: Verdict | None = None


class HookResult(BaseModel):
    delivery_id: int | None
    verdict: Verdict
    detail: str
    result: dict[str, Any] = Field(default_factory=dict)


class CommitIn(InputModel):
    sha: CommitSha
    committed_at: UtcDateTime


class GenericDeployment(InputModel):
    """One deployment from any CI: `failwell deploy record`'s fields, plus what maps and links it."""

    service: Name | None = Field(None, description="Default: mapped from repository/environment rules.")
    repository: Repository | None = None
    environment: Environment | None = Field(None, description="Default: the integration's.")
    version: Version
    commit_shas: list[CommitSha] = Field(default_factory=list, max_length=100)
    commits: list[CommitIn] = Field(default_factory=list, max_length=1000, description="Commit times.")
    first_commit_at: UtcDateTime | None = Field(None, description="Default: from the commits known.")
    started_at: UtcDateTime | None = Field(None, description="Default: now.")
    finished_at: UtcDateTime | None = None
    outcome: DeploymentOutcome
    pipeline_url: Url | None = None
    external_id: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None
    ) = Field(None, description="The CI's id for this deployment: a repeat updates it.")
    rework: YesNo = Field(False, description="Unplanned, made because of a production failure.")


class GenericBatch(InputModel):
    deployments: list[GenericDeployment] = Field(min_length=1, max_length=100_000)
