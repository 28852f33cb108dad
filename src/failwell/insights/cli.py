"""CLI commands of the read side. `failwell recurrence metrics` keeps its place in the
recurrence group, whose other commands live with the recurrence slice."""

from __future__ import annotations

from typing import Annotated

import typer

from failwell.cli_support import JsonOption, UrlOption, api, console, print_json
from failwell.recurrence.index_cli import recurrence_app


def recurrence_metrics(
    service: Annotated[str | None, typer.Option()] = None,
    since: Annotated[str | None, typer.Option(help="ISO 8601.")] = None,
    until: Annotated[str | None, typer.Option(help="ISO 8601.")] = None,
    url: UrlOption = None,
    as_json: JsonOption = False,
) -> None:
    """Repeat rate, time between recurrences, recurrences after a fix was marked done."""
    with api(url) as client:
        body = client.request(
            "GET", "/recurrence/metrics", params={"service": service, "since": since, "until": until}
        )
    if as_json:
        print_json(body)
        return
    median = body["median_days_between"]
    console.print(
        f"{body['recurrences']} of {body['failures']} failures recurred ({body['repeat_rate']:.1%}); "
        f"median {'-' if median is None else median} days between; "
        f"{body['after_fix_done']} after a fix was marked done; {body['problems_open']} problems open.",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Adds the read side's commands to the `failwell` command (`app`, unused until the read
    side has top-level commands of its own). `metrics` joins the recurrence group after the
    slice's own commands, where it always was."""
    recurrence_app.command("metrics")(recurrence_metrics)
