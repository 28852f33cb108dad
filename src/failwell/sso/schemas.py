"""Request and response bodies of the single sign-on slice."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints, model_validator

from failwell.enums import Role
from failwell.fields import InputModel, Name, worded

ClaimName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        min_length=1,
        max_length=100,
        pattern=worded(r"^[A-Za-z0-9_.:/-]+$", "letters, digits and _ . : / -, without spaces"),
    ),
]
ClaimValue = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


class ClaimRuleIn(InputModel):
    claim: ClaimName = Field(description="The ID token claim to read, e.g. groups.")
    value: ClaimValue = Field(description="The value it must hold (or contain, for a list), exactly.")
    role: Role | None = Field(None, description="The role it gives; of several, the highest wins.")
    team: Name | None = Field(None, description="The team it puts the person in.")

    @model_validator(mode="after")
    def _maps_something(self) -> ClaimRuleIn:
        if self.role is None and self.team is None:
            raise ValueError("a rule gives a role, a team or both")
        return self


class ClaimRuleOut(BaseModel):
    id: int
    claim: str
    value: str
    role: Role | None
    team: str | None
    created_at: datetime


class SsoStatus(BaseModel):
    """How single sign-on is configured (from the server's environment; read-only here)."""

    enabled: bool
    issuer: str | None
    client_id: str | None
    redirect_uri: str
    post_logout_redirect_uri: str
    scopes: str
    groups_claim: str
    default_role: Role
    password_sign_in: bool
    break_glass_emails: list[str]
