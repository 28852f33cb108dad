"""Organisation-wide text settings that practice owners edit (stored in org_settings)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import Role
from failwell.errors import InvalidInput
from failwell.people.models import OrgSetting

# The known settings and their defaults. Unknown keys are refused, so typos do not pile up.
REVIEW_TEMPLATE = "review_template"

DEFAULTS: dict[str, str] = {
    REVIEW_TEMPLATE: (
        "Describe what happened as a story about systems and conditions, not about people.\n\n"
        "- **Summary**: what failed, for whom, for how long.\n"
        "- **Impact**: partners and consumers affected, and how.\n"
        "- **Contributing factors**: each with a category; ask *how* it made sense at the time.\n"
        "- **What went well / wrong / where we got lucky**.\n"
        "- **Lessons learned**: what others should know before their next change."
    ),
}
MAX_LENGTH = 20_000


def get_setting(session: Session, key: str) -> str:
    if key not in DEFAULTS:
        raise KeyError(key)
    value = session.scalar(select(OrgSetting.value).where(OrgSetting.key == key))
    return DEFAULTS[key] if value is None else value


def set_setting(session: Session, actor: Actor, key: str, value: str) -> None:
    require(actor, Role.practice_owner, "Changing organisation settings")
    if key not in DEFAULTS:
        raise InvalidInput.on("key", f"unknown setting '{key}'")
    if len(value) > MAX_LENGTH:
        raise InvalidInput.on("value", f"is longer than {MAX_LENGTH} characters")
    row = session.get(OrgSetting, key)
    if row is None:
        session.add(OrgSetting(key=key, value=value))
    else:
        row.value = value
    session.flush()
