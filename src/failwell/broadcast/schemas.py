from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from failwell.broadcast.models import ChannelKind, DeliveryStatus, Topic
from failwell.enums import FailureKind
from failwell.fields import Email, Id, InputModel, Name, TagName, YesNo, worded
from failwell.listing import PageParams
from failwell.reviews.schemas import CategoryKey

ChannelUrl = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=8, max_length=2_000),
    Field(
        description="An apprise URL, e.g. mailtos://user:pass@smtp.example.com?from=fw@example.com, "
        "slack://T/B/C, jsons://hooks.example.com/failwell. Stored encrypted; never shown again."
    ),
]
IsoWeek = Annotated[
    str,
    StringConstraints(pattern=worded(r"^\d{4}-W\d{2}$", "an ISO week such as 2026-W47")),
    Field(description="e.g. 2026-W47"),
]


class ChannelIn(InputModel):
    name: Name
    kind: ChannelKind
    url: ChannelUrl
    team: Name | None = Field(None, description="Make it this team's channel.")
    for_people: YesNo = Field(
        False, description="E-mail channels only: the mail server used to e-mail people."
    )
    enabled: YesNo = True


class ChannelUpdate(InputModel):
    name: Name | None = None
    url: ChannelUrl | None = Field(None, description="Replaces the stored URL.")
    team: Name | None = Field(None, description="Make it this team's channel; '' for none.")
    for_people: YesNo | None = None
    enabled: YesNo | None = None


class ChannelOut(BaseModel):
    id: int
    name: str
    kind: ChannelKind
    url_hint: str = Field(description="Scheme and last characters only; the URL itself is never shown.")
    encrypted: bool = Field(description="Whether the URL is stored encrypted.")
    team: str | None
    for_people: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime


class SubscriptionFilters(InputModel):
    service: Name | None = None
    team: Name | None = Field(None, description="Failures of services this team owns, or actions it owns.")
    kind: FailureKind | None = None
    min_severity: int | None = Field(None, ge=1, le=5, description="1 (worst) to 5: this severity or worse.")
    factor: CategoryKey | None = Field(None, description="A contributing-factor category key.")
    tag: TagName | None = None


class SubscriptionIn(InputModel):
    """Exactly one subscriber: a person (default: yourself), a team, or a channel."""

    person: Email | None = Field(None, description="E-mail of the person; default yourself.")
    team: Name | None = None
    channel: Name | None = None
    topics: list[Topic] = Field(min_length=1, max_length=len(Topic))
    filters: SubscriptionFilters = Field(default_factory=SubscriptionFilters)


class SubscriptionUpdate(InputModel):
    topics: list[Topic] | None = Field(None, min_length=1, max_length=len(Topic))
    filters: SubscriptionFilters | None = Field(None, description="Replaces all filters.")


class FiltersOut(BaseModel):
    service: str | None
    team: str | None
    kind: FailureKind | None
    min_severity: int | None
    factor: str | None
    tag: str | None


class SubscriptionOut(BaseModel):
    id: int
    subscriber_kind: Literal["person", "team", "channel"]
    subscriber: str = Field(description="The person's name, the team's or the channel's name.")
    person_id: int | None
    team_id: int | None
    channel_id: int | None
    topics: list[Topic]
    filters: FiltersOut
    created_at: datetime


class SubscriptionFilter(PageParams):
    mine: YesNo | None = Field(None, description="Only yours and your teams'.")
    topic: Topic | None = None
    team: Name | None = Field(None, description="Subscriptions of this team.")
    channel: Name | None = Field(None, description="Subscriptions of this channel.")


class DeliveryOut(BaseModel):
    id: int
    event_id: int
    topic: str
    title: str
    destination: str = Field(description="'channel:<name>' or an e-mail address.")
    reason: str
    idempotency_key: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None
    last_error: str | None
    created_at: datetime
    delivered_at: datetime | None


DeliverySort = Literal["created_at", "-created_at", "next_attempt_at", "-next_attempt_at"]


class DeliveryFilter(PageParams):
    sort: DeliverySort | None = Field(None, description="Default -created_at.")
    status: DeliveryStatus | None = None
    channel: Name | None = None
    topic: Topic | None = None
    event_id: Id | None = None


class DeliveryCounts(BaseModel):
    pending: int
    sending: int
    delivered: int
    failed: int


class RetryOut(BaseModel):
    retried: int


class OptionsIn(InputModel):
    hide_names: YesNo | None = Field(None, description="Remove people's names from everything broadcast.")
    owner_team_default: YesNo | None = Field(
        None, description="A service's owner team hears about its failures and published reviews."
    )


class OptionsOut(BaseModel):
    hide_names: bool
    owner_team_default: bool


class TeamReach(BaseModel):
    team: str
    members: int
    readers: int
    share: float = Field(description="readers / members, 0 to 1.")


class ReachOut(BaseModel):
    review_id: int
    readers: int = Field(description="People who said they have read it.")
    read_by_me: bool
    teams: list[TeamReach] = Field(description="Counts per team; who did not read is never listed.")


class DigestOut(BaseModel):
    scope: str
    week: str
    subject: str
    text: str
    html: str
    lessons: int
    recurrences: int
    actions_done: int
    actions_overdue: int
    lesson_of_the_week: str | None


class DigestQuery(InputModel):
    week: IsoWeek | None = Field(None, description="ISO week; default the last complete week.")


class FeedTokenOut(BaseModel):
    id: int
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class FeedTokenCreated(FeedTokenOut):
    token: str = Field(description="Shown only this once.")
    feeds: dict[str, str] = Field(description="Feed URLs with the token in them.")


class ScheduleOut(BaseModel):
    due_soon: int
    overdue: int
    reviews: int
    digests: int


class TestSent(BaseModel):
    event_id: int
    deliveries: int
