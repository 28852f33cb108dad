"""The severity scale form onto the failures slice's SeverityLevelUpdate.

One form edits every level: its inputs are name_<level> and description_<level>.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from failwell.failures.schemas import SeverityLevelOut, SeverityLevelUpdate
from failwell.web.forms.base import FormState, plain_words, validate


def scale_form(levels: Iterable[SeverityLevelOut]) -> FormState:
    values: dict[str, Any] = {}
    for level in levels:
        values[f"name_{level.level}"] = level.name
        values[f"description_{level.level}"] = level.description
    return FormState(values)


def scale_changes(values: dict[str, Any]) -> tuple[dict[int, SeverityLevelUpdate], dict[str, str]]:
    """Each level's change, and the error at each bad input; the scale is saved only if
    there is no error at all."""
    changes: dict[int, SeverityLevelUpdate] = {}
    errors: dict[str, str] = {}
    for key in values:
        if not key.startswith("name_") or not key[5:].isdigit():
            continue
        level = int(key[5:])
        fields = {"name": values.get(key, ""), "description": values.get(f"description_{level}", "")}
        data, level_errors = validate(SeverityLevelUpdate, fields)
        if data is None:
            nice = plain_words(level_errors, {"name": "give the level a name"})
            errors.update({f"{name}_{level}": reason for name, reason in nice.items()})
        else:
            changes[level] = data
    return changes, errors
