"""The embedded default: `failwell serve` (the app factory) delivers from inside the app process."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from broadcast.receivers import WebhookReceiver, wait_for
from failwell.authz import SYSTEM
from failwell.broadcast import channel_admin, subscriptions
from failwell.broadcast.models import ChannelKind, Topic
from failwell.broadcast.schemas import ChannelIn, SubscriptionIn
from failwell.catalogue import service as catalogue
from failwell.catalogue.schemas import ServiceIn
from failwell.db import Database
from failwell.enums import Role
from failwell.people import service as people
from failwell.people import teams, tokens
from failwell.people.schemas import PersonIn, TeamIn, TokenIn
from support import free_port

pytestmark = pytest.mark.slow


def _token(db: Database, receiver: WebhookReceiver) -> str:
    with db.session() as s:
        teams.create_team(s, SYSTEM, TeamIn(name="core"))
        catalogue.create_service(s, SYSTEM, ServiceIn(name="ledger", owner_team="core"))
        person = people.create_person(
            s,
            SYSTEM,
            PersonIn(name="Reporter", email="r@example.com", role=Role.practitioner, teams=["core"]),
        )
        _, secret = tokens.create_token(s, people.actor_for(person), TokenIn(name="t"))
        channel_admin.create_channel(
            s, SYSTEM, ChannelIn(name="hook", kind=ChannelKind.webhook, url=receiver.json_url)
        )
        subscriptions.create_subscription(
            s, SYSTEM, SubscriptionIn(channel="hook", topics=[Topic.failure_reported])
        )
    return secret


def test_served_app_delivers_by_itself(
    database_url: str, db: Database, webhook: WebhookReceiver, tmp_path: Path
) -> None:
    token = _token(db, webhook)
    port = free_port()
    env = {**os.environ, "FAILWELL_DATABASE_URL": database_url, "FAILWELL_BROADCAST_POLL_S": "0.2"}
    cmd = [
        sys.executable, "-m", "uvicorn", "--factory", "failwell.app:create_app",
        "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning",
    ]  # fmt: skip
    log = tmp_path / "server.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, stdout=out, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        assert wait_for(lambda: _healthy(url), timeout_s=30), log.read_text()[-2000:]
        started = time.monotonic()
        r = httpx.post(
            f"{url}/api/v1/failures",
            headers={"Authorization": f"Bearer {token}"},
            json={"title": "Ledger is slow", "kind": "incident", "services": ["ledger"]},
        )
        assert r.status_code == 201, r.text
        assert wait_for(lambda: len(webhook.snapshot()) == 1, timeout_s=10), log.read_text()[-2000:]
        # Latency is measured by the bench; here only "soon", with room for a busy shared machine.
        assert time.monotonic() - started < 5
        assert "Ledger is slow" in webhook.snapshot()[0].body["title"]
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            assert proc.wait(timeout=15) is not None  # the worker thread does not hold shutdown up
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait(timeout=10)


def _healthy(url: str) -> bool:
    try:
        return httpx.get(f"{url}/healthz", timeout=1).status_code == 200
    except httpx.TransportError:
        return False
