"""Fixtures of the broadcast tests: loopback receivers, fast delivery settings, a worker."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from broadcast.receivers import SmtpReceiver, WebhookReceiver
from failwell.broadcast.config import BroadcastSettings, get_broadcast_settings
from failwell.broadcast.worker import Worker
from failwell.db import Database


@pytest.fixture(autouse=True)
def _broadcast_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No key unless a test sets one; settings re-read for every test."""
    monkeypatch.delenv("FAILWELL_BROADCAST_SECRET_KEYS", raising=False)
    get_broadcast_settings.cache_clear()
    yield
    get_broadcast_settings.cache_clear()


@pytest.fixture
def webhook() -> Iterator[WebhookReceiver]:
    receiver = WebhookReceiver()
    yield receiver
    receiver.close()


@pytest.fixture
def smtp() -> Iterator[SmtpReceiver]:
    receiver = SmtpReceiver()
    yield receiver
    receiver.close()


FAST = BroadcastSettings(
    max_attempts=3,
    backoff_base_s=0.05,
    backoff_max_s=0.2,
    lease_s=5,
    send_timeout_s=2,
    poll_s=0.05,
    schedule_every_s=3600,
)


@pytest.fixture
def make_worker(db: Database) -> Iterator[Callable[..., Worker]]:
    workers: list[Worker] = []

    def make(**overrides: object) -> Worker:
        cfg = FAST.model_copy(update=overrides)
        worker = Worker(db, cfg, schedule=False)
        workers.append(worker)
        return worker

    yield make
    for w in workers:
        w.stop()
