"""CLI commands of this slice: administration on the configured database."""

from __future__ import annotations

from typing import Annotated

import typer

from failwell.cli_support import console, local_session

integrations_app = typer.Typer(
    help="Inbound integrations (webhooks from CI/CD and alerting).", no_args_is_help=True
)


@integrations_app.command("purge")
def purge(
    days: Annotated[
        int | None,
        typer.Option(min=1, help="Keep this many days (default FAILWELL_INTEGRATIONS_RETENTION_DAYS, 30)."),
    ] = None,
) -> None:
    """Remove stored deliveries older than the retention now (the delivery worker does it hourly)."""
    from failwell.integrations.service import purge_deliveries

    with local_session() as session:
        removed = purge_deliveries(session, days)
    console.print(f"Removed {removed} deliveries.")


@integrations_app.command("list")
def list_integrations() -> None:
    """The integrations, their kind, state and inbound path."""
    from failwell.integrations.service import inbound_path, list_integrations

    with local_session() as session:
        for i in list_integrations(session):
            state = "on" if i.active else "off"
            console.print(f"{i.id}\t{i.kind.value}\t{i.name}\t{state}\t{inbound_path(i)}", highlight=False)


def register(app: typer.Typer) -> None:
    """Adds this slice's commands to the `failwell` command."""
    app.add_typer(integrations_app, name="integrations")
