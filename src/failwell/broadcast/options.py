"""Organisation-wide broadcast options a practice owner sets (stored as org settings)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast.schemas import OptionsIn
from failwell.enums import Role
from failwell.people.models import OrgSetting

HIDE_NAMES = "broadcast.hide_names"
OWNER_TEAM_DEFAULT = "broadcast.owner_team_default"
_KEYS = (HIDE_NAMES, OWNER_TEAM_DEFAULT)


@dataclass(frozen=True)
class Options:
    # Remove people's names (and e-mail addresses) from everything broadcast.
    hide_names: bool = False
    # A service's owner team hears about its failures and published reviews without subscribing.
    owner_team_default: bool = True


def get_options(session: Session) -> Options:
    rows = dict(
        session.execute(select(OrgSetting.key, OrgSetting.value).where(OrgSetting.key.in_(_KEYS))).all()
    )
    default = Options()
    return Options(
        hide_names=rows[HIDE_NAMES] == "true" if HIDE_NAMES in rows else default.hide_names,
        owner_team_default=(
            rows[OWNER_TEAM_DEFAULT] == "true" if OWNER_TEAM_DEFAULT in rows else default.owner_team_default
        ),
    )


def set_options(session: Session, hide_names: bool | None, owner_team_default: bool | None) -> Options:
    for key, value in ((HIDE_NAMES, hide_names), (OWNER_TEAM_DEFAULT, owner_team_default)):
        if value is None:
            continue
        row = session.get(OrgSetting, key)
        text = "true" if value else "false"
        if row is None:
            session.add(OrgSetting(key=key, value=text))
        else:
            row.value = text
    session.flush()
    return get_options(session)


def read_options(session: Session) -> Options:
    return get_options(session)


def change_options(session: Session, actor: Actor, data: OptionsIn) -> Options:
    require(actor, Role.practice_owner, "Changing broadcast options")
    return set_options(session, data.hide_names, data.owner_team_default)
