"""Request and response shapes of the metrics API (/api/v1/metrics/...)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

from failwell.fields import InputModel, Name, UtcDateTime


class MetricsQuery(InputModel):
    service: Name | None = Field(None, description="One service (by name).")
    team: Name | None = Field(None, description="The services a team owns (by name).")
    environment: Name | None = Field(
        None, description="One environment; default: the production ones (setting production_environments)."
    )
    since: UtcDateTime | None = Field(None, description="Start of the window; default 90 days before until.")
    until: UtcDateTime | None = Field(None, description="End of the window (excluded); default now.")


class TrendQuery(MetricsQuery):
    period: Literal["week", "month"] = "week"


class FigureOut(BaseModel):
    value: float | None = Field(description="null when there is no data.")
    unit: str
    sample_size: int
    band: str | None = Field(
        description="DORA 2023 level (elite, high, medium, low); not_enough_data on a small sample; "
        "null where DORA publishes no band."
    )


class ScopeOut(BaseModel):
    since: UtcDateTime
    until: UtcDateTime
    service: str | None
    team: str | None
    environments: list[str]


class DoraOut(BaseModel):
    scope: ScopeOut
    deployment_frequency: FigureOut
    change_lead_time: FigureOut
    change_fail_rate: FigureOut
    failed_deployment_recovery_time: FigureOut
    rework_rate: FigureOut
    detail: dict[str, Any]


class LearningOut(BaseModel):
    scope: ScopeOut
    repeat_rate: FigureOut
    recurrence_after_fix: FigureOut
    review_lag: FigureOut
    actions_on_time: FigureOut
    overdue_action_age: FigureOut
    near_miss_ratio: FigureOut
    lesson_reach: FigureOut
    detail: dict[str, Any]


class TrendPointOut(BaseModel):
    start: UtcDateTime
    end: UtcDateTime
    deployments: int
    change_fail_rate: float | None
    rework_rate: float | None
    change_lead_time: float | None = Field(description="Median hours.")
    recovery_time: float | None = Field(description="Median hours.")
    failures: int
    repeat_rate: float | None
    near_misses: int
    incidents: int


class TrendOut(BaseModel):
    scope: ScopeOut
    period: str
    points: list[TrendPointOut]
