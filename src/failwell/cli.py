"""The `failwell` command: serve, administer the database, and the everyday verbs.

Verbs that change the organisation's record (deploy, failure, action, change) talk to
a server with --url and FAILWELL_TOKEN, like a CI job would; administration verbs (db,
demo, user, team, token) work on FAILWELL_DATABASE_URL directly.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Annotated

import typer
from pydantic import ValidationError
from rich.text import Text

from failwell import __version__, lifeline
from failwell.actions.cli import action_app
from failwell.audit.cli import register as register_audit
from failwell.broadcast.cli import register as register_broadcast
from failwell.changes.cli import change_app, deploy_app
from failwell.cli_support import (
    UntilReaderLeaves,
    console,
    err_console,
    local_database,
    on_local_database,
    wire_local,
)
from failwell.client import ApiError
from failwell.errors import DomainError
from failwell.failures.cli import failure_app
from failwell.fields import error_reason
from failwell.ideas.cli import register as register_ideas
from failwell.insights.cli import register as register_insights
from failwell.insights.metrics_cli import register as register_metrics
from failwell.integrations.cli import register as register_integrations
from failwell.people.cli import team_app, token_app, user_app
from failwell.portability.cli import register as register_portability
from failwell.recognition.cli import register as register_recognition
from failwell.recurrence.cli import register as register_recurrence
from failwell.settings import get_settings
from failwell.surveys.cli import register as register_surveys

if TYPE_CHECKING:
    from failwell.db import Database

app = typer.Typer(
    name="failwell",
    help="Learn from failure so the same failure does not happen twice.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
demo_app = typer.Typer(help="The demo organisation.", no_args_is_help=True)

# Published on purpose: it only ever exists in a database holding the demo organisation.
DEMO_API_TOKEN = "fw_demo_public_token_for_the_demo_organisation_only"

for sub, name in (
    (db_app, "db"),
    (demo_app, "demo"),
    (user_app, "user"),
    (team_app, "team"),
    (token_app, "token"),
    (deploy_app, "deploy"),
    (change_app, "change"),
    (failure_app, "failure"),
    (action_app, "action"),
):
    app.add_typer(sub, name=name)
register_recurrence(app)
register_broadcast(app)
register_insights(app)
register_integrations(app)
register_metrics(app)
register_portability(app)
register_audit(app)
register_surveys(app)
register_ideas(app)
register_recognition(app)


@app.callback()
def _start() -> None:
    # A verb that works on the database may run services that raise domain events: the
    # handlers are wired before it opens the database. The HTTP verbs never load them, so
    # they start in a fraction of the time (no SQLAlchemy, no services).
    on_local_database(_wire)


def _wire() -> None:
    from failwell.bootstrap import bootstrap

    bootstrap()


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the schema to the latest version."""
    from failwell.migrate import head_revision, upgrade

    wire_local()
    url = get_settings().database_url
    upgrade(url)
    console.print(f"Database is at revision {head_revision()}.")


@db_app.command("current")
def db_current() -> None:
    """Show the schema revision of the database."""
    from failwell.migrate import current_revision, head_revision

    db = local_database()
    try:
        console.print(f"current: {current_revision(db.engine) or 'empty'}; latest: {head_revision()}")
    finally:
        db.dispose()


def _ensure_demo_token(db: Database) -> bool:
    """Gives the demo login its published token if it lacks one; False when there is no demo login."""
    from sqlalchemy import select

    from failwell.demo.organisation import DEMO_LOGIN_EMAIL
    from failwell.people import service as people
    from failwell.people import tokens
    from failwell.people.models import ApiToken, Person
    from failwell.people.schemas import TokenIn
    from failwell.people.security import hash_token

    with db.session() as session:
        owner = session.scalar(select(Person).where(Person.email == DEMO_LOGIN_EMAIL))
        if owner is None:
            return False
        token = session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(DEMO_API_TOKEN)))
        if token is None:
            tokens.create_token(session, people.actor_for(owner), TokenIn(name="demo"), secret=DEMO_API_TOKEN)
    return True


def _load_demo(db: Database) -> bool:
    """Loads the demo organisation into an empty database; False if it held data already."""
    from failwell.demo.loader import database_is_empty, load_demo

    if not database_is_empty(db):
        return False
    summary = load_demo(db)
    _ensure_demo_token(db)
    console.print(
        f"Loaded the demo organisation: {summary.teams} teams, {summary.services} services, "
        f"{summary.deployments} deployments, {summary.failures} failures, {summary.reviews} reviews, "
        f"{summary.actions} corrective actions, {summary.problems} problems, "
        f"{summary.integrations} integrations."
    )
    return True


@demo_app.command("load")
def demo_load(
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing if the database holds data.")
    ] = False,
) -> None:
    """Load the deterministic demo organisation into an empty database."""
    from failwell.migrate import upgrade

    db = local_database(pool_size=2)
    try:
        upgrade(get_settings().database_url)
        if not _load_demo(db):
            if if_empty:
                console.print("The database already holds data; demo not loaded.")
                return
            raise DomainError(detail="the database already holds data; the demo loads only into an empty one")
    finally:
        db.dispose()


def _banner(db: Database, url: str) -> None:
    from failwell.demo.organisation import DEMO_LOGIN_EMAIL, DEMO_LOGIN_PASSWORD

    has_demo = _ensure_demo_token(db)
    console.rule("failwell")
    # soft_wrap: a token or URL broken across lines cannot be copied.
    console.print(
        Text.assemble(f"failwell {__version__} is starting at ", (url, "bold"), f"  (API docs: {url}/docs)"),
        soft_wrap=True,
    )
    if has_demo:
        console.print(
            Text.assemble("Demo login: ", (DEMO_LOGIN_EMAIL, "bold"), " / ", (DEMO_LOGIN_PASSWORD, "bold"))
        )
        console.print(f"Demo API token: {DEMO_API_TOKEN}", highlight=False, soft_wrap=True)
        console.print(
            f"  e.g. curl -H 'Authorization: Bearer {DEMO_API_TOKEN}' {url}/api/v1/failures",
            highlight=False,
            soft_wrap=True,
        )
    console.rule()


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Default FAILWELL_HOST or 127.0.0.1.")] = None,
    port: Annotated[int | None, typer.Option(min=1, max=65535, help="Default FAILWELL_PORT or 8000.")] = None,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Processes (SQLite or PostgreSQL).")] = 1,
    migrate: Annotated[bool, typer.Option(help="Upgrade the schema before serving.")] = True,
    demo: Annotated[bool, typer.Option(help="Load the demo organisation if the database is empty.")] = False,
) -> None:
    """Run the web server (API under /api/v1, docs at /docs)."""
    import uvicorn

    from failwell.migrate import upgrade

    settings = get_settings()
    host = host or settings.host
    port = port or settings.port
    db = local_database(pool_size=2)
    try:
        if migrate:
            upgrade(settings.database_url)
        if demo:
            _load_demo(db)
        _banner(db, f"http://{host}:{port}")
    finally:
        db.dispose()
    # Workers learn their supervisor's pid from the environment (they are spawned, not forked).
    if workers > 1:
        os.environ[lifeline.SUPERVISOR_ENV] = str(os.getpid())
    else:
        os.environ.pop(lifeline.SUPERVISOR_ENV, None)
    uvicorn.run(
        "failwell.app:create_served_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level=settings.log_level,
        access_log=False,
        # The app reads forwarded headers itself, from FAILWELL_TRUSTED_PROXIES only.
        proxy_headers=False,
    )


@app.command()
def version() -> None:
    """Print the version."""
    console.print(f"failwell {__version__}")


def main(args: list[str] | None = None) -> int:
    """Runs the CLI; every refusal is one line on stderr and a non-zero exit code."""
    try:
        # Without standalone mode, click hands back the code of a `raise typer.Exit(code)`.
        code = app(args=args, prog_name="failwell", standalone_mode=False)
    except typer.Exit as exc:
        return int(getattr(exc, "exit_code", 0))
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except typer.TyperException as exc:
        # Usage errors (bad option values, missing options) are one line too, with where to
        # read more: click's own four (usage, hint, blank, error) split a CI log's message.
        err_console.print(f"error: {_usage_line(exc)}", highlight=False)
        return int(getattr(exc, "exit_code", 2))
    except DomainError as exc:
        err_console.print(f"error: {exc}", highlight=False, soft_wrap=True)
        return 1
    except ApiError as exc:
        err_console.print(f"error: {exc}", highlight=False, soft_wrap=True)
        return 1
    except ValidationError as exc:
        # A verb's input model refused what was typed (e.g. a short password): say why, no traceback.
        err_console.print(f"error: {validation_line(exc)}", highlight=False, soft_wrap=True)
        return 2
    except Exception as exc:
        if not _is_database_error(exc):
            raise
        # No database at FAILWELL_DATABASE_URL, a wrong URL, a server down: the driver's first line.
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        err_console.print(f"error: database: {reason}", highlight=False, soft_wrap=True)
        return 1
    return code if isinstance(code, int) else 0


def _usage_line(exc: Exception) -> str:
    format_message = getattr(exc, "format_message", None)
    message = format_message() if callable(format_message) else str(exc)
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "failwell"
    # "Value error, " is pydantic's prefix for a validator's own message: noise on a command line.
    return f"{' '.join(message.replace('Value error, ', '').split())} (see {command} --help)"


def _is_database_error(exc: BaseException) -> bool:
    # SQLAlchemy is loaded only by the verbs that open the database; if it is not, this is none.
    exc_module = sys.modules.get("sqlalchemy.exc")
    return exc_module is not None and isinstance(exc, exc_module.SQLAlchemyError)


def validation_line(exc: ValidationError) -> str:
    """A model's refusal on one line: each bad field and why, in the model's field names."""
    parts = []
    for err in exc.errors():
        field = ".".join(str(p) for p in err.get("loc", ())) or "input"
        parts.append(f"{field}: {error_reason(err)}")
    return "; ".join(parts).replace("\n", " ")


def run() -> None:
    sys.stdout = UntilReaderLeaves(sys.stdout)
    sys.exit(main())
