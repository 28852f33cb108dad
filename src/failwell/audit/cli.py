"""`failwell audit list|export|purge`: administration verbs on FAILWELL_DATABASE_URL directly."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Literal

import typer

from failwell.audit.enums import AuditAction
from failwell.cli_support import (
    JsonOption,
    console,
    local_session,
    parse_time,
    print_json,
    print_table,
    wire_local,
)

if TYPE_CHECKING:
    from failwell.audit.schemas import AuditFilter

audit_app = typer.Typer(help="The audit trail: who changed what, and when.", no_args_is_help=True)

ActionOption = Annotated[AuditAction | None, typer.Option(help="What was done.")]
SubjectOption = Annotated[
    str | None, typer.Option("--subject", help="Subject type, e.g. api_token, channel.")
]
PersonOption = Annotated[int | None, typer.Option("--person", min=1, help="Only what this person id did.")]
SinceOption = Annotated[str | None, typer.Option(help="At or after this ISO 8601 time.")]
UntilOption = Annotated[str | None, typer.Option(help="Before this ISO 8601 time.")]


def _filters(
    action: AuditAction | None,
    subject: str | None,
    person: int | None,
    since: str | None,
    until: str | None,
    limit: int = 50,
    offset: int = 0,
) -> AuditFilter:
    from failwell.audit.schemas import AuditFilter, known_subject_type

    if subject is not None:
        wire_local()  # the subject types are the models the composition root registered
        try:
            known_subject_type(subject)
        except ValueError as exc:
            raise typer.BadParameter(str(exc), param_hint="--subject") from None
    return AuditFilter(
        action=action,
        subject_type=subject,
        actor_person_id=person,
        since=_time(parse_time(since, "--since")),
        until=_time(parse_time(until, "--until")),
        limit=limit,
        offset=offset,
    )


def _time(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value.replace("Z", "+00:00")) if value else None


@audit_app.command("list")
def list_audit(
    action: ActionOption = None,
    subject: SubjectOption = None,
    person: PersonOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
    limit: Annotated[int, typer.Option(min=1, max=500)] = 50,
    offset: Annotated[int, typer.Option(min=0)] = 0,
    as_json: JsonOption = False,
) -> None:
    """The newest entries first."""
    from failwell.audit import service
    from failwell.authz import SYSTEM

    filters = _filters(action, subject, person, since, until, limit, offset)
    with local_session() as session:
        rows, total, exact = service.list_entries(session, SYSTEM, filters)
        items = [service.entry_out(e).model_dump(mode="json") for e in rows]
    if as_json:
        print_json({"items": items, "total": total, "total_exact": exact})
        return
    print_table(
        "Audit trail",
        ["at", "who", "action", "subject", "summary"],
        [
            (
                i["at"][:19],
                i["actor_name"] or i["actor_kind"],
                i["action"],
                f"{i['subject_type']} {i['subject_id']}".strip(),
                i["summary"],
            )
            for i in items
        ],
        total,
        exact,
    )


@audit_app.command("export")
def export_audit(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default stdout).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="csv or jsonl.")] = "csv",
    action: ActionOption = None,
    subject: SubjectOption = None,
    person: PersonOption = None,
    since: SinceOption = None,
    until: UntilOption = None,
) -> None:
    """Every matching entry, oldest first, as CSV or JSON lines."""
    from failwell.audit import service
    from failwell.authz import SYSTEM

    if fmt not in ("csv", "jsonl"):
        raise typer.BadParameter("use csv or jsonl", param_hint="--format")
    chosen: Literal["csv", "jsonl"] = "csv" if fmt == "csv" else "jsonl"
    filters = _filters(action, subject, person, since, until)
    with local_session() as session:
        text = service.export(session, SYSTEM, filters, chosen)
    if output is None:
        typer.echo(text, nl=False)
        return
    output.write_text(text, encoding="utf-8")
    console.print(f"Wrote {output}.")


@audit_app.command("purge")
def purge_audit(
    days: Annotated[
        int | None, typer.Option(help="Keep this many days (default FAILWELL_AUDIT_RETENTION_DAYS).")
    ] = None,
) -> None:
    """Remove entries older than the retention now (the worker also does this every hour)."""
    from failwell.audit import service

    with local_session() as session:
        removed = service.purge(session, days)
    console.print(f"Removed {removed} audit entries past the retention.")


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
