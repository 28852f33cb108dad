"""The integration forms <-> the integrations slice's schemas: a mapping rule, and an
integration's options."""

from __future__ import annotations

from typing import Any

from failwell.integrations.schemas import IntegrationOptions, RuleIn
from failwell.web.forms.base import cleaned, validate


def rule_from_form(values: dict[str, Any]) -> tuple[RuleIn | None, dict[str, str]]:
    """A rule from the add-a-rule form; empty fields are left to their defaults."""
    raw = {k: v for k, v in cleaned(values).items() if v not in ("", None)}
    data, errors = validate(RuleIn, raw)
    return data, errors


def options_from_form(values: dict[str, Any]) -> tuple[IntegrationOptions | None, dict[str, str]]:
    """An integration's options from its form: a checkbox left unticked is sent as nothing,
    the workflows as one comma-separated line."""
    raw = cleaned(values)
    data, errors = validate(
        IntegrationOptions,
        {
            "default_environment": raw.get("default_environment") or "production",
            "open_failures": raw.get("open_failures") in ("true", "on"),
            "deploy_workflows": [
                w.strip() for w in str(raw.get("deploy_workflows") or "").split(",") if w.strip()
            ],
            "severity": raw.get("severity") or 3,
        },
    )
    return data, errors
