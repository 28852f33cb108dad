"""Reusable, bounded input field types: every text has a limit, every name is trimmed."""

from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, AnyHttpUrl, Field, StringConstraints


def _as_utc(value: datetime) -> datetime:
    # Times without a zone are taken as UTC, the zone failwell stores everything in.
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
ShortText = Annotated[str, StringConstraints(max_length=2_000)]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
Email = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, max_length=320, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
    ),
]
Url = Annotated[AnyHttpUrl, Field(description="An http(s) URL")]
UtcDateTime = Annotated[datetime, AfterValidator(_as_utc)]
TagName = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, min_length=1, max_length=64, pattern=r"^[a-z0-9][a-z0-9._:/-]*$"
    ),
]
