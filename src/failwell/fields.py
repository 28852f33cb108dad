"""Reusable, bounded input field types: every text has a limit, every name is trimmed."""

import re
import types
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import cache
from typing import Annotated, Any, Self, Union, get_args, get_origin

import orjson
from pydantic import (
    AfterValidator,
    AnyHttpUrl,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import InitErrorDetails, PydanticCustomError

# What each pattern of a text field asks for, in words (see `worded`).
PATTERN_WORDS: dict[str, str] = {}


def worded(pattern: str, words: str) -> str:
    """A pattern for StringConstraints, registered with what it asks for in words: a refusal
    then says "must be <words>" instead of quoting the regular expression."""
    PATTERN_WORDS[pattern] = words
    return pattern


def error_reason(error: Any) -> str:
    """A pydantic error's reason as failwell says it (API, pages, CLI, webhook refusals): a
    registered pattern as what it asks for, a validator's message without "Value error, "."""
    if error.get("type") == "string_pattern_mismatch":
        words = PATTERN_WORDS.get(str((error.get("ctx") or {}).get("pattern")))
        if words:
            return f"must be {words}"
    return str(error.get("msg", "is invalid")).removeprefix("Value error, ")


# Times failwell accepts: nothing it records happened before 1970 or is planned past 2100, and
# times out there are typos or probes (year 0001, 9999) that only break sorting and charts.
EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
LATEST = datetime(2100, 1, 1, tzinfo=UTC)
TIME_HINT = "an ISO 8601 time such as 2026-11-22T14:05:00Z"
DATE_HINT = "an ISO 8601 date such as 2026-11-22"
_NUMBER = re.compile(r"\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*")


def _as_utc(value: datetime) -> datetime:
    # Times without a zone are taken as UTC, the zone failwell stores everything in.
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    try:
        return value.astimezone(UTC)
    except OverflowError:
        # e.g. 0001-01-01T00:00+01:00 has no UTC equivalent; pydantic reports ValueErrors only.
        raise ValueError("is out of the range of representable times") from None


def _not_a_number(value: object, hint: str = TIME_HINT) -> object:
    """Pydantic would read 0.5 or "1700000000" as seconds since 1970: a time must be written."""
    if (isinstance(value, int | float) and not isinstance(value, bool)) or (
        isinstance(value, str) and _NUMBER.fullmatch(value)
    ):
        raise PydanticCustomError("time_type", "must be {hint}, not a number", {"hint": hint})
    return value


def plausible_time(value: datetime | date) -> datetime | date:
    """Refuses times before 1970 or from 2100 on (see EARLIEST); for datetime and date fields."""
    moment = value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    if not EARLIEST <= moment < LATEST:
        raise PydanticCustomError("time_range", "must be between 1970 and 2099")
    return value


# Control characters (C0, DEL, C1), line and paragraph separators, and the bidirectional
# embeddings, overrides and isolates that can make a title read differently than it sorts
# or links ("Trojan Source"). A name or title is one line of plain text.
_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def printable_line(value: str) -> str:
    """Refuses control and bidirectional-override characters in a one-line text."""
    found = _UNPRINTABLE.search(value)
    if found is not None:
        code = f"U+{ord(found.group()):04X}"
        raise PydanticCustomError(
            "unprintable", "must not contain control or text-direction characters ({code})", {"code": code}
        )
    return value


def _normalise(value: object) -> object:
    return value.strip().lower() if isinstance(value, str) else value


# Lower-cases before the pattern and length checks run (StringConstraints' own to_lower
# runs after its pattern, which would refuse "Production" instead of accepting it). Put it
# after the StringConstraints: a before-validator placed later runs first, and the lengths are
# then a string's ("at least 1 character"), not a list's ("at least 1 item").
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
Name = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(printable_line),
]
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=300),
    AfterValidator(printable_line),
]
ShortText = Annotated[str, StringConstraints(max_length=2_000)]
LongText = Annotated[str, StringConstraints(max_length=50_000)]
Email = Annotated[
    str,
    StringConstraints(
        max_length=320,
        pattern=worded(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", "an email address such as ana@example.com"),
    ),
    Lowered,
]
Url = Annotated[AnyHttpUrl, Field(description="An http(s) URL of at most 2,000 characters"), _at_most(2_000)]
UtcDateTime = Annotated[
    datetime, BeforeValidator(_not_a_number), AfterValidator(_as_utc), AfterValidator(plausible_time)
]


def _not_a_day_number(value: object) -> object:
    return _not_a_number(value, DATE_HINT)


# A calendar day (YYYY-MM-DD) written as a date, between 1970 and 2099.
Day = Annotated[date, BeforeValidator(_not_a_day_number), AfterValidator(plausible_time)]


def _not_a_yes_no_number(value: object) -> object:
    """Pydantic's lax mode reads 0 and 1 (and 0.0) as false and true: a yes/no must be written."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("bool_type", "must be true or false, not a number")
    return value


# true or false ("true", "yes", "on" and their opposites as text, from forms and queries).
YesNo = Annotated[bool, BeforeValidator(_not_a_yes_no_number)]
TagName = Annotated[
    str,
    StringConstraints(
        min_length=1,
        max_length=64,
        pattern=worded(
            r"^[a-z0-9][a-z0-9._:/-]*$",
            "lower-case letters, digits and . _ : / -, starting with a letter or digit, without spaces",
        ),
    ),
    Lowered,
]


def _contains_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple | dict) and value:
        # A container (a CI batch holds thousands of strings) is written out by orjson in C first:
        # every NUL comes out as \u0000, so without that text there is none. With it (or what
        # orjson cannot write), the walk below decides.
        try:
            if b"\\u0000" not in orjson.dumps(value):
                return False
        except (TypeError, orjson.JSONEncodeError):
            pass
        return _walk_for_nul(value)
    return False


def _walk_for_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, list | tuple):
        return any(_walk_for_nul(v) for v in value)
    if isinstance(value, dict):
        return any(_walk_for_nul(k) or _walk_for_nul(v) for k, v in value.items())
    return False


def _kinds(annotation: Any) -> frozenset[type]:
    """The plain types a field's annotation admits, through Optional, unions and Annotated."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _kinds(get_args(annotation)[0])
    if origin is Union or origin is types.UnionType:
        return frozenset().union(*(_kinds(arg) for arg in get_args(annotation)))
    return frozenset({annotation}) if isinstance(annotation, type) else frozenset()


def field_kinds(field: FieldInfo) -> frozenset[type]:
    """The plain types a model's field admits (``datetime``, ``bool``, ``str`` …)."""
    return _kinds(field.annotation)


def _validators(annotation: Any) -> set[Callable[..., Any]]:
    """The functions of the validators an annotation carries, through Optional and unions."""
    found: set[Callable[..., Any]] = set()
    if get_origin(annotation) is Annotated:
        base, *metadata = get_args(annotation)
        found |= {m.func for m in metadata if callable(getattr(m, "func", None))}
        return found | _validators(base)
    for arg in get_args(annotation):
        found |= _validators(arg)
    return found


def checks_itself(field: FieldInfo, check: Callable[..., Any]) -> bool:
    """Whether a field's type runs ``check`` (a validator's function) on its value."""
    return any(getattr(m, "func", None) is check for m in field.metadata) or check in _validators(
        field.annotation
    )


_NUL_REASON = "must not contain NUL (\\x00) characters"


def _holds_a_model(annotation: Any) -> bool:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return True
    return any(_holds_a_model(arg) for arg in get_args(annotation))


@cache
def _model_fields(model: type[BaseModel]) -> frozenset[str]:
    """The fields that may hold models: those check their own values (an item of a batch is
    then named by its place in it), unless the value is plain text."""
    return frozenset(name for name, f in model.model_fields.items() if _holds_a_model(f.annotation))


def _refusals(model: type[BaseModel], data: dict[str, Any]) -> list[InitErrorDetails]:
    """The fields of a request that hold NUL characters, as refusals."""
    errors: list[InitErrorDetails] = []
    if _contains_nul(data):
        nested = _model_fields(model)
        for name in model.model_fields:
            value = data.get(name)
            if (name not in nested or isinstance(value, str)) and _contains_nul(value):
                errors.append(
                    {
                        "type": "value_error",
                        "loc": (name,),
                        "input": value,
                        "ctx": {"error": _NUL_REASON},
                    }
                )
    return errors


class InputModel(BaseModel):
    """Base of every request body and query: unknown fields and NUL characters are refused.
    Its fields' types refuse numbers where a time, a date or a yes/no is expected, and
    implausible times (UtcDateTime, Day, YesNo; tests/test_input_checks.py holds every
    input's fields of those kinds to them).

    PostgreSQL cannot store NUL in text, and no legitimate input needs one. Pydantic's lax
    mode reads 0.5 as a time (seconds since 1970) and 0.0 as false: a client sending those
    has a bug worth telling it about."""

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _refused(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        # Once per input, not once per field: a CI batch holds thousands of fields, and checks
        # called on each were over a third of its validation (1,000 deployments: 19 to 12 ms,
        # measured 2026-12-08). What it refuses is refused alone: a client sending NUL has a
        # bug to fix first.
        if type(data) is dict and data:
            errors = _refusals(cls, data)
            if errors:
                raise ValidationError.from_exception_data(cls.__name__, errors)
        return handler(data)
