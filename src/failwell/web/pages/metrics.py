"""The metrics page: DORA's five keys and the learning figures over a window, with their
trend as a chart, the numbers as a table and both as CSV. Readable by everyone signed in."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.catalogue import choices
from failwell.db import utcnow
from failwell.errors import InvalidInput
from failwell.insights.bands import SOURCE, SOURCE_URL, TABLE
from failwell.insights.delivery import dora
from failwell.insights.learning import learning
from failwell.insights.measures import resolve_scope
from failwell.insights.trends import TrendPoint, overview
from failwell.web.auth import PageWork
from failwell.web.forms.base import domain_errors, validate_filters
from failwell.web.responses import filters_refused
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

WINDOWS = (("30", "Last 30 days"), ("90", "Last 90 days"), ("180", "Last 180 days"), ("365", "Last year"))
PERIODS = (("week", "By week"), ("month", "By month"))


class MetricsFilter(BaseModel):
    service: str | None = Field(None, max_length=100)
    team: str | None = Field(None, max_length=100)
    environment: str | None = Field(None, max_length=64)
    window: Literal["30", "90", "180", "365"] = "90"
    period: Literal["week", "month"] = "week"


def _filters(request: Request) -> tuple[MetricsFilter, dict[str, str]]:
    known = {k: v.strip() for k, v in request.query_params.items() if k in MetricsFilter.model_fields}
    return validate_filters(MetricsFilter, known)


def query_string(filters: MetricsFilter) -> str:
    return urlencode({k: v for k, v in filters.model_dump().items() if v})


def _measure(session: Session, filters: MetricsFilter, with_trend: bool) -> dict[str, Any]:
    now = utcnow()
    scope = resolve_scope(
        session,
        now,
        service=filters.service,
        team=filters.team,
        environment=filters.environment,
        since=now - timedelta(days=int(filters.window)),
        until=now,
    )
    if with_trend:  # one read of the rollups for the trend, the window's figures added up from it
        delivery, learned, points = overview(session, scope, filters.period, now)
        return {"scope": scope, "dora": delivery, "learning": learned, "trend": points}
    return {
        "scope": scope,
        "dora": dora(session, scope),
        "learning": learning(session, scope, now),
        "trend": [],
    }


def trend_charts(points: list[TrendPoint]) -> dict[str, dict[str, Any]]:
    """Chart.js configs: throughput and stability; lead and recovery times."""
    labels = [p.label for p in points]
    percent = [None if p.change_fail_rate is None else round(100 * p.change_fail_rate, 1) for p in points]
    delivery = {
        "type": "bar",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": "Deployments",
                    "data": [p.deployments for p in points],
                    "backgroundColor": "#2f6f8f",
                    # Named, not left to Chart.js: it takes the first y scale it finds, and the
                    # template's tojson sorts the keys, which put "rate" first.
                    "yAxisID": "y",
                    "order": 2,
                },
                {
                    "type": "line",
                    "label": "Change fail rate %",
                    "data": percent,
                    "borderColor": "#b42318",
                    "backgroundColor": "#b42318",
                    "yAxisID": "rate",
                    "order": 1,  # drawn over the bars
                },
            ],
        },
        "options": {
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {
                "y": {
                    "position": "left",
                    "beginAtZero": True,
                    "ticks": {"precision": 0},
                    "title": {"display": True, "text": "Deployments"},
                },
                "rate": {
                    "position": "right",
                    "beginAtZero": True,
                    "grid": {"drawOnChartArea": False},
                    "title": {"display": True, "text": "Change fail rate (%)"},
                },
            },
        },
    }
    times = {
        "type": "line",
        "data": {
            "labels": labels,
            "datasets": [
                {
                    "label": "Change lead time (median hours)",
                    "data": [p.change_lead_time for p in points],
                    "borderColor": "#2f6f8f",
                },
                {
                    "label": "Recovery time (median hours)",
                    "data": [p.recovery_time for p in points],
                    "borderColor": "#9a6700",
                },
            ],
        },
        "options": {
            "plugins": {"legend": {"position": "bottom"}},
            "scales": {"y": {"beginAtZero": True, "title": {"display": True, "text": "Hours (median)"}}},
        },
    }
    return {"delivery": delivery, "times": times}


async def _run(request: Request, page: PageWork, filters: MetricsFilter, with_trend: bool) -> dict[str, Any]:
    def work(session: Session, _actor: Actor) -> dict[str, Any]:
        return {**_measure(session, filters, with_trend), **choices.scope_options(session)}

    def options_only(session: Session, _actor: Actor) -> dict[str, Any]:
        return choices.scope_options(session)

    try:
        return await page.run(work)
    except InvalidInput as exc:  # an unknown service or team: say so at its field
        return {**await page.run(options_only), "refused": domain_errors(exc)}


@router.get("/metrics")
async def metrics_page(request: Request, page: PageWork) -> Response:
    filters, errors = _filters(request)
    data = await _run(request, page, filters, with_trend=True)
    errors.update(data.pop("refused", {}))
    return render(
        request,
        "metrics/index.html",
        {
            **data,
            "query": filters,
            "errors": errors,
            "qs": query_string(filters),
            "charts": trend_charts(data.get("trend", [])),
            "windows": WINDOWS,
            "periods": PERIODS,
            "band_table": TABLE,
            "source": SOURCE,
            "source_url": SOURCE_URL,
        },
    )


def _csv(rows: list[list[Any]], name: str) -> Response:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow(["" if v is None else v for v in row])
    headers = {"Content-Disposition": f'attachment; filename="{name}"'}
    return Response(out.getvalue(), media_type="text/csv; charset=utf-8", headers=headers)


@router.get("/metrics.csv")
async def metrics_csv(request: Request, page: PageWork) -> Response:
    """Every figure of the page with its unit, sample size and band."""
    filters, errors = _filters(request)
    data = await _run(request, page, filters, with_trend=False)
    if errors or "refused" in data:
        return filters_refused({**errors, **data.get("refused", {})})
    scope = data["scope"]
    rows: list[list[Any]] = [["group", "metric", "value", "unit", "sample_size", "band", "since", "until"]]
    for group in ("dora", "learning"):
        for key, fig in data[group].figures().items():
            rows.append(
                [
                    group,
                    key,
                    fig.value,
                    fig.unit,
                    fig.sample_size,
                    fig.band,
                    scope.since.isoformat(),
                    scope.until.isoformat(),
                ]
            )
    return _csv(rows, "failwell-metrics.csv")


@router.get("/metrics/trend.csv")
async def trend_csv(request: Request, page: PageWork) -> Response:
    """The trend, one row per week or month."""
    filters, errors = _filters(request)
    data = await _run(request, page, filters, with_trend=True)
    if errors or "refused" in data:
        return filters_refused({**errors, **data.get("refused", {})})
    points: list[TrendPoint] = data["trend"]
    keys = [k for k in (points[0].as_dict() if points else {"start": None})]
    rows: list[list[Any]] = [keys] + [list(p.as_dict().values()) for p in points]
    return _csv(rows, f"failwell-metrics-by-{filters.period}.csv")
