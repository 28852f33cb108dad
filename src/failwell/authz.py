"""Who is acting, and what their ITIL practice role lets them change."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from failwell.db import Database
from failwell.enums import ROLE_RANK, Role
from failwell.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    person_id: int
    name: str
    role: Role
    # The API token the request came with; None for a browser session, the CLI and the system.
    token_id: int | None = None

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


# The system itself (CLI commands run against the database, demo loading).
SYSTEM = Actor(person_id=0, name="failwell", role=Role.practice_owner)

# Where a unit of work keeps who it runs as, so the audit trail can tell who changed what
# without every service passing the actor down to the database layer.
_ACTING = "failwell.acting"


def act_as(session: Session, actor: Actor) -> None:
    """Marks every change made in this session as made by the actor (for the audit trail)."""
    session.info[_ACTING] = actor


def acting(session: Session) -> Actor | None:
    """Who this session's changes are made by; None when nobody said (the system)."""
    actor = session.info.get(_ACTING)
    return actor if isinstance(actor, Actor) else None


# Who records refusals (the audit trail, installed by the composition root): database, actor,
# method, path, detail. A port, because the audit slice sits above this floor.
RefusalRecorder = Callable[[Database, Actor, str, str, str], None]
_refusal_recorder: RefusalRecorder | None = None


def record_refusals_with(recorder: RefusalRecorder | None) -> RefusalRecorder | None:
    """Installs the recorder (None uninstalls it); returns the one it replaced."""
    global _refusal_recorder
    previous, _refusal_recorder = _refusal_recorder, recorder
    return previous


def note_refusal(db: Database, actor: Actor, method: str, path: str, refusal: PermissionDenied) -> None:
    """Records a refusal once (it may pass both a unit of work and the app's error handler),
    in a transaction of its own: the refused request's work rolls back."""
    if _refusal_recorder is None or getattr(refusal, "recorded", False):
        return
    refusal.recorded = True  # type: ignore[attr-defined]  # a mark on this one exception
    _refusal_recorder(db, actor, method, path, refusal.detail)


_ROLE_LABEL = {
    Role.practice_owner: "a practice owner",
    Role.practice_manager: "a practice manager",
    Role.practitioner: "a practitioner",
    Role.viewer: "a viewer",
}


def require(actor: Actor, role: Role, doing: str) -> None:
    if not actor.at_least(role):
        needed, have = _ROLE_LABEL[role], _ROLE_LABEL[actor.role]
        raise PermissionDenied(detail=f"{doing} needs the role of {needed} or above; you are {have}.")
