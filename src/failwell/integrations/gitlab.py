"""Placeholder."""

from __future__ import annotations

from typing import Any

from failwell.errors import InvalidInput
from failwell.integrations.ingest import Context


def handle(ctx: Context, event: str, payload: Any) -> None:
    raise InvalidInput.on("kind", "not supported yet")
