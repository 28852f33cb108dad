"""CLI commands of this slice: administration on the configured database."""

from __future__ import annotations

from typing import Annotated

import typer

from failwell.cli_support import JsonOption, console, local_session, print_json, print_table

integrations_app = typer.Typer(
    help="Inbound integrations (webhooks from CI/CD and alerting).", no_args_is_help=True
)
rule_app = typer.Typer(
    help="Mapping rules: repository, environment or label to service.", no_args_is_help=True
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


@integrations_app.command("deliveries")
def deliveries(
    integration: Annotated[int | None, typer.Option(help="Only this integration's (its id).")] = None,
    verdict: Annotated[
        str | None, typer.Option(help="Only this verdict: accepted, unmapped, refused or error.")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="How many, newest first.")] = 50,
    as_json: JsonOption = False,
) -> None:
    """Stored deliveries, newest first: what arrived and what became of it."""
    from failwell.integrations.schemas import DeliveryFilter
    from failwell.integrations.service import delivery_out, list_deliveries

    with local_session() as session:
        filters = DeliveryFilter.model_validate(
            {"integration_id": integration, "verdict": verdict, "limit": limit}
        )
        rows, total, exact = list_deliveries(session, filters)
        found = [delivery_out(d) for d in rows]
    if as_json:
        print_json([d.model_dump(mode="json") for d in found])
        return
    print_table(
        "Deliveries",
        ("id", "received", "integration", "event", "verdict", "detail"),
        [
            (d.id, f"{d.received_at:%Y-%m-%d %H:%M}", d.integration_id, d.event, d.verdict.value, d.detail)
            for d in found
        ],
        total,
        exact,
    )


@integrations_app.command("replay")
def replay_delivery(delivery_id: Annotated[int, typer.Argument(help="The delivery's id.")]) -> None:
    """Process a stored delivery again, e.g. an unmapped one after its rule was added."""
    from failwell.integrations.models import Verdict
    from failwell.integrations.receive import replay
    from failwell.integrations.service import get_delivery

    with local_session() as session:
        got = replay(session, get_delivery(session, delivery_id))
    console.print(f"Delivery {got.delivery_id}: {got.verdict.value}; {got.detail}", highlight=False)
    if got.verdict != Verdict.accepted:
        raise typer.Exit(1)


@rule_app.command("add")
def add_rule(
    integration_id: Annotated[int, typer.Argument(help="The integration's id.")],
    when: Annotated[str, typer.Option("--when", help="repository, environment or label:<name>.")],
    matches: Annotated[str, typer.Option(help="Exact (case-insensitive), or a glob with * ? [...].")],
    service: Annotated[str | None, typer.Option(help="The service it maps to.")] = None,
    environment: Annotated[str | None, typer.Option(help="The environment it maps to.")] = None,
    position: Annotated[int, typer.Option(help="Rules are tried in this order, lower first.")] = 0,
) -> None:
    """Add a mapping rule (then replay what waited for it)."""
    from failwell.authz import SYSTEM
    from failwell.integrations.schemas import RuleIn
    from failwell.integrations.service import create_rule

    data = RuleIn(
        match_field=when, pattern=matches, service=service, environment=environment, position=position
    )
    with local_session() as session:
        rule = create_rule(session, SYSTEM, integration_id, data)
    maps = " and ".join(x for x in (rule.service, rule.environment) if x)
    console.print(
        f"Rule {rule.id}: {rule.match_field} matching {rule.pattern} maps to {maps}.", highlight=False
    )


@rule_app.command("list")
def list_rules(integration_id: Annotated[int, typer.Argument(help="The integration's id.")]) -> None:
    """An integration's mapping rules, in the order they are tried."""
    from failwell.integrations.service import list_rules as rules_of

    with local_session() as session:
        rules = rules_of(session, integration_id)
    print_table(
        "Rules",
        ("id", "order", "when", "matches", "service", "environment"),
        [(r.id, r.position, r.match_field, r.pattern, r.service, r.environment) for r in rules],
    )


def register(app: typer.Typer) -> None:
    """Adds this slice's commands to the `failwell` command."""
    integrations_app.add_typer(rule_app, name="rule")
    app.add_typer(integrations_app, name="integrations")
