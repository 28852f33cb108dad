"""Domain errors raised by services, and their RFC 9457 problem-details rendering.

Services raise these without knowing about HTTP; the app turns them into
`application/problem+json` responses and the CLI into one-line messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel


@dataclass(frozen=True)
class FieldError:
    field: str
    reason: str


@dataclass
class DomainError(Exception):
    detail: str
    errors: list[FieldError] = field(default_factory=list)

    status = 400
    title = "Bad request"
    slug = "bad-request"

    def __str__(self) -> str:
        """One line: the detail, and the field reasons it does not already say."""
        reasons = [f"{e.field}: {e.reason}" for e in self.errors]
        unsaid = [r for r in reasons if r not in self.detail]
        return f"{self.detail} ({'; '.join(unsaid)})" if unsaid else self.detail


class InvalidInput(DomainError):
    status = 422
    title = "Invalid input"
    slug = "invalid-input"

    @classmethod
    def on(cls, field_name: str, reason: str) -> InvalidInput:
        return cls(detail=f"{field_name}: {reason}", errors=[FieldError(field_name, reason)])

    @classmethod
    def each(cls, refusals: list[tuple[str, str]]) -> InvalidInput:
        """Several values refused at once (every unknown name of a list, not only the first)."""
        errors = [FieldError(name, reason) for name, reason in refusals]
        return cls(detail="; ".join(f"{e.field}: {e.reason}" for e in errors), errors=errors)


class NotFound(DomainError):
    status = 404
    title = "Not found"
    slug = "not-found"


class Conflict(DomainError):
    status = 409
    title = "Conflict"
    slug = "conflict"

    @classmethod
    def on(cls, field_name: str, reason: str) -> Conflict:
        return cls(detail=f"{field_name}: {reason}", errors=[FieldError(field_name, reason)])


class NotAuthenticated(DomainError):
    status = 401
    title = "Not authenticated"
    slug = "not-authenticated"


class PermissionDenied(DomainError):
    status = 403
    title = "Permission denied"
    slug = "permission-denied"


class FieldErrorOut(BaseModel):
    field: str
    reason: str


# Not "ProblemOut": recurrence has a ProblemOut (a problem record), and two models of one name
# get module-qualified schema names, which left the $ref below dangling (ReDoc refused it).
class ProblemDetails(BaseModel):
    """RFC 9457 problem details, the shape of every error response."""

    type: str
    title: str
    status: int
    detail: str
    instance: str | None = None
    errors: list[FieldErrorOut] | None = None


def _problem_doc(description: str) -> dict[str, Any]:
    schema = {"$ref": f"#/components/schemas/{ProblemDetails.__name__}"}
    return {
        "model": ProblemDetails,
        "description": description,
        "content": {"application/problem+json": {"schema": schema}},
    }


# Documented on every API route, so clients (and contract tests) know every error's shape.
PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _problem_doc("Malformed request"),
    401: _problem_doc("Missing, unknown, revoked or expired API token"),
    403: _problem_doc("Your role does not allow this"),
    404: _problem_doc("No such resource"),
    409: _problem_doc("Conflicts with existing data, e.g. a duplicate name"),
    413: _problem_doc("Request body too large"),
    422: _problem_doc("Invalid input: each bad field and why"),
}


def problem(
    status: int,
    title: str,
    slug: str,
    detail: str,
    errors: list[dict[str, str]] | None = None,
    instance: str | None = None,
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "type": f"https://failwell.dev/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if instance:
        body["instance"] = instance
    if errors:
        body["errors"] = errors
    return body


def domain_problem(exc: DomainError, instance: str | None = None) -> dict[str, Any]:
    return problem(
        exc.status,
        exc.title,
        exc.slug,
        exc.detail,
        [{"field": e.field, "reason": e.reason} for e in exc.errors] or None,
        instance,
    )
