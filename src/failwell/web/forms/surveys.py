"""Survey forms ↔ schemas: the campaign form and the answer form (radio groups 1-7)."""

from __future__ import annotations

from typing import Any

from failwell.surveys.schemas import AnswerIn, CampaignIn
from failwell.web.forms.base import cleaned, validate

CAMPAIGN_LISTS = ("instruments", "teams")


def campaign_from_form(values: dict[str, Any]) -> tuple[CampaignIn | None, dict[str, str]]:
    data = cleaned(values)
    data["custom_items"] = [
        line.strip() for line in str(values.get("custom_items", "")).splitlines() if line.strip()
    ]
    data["free_text"] = values.get("free_text") in ("true", "on")
    data["instruments"] = list(values.get("instruments", []))
    return validate(CampaignIn, data)


def answer_from_form(values: dict[str, Any], keys: list[str]) -> tuple[AnswerIn | None, dict[str, str]]:
    """Every statement needs an answer; the error names the statement left out."""
    missing = [k for k in keys if not str(values.get(k, "")).strip()]
    if missing:
        return None, {k: "Choose an answer from 1 to 7." for k in missing}
    data: dict[str, Any] = {"answers": {k: values[k] for k in keys}}
    if str(values.get("free_text", "")).strip():
        data["free_text"] = values["free_text"]
    answer, errors = validate(AnswerIn, data)
    if answer is None and "answers" in errors:
        return None, {k: "Choose an answer from 1 to 7." for k in keys}
    return answer, errors
