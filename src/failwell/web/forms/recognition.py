"""The recognition forms <-> the recognition slice's schemas: thanking, nominating, voting,
announcing, defining awards and opening their cycles, and the choice not to be named.

One drop-down ("recipient") names whom a kudos or nomination is for: "person:7", "team:3" or
"anonymous_reporter"; errors on person_id, team_id or recipient_kind show beside it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from failwell.recognition.schemas import AnnounceIn, AwardIn, CycleIn, KudosIn, NominationIn, VoteIn
from failwell.web.forms.base import cleaned, validate

RECIPIENT_FIELDS = ("recipient_kind", "nominee_kind", "person_id", "team_id")


def _recipient(value: str, kind_field: str) -> dict[str, Any]:
    kind, _, number = value.partition(":")
    out: dict[str, Any] = {kind_field: kind or "person"}
    if kind == "person":
        out["person_id"] = number or None
    elif kind == "team":
        out["team_id"] = number or None
    return out


def _on_recipient(errors: dict[str, str]) -> dict[str, str]:
    return {("recipient" if k in RECIPIENT_FIELDS else k): v for k, v in errors.items()}


def kudos(values: Mapping[str, Any]) -> tuple[KudosIn | None, dict[str, str]]:
    fields = cleaned({k: values.get(k, "") for k in ("thanked_kind", "thanked_id", "message")})
    fields.update(_recipient(str(values.get("recipient", "")), "recipient_kind"))
    data, errors = validate(KudosIn, fields)
    return data, _on_recipient(errors)


def nomination(values: Mapping[str, Any]) -> tuple[NominationIn | None, dict[str, str]]:
    fields = cleaned({k: values.get(k, "") for k in ("reason", "link")})
    fields.update(_recipient(str(values.get("recipient", "")), "nominee_kind"))
    data, errors = validate(NominationIn, fields)
    return data, _on_recipient(errors)


def vote(values: Mapping[str, Any]) -> tuple[VoteIn | None, dict[str, str]]:
    return validate(VoteIn, {"nomination_id": values.get("nomination_id", "")})


def announce(values: Mapping[str, Any]) -> tuple[AnnounceIn | None, dict[str, str]]:
    return validate(AnnounceIn, cleaned({"winner_nomination_id": values.get("winner_nomination_id", "")}))


def award(values: Mapping[str, Any]) -> tuple[AwardIn | None, dict[str, str]]:
    return validate(AwardIn, cleaned({k: values.get(k, "") for k in ("name", "description")}))


def cycle(values: Mapping[str, Any], panel: list[str]) -> tuple[CycleIn | None, dict[str, str]]:
    names = ("title", "nominations_close_on", "voting_closes_on")
    fields = cleaned({k: values.get(k, "") for k in names})
    fields["voters"] = "panel" if panel else "everyone"
    fields["panel_ids"] = panel
    return validate(CycleIn, fields)


def recipient_errors(errors: dict[str, str]) -> dict[str, str]:
    """A service refusal's fields, as the form names them."""
    return _on_recipient(errors)
