"""Fixtures of the integrations tests: an integration of each kind, and signed deliveries."""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from factories import API
from failwell.broadcast.config import get_broadcast_settings
from failwell.integrations.config import get_integration_settings
from support import Org


@pytest.fixture(autouse=True)
def _integration_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.delenv("FAILWELL_BROADCAST_SECRET_KEYS", raising=False)
    get_broadcast_settings.cache_clear()
    get_integration_settings.cache_clear()
    yield
    get_broadcast_settings.cache_clear()
    get_integration_settings.cache_clear()


def sign(secret: str, body: bytes) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def as_bytes(payload: Any) -> bytes:
    return payload if isinstance(payload, bytes) else json.dumps(payload).encode()


class Hook:
    """One integration made through the API, with a way to post to its inbound URL."""

    def __init__(self, client: TestClient, org: Org, created: dict[str, Any]) -> None:
        self.client = client
        self.org = org
        self.id: int = created["id"]
        self.kind: str = created["kind"]
        self.secret: str = created["secret"]
        self.url = f"{API}/hooks/{self.id}/{self.kind}"

    def post(self, body: Any, headers: dict[str, str] | None = None, path: str = "") -> httpx.Response:
        return self.client.post(
            self.url + path,
            content=as_bytes(body),
            headers={"Content-Type": "application/json", **(headers or {})},
        )

    def bearer(self, body: Any, path: str = "", **headers: str) -> httpx.Response:
        return self.post(body, {"Authorization": f"Bearer {self.secret}", **headers}, path)

    def rule(self, **fields: Any) -> dict[str, Any]:
        r = self.client.post(f"{API}/integrations/{self.id}/rules", headers=self.org.headers(), json=fields)
        assert r.status_code == 201, r.text
        body: dict[str, Any] = r.json()
        return body

    def deliveries(self, **params: Any) -> list[dict[str, Any]]:
        r = self.client.get(
            f"{API}/integration-deliveries",
            headers=self.org.headers(),
            params={"integration_id": self.id, **params},
        )
        assert r.status_code == 200, r.text
        items: list[dict[str, Any]] = r.json()["items"]
        return items


@pytest.fixture
def make_hook(client: TestClient, org: Org) -> Callable[..., Hook]:
    def make(kind: str, name: str | None = None, **fields: Any) -> Hook:
        r = client.post(
            f"{API}/integrations",
            headers=org.headers(),
            json={"kind": kind, "name": name or f"{kind}-hook", **fields},
        )
        assert r.status_code == 201, r.text
        return Hook(client, org, r.json())

    return make
