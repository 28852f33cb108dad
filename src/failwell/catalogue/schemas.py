from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from failwell.enums import ConsumerKind, Tier
from failwell.fields import InputModel, Name, ShortText
from failwell.listing import PageParams

ServiceName = Name


class ConsumerIn(InputModel):
    model_config = ConfigDict(extra="forbid", from_attributes=True)
    name: Name
    kind: ConsumerKind


class ServiceIn(InputModel):
    name: Name = Field(description="Unique, e.g. 'payments'. Used to refer to the service everywhere.")
    description: ShortText = ""
    owner_team: Name = Field(description="Name of the owning team.")
    tier: Tier = Tier.tier3
    consumers: list[ConsumerIn] = Field(default_factory=list, max_length=100)


class ServiceUpdate(InputModel):
    name: Name | None = None
    description: ShortText | None = None
    owner_team: Name | None = None
    tier: Tier | None = None
    consumers: list[ConsumerIn] | None = Field(None, max_length=100)


class ServiceOut(BaseModel):
    id: int
    name: str
    description: str
    owner_team: str
    owner_team_id: int
    tier: Tier
    consumers: list[ConsumerIn]
    created_at: datetime


ServiceSort = Literal["name", "-name", "tier", "-tier", "created_at", "-created_at"]


class ServiceFilter(PageParams):
    sort: ServiceSort | None = Field(None, description="Sort key; '-' first for descending.")
    team: Name | None = Field(None, description="Owning team's name.")
    tier: Tier | None = None
    q: str | None = Field(None, max_length=200, description="Text in the name or description.")
