"""The metrics page and its CSV downloads, rendered on the server."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable
from datetime import timedelta

from failwell.authz import SYSTEM
from failwell.catalogue.models import Service
from failwell.changes.schemas import DeploymentIn
from failwell.changes.service import record_deployment
from failwell.db import Database, utcnow
from failwell.enums import DeploymentOutcome, Role
from failwell.insights.delivery import dora
from failwell.insights.measures import resolve_scope
from failwell.people.models import Team
from insights.stream import Stream
from support import PageClient

Pages = Callable[[Role], PageClient]


def test_metrics_page_shows_figures_bands_trend_and_definitions(pages: Pages, stream: Stream) -> None:
    r = pages(Role.viewer).get("/metrics?window=365&period=month")
    assert r.status_code == 200, r.text
    html = r.text
    assert '<a href="/metrics" aria-current="page">Metrics</a>' in html
    for title in (
        "Deployment frequency",
        "Change lead time",
        "Change fail rate",
        "Failed deployment recovery time",
    ):
        assert title in html
    assert "Deployment rework rate" in html and "Repeat rate" in html and "Near misses per incident" in html
    assert re.search(r"badge-band-(elite|high|medium|low)", html)
    assert "Accelerate State of DevOps Report 2023" in html
    assert "Show the numbers" in html
    charts = [
        json.loads(m.replace("&#34;", '"').replace("&#39;", "'"))
        for m in re.findall(r"data-chart='([^']*)'", html)
    ]
    assert len(charts) == 2 and charts[0]["data"]["labels"]
    # Figures read as written by hand: no "7.0 days", no 4-decimal hours (shares keep one decimal).
    stats = [v for v in re.findall(r'<span class="stat">([^<]*)</span>', html) if not v.endswith("%")]
    assert stats and not [v for v in stats if re.search(r"\.0 |\.\d{3,}", v)], stats


def test_metrics_page_filters_and_refuses_unknown_names(pages: Pages, stream: Stream) -> None:
    page = pages(Role.viewer)
    r = page.get("/metrics?service=checkout&window=180&period=week")
    assert r.status_code == 200 and "checkout" in r.text
    r = page.get("/metrics?team=nobody")
    assert r.status_code == 200
    assert "Team:" in r.text and 'role="alert"' in r.text
    r = page.get("/metrics?window=7")
    assert r.status_code == 200 and 'role="alert"' in r.text
    r = page.get("/metrics?environment=prodution")
    assert r.status_code == 200 and 'role="alert"' in r.text
    assert "Environment:" in r.text and "no deployment was ever recorded to" in r.text
    assert ". Measured from" not in r.text  # no scope to state, and no stray full stop for it


def test_csv_downloads_hold_the_same_numbers(pages: Pages, stream: Stream, db: Database) -> None:
    page = pages(Role.viewer)
    r = page.get("/metrics.csv?window=365&team=shop-team")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    by_key = {row["metric"]: row for row in rows}
    assert {"deployment_frequency", "rework_rate", "repeat_rate", "lesson_reach"} <= set(by_key)
    now = utcnow()
    with db.session(write=False) as s:
        want = dora(s, resolve_scope(s, now, team="shop-team", since=now - timedelta(days=365), until=now))
    assert int(by_key["change_fail_rate"]["sample_size"]) == want.deployments
    trend = page.get("/metrics/trend.csv?window=365&period=month")
    assert trend.status_code == 200
    points = list(csv.DictReader(io.StringIO(trend.text)))
    assert 12 <= len(points) <= 13 and "deployments" in points[0]


def test_csv_downloads_refuse_the_filters_the_page_refuses(pages: Pages) -> None:
    """Not the default figures under the filters' name: each refusal, as the page says it."""
    page = pages(Role.viewer)
    for path in ("/metrics.csv", "/metrics/trend.csv"):
        r = page.get(f"{path}?team=nobody")
        assert r.status_code == 422 and r.headers["content-type"].startswith("text/plain")
        assert "team:" in r.text and "nobody" in r.text, r.text
        r = page.get(f"{path}?window=7&environment=prodution")
        assert r.status_code == 422 and "window:" in r.text, r.text
        r = page.get(f"{path}?environment=prodution")
        assert r.status_code == 422 and "no deployment was ever recorded to" in r.text, r.text


def test_service_and_team_pages_show_delivery(pages: Pages, db: Database) -> None:
    with db.session() as s:
        team = Team(name="deliver-team")
        s.add(team)
        s.flush()
        svc = Service(name="deliver-svc", owner_team_id=team.id)
        s.add(svc)
        s.flush()
        # A recent production deployment, so the last 90 days hold one.
        at = utcnow() - timedelta(days=3)
        data = DeploymentIn(
            service="deliver-svc", version="9", started_at=at, outcome=DeploymentOutcome.failed
        )
        record_deployment(s, SYSTEM, data)
        service_id, team_id = svc.id, team.id
    page = pages(Role.viewer)
    html = page.get(f"/services/{service_id}").text
    assert "Delivery, last 90 days" in html and 'href="/metrics?service=deliver-svc"' in html
    assert "Change fail rate" in html and "100.0 %" in html and "not enough data" in html
    html = page.get(f"/teams/{team_id}").text
    assert (
        "Delivery, last 90 days" in html and 'href="/metrics?team=deliver-team"' in html and "100.0 %" in html
    )
