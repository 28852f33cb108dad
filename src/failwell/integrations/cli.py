"""CLI commands of this slice: administration on the configured database."""

from __future__ import annotations

from typing import Annotated

import typer

from failwell.cli_support import JsonOption, console, local_session, print_json, print_table

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
def list_integrations(as_json: JsonOption = False) -> None:
    """The integrations: kind, state, inbound path, and deliveries waiting for a rule."""
    from failwell.integrations.service import inbound_path, list_integrations, unmapped_counts

    with local_session() as session:
        integrations = list_integrations(session)
        waiting = unmapped_counts(session)
    rows = [
        {
            "id": i.id,
            "kind": i.kind.value,
            "name": i.name,
            "active": i.active,
            "inbound_path": inbound_path(i),
            "unmapped": waiting.get(i.id, 0),
        }
        for i in integrations
    ]
    if as_json:
        print_json(rows)
        return
    print_table(
        "Integrations",
        ("id", "kind", "name", "state", "inbound path", "unmapped"),
        [
            (r["id"], r["kind"], r["name"], "on" if r["active"] else "off", r["inbound_path"], r["unmapped"])
            for r in rows
        ],
    )


def register(app: typer.Typer) -> None:
    """Adds this slice's commands to the `failwell` command."""
    app.add_typer(integrations_app, name="integrations")
