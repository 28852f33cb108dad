"""The corrective action forms <-> the actions slice's schemas: the board's filters, its
status buttons, and the "add an action" form on a failure's page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal
from urllib.parse import urlencode

from pydantic import Field

from failwell.actions.schemas import ActionIn, ActionUpdate
from failwell.enums import ActionPriority
from failwell.listing import PageParams
from failwell.web.forms.base import FORM_ERROR, cleaned, validate

StatusChoice = Literal["active", "open", "in_progress", "done", "wont_do", "proposed", "declined", "all"]
ACTION_PREFIX = "action_"  # the failure's page holds several forms, and every input's id is its name
_ACTION_FIELDS = (
    "title",
    "description",
    "type",
    "owner_team",
    "owner_person",
    "due_date",
    "priority",
    "external_url",
)


class BoardQuery(PageParams):
    """The board's filters, as its URL carries them."""

    limit: int = Field(25, ge=1, le=100)
    team: str | None = Field(None, max_length=100)
    service: str | None = Field(None, max_length=100, description="Actions of this service's failures.")
    status: StatusChoice = "active"
    priority: ActionPriority | None = None
    overdue: Literal["true", "false"] | None = None

    def url(self, **changes: Any) -> str:
        values = {
            "team": self.team,
            "service": self.service,
            "status": self.status if self.status != "active" else None,
            "priority": self.priority.value if self.priority else None,
            "overdue": self.overdue,
            **changes,
        }
        query = urlencode({k: v for k, v in values.items() if v})
        return "/actions" + (f"?{query}" if query else "")


def board_query(query: Mapping[str, str]) -> tuple[BoardQuery, dict[str, str]]:
    """The board's filters; a hand-edited URL shows the board unfiltered, with what was ignored."""
    raw = {k: v for k, v in query.items() if v.strip()}
    parsed, errors = validate(BoardQuery, raw)
    return (BoardQuery(), errors) if parsed is None else (parsed, errors)


def status_update(values: Mapping[str, Any]) -> tuple[ActionUpdate | None, dict[str, str]]:
    """A status button (and the reason, for won't do), as the only fields of an update."""
    data, errors = validate(
        ActionUpdate,
        {k: v for k, v in values.items() if k in ("status", "wont_do_reason") and str(v).strip()},
    )
    if data is not None and data.status is None:
        return None, {"status": "Choose a status."}
    if data is None:
        return None, errors
    return ActionUpdate(status=data.status, wont_do_reason=data.wont_do_reason), errors


def back_to(values: Mapping[str, Any]) -> str:
    """Where the board's forms go back to: a board URL, never elsewhere."""
    back = str(values.get("next") or "/actions")
    return back if back.startswith("/actions") else "/actions"


def new_action(values: Mapping[str, Any], failure_id: int) -> tuple[ActionIn | None, dict[str, str]]:
    """The failure page's "add an action" form (inputs prefixed action_) for that failure."""
    fields = cleaned({name: values.get(ACTION_PREFIX + name, "") for name in _ACTION_FIELDS})
    if "type" in fields:
        fields["action_type"] = fields.pop("type")
    data, errors = validate(ActionIn, {**fields, "failure_id": failure_id})
    return data, action_errors(errors)


def action_errors(errors: dict[str, str]) -> dict[str, str]:
    """Errors about an action, at the failure page's (prefixed) inputs."""
    return {
        (k if k == FORM_ERROR else ACTION_PREFIX + ("type" if k == "action_type" else k)): v
        for k, v in errors.items()
    }
