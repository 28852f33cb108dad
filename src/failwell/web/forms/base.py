"""HTML forms onto the same Pydantic input models as the API.

A form that fails validation comes back with the person's input kept and a message at each
wrong field; nothing is saved, because validation happens before the unit of work runs and a
domain error inside it rolls the whole unit back.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import Request
from pydantic import BaseModel, ValidationError

from failwell.errors import DomainError
from failwell.fields import error_reason

M = TypeVar("M", bound=BaseModel)

FORM_ERROR = "_form"  # key for a message about the form as a whole


@dataclass
class FormState:
    """What a form template needs: the raw values typed and the error at each field."""

    values: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


async def read_form(request: Request, lists: Iterable[str] = ()) -> dict[str, Any]:
    """The submitted fields, minus the CSRF token. Fields named in `lists` are lists
    (multi-selects, repeated inputs); text is kept as typed, so it can be shown back."""
    form = await request.form()
    many = set(lists)
    out: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in many:
            out[key] = [v for v in form.getlist(key) if isinstance(v, str) and v.strip()]
        else:
            value = form.get(key)
            out[key] = value if isinstance(value, str) else ""
    for key in many:
        out.setdefault(key, [])
    return out


def cleaned(values: dict[str, Any], keep_blank: Iterable[str] = ()) -> dict[str, Any]:
    """Blank optional fields are left out (so the model's default applies), except those in
    `keep_blank`, where an empty string is meaningful (e.g. clearing a text section)."""
    keep = set(keep_blank)
    return {k: v for k, v in values.items() if k in keep or not (isinstance(v, str) and not v.strip())}


def _field_name(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc]
    return parts[0] if parts else FORM_ERROR


# Pydantic's words for the commonest mistakes, in the words a person filling a form expects.
# The one place they are translated: every form's errors pass through plain_words.
PLAIN_WORDS = {
    "Field required": "Please fill this in.",
    "String should have at least 1 character": "Please fill this in.",
}


def plain_words(errors: dict[str, str], per_field: dict[str, str] | None = None) -> dict[str, str]:
    """Each field's message in plain words; `per_field` overrides it where a field has a usual
    mistake worth its own sentence."""
    special = per_field or {}
    return {k: special.get(k, PLAIN_WORDS.get(v, v)) for k, v in errors.items()}


def validate(model: type[M], data: dict[str, Any]) -> tuple[M | None, dict[str, str]]:
    """The model, or the error at each field (in plain words) and None."""
    try:
        return model.model_validate(data), {}
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for err in exc.errors():
            name = _field_name(tuple(err.get("loc", ())))
            errors.setdefault(name, error_reason(err))
        return None, plain_words(errors)


def validate_filters(model: type[M], query: Mapping[str, str]) -> tuple[M, dict[str, str]]:
    """A list's filters from its query string: what validates is kept, what does not is left
    out and said (the list still shows, filtered by the rest)."""
    raw = {k: v for k, v in query.items() if v.strip()}
    filters, errors = validate(model, raw)
    if filters is None:
        filters, _ = validate(model, {k: v for k, v in raw.items() if k not in errors})
    return filters or model(), errors


def domain_errors(exc: DomainError) -> dict[str, str]:
    """A service's refusal as form errors: at the fields it names, else for the whole form."""
    errors: dict[str, str] = {}
    for err in exc.errors:
        name = err.field.split("[", 1)[0].split(".", 1)[0]
        errors.setdefault(name, err.reason)
    if not errors:
        errors[FORM_ERROR] = exc.detail
    return errors
