"""Reading webhook payloads: times as the providers write them, URLs, nested fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any


def parse_time(value: object) -> datetime | None:
    """ISO 8601 as GitHub sends it, or GitLab's '2021-04-28 21:50:00 +0200' / '... UTC'."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def http_url(value: object) -> str | None:
    return (
        value
        if isinstance(value, str) and value.startswith(("http://", "https://")) and len(value) <= 2000
        else None
    )


def dig(payload: object, *path: str) -> Any:
    """payload[a][b]... or None where a step is missing."""
    for step in path:
        if not isinstance(payload, dict):
            return None
        payload = payload.get(step)
    return payload
