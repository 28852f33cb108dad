"""DORA's five keys of software delivery, from the deployments and failures recorded.

Over the scope (a window of deployment start times, the services of a service, team or the
whole organisation, the production environments); the deployment figures come from the
deployment rollup (failwell.insights.rollup: counts exact, lead-time percentiles within 4.4 %),
recovery times from the failure rollup (failwell.insights.failure_read: exact):

- deployment frequency: production deployments started in the window, per day;
- change lead time: median of (finished, else started) - first commit, over the successful
  production deployments that know their first commit;
- change fail rate: share of production deployments that failed (failed or rolled back) or
  are linked (confirmed link) to a failure other than a near miss, each counted once;
- failed deployment recovery time: median of resolved - started over the resolved failures
  that started in the window and are either of kind "failed deployment" or linked (confirmed)
  to a deployment in the environments measured;
- deployment rework rate: share of production deployments made because of a production
  failure (marked rework).

Only confirmed links count: suggestions and rejected suggestions never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from failwell.insights.bands import band_for
from failwell.insights.failure_read import Recovery, measure_failures
from failwell.insights.measures import Figure, Scope, rounded, share
from failwell.insights.rollup_read import Totals, histogram_percentiles, measure_periods

KEYS = (
    "deployment_frequency",
    "change_lead_time",
    "change_fail_rate",
    "failed_deployment_recovery_time",
    "rework_rate",
)


@dataclass(frozen=True)
class Dora:
    deployment_frequency: Figure
    change_lead_time: Figure
    change_fail_rate: Figure
    failed_deployment_recovery_time: Figure
    rework_rate: Figure
    # Detail the page shows beside the five figures.
    deployments: int
    failed: int
    linked: int
    rework: int
    lead_time_p90: float | None
    recovery_time_p90: float | None

    def figures(self) -> dict[str, Figure]:
        return {key: getattr(self, key) for key in KEYS}

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {key: fig.as_dict() for key, fig in self.figures().items()}
        out["detail"] = {
            "deployments": self.deployments,
            "failed": self.failed,
            "linked_to_failure": self.linked,
            "rework": self.rework,
            "change_lead_time_p90": self.lead_time_p90,
            "failed_deployment_recovery_time_p90": self.recovery_time_p90,
        }
        return out


def recovery_hours(session: Session, scope: Scope) -> Recovery:
    """(count, median, p90) of the hours from start to resolution of the resolved failures of
    kind "failed deployment" and the resolved incidents linked (confirmed) to a deployment in
    the environments measured (failwell.insights.failure_read)."""
    (totals,) = measure_failures(session, scope, [(scope.since, scope.until)], counts=False)
    return totals.recovery()


def _figure(key: str, value: float | None, unit: str, n: int) -> Figure:
    return Figure(value=value, unit=unit, sample_size=n, band=band_for(key, value, n))


def dora(session: Session, scope: Scope) -> Dora:
    """DORA's five keys over the scope."""
    (totals,) = measure_periods(session, scope, [(scope.since, scope.until)])
    return dora_from(session, scope, totals)


def dora_from(session: Session, scope: Scope, totals: Totals, recovery: Recovery | None = None) -> Dora:
    """DORA's five keys over the scope, its deployment totals (and recovery times) read already."""
    total, failed, rework, linked = totals.deployments, totals.failed, totals.rework, totals.linked
    lead_n = totals.lead_sample
    lead_median, lead_p90 = histogram_percentiles(totals.lead_times, (0.5, 0.9))
    rec_n, rec_median, rec_p90 = recovery if recovery is not None else recovery_hours(session, scope)
    frequency = round(total / scope.days, 4) if total else None
    return Dora(
        deployment_frequency=_figure("deployment_frequency", frequency, "deployments per day", total),
        change_lead_time=_figure("change_lead_time", rounded(lead_median), "hours", lead_n),
        change_fail_rate=_figure("change_fail_rate", share(failed + linked, total), "ratio", total),
        failed_deployment_recovery_time=_figure(
            "failed_deployment_recovery_time", rounded(rec_median), "hours", rec_n
        ),
        rework_rate=_figure("rework_rate", share(rework, total), "ratio", total),
        deployments=total,
        failed=failed,
        linked=linked,
        rework=rework,
        lead_time_p90=rounded(lead_p90),
        recovery_time_p90=rounded(rec_p90),
    )
