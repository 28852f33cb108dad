from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

from failwell.enums import ActionPriority, ActionStatus, ActionType
from failwell.failures.schemas import PersonRef
from failwell.fields import Day, Email, Id, InputModel, LongText, Name, ShortText, Title, Url, YesNo
from failwell.listing import PageParams


class ActionIn(InputModel):
    failure_id: Id
    title: Title
    description: LongText = ""
    action_type: ActionType
    owner_team: Name | None = Field(
        None, description="Default: the team owning the failure's service (most of them, if several)."
    )
    owner_person: Email | None = Field(None, description="E-mail of the person who owns it, if any.")
    due_date: Day | None = Field(None, description="YYYY-MM-DD")
    priority: ActionPriority = ActionPriority.medium
    external_url: Url | None = Field(None, description="The ticket in your tracker.")


class ActionProposal(InputModel):
    """A practitioner's proposed action: a practice manager accepts (and assigns) or declines it."""

    failure_id: Id
    title: Title
    description: LongText = ""
    action_type: ActionType
    owner_team: Name | None = Field(
        None, description="Suggested owner team. Default: the team owning the failure's service."
    )
    external_url: Url | None = Field(None, description="The ticket in your tracker.")


class DeclineIn(InputModel):
    reason: ShortText = Field(description="Why the proposal is declined; the proposer reads it.")


class ActionUpdate(InputModel):
    title: Title | None = None
    description: LongText | None = None
    action_type: ActionType | None = None
    owner_team: Name | None = None
    owner_person: Email | None = None
    due_date: Day | None = None
    priority: ActionPriority | None = None
    status: ActionStatus | None = None
    wont_do_reason: ShortText | None = Field(None, description="Required when status is wont_do.")
    external_url: Url | None = None


class ActionOut(BaseModel):
    id: int
    failure_id: int
    review_id: int | None
    title: str
    description: str
    action_type: ActionType
    owner_team: str
    owner_person: PersonRef | None
    due_date: date | None
    priority: ActionPriority
    status: ActionStatus
    overdue: bool
    wont_do_reason: str | None
    decline_reason: str | None
    proposed_by: PersonRef | None = Field(
        description="Who proposed it, when it began as a proposal or an idea."
    )
    proposed_anonymously: bool = Field(description="Proposed through an anonymous idea: nobody is named.")
    external_url: str | None
    completed_at: datetime | None
    created_at: datetime
    updated_at: datetime


ActionSort = Literal[
    "due_date",
    "-due_date",
    "priority",
    "-priority",
    "created_at",
    "-created_at",
    "updated_at",
    "-updated_at",
    "status",
    "-status",
]


class ActionFilter(PageParams):
    sort: ActionSort | None = Field(
        None,
        description=(
            "Sort key; '-' first for descending, highest first: '-priority' most urgent first "
            "(critical, high, medium, low), '-due_date' latest due first; empty due dates last. "
            "Default: due_date."
        ),
    )
    failure_id: Id | None = None
    team: Name | None = Field(None, description="Owner team.")
    service: Name | None = Field(None, description="Affected service of the failure.")
    status: ActionStatus | None = None
    action_type: ActionType | None = None
    priority: ActionPriority | None = None
    overdue: YesNo | None = Field(
        None, description="Only (or no) actions past their due date and not closed."
    )
    due_before: Day | None = None
    q: str | None = Field(None, max_length=200, description="Text in the title or description.")
