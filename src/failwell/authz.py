"""Who is acting, and what their ITIL practice role lets them change."""

from __future__ import annotations

from dataclasses import dataclass

from failwell.enums import ROLE_RANK, Role
from failwell.errors import PermissionDenied


@dataclass(frozen=True)
class Actor:
    person_id: int
    name: str
    role: Role

    def at_least(self, role: Role) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]


# The system itself (CLI commands run against the database, demo loading).
SYSTEM = Actor(person_id=0, name="failwell", role=Role.practice_owner)

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
