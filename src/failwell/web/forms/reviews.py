"""The review editor's form <-> the reviews slice's schemas: sections and factor rows become
ReviewUpdate (Save, with a status move) or ReviewSections (autosave); a review becomes the
rows its form shows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import Request

from failwell.reviews.schemas import ReviewSections, ReviewUpdate
from failwell.reviews.service import SECTIONS
from failwell.web.forms.base import validate

_ROWS = ("factor_category", "factor_description")
Row = tuple[str, str]


async def read_review_form(request: Request) -> dict[str, Any]:
    """The submitted fields. The repeated factor inputs keep their blanks, so categories and
    descriptions stay paired by position."""
    form = await request.form()
    values: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        if key in _ROWS:
            values[key] = [v if isinstance(v, str) else "" for v in form.getlist(key)]
        else:
            value = form.get(key)
            values[key] = value if isinstance(value, str) else ""
    return values


def rows_of_review(review: Mapping[str, Any]) -> list[Row]:
    """A review's factors (ReviewOut, dumped) as the editor's rows."""
    return [(f["category"], f["description"]) for f in review["factors"]]


def rows_of_form(values: Mapping[str, Any]) -> list[Row]:
    """The factor rows typed, without the empty ones."""
    cats = values.get("factor_category") or []
    texts = values.get("factor_description") or []
    width = max(len(cats), len(texts))
    cats = [*cats, *[""] * (width - len(cats))]
    texts = [*texts, *[""] * (width - len(texts))]
    return [(c.strip(), t.strip()) for c, t in zip(cats, texts, strict=True) if c.strip() or t.strip()]


def _sections(values: Mapping[str, Any], autosave: bool) -> tuple[dict[str, Any], dict[str, str]]:
    """The form as a body of sections and factors, and errors about half-filled factor rows.
    Autosave leaves those rows out (they are still being typed) instead of refusing."""
    data: dict[str, Any] = {name: values[name] for name in SECTIONS if name in values}
    errors: dict[str, str] = {}
    factors = []
    for i, (category, description) in enumerate(rows_of_form(values), start=1):
        if category and description:
            factors.append({"category": category, "description": description})
        elif not autosave:
            missing = "a category" if not category else "a description"
            errors.setdefault("factors", f"Factor {i} needs {missing}.")
    data["factors"] = factors
    return data, errors


def review_update(values: Mapping[str, Any]) -> tuple[ReviewUpdate | None, dict[str, str], str]:
    """The Save button: the update (None if refused), its errors, and the status move asked
    for ("" for none)."""
    body, errors = _sections(values, autosave=False)
    move = str(values.get("to_status") or "")
    if move:
        body["status"] = move
    data, invalid = validate(ReviewUpdate, body)
    errors = {**invalid, **errors}
    return (None if errors else data), errors, move


def autosaved(values: Mapping[str, Any]) -> tuple[ReviewSections | None, dict[str, str]]:
    body, _ = _sections(values, autosave=True)
    return validate(ReviewSections, body)
