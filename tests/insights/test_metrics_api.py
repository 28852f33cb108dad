"""The metrics API and the `failwell metrics` command on a generated event stream."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from failwell.cli import main
from failwell.db import Database, utcnow
from failwell.enums import Role
from failwell.insights.metrics import dora_report, learning_report
from failwell.insights.metrics_schemas import MetricsQuery
from insights.stream import NOW, Stream
from support import Org

API = "/api/v1/metrics"
DORA_KEYS = (
    "deployment_frequency",
    "change_lead_time",
    "change_fail_rate",
    "failed_deployment_recovery_time",
    "rework_rate",
)
WINDOW = {"since": (NOW - timedelta(days=120)).isoformat(), "until": NOW.isoformat()}


def _direct(db: Database, report: object, **filters: str) -> dict[str, object]:
    query = MetricsQuery(since=NOW - timedelta(days=120), until=NOW, **filters)
    with db.session(write=False) as s:
        body = report(s, query, utcnow())  # type: ignore[operator]
    return json.loads(json.dumps(body, default=lambda v: v.isoformat().replace("+00:00", "Z")))  # type: ignore[no-any-return]


def test_dora_and_learning_by_api(client: TestClient, org: Org, stream: Stream, db: Database) -> None:
    for path, report in (("dora", dora_report), ("learning", learning_report)):
        for filters in ({}, {"service": "checkout"}, {"team": "data-team"}):
            r = client.get(f"{API}/{path}", params={**WINDOW, **filters}, headers=org.headers(Role.viewer))
            assert r.status_code == 200, r.text
            body = r.json()
            want = _direct(db, report, **filters)
            for key, figure in want.items():
                if key != "scope":
                    assert body[key] == figure, key
    body = client.get(f"{API}/dora", params=WINDOW, headers=org.headers(Role.viewer)).json()
    for key in DORA_KEYS:
        assert set(body[key]) == {"value", "unit", "sample_size", "band"}


def test_trend_by_api(client: TestClient, org: Org, stream: Stream) -> None:
    r = client.get(f"{API}/trend", params={**WINDOW, "period": "month"}, headers=org.headers())
    assert r.status_code == 200, r.text
    points = r.json()["points"]
    assert 4 <= len(points) <= 6
    total = client.get(f"{API}/dora", params=WINDOW, headers=org.headers()).json()
    assert sum(p["deployments"] for p in points) == total["detail"]["deployments"]


def test_bad_filters_are_refused(client: TestClient, org: Org) -> None:
    h = org.headers()
    assert client.get(f"{API}/dora", params={"service": "nope"}, headers=h).status_code == 422
    assert client.get(f"{API}/dora", params={"team": "nope"}, headers=h).status_code == 422
    reversed_window = {"since": WINDOW["until"], "until": WINDOW["since"]}
    assert client.get(f"{API}/learning", params=reversed_window, headers=h).status_code == 422
    # A since after now, without an until: the since is what to correct, not an until never given.
    later = {"since": (datetime.now(UTC) + timedelta(days=30)).isoformat()}
    problem = client.get(f"{API}/dora", params=later, headers=h).json()
    assert [(e["field"], e["reason"]) for e in problem["errors"]] == [("since", "is in the future")], problem
    assert client.get(f"{API}/trend", params={"period": "day"}, headers=h).status_code == 422
    assert client.get(f"{API}/dora").status_code == 401


def test_an_environment_nothing_was_deployed_to_is_refused(
    client: TestClient, org: Org, stream: Stream
) -> None:
    h = org.headers()
    for path in ("dora", "learning", "trend"):
        problem = client.get(f"{API}/{path}", params={"environment": "prodution"}, headers=h).json()
        assert problem["status"] == 422, problem
        [error] = problem["errors"]
        assert error["field"] == "environment" and "'prodution'" in error["reason"], error
        assert "staging" in error["reason"], error  # the known ones are named
    assert client.get(f"{API}/dora", params={"environment": "staging"}, headers=h).status_code == 200


def test_empty_organisation_says_null(client: TestClient, org: Org) -> None:
    body = client.get(f"{API}/dora", headers=org.headers()).json()
    # A production environment the settings name is known before anything is deployed to it.
    assert client.get(f"{API}/dora", params={"environment": "prod"}, headers=org.headers()).status_code == 200
    for key in DORA_KEYS:
        assert body[key]["value"] is None
        assert body[key]["band"] == "not_enough_data"


def test_cli_dora_and_learning_json(
    capsys: pytest.CaptureFixture[str],
    org: Org,
    stream: Stream,
    live_url: str,
    monkeypatch: pytest.MonkeyPatch,
    db: Database,
) -> None:
    monkeypatch.setenv("FAILWELL_URL", live_url)
    monkeypatch.setenv("FAILWELL_TOKEN", org.tokens[Role.viewer])
    args = ["--since", WINDOW["since"], "--until", WINDOW["until"], "--json"]
    assert main(["metrics", "dora", "--service", "checkout", *args]) == 0
    body = json.loads(capsys.readouterr().out)
    want = _direct(db, dora_report, service="checkout")
    for key in DORA_KEYS:
        assert body[key] == want[key]
    assert main(["metrics", "learning", "--team", "data-team", *args]) == 0
    assert (
        json.loads(capsys.readouterr().out)["repeat_rate"]
        == _direct(db, learning_report, team="data-team")["repeat_rate"]
    )
    assert main(["metrics", "dora", "--since", WINDOW["since"], "--until", WINDOW["until"]]) == 0
    table = capsys.readouterr().out
    assert "Change fail rate" in table and "organisation" in table
    # Figures as a person reads them: no 4-decimal rates, no exponents.
    frequency = next(line for line in table.splitlines() if line.startswith("Deployment frequency"))
    assert re.search(r"\s(\d{1,3}(,\d{3})*|\d+\.\d{1,2}|0\.0\d*) deployments per day\s", frequency), frequency
    assert main(["metrics", "trend", "--period", "month", "--since", WINDOW["since"]]) == 0
    assert "By month" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (3.5066, "3.51"),
        (19.25, "19.2"),
        (7.0, "7"),
        (0.4, "0.4"),
        (0.004, "0.004"),
        (0, "0"),
        (1204.6, "1,205"),
    ],
)
def test_cli_figures_read_as_a_person_writes_them(value: float, shown: str) -> None:
    from failwell.numbers import readable

    assert readable(value) == shown
