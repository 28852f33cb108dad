"""Reusable, bounded input field types: every text has a limit, every name is trimmed."""

from datetime import UTC, datetime
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)


def _as_utc(value: datetime) -> datetime:
    # Times without a zone are taken as UTC, the zone failwell stores everything in.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00+01:00 has no UTC equivalent; pydantic reports ValueErrors only.
        raise ValueError("is out of the range of representable times") from None


def _normalise(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


# Lower-cases before the pattern and length checks run (StringConstraints' own to_lower
# runs after its pattern, which would refuse "Production" instead of accepting it).
Lowered = BeforeValidator(_normalise)


def _at_most(limit: int) -> AfterValidator:
    """A length check after normalisation (lower-casing or URL encoding can lengthen text)."""

    def check(value: object) -> object:
        if len(str(value)) > limit:
            raise ValueError(f"is longer than {limit} characters once normalised")
        return value

    return AfterValidator(check)


# Ids are 32-bit integers on every database; larger numbers can name nothing.
MAX_ID = 2_147_483_647
Id = Annotated[int, Field(ge=1, le=MAX_ID)]
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(max_length=2_000)]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
Email = Annotated[
    str,
    Lowered,
    StringConstraints(max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]
Url = Annotated[AnyHttpUrl, Field(description="An http(s) URL of at most 2,000 characters"), _at_most(2_000)]
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
TagName = Annotated[
    str,
    Lowered,
    StringConstraints(min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._:/-]*$"),
]


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_contains_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_contains_nul(k) or _contains_nul(v) for k, v in value.items())
    return False


class InputModel(BaseModel):
    """Base of every request body and query: unknown fields and NUL characters are refused.

    PostgreSQL cannot store NUL in text, and no legitimate input needs one."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_nul(cls, value: Any) -> Any:
        if _contains_nul(value):
            raise ValueError("must not contain NUL (\\x00) characters")
        return value
