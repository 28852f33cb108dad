"""Test helpers importable from any test module (fixtures live in conftest.py)."""

from __future__ import annotations

import socket
from dataclasses import dataclass

from failwell.authz import Actor
from failwell.enums import Role


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Org:
    """A small organisation every API test can use: one person and token per role."""

    team: str
    other_team: str
    service: str
    actors: dict[Role, Actor]
    tokens: dict[Role, str]
    emails: dict[Role, str]

    def headers(self, role: Role = Role.practice_owner) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.tokens[role]}"}
