"""The failure pages' forms <-> the failures slice's schemas, both ways: what was typed becomes
FailureFilter, FailureIn, a status change, timeline input or the typed values of an edit; a
stored failure or event becomes what its form shows (what a person would type)."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from pydantic import BaseModel

from failwell.db import utcnow
from failwell.enums import FailureStatus, ReportChannel
from failwell.errors import DomainError
from failwell.failures.edits import EDITABLE_FIELDS, changed_since
from failwell.failures.schemas import (
    FailureFilter,
    FailureIn,
    FailureUpdate,
    TimelineEventIn,
    TimelineEventUpdate,
)
from failwell.fields import UtcDateTime
from failwell.web.forms.base import FORM_ERROR, PLAIN_WORDS, cleaned, domain_errors, plain_words, validate

FILL_IN = PLAIN_WORDS["Field required"]
FILTER_FIELDS = ("q", "service", "team", "kind", "status", "severity", "tag", "since", "until", "sort")
# The report form carries every field an edit may change.
REPORT_FIELDS = EDITABLE_FIELDS
# The report form's fields under "More details" (opened when one holds something).
DETAIL_FIELDS = (
    "description",
    "detected_at",
    "mitigated_at",
    "resolved_at",
    "impact_partners",
    "impact_consumers",
    "tags",
    "deployment_ids",
    "change_ids",
)
EVENT_PREFIX = "event_"  # several forms share the failure's page, and every input's id is its name
_EVENT_FIELDS = ("kind", "occurred_at", "description")
_NEW_EVENT_FIELDS = (*_EVENT_FIELDS, "set_failure_time")
_TEXT = ("title", "description", "impact_partners", "impact_consumers")
_TIMES = ("started_at", "detected_at", "mitigated_at", "resolved_at")
_LISTS = ("tags", "deployment_ids", "change_ids")
_REQUIRED = ("title", "kind", "severity", "started_at")


def local(value: datetime | None) -> str:
    """A stored UTC time as a datetime-local input value (to the minute)."""
    return "" if value is None else value.strftime("%Y-%m-%dT%H:%M")


def now_local() -> str:
    """Now, as a datetime-local input value (UTC: every time in failwell is)."""
    return local(utcnow())


def split(text: Any) -> list[str]:
    """A list typed as text: items separated by commas or spaces."""
    return [p for p in re.split(r"[,\s]+", str(text or "")) if p]


def text(value: Any) -> str:
    """Text as typed, with the line endings a browser sends (CRLF) made plain."""
    return str(value or "").replace("\r\n", "\n").strip()


def unprefixed(values: Mapping[str, Any], prefix: str, names: tuple[str, ...]) -> dict[str, Any]:
    """The fields of a form whose inputs carry a prefix, without it (blank ones left out)."""
    return cleaned({name: values.get(prefix + name, "") for name in names})


def prefixed(errors: dict[str, str], prefix: str) -> dict[str, str]:
    return {(k if k == FORM_ERROR else prefix + k): v for k, v in errors.items()}


# ---- the list's filters ---------------------------------------------------------------


def list_filters(
    query: Mapping[str, str], page_size: int
) -> tuple[dict[str, str], FailureFilter | None, dict[str, str]]:
    """The filter form's values as typed, the filter they make (None if refused) and its errors."""
    raw = {k: v for k, v in query.items() if k in (*FILTER_FIELDS, "limit", "offset")}
    values = {k: v for k, v in raw.items() if k in FILTER_FIELDS}
    filters, errors = validate(FailureFilter, {"limit": str(page_size), **cleaned(raw)})
    return values, filters, errors


# ---- reporting ------------------------------------------------------------------------


def report_input(values: Mapping[str, Any]) -> tuple[FailureIn | None, dict[str, str]]:
    data = cleaned({k: v for k, v in values.items() if k in REPORT_FIELDS})
    for key in _LISTS:
        if key in data:
            data[key] = split(data[key])
    data["anonymous"] = values.get("anonymous") in ("true", "on")
    data["reported_via"] = ReportChannel.web
    return validate(FailureIn, data)


def report_has_details(values: Mapping[str, Any], errors: Mapping[str, str]) -> bool:
    return any(values.get(k) for k in DETAIL_FIELDS) or any(k in errors for k in DETAIL_FIELDS)


# ---- a status button --------------------------------------------------------------------


class StatusForm(BaseModel):
    """A status button and its "When" field."""

    status: FailureStatus
    status_at: UtcDateTime | None = None


def status_change(values: Mapping[str, Any]) -> tuple[StatusForm | None, dict[str, str]]:
    """The status chosen and the time given ("When", blank for none)."""
    try:
        FailureStatus(values.get("status", ""))
    except ValueError:
        return None, {"status": "Choose a status."}
    return validate(StatusForm, cleaned({k: values.get(k, "") for k in ("status", "status_at")}))


def status_errors(errors: dict[str, str]) -> dict[str, str]:
    """A service's words about a time belong to the one time the form has."""
    return {("status_at" if k.endswith("_at") else k): v for k, v in errors.items()}


# ---- the timeline ---------------------------------------------------------------------


def new_event(values: Mapping[str, Any]) -> tuple[TimelineEventIn | None, dict[str, str]]:
    data, errors = validate(TimelineEventIn, unprefixed(values, EVENT_PREFIX, _NEW_EVENT_FIELDS))
    if data is not None and data.occurred_at is None:
        # "Now" to the minute, as the page's time inputs show it: a status change sent from the
        # same page a moment later ("When" also to the minute) must not land before it.
        data.occurred_at = utcnow().replace(second=0, microsecond=0)
    return data, prefixed(errors, EVENT_PREFIX)


def event_refusal(exc: DomainError) -> dict[str, str]:
    """The service's refusal of a new timeline event, at the form's (prefixed) fields."""
    return prefixed(domain_errors(exc), EVENT_PREFIX)


def event_prefix(event_id: int) -> str:
    return f"e{event_id}_"


def event_values(event: Mapping[str, Any]) -> dict[str, Any]:
    """A timeline event as its edit form shows it."""
    prefix = event_prefix(event["id"])
    return {
        prefix + "kind": event["kind"].value,
        prefix + "occurred_at": local(event["occurred_at"]),
        prefix + "description": event["description"],
    }


def event_changes(values: Mapping[str, Any], event_id: int) -> tuple[dict[str, Any], dict[str, str]]:
    """An event's submitted fields, typed (edits.edit_event keeps those that changed), or the
    errors at its (prefixed) fields."""
    prefix = event_prefix(event_id)
    typed = {name: text(values[prefix + name]) for name in _EVENT_FIELDS if prefix + name in values}
    blank = {name: FILL_IN for name, value in typed.items() if not value}
    data, invalid = validate(TimelineEventUpdate, {k: v for k, v in typed.items() if k not in blank})
    errors = {**invalid, **blank}
    if data is None or errors:
        return {}, prefixed(errors, prefix)
    return data.model_dump(exclude_unset=True), {}


# ---- editing the details --------------------------------------------------------------


def edit_values(failure: Mapping[str, Any]) -> dict[str, Any]:
    """A failure (FailureOut, dumped) as the edit form shows it: what a person would type."""
    values: dict[str, Any] = {name: failure[name] for name in _TEXT}
    values["kind"] = failure["kind"].value
    values["severity"] = str(failure["severity"])
    values.update({name: local(failure[name]) for name in _TIMES})
    values["services"] = list(failure["services"])
    values["tags"] = ", ".join(failure["tags"])
    values["deployment_ids"] = ", ".join(str(i) for i in failure["deployment_ids"])
    values["change_ids"] = ", ".join(str(i) for i in failure["change_ids"])
    return values


def _as_typed(name: str, value: Any) -> Any:
    """A field as typed on the form, ready for FailureUpdate (blank: cleared)."""
    if name == "services":
        return list(value)
    if name in _LISTS:
        return split(value)
    typed = text(value)
    return None if not typed and name in _TIMES else typed


def edit_submitted(values: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every field the form sent, typed as FailureUpdate takes them, or the errors at them."""
    sent = {name: _as_typed(name, values[name]) for name in EDITABLE_FIELDS if name in values}
    blank = {name: FILL_IN for name in _REQUIRED if name in sent and sent[name] in ("", None)}
    data, errors = validate(FailureUpdate, {k: v for k, v in sent.items() if k not in blank})
    if data is None or blank:
        return {}, {**edit_errors(errors), **blank}
    return data.model_dump(exclude_unset=True), {}


def edit_shown(values: Mapping[str, Any]) -> dict[str, Any]:
    """What the form showed when it was opened (its hidden field "shown"), typed like
    edit_submitted. Fields it lacks, or holds in a shape the form never sends, are left out:
    the service compares those with what is stored."""
    try:
        shown = json.loads(str(values.get("shown") or ""))
    except ValueError:
        return {}
    if not isinstance(shown, dict):
        return {}
    out: dict[str, Any] = {}
    for name in EDITABLE_FIELDS:
        value = shown.get(name)
        as_list = isinstance(value, list) and all(isinstance(v, str) for v in value)
        if not (as_list if name == "services" else isinstance(value, str)):
            continue
        data, _ = validate(FailureUpdate, {name: _as_typed(name, value)})
        if data is not None and name in data.model_fields_set:
            out[name] = getattr(data, name)
    return out


def edit_errors(errors: dict[str, str]) -> dict[str, str]:
    """Messages about fields the form has not (the status) belong to the whole form."""
    out: dict[str, str] = {}
    for name, reason in plain_words(errors).items():
        if name == "status":
            out.setdefault(
                FORM_ERROR,
                f"The status {reason}: change the status on the failure's page first, then the times.",
            )
        elif name in ("deployment_ids", "change_ids") and "integer" in reason:
            out[name] = "Please give numbers (ids), separated by commas."
        elif name in EDITABLE_FIELDS or name == FORM_ERROR:
            out[name] = FILL_IN if reason == "cannot be cleared" else reason
        else:
            out.setdefault(FORM_ERROR, f"{name}: {reason}")
    return out


def rebased(values: Mapping[str, Any], current: Mapping[str, Any]) -> dict[str, Any]:
    """The form again after someone else changed a field this person changed too: the latest
    version (`current`, as edit_values shows it) with this person's changes over it. It now
    counts as shown, so saving again keeps their changes, theirs only."""
    submitted, _ = edit_submitted(values)
    mine = changed_since(edit_shown(values), submitted)
    return {**current, **{name: values[name] for name in mine}}
