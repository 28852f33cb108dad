from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from failwell.enums import CycleStatus, RecipientKind, ThankedKind, VoterScope
from failwell.fields import Day, Id, InputModel, Name, ShortText, Title, YesNo, worded
from failwell.listing import PageParams

Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2_000)]
Link = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True,
        max_length=2_000,
        pattern=worded(r"^(|/[^\s]*|https?://[^\s]+)$", "a path from / or an http(s) URL, without spaces"),
    ),
]

COLLEAGUE = "a colleague"
ANONYMOUS_REPORTER = "the anonymous reporter"


class KudosIn(InputModel):
    """Thanks for one contribution to learning. Never for having no failures."""

    recipient_kind: RecipientKind = Field(
        description="'person', 'team', or 'anonymous_reporter' for the reporter of an anonymous failure "
        "or the proposer of an anonymous idea (nothing about them is stored or shown)."
    )
    person_id: Id | None = Field(None, description="The person thanked (recipient_kind 'person').")
    team_id: Id | None = Field(None, description="The team thanked (recipient_kind 'team').")
    thanked_kind: ThankedKind = Field(description="What the kudos is for.")
    thanked_id: Id = Field(
        description="Its id: the review, failure, corrective action, lesson (review), review comment or idea."
    )
    message: Reason = Field(description="What they did that helped the organisation learn.")


class Recognised(BaseModel):
    """Who is thanked or nominated, as the reader may see them."""

    kind: RecipientKind
    person_id: int | None = Field(description="Absent for the anonymous reporter and for hidden names.")
    team_id: int | None
    name: str = Field(description="'a colleague' when the person chose not to be named publicly.")
    hidden: bool = Field(description="True when the name is withheld from you.")


class Thanked(BaseModel):
    kind: ThankedKind
    id: int
    title: str
    url: str


class KudosOut(BaseModel):
    id: int
    giver: Recognised | None = Field(description="Who gave it; absent when given by the system.")
    recipient: Recognised
    thanked: Thanked
    message: str
    created_at: datetime


class KudosFilter(PageParams):
    person_id: Id | None = Field(None, description="Kudos to this person.")
    team_id: Id | None = Field(None, description="Kudos to this team.")


class PreferenceIn(InputModel):
    named_publicly: YesNo = Field(
        description="False: kudos and awards to you show as 'a colleague' to everyone but you and "
        "practice owners."
    )


class PreferenceOut(BaseModel):
    person_id: int
    named_publicly: bool


class AwardIn(InputModel):
    name: Name = Field(description="e.g. 'Learning of the month'.")
    description: ShortText = Field("", description="What it rewards.")


class AwardPatch(InputModel):
    name: Name | None = None
    description: ShortText | None = None


class AwardOut(BaseModel):
    id: int
    name: str
    description: str
    cycles: int
    created_at: datetime


class CycleIn(InputModel):
    title: Title = Field(description="e.g. 'November 2026'.")
    nominations_close_on: Day = Field(description="YYYY-MM-DD: the last day to nominate.")
    voting_closes_on: Day = Field(description="YYYY-MM-DD: the last day to vote.")
    voters: VoterScope = Field(VoterScope.everyone, description="'everyone', or 'panel' (panel_ids).")
    panel_ids: list[Id] = Field(default_factory=list, max_length=100, description="Voters when 'panel'.")


class NominationIn(InputModel):
    nominee_kind: RecipientKind = Field(description="'person' or 'team'.")
    person_id: Id | None = None
    team_id: Id | None = None
    reason: Reason = Field(description="What they did that helped others learn.")
    link: Link = Field("", description="A link to what they did: a path such as /failures/7, or a URL.")


class VoteIn(InputModel):
    nomination_id: Id


class AnnounceIn(InputModel):
    winner_nomination_id: Id | None = Field(
        None, description="Needed only when votes are tied: one of the tied nominations."
    )


class NominationOut(BaseModel):
    id: int
    cycle_id: int
    nominee: Recognised
    reason: str
    link: str
    votes: int | None = Field(description="Shown once announced, and to practice owners.")
    won: bool
    created_at: datetime


class CycleOut(BaseModel):
    id: int
    award_id: int
    award_name: str
    title: str
    status: CycleStatus
    nominations_close_on: date
    voting_closes_on: date
    voters: VoterScope
    panel_ids: list[int]
    announced_at: datetime | None
    nominations: list[NominationOut]
    my_vote: int | None = Field(description="The nomination you voted for, if any.")
    may_vote: bool = Field(description="Whether you are among the voters.")
    winner: NominationOut | None


class CycleFilter(PageParams):
    status: CycleStatus | None = None
    award_id: Id | None = None
