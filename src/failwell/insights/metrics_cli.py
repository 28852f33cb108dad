"""`failwell metrics dora|learning|trend`: the delivery and learning metrics from the server."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any

import typer

from failwell.cli_support import JsonOption, UrlOption, api, console, parse_time, print_json, print_table
from failwell.numbers import readable


class Period(StrEnum):
    """A trend's buckets (as the API's period)."""

    week = "week"
    month = "month"


metrics_app = typer.Typer(help="Delivery (DORA) and learning metrics.", no_args_is_help=True)

ServiceOption = Annotated[str | None, typer.Option(help="One service (by name).")]
TeamOption = Annotated[str | None, typer.Option(help="The services a team owns (by name).")]
EnvOption = Annotated[str | None, typer.Option(help="One environment (default: the production ones).")]
SinceOption = Annotated[str | None, typer.Option(help="ISO 8601; default 90 days before --until.")]
UntilOption = Annotated[str | None, typer.Option(help="ISO 8601; default now.")]

DORA_NAMES = {
    "deployment_frequency": "Deployment frequency",
    "change_lead_time": "Change lead time (median)",
    "change_fail_rate": "Change fail rate",
    "failed_deployment_recovery_time": "Failed deployment recovery time (median)",
    "rework_rate": "Deployment rework rate",
}
LEARNING_NAMES = {
    "repeat_rate": "Repeat rate",
    "recurrence_after_fix": "Problems recurring after a fix",
    "review_lag": "Resolution to published review (median)",
    "actions_on_time": "Corrective actions done by their due date",
    "overdue_action_age": "Overdue actions: median days overdue",
    "near_miss_ratio": "Near misses per incident",
    "lesson_reach": "Teams reading the lessons",
}


def _params(
    service: str | None, team: str | None, env: str | None, since: str | None, until: str | None
) -> dict[str, Any]:
    return {
        "service": service,
        "team": team,
        "environment": env,
        "since": parse_time(since, "--since"),
        "until": parse_time(until, "--until"),
    }


def _value(figure: dict[str, Any]) -> str:
    value = figure["value"]
    if value is None:
        return "-"
    if figure["unit"] == "ratio":
        return f"{value:.1%}"
    return f"{readable(value)} {figure['unit']}"


def _show(path: str, names: dict[str, str], params: dict[str, Any], url: str | None, as_json: bool) -> None:
    with api(url) as client:
        body = client.request("GET", path, params=params)
    if as_json:
        print_json(body)
        return
    scope = body["scope"]
    whose = scope["service"] or scope["team"] or "organisation"
    title = f"{scope['since'][:10]} to {scope['until'][:10]}, {whose}"
    rows = [
        (name, _value(body[key]), body[key]["sample_size"], (body[key]["band"] or "").replace("_", " "))
        for key, name in names.items()
    ]
    print_table(title, ("metric", "value", "sample", "band"), rows)


@metrics_app.command("dora")
def dora(
    service: ServiceOption = None,
    team: TeamOption = None,
    environment: EnvOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """DORA's five keys, each with its sample size and 2023 benchmark band."""
    _show("/metrics/dora", DORA_NAMES, _params(service, team, environment, since, until), url, as_json)


@metrics_app.command("learning")
def learning(
    service: ServiceOption = None,
    team: TeamOption = None,
    environment: EnvOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Learning metrics: repeat rate, review lag, follow-through, near misses, reach (never per person)."""
    _show(
        "/metrics/learning", LEARNING_NAMES, _params(service, team, environment, since, until), url, as_json
    )


@metrics_app.command("trend")
def trend(
    period: Annotated[Period, typer.Option(help="Buckets of a week or of a month.")] = Period.week,
    service: ServiceOption = None,
    team: TeamOption = None,
    environment: EnvOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """The metrics week by week or month by month."""
    params = {**_params(service, team, environment, since, until), "period": period.value}
    with api(url) as client:
        body = client.request("GET", "/metrics/trend", params=params)
    if as_json:
        print_json(body)
        return
    rows = [
        (
            p["start"][:10],
            p["deployments"],
            "-" if p["change_fail_rate"] is None else f"{p['change_fail_rate']:.1%}",
            "-" if p["change_lead_time"] is None else p["change_lead_time"],
            p["failures"],
            p["near_misses"],
        )
        for p in body["points"]
    ]
    columns = ("from", "deployments", "change fail rate", "lead time h", "failures", "near misses")
    print_table(f"By {period}", columns, rows)
    console.print("Lead time: median hours from first commit to production.", highlight=False)


def register(app: typer.Typer) -> None:
    app.add_typer(metrics_app, name="metrics")
