"""The reviews slice's admin forms (factor taxonomy, review template) onto their schemas."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, Field

from failwell.reviews import template
from failwell.reviews.schemas import FactorCategoryIn, FactorCategoryUpdate
from failwell.web.forms.base import FormState, cleaned, plain_words, validate

CATEGORY_FIELDS = ("name", "description", "position")


def new_category_form() -> FormState:
    return FormState({"position": "100"})


def category_in(values: dict[str, Any]) -> tuple[FactorCategoryIn | None, dict[str, str]]:
    data, errors = validate(FactorCategoryIn, cleaned(values))
    if data is None:
        hint = "use lower-case letters, digits and underscores only, e.g. missing_tests"
        return None, plain_words(errors, {"key": hint})
    return data, {}


def category_form(category: dict[str, Any]) -> FormState:
    return FormState({k: category[k] for k in CATEGORY_FIELDS})


def category_update(values: dict[str, Any]) -> tuple[FactorCategoryUpdate | None, dict[str, str]]:
    """The edit form; a blank name is refused, a blank description clears it."""
    fields = {k: values.get(k, "") for k in CATEGORY_FIELDS}
    return validate(FactorCategoryUpdate, cleaned(fields, keep_blank=("description", "name")))


class TemplateForm(BaseModel):
    template: str = Field(max_length=template.MAX_LENGTH)


def template_text(values: dict[str, Any]) -> tuple[str | None, dict[str, str]]:
    data, _ = validate(TemplateForm, {"template": values.get("template", "")})
    if data is None:
        return None, {"template": f"is longer than {template.MAX_LENGTH:,} characters"}
    return data.template, {}
