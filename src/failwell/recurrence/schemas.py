from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field, StringConstraints

from failwell.enums import ActionPriority, ActionStatus, FailureStatus
from failwell.fields import Id, InputModel, LongText, Name, Title, UtcDateTime
from failwell.listing import PageParams
from failwell.recurrence.enums import ProblemStatus

# Text beyond this is refused (its JSON stays under the 2 MiB body limit even if every character
# is escaped); ranking reads only the first 20,000 characters of what it gets.
QUERY_MAX = 200_000

Alert = Literal["none", "open_fix", "overdue_fix", "fix_did_not_hold"]
ReasonKind = Literal[
    "shared_terms",
    "semantic",
    "same_service",
    "same_factor",
    "same_deployment",
    "same_change",
    "same_signature",
    "same_exception",
    "linked",
    "same_problem",
    "recent",
]


class SimilarParams(InputModel):
    limit: int = Field(10, ge=1, le=50, description="Suggestions to return (1-50).")


class SimilarTextQuery(InputModel):
    text: Annotated[str, StringConstraints(max_length=QUERY_MAX)] = Field(
        description="What happened: a title, a description, an error message."
    )
    service: Name | None = Field(None, description="The affected service, if known.")
    limit: int = Field(10, ge=1, le=50)


# A URL must stay under the HTTP server's 64 KiB request line, and one character can take 12 bytes
# percent-encoded (4 UTF-8 bytes, each as %XX): 5,000 characters fit with room for the rest.
URL_TEXT_MAX = 5_000


class SimilarTextParams(SimilarTextQuery):
    text: Annotated[str, StringConstraints(max_length=URL_TEXT_MAX)] = Field(
        description="What happened (at most 5,000 characters in a URL; POST /similar takes more)."
    )


class ReasonOut(BaseModel):
    kind: ReasonKind
    detail: str
    weight: float = Field(description="What this reason added to the score.")


class ActionBrief(BaseModel):
    id: int
    title: str
    status: ActionStatus
    priority: ActionPriority
    due_date: date | None
    overdue: bool
    completed_at: datetime | None


class SuggestionOut(BaseModel):
    failure_id: int
    title: str
    status: FailureStatus
    started_at: datetime
    services: list[str]
    score: float = Field(description="Fused score; higher is more likely the same cause.")
    lexical: float | None = Field(description="Full-text relevance, 0-1 relative to the best match.")
    semantic: float | None = Field(description="Cosine similarity of the embeddings, when available.")
    reasons: list[ReasonOut]
    lessons: list[str] = Field(description="Lessons learned in its published review.")
    review_id: int | None
    actions: list[ActionBrief]
    open_fix: bool = Field(description="A corrective action of it is still open.")
    overdue_fix: bool = Field(description="A corrective action of it is open past its due date.")
    fix_did_not_hold: bool = Field(
        description="A corrective action of it was marked done before this failure started."
    )
    problem_ids: list[int]
    confidence: float | None = Field(
        None,
        description="First suggestion only: the calibrated probability that it is an earlier "
        "occurrence of the same failure, from its score and its lead over the next suggestion.",
    )
    strong: bool = Field(
        False,
        description="Likely the same cause: it is the first suggestion and its confidence is at or "
        "above the calibrated threshold (where first suggestions were earlier occurrences with at "
        "least 90 % precision, cross-validated on a labelled set), or a person recorded it as an "
        "earlier occurrence. Otherwise only possibly related.",
    )


class ProblemBrief(BaseModel):
    id: int
    title: str
    status: ProblemStatus
    members: int
    matched: int = Field(description="How many of the suggestions belong to it.")


class SimilarOut(BaseModel):
    failure_id: int | None = Field(description="The failure asked about (absent for a text query).")
    terms: list[str] = Field(description="The words searched for.")
    truncated: bool = Field(description="The text was longer than ranking reads; the start was used.")
    semantic: bool = Field(description="Whether semantic similarity took part in the ranking.")
    note: str | None = Field(description="Why semantic similarity is off, when it is.")
    alert: Alert = Field(description="The loudest flag among the suggestions.")
    strong_alert: Alert = Field(
        "none", description="The loudest flag among the strong suggestions only (see SuggestionOut.strong)."
    )
    suggested_problem: ProblemBrief | None
    items: list[SuggestionOut]


# ---- recurrence links ------------------------------------------------------------------


class RecurrenceLinkIn(InputModel):
    earlier_failure_id: Id
    note: Annotated[str, StringConstraints(max_length=2_000)] = ""


class RecurrenceLinkOut(BaseModel):
    failure_id: int
    earlier_failure_id: int
    earlier_title: str
    note: str
    created_at: datetime


# ---- problems and known errors -------------------------------------------------------


class ProblemIn(InputModel):
    title: Title
    description: LongText = ""
    root_cause: LongText = ""
    owner_team: Name | None = None
    failure_ids: list[Id] = Field(default_factory=list, max_length=200, description="Failures it explains.")


class ProblemUpdate(InputModel):
    title: Title | None = None
    description: LongText | None = None
    root_cause: LongText | None = None
    status: ProblemStatus | None = None
    owner_team: Name | None = None


class ProblemLinkIn(InputModel):
    failure_id: Id


class KnownErrorIn(InputModel):
    title: Title
    symptoms: LongText = ""
    workaround: LongText = Field("", description="How to restore service until the cause is fixed.")


class KnownErrorUpdate(InputModel):
    title: Title | None = None
    symptoms: LongText | None = None
    workaround: LongText | None = None


class KnownErrorFilter(InputModel):
    q: str | None = Field(None, max_length=200, description="Text in the title, symptoms or workaround.")
    limit: int = Field(50, ge=1, le=200)


class KnownErrorOut(BaseModel):
    id: int
    problem_id: int
    title: str
    symptoms: str
    workaround: str
    created_at: datetime
    updated_at: datetime


class OccurrenceOut(BaseModel):
    failure_id: int
    title: str
    started_at: datetime
    status: FailureStatus
    severity: int
    services: list[str]


class ProblemOut(BaseModel):
    id: int
    title: str
    description: str
    root_cause: str
    status: ProblemStatus
    owner_team: str | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    occurrences: list[OccurrenceOut]
    known_errors: list[KnownErrorOut]
    actions: list[ActionBrief] = Field(description="Corrective actions of its failures.")
    first_seen: datetime | None
    last_seen: datetime | None
    recurred_after_fix: bool = Field(
        description="A failure of it started after a corrective action of an earlier one was marked done."
    )
    recurrences_stopped: bool = Field(
        description="Its fixes are done and nothing recurred since the last was marked done."
    )


class ProblemSummaryOut(BaseModel):
    id: int
    title: str
    status: ProblemStatus
    owner_team: str | None
    occurrences: int
    known_errors: int
    last_seen: datetime | None
    updated_at: datetime


ProblemSort = Literal["updated_at", "-updated_at", "created_at", "-created_at", "title", "-title"]


class ProblemFilter(PageParams):
    sort: ProblemSort | None = None
    status: ProblemStatus | None = None
    q: str | None = Field(None, max_length=200, description="Text in the title or description.")


# ---- lessons before deploying and metrics -----------------------------------------------


class LessonsParams(InputModel):
    limit: int = Field(20, ge=1, le=200, description="Past failures to take lessons from.")


class LessonOut(BaseModel):
    failure_id: int
    title: str
    started_at: datetime
    review_id: int
    lessons_learned: str
    published_at: datetime | None


class OpenActionOut(ActionBrief):
    failure_id: int
    failure_title: str
    owner_team: str


class LessonsOut(BaseModel):
    service: str
    failures: int = Field(description="Failures of this service on record.")
    lessons: list[LessonOut]
    open_actions: list[OpenActionOut]
    open_critical: int = Field(description="Open corrective actions of critical priority.")
    overdue: int
    known_errors: list[KnownErrorOut]


class MetricsParams(InputModel):
    since: UtcDateTime | None = Field(None, description="Failures that started at or after.")
    until: UtcDateTime | None = Field(None, description="Failures that started before.")
    service: Name | None = None


class MetricsOut(BaseModel):
    failures: int
    recurrences: int = Field(description="Failures linked to an earlier one (directly or by a problem).")
    repeat_rate: float = Field(description="recurrences / failures.")
    median_days_between: float | None = Field(description="Median time between a failure and its recurrence.")
    mean_days_between: float | None
    after_fix_done: int = Field(
        description="Recurrences that started after a corrective action of the earlier failure was done."
    )
    problems_open: int
    known_errors: int
