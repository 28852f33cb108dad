from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from failwell.enums import Role
from failwell.fields import Email, InputModel, Name, ShortText, YesNo
from failwell.listing import PageParams
from failwell.people.passwords import Password, password_problem


class TeamIn(InputModel):
    name: Name
    description: ShortText = ""


class TeamUpdate(InputModel):
    name: Name | None = None
    description: ShortText | None = None


class TeamOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    description: str
    created_at: datetime


TeamSort = Literal["name", "-name", "created_at", "-created_at"]


class TeamFilter(PageParams):
    sort: TeamSort | None = Field(None, description="Sort key; '-' first for descending.")
    q: str | None = Field(None, max_length=200, description="Text in the name or description.")


class _PersonInput(InputModel):
    """A person's details with an optional new password (checked by passwords.Password too)."""

    @field_validator("password", check_fields=False)
    @classmethod
    def _not_own_details(cls, password: str | None, info: ValidationInfo) -> str | None:
        # A password guessable from the person's own name or e-mail is weak for them.
        if password is None:
            return None
        problem = password_problem(password, [str(info.data.get(k) or "") for k in ("name", "email")])
        if problem is not None:
            raise PydanticCustomError("weak_password", problem)
        return password


class PersonIn(_PersonInput):
    name: Name
    email: Email
    role: Role = Role.practitioner
    password: Password | None = None
    teams: list[Name] = Field(default_factory=list, max_length=50, description="Team names.")


class PersonUpdate(_PersonInput):
    name: Name | None = None
    email: Email | None = None
    role: Role | None = None
    password: Password | None = None
    is_active: YesNo | None = None
    teams: list[Name] | None = Field(None, max_length=50)


class PersonOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    email: str
    role: Role
    is_active: bool
    can_sign_in: bool
    teams: list[str]
    created_at: datetime


PersonSort = Literal["name", "-name", "email", "-email", "created_at", "-created_at"]


class PersonFilter(PageParams):
    sort: PersonSort | None = Field(None, description="Sort key; '-' first for descending.")
    team: Name | None = Field(None, description="Only members of this team.")
    role: Role | None = None
    q: str | None = Field(None, max_length=200, description="Text in the name or e-mail.")


class TokenIn(InputModel):
    name: Name
    person: Email | None = Field(None, description="Whose token (practice owners only); default: yours.")
    expires_in_days: int | None = Field(None, ge=1, le=3650)


class TokenOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    name: str
    prefix: str
    person_id: int
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(description="The secret. Shown only this once; store it now.")
