from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from failwell.enums import ActionPriority, ActionType, IdeaStatus
from failwell.failures.schemas import PersonRef
from failwell.fields import Day, Id, InputModel, LongText, Name, Title, YesNo
from failwell.listing import PageParams

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]


class IdeaIn(InputModel):
    title: Title
    body: LongText = Field("", description="Markdown: what to improve, and why.")
    failure_ids: list[Id] = Field(default_factory=list, max_length=20, description="Failures it is about.")
    problem_id: Id | None = Field(None, description="The problem it is about, if any.")
    anonymous: YesNo = Field(False, description="Store nothing that identifies the proposer.")


class IdeaAccept(InputModel):
    """Turns the idea into a corrective action, crediting its proposer."""

    failure_id: Id | None = Field(
        None,
        description="The failure the action is for. Default: the idea's first failure, or its problem's.",
    )
    title: Title | None = Field(None, description="Default: the idea's title.")
    action_type: ActionType = ActionType.prevent
    owner_team: Name | None = Field(None, description="Default: the team owning the failure's service.")
    due_date: Day | None = Field(None, description="YYYY-MM-DD")
    priority: ActionPriority = ActionPriority.medium


class IdeaClose(InputModel):
    reason: Reason = Field(description="Why the idea is closed; everyone reads it.")


class CommentIn(InputModel):
    body: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20_000)] = Field(
        description="Markdown."
    )


class CommentOut(BaseModel):
    id: int
    idea_id: int
    author: PersonRef | None
    body: str
    created_at: datetime


class IdeaOut(BaseModel):
    id: int
    title: str
    body: str
    proposed_by: PersonRef | None = Field(description="Absent when proposed anonymously.")
    anonymous: bool
    status: IdeaStatus
    close_reason: str | None
    problem_id: int | None
    failure_ids: list[int]
    action_id: int | None = Field(description="The corrective action it became, once accepted.")
    supporters: int = Field(description="How many people support it.")
    supported_by_me: bool
    comments: int
    created_at: datetime
    updated_at: datetime


class IdeaSubject(BaseModel):
    """What another slice (recognition) needs to name an idea and thank its proposer."""

    id: int
    title: str
    proposed_by: PersonRef | None


IdeaSort = Literal["support", "-support", "created_at", "-created_at", "updated_at", "-updated_at"]


class IdeaFilter(PageParams):
    sort: IdeaSort | None = Field(
        None, description="'-support' most supported first (the default), '-created_at' newest first."
    )
    status: IdeaStatus | None = None
    failure_id: Id | None = None
    q: str | None = Field(None, max_length=200, description="Text in the title or body.")
