"""Performance bands of DORA's 2023 benchmark table.

Source: Google Cloud / DORA, *Accelerate State of DevOps Report 2023*, "Software delivery
performance" (the table of performance levels): elite / high / medium / low by deployment
frequency, change lead time, change failure rate and failed deployment recovery time. The
report gives ranges ("between once per week and once per month") and, for the failure rate,
one typical value per level (5 %, 10 %, 15 %, 64 %); where the 2023 ranges of medium and low
overlap, the boundary below is the one the older reports used. Rework rate has no published
2023 band.
"""

from __future__ import annotations

from failwell.insights.measures import MIN_SAMPLE, NOT_ENOUGH_DATA

SOURCE = "DORA, Accelerate State of DevOps Report 2023, software delivery performance levels"
SOURCE_URL = "https://dora.dev/research/2023/dora-report/"
BANDS = ("elite", "high", "medium", "low")

HOUR = 1.0
DAY = 24.0
WEEK = 7 * DAY
MONTH = 30 * DAY

# Lower is better: (band, value below which it is reached), in the metric's unit.
_LEAD_TIME_HOURS = (("elite", DAY), ("high", WEEK), ("medium", MONTH))
_RECOVERY_HOURS = (("elite", HOUR), ("high", DAY), ("medium", WEEK))
# Change fail rate: at most the level's typical value.
_FAIL_RATE = (("elite", 0.05), ("high", 0.10), ("medium", 0.15))
# Higher is better, deployments per day: on demand (daily or more), at least weekly, at least monthly.
_FREQUENCY = (("elite", 1.0), ("high", 1 / 7), ("medium", 1 / 30))

# What each band means, as the page's reference table shows it.
TABLE = {
    "deployment_frequency": (
        "on demand (daily or more)",
        "daily to weekly",
        "weekly to monthly",
        "less than monthly",
    ),
    "change_lead_time": ("under a day", "a day to a week", "a week to a month", "over a month"),
    "change_fail_rate": ("5 % or less", "10 % or less", "15 % or less", "over 15 % (typical 64 %)"),
    "failed_deployment_recovery_time": ("under an hour", "under a day", "a day to a week", "over a week"),
}


def _lower_is_better(value: float, limits: tuple[tuple[str, float], ...], inclusive: bool = False) -> str:
    for band, limit in limits:
        if value < limit or (inclusive and value <= limit):
            return band
    return "low"


def band_for(metric: str, value: float | None, sample_size: int) -> str | None:
    """The band of a figure: "not_enough_data" on a small sample, else None where DORA has no band."""
    if value is None or sample_size < MIN_SAMPLE:
        return NOT_ENOUGH_DATA
    if metric not in TABLE:
        return None
    if metric == "deployment_frequency":
        for band, at_least in _FREQUENCY:
            if value >= at_least:
                return band
        return "low"
    if metric == "change_lead_time":
        return _lower_is_better(value, _LEAD_TIME_HOURS)
    if metric == "failed_deployment_recovery_time":
        return _lower_is_better(value, _RECOVERY_HOURS)
    return _lower_is_better(value, _FAIL_RATE, inclusive=True)
