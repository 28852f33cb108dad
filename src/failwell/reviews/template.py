"""The review template: the guidance every blameless review starts from.

Practice owners edit it; the review editor shows it. It is one row of the organisation's
settings table (people.models.OrgSetting, shared with broadcast's options), so the text
lives here with the reviews and the table stays where it is.
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.enums import Role
from failwell.errors import InvalidInput
from failwell.people.models import OrgSetting

SETTING_KEY = "review_template"
MAX_LENGTH = 20_000
DEFAULT_TEMPLATE = (
    "Describe what happened as a story about systems and conditions, not about people.\n\n"
    "- **Summary**: what failed, for whom, for how long.\n"
    "- **Impact**: partners and consumers affected, and how.\n"
    "- **Contributing factors**: each with a category; ask *how* it made sense at the time.\n"
    "- **What went well / wrong / where we got lucky**.\n"
    "- **Lessons learned**: what others should know before their next change."
)


def review_template(session: Session) -> str:
    """The organisation's text, or the default until an owner saves one."""
    value = session.scalar(select(OrgSetting.value).where(OrgSetting.key == SETTING_KEY))
    return DEFAULT_TEMPLATE if value is None else value


def set_review_template(session: Session, actor: Actor, text: str) -> None:
    require(actor, Role.practice_owner, "Changing organisation settings")
    if len(text) > MAX_LENGTH:
        raise InvalidInput.on("value", f"is longer than {MAX_LENGTH} characters")
    row = session.get(OrgSetting, SETTING_KEY)
    if row is None:
        session.add(OrgSetting(key=SETTING_KEY, value=text))
    else:
        row.value = text
    session.flush()
