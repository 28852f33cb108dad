"""The CLI's tests: the everyday verbs go to a live server, as one of the org's people."""

from __future__ import annotations

import pytest

from failwell.enums import Role
from support import Org


@pytest.fixture
def as_role(org: Org, live_url: str, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    def use(role: Role) -> None:
        monkeypatch.setenv("FAILWELL_URL", live_url)
        monkeypatch.setenv("FAILWELL_TOKEN", org.tokens[role])

    use(Role.practitioner)
    return use
