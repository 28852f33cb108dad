"""Alertmanager: a real prometheus-alertmanager (Debian's package) on loopback, whose webhook
receiver is failwell served on loopback; alerts posted to its API v2 open, group and resolve."""

from __future__ import annotations

import base64
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from factories import API, assert_problem, counts
from failwell.db import Database
from integrations.conftest import Hook
from integrations.peers import alertmanager_binary
from support import Org, free_port

CONFIG = """
route:
  receiver: failwell
  group_by: ['alertname', 'service']
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: failwell
    webhook_configs:
      - url: {url}
        send_resolved: true
        http_config:
          authorization:
            type: Bearer
            credentials: {secret}
"""


class Alertmanager:
    def __init__(self, binary: Path, workdir: Path, webhook_url: str, secret: str) -> None:
        self.port = free_port()
        config = workdir / "alertmanager.yml"
        config.write_text(CONFIG.format(url=webhook_url, secret=secret))
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [
                str(binary),
                f"--config.file={config}",
                f"--storage.path={workdir / 'data'}",
                f"--web.listen-address=127.0.0.1:{self.port}",
                "--cluster.listen-address=",
            ],
            stdout=subprocess.DEVNULL,
            stderr=(workdir / "alertmanager.log").open("w"),
        )
        deadline = time.monotonic() + 20
        while True:
            try:
                if httpx.get(f"{self.url}/-/ready", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or self.process.poll() is not None:
                self.stop()
                raise RuntimeError(
                    "alertmanager did not start: " + (workdir / "alertmanager.log").read_text()
                )
            time.sleep(0.1)

    def post(self, alerts: list[dict[str, Any]]) -> None:
        r = httpx.post(f"{self.url}/api/v2/alerts", json=alerts, timeout=5)
        assert r.status_code == 200, r.text

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


def alert(instance: str, *, ends: datetime | None = None, **labels: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "labels": {"alertname": "CheckoutErrors", "service": "payments", "instance": instance, **labels},
        "annotations": {"summary": "Checkout error rate above 5%"},
        "startsAt": (datetime.now(UTC) - timedelta(minutes=2)).isoformat(),
    }
    if ends is not None:
        body["endsAt"] = ends.isoformat()
    return body


def wait_for(check: Callable[[], bool], seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


@pytest.fixture
def alertmanager(
    live_url: str, make_hook: Callable[..., Hook], tmp_path: Path
) -> Iterator[tuple[Alertmanager, Hook]]:
    binary = alertmanager_binary()
    hook = make_hook("alertmanager")
    am = Alertmanager(binary, tmp_path, f"{live_url}/api/v1/hooks/{hook.id}/alertmanager", hook.secret)
    yield am, hook
    am.stop()


def failures(client: TestClient, org: Org) -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = client.get(f"{API}/failures", headers=org.headers()).json()["items"]
    return items


def test_a_storm_opens_one_failure_and_resolving_resolves_it(
    client: TestClient, org: Org, alertmanager: tuple[Alertmanager, Hook]
) -> None:
    am, hook = alertmanager
    storm = [alert(f"web-{i}", severity="critical") for i in range(25)]
    am.post(storm)
    wait_for(lambda: len(failures(client, org)) == 1 and len(hook.deliveries()) >= 1)
    am.post(storm)  # the storm goes on: the same group, the same failure
    time.sleep(2.5)
    [failure] = failures(client, org)
    assert failure["kind"] == "incident" and failure["status"] == "open"
    assert failure["services"] == ["payments"] and failure["severity"] == 2
    assert failure["title"] == "Checkout error rate above 5%"
    assert {d["verdict"] for d in hook.deliveries()} == {"accepted"}
    ended = datetime.now(UTC) - timedelta(seconds=1)
    am.post([alert(f"web-{i}", ends=ended, severity="critical") for i in range(25)])
    wait_for(lambda: failures(client, org)[0]["status"] == "resolved")
    [failure] = failures(client, org)
    assert failure["resolved_at"] is not None


def test_unmapped_alerts_are_kept(
    client: TestClient, org: Org, alertmanager: tuple[Alertmanager, Hook]
) -> None:
    am, hook = alertmanager
    am.post([alert("db-1", service="billing", alertname="DiskFull")])
    wait_for(lambda: len(hook.deliveries()) >= 1)
    assert hook.deliveries()[0]["verdict"] == "unmapped"
    assert failures(client, org) == []


PAYLOAD = {
    "version": "4",
    "groupKey": '{}:{alertname="CheckoutErrors"}',
    "truncatedAlerts": 0,
    "status": "firing",
    "receiver": "failwell",
    "groupLabels": {"alertname": "CheckoutErrors"},
    "commonLabels": {"alertname": "CheckoutErrors", "team": "pay"},
    "commonAnnotations": {},
    "externalURL": "http://alertmanager.example:9093",
    "alerts": [
        {
            "status": "firing",
            "labels": {"alertname": "CheckoutErrors", "team": "pay"},
            "annotations": {},
            "startsAt": "2026-05-01T10:00:00Z",
            "endsAt": "0001-01-01T00:00:00Z",
            "generatorURL": "http://prometheus.example/graph",
            "fingerprint": "c6d4a3e0f1b2a3c4",
        }
    ],
}


def test_basic_auth_rules_and_refusals(
    client: TestClient, org: Org, db: Database, make_hook: Callable[..., Hook]
) -> None:
    hook = make_hook("alertmanager")
    hook.rule(match_field="label:team", pattern="pay", service="payments")
    basic = "Basic " + base64.b64encode(f"alertmanager:{hook.secret}".encode()).decode()
    before = counts(db)
    assert_problem(hook.post(PAYLOAD), 401)
    wrong = "Basic " + base64.b64encode(b"alertmanager:nope").decode()
    assert_problem(hook.post(PAYLOAD, {"Authorization": wrong}), 401)
    assert counts(db) == before
    got = hook.post(PAYLOAD, {"Authorization": basic}).json()
    assert got["verdict"] == "accepted", got
    [failure] = failures(client, org)
    assert failure["services"] == ["payments"] and failure["severity"] == 3
    assert failure["started_at"].startswith("2026-05-01T10:00:00")
    assert_problem(hook.post({"version": "4"}, {"Authorization": basic}), 422)
