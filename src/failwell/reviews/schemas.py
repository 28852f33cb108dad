from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from failwell.enums import ReviewStatus, ReviewStatusFilter
from failwell.fields import InputModel, LongText, Lowered, Name, ShortText, UtcDateTime, YesNo, worded
from failwell.listing import PageParams

CategoryKey = Annotated[
    str,
    StringConstraints(
        min_length=1, max_length=64, pattern=worded(r"^[a-z0-9_]+$", "lower-case letters, digits and _")
    ),
    Lowered,
]


class FactorIn(InputModel):
    category: CategoryKey = Field(description="Key of a contributing-factor category.")
    description: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5_000)]


class FactorOut(BaseModel):
    category: str
    category_name: str
    description: str


class ReviewSections(InputModel):
    """The blameless review: describe systems and conditions, not people's mistakes."""

    summary: LongText | None = None
    impact: LongText | None = None
    what_went_well: LongText | None = None
    what_went_wrong: LongText | None = None
    where_we_got_lucky: LongText | None = None
    lessons_learned: LongText | None = None
    factors: list[FactorIn] | None = Field(None, max_length=50, description="Replaces all factors.")


class ReviewUpdate(ReviewSections):
    status: ReviewStatus | None = Field(
        None, description="draft -> in_review -> published; publishing needs a practice manager."
    )


class ReviewOut(BaseModel):
    id: int
    failure_id: int
    failure_title: str
    status: ReviewStatus
    summary: str
    impact: str
    what_went_well: str
    what_went_wrong: str
    where_we_got_lucky: str
    lessons_learned: str
    factors: list[FactorOut]
    created_at: datetime
    updated_at: datetime
    published_at: datetime | None


ReviewSort = Literal[
    "relevance", "updated_at", "-updated_at", "published_at", "-published_at", "created_at", "-created_at"
]


class ReviewFilter(PageParams):
    sort: ReviewSort | None = Field(None, description="Sort key; '-' first for descending.")
    status: ReviewStatusFilter | None = Field(
        None, description="A status, or 'waiting': in draft or in review for a resolved or closed failure."
    )
    service: Name | None = Field(None, description="Affected service of the failure.")
    team: Name | None = Field(None, description="Team owning an affected service.")
    category: CategoryKey | None = Field(None, description="Has a contributing factor of this category.")
    since: UtcDateTime | None = Field(None, description="Published at or after.")
    until: UtcDateTime | None = Field(None, description="Published before.")
    q: str | None = Field(
        None,
        max_length=200,
        description=(
            'Words, in any order, in the review or its failure (search syntax: "a phrase", -word, '
            "a OR b; the last word matches as a prefix). Sorted by relevance unless sort is given."
        ),
    )


class FactorCategoryIn(InputModel):
    key: CategoryKey
    name: Name
    description: ShortText = ""
    position: int = Field(100, ge=0, le=10_000)


class FactorCategoryUpdate(InputModel):
    name: Name | None = None
    description: ShortText | None = None
    position: int | None = Field(None, ge=0, le=10_000)
    is_active: YesNo | None = Field(None, description="Retired categories stay on old reviews.")


class FactorCategoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: int
    key: str
    name: str
    description: str
    position: int
    is_active: bool
