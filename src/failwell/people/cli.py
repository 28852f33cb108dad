"""Administration verbs that work on the database directly (no server needed)."""

from __future__ import annotations

import os
import sys
from typing import Annotated

import typer

from failwell.cli_support import console, local_session, print_table
from failwell.enums import Role

user_app = typer.Typer(help="People and their sign-in accounts.", no_args_is_help=True)
team_app = typer.Typer(help="Teams.", no_args_is_help=True)
token_app = typer.Typer(help="API tokens for the API, the CLI and CI systems.", no_args_is_help=True)


def _read_password(from_stdin: bool, no_password: bool) -> str | None:
    if no_password:
        return None
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    return str(typer.prompt("Password", hide_input=True, confirmation_prompt=True))


@user_app.command("create")
def create_user(
    email: Annotated[str, typer.Option(help="Sign-in e-mail (unique).")],
    name: Annotated[str, typer.Option(help="Full name.")],
    role: Annotated[Role, typer.Option(help="ITIL practice role.")] = Role.practitioner,
    team: Annotated[list[str] | None, typer.Option(help="Team name; repeat for several.")] = None,
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    no_password: Annotated[
        bool, typer.Option("--no-password", help="API-only: cannot sign in to pages.")
    ] = False,
) -> None:
    """Add a person who can sign in (with a password) or use tokens."""
    from failwell.authz import SYSTEM
    from failwell.people import service
    from failwell.people.schemas import PersonIn

    password = _read_password(password_stdin, no_password)
    data = PersonIn(name=name, email=email, role=role, password=password, teams=team or [])
    with local_session() as session:
        person = service.create_person(session, SYSTEM, data)
        console.print(f"Created {person.name} <{person.email}> as {person.role.value} (id {person.id}).")


@user_app.command("list")
def list_users(team: Annotated[str | None, typer.Option(help="Only this team's members.")] = None) -> None:
    """List people and their roles."""
    from failwell.people import service
    from failwell.people.schemas import PersonFilter

    with local_session() as session:
        rows, total, exact = service.list_people(session, PersonFilter(team=team, limit=500))
        print_table(
            "People",
            ["id", "name", "e-mail", "role", "teams"],
            [(p.id, p.name, p.email, p.role.value, ", ".join(t.name for t in p.teams)) for p in rows],
            total,
            exact,
        )


@team_app.command("create")
def create_team(
    name: Annotated[str, typer.Option(help="Unique team name.")],
    description: Annotated[str, typer.Option(help="What the team does.")] = "",
) -> None:
    """Add a team."""
    from failwell.authz import SYSTEM
    from failwell.people import teams
    from failwell.people.schemas import TeamIn

    with local_session() as session:
        team = teams.create_team(session, SYSTEM, TeamIn(name=name, description=description))
        console.print(f"Created team {team.name} (id {team.id}).")


@token_app.command("create")
def create_token(
    user: Annotated[str, typer.Option(help="E-mail of the person the token acts as.")],
    name: Annotated[str, typer.Option(help="What the token is for, e.g. 'github-actions'.")] = "cli",
    expires_in_days: Annotated[int | None, typer.Option(min=1, max=3650)] = None,
) -> None:
    """Create an API token. It is printed once; only its hash is stored."""
    from failwell.people import service, tokens
    from failwell.people.schemas import TokenIn

    with local_session() as session:
        person = service.person_by_email(session, user, "user")
        _, secret = tokens.create_token(
            session, service.actor_for(person), TokenIn(name=name, expires_in_days=expires_in_days)
        )
    console.print(f"Token for {user} ({name}); store it now, it cannot be shown again:", highlight=False)
    typer.echo(secret)


@token_app.command("revoke")
def revoke_token(
    token_id: int,
    yes_revoke_this_token: Annotated[
        bool,
        typer.Option("--yes-revoke-this-token", help="Allow revoking the token in FAILWELL_TOKEN."),
    ] = False,
) -> None:
    """Revoke a token by id: it stops working at once."""
    from failwell.authz import SYSTEM
    from failwell.people import tokens

    with local_session() as session:
        token = tokens.revoke_token(
            session,
            SYSTEM,
            token_id,
            # The token this shell's server verbs use: revoking it by accident would lock them out.
            using_token=os.environ.get("FAILWELL_TOKEN") or None,
            confirm_self=yes_revoke_this_token,
            confirm_hint="add --yes-revoke-this-token",
        )
        console.print(f"Revoked token {token.id} ({token.name}).")
