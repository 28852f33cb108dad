"""Helpers shared by the slices' CLI modules: options, output and database access."""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import IO, TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from failwell.client import ApiClient, ApiError
from failwell.settings import get_settings

if TYPE_CHECKING:
    # Imported where a verb opens the database: the HTTP verbs start without SQLAlchemy.
    from sqlalchemy.orm import Session

    from failwell.db import Database

# markup=False: what the CLI prints is mostly what people wrote (titles, lessons), and rich would
# read "[/var]" in a title as a closing tag (a traceback) or "[bold]" as a style (text lost).
# Styles are given as styles (style=, rich.text.Text), never inside the text.
console = Console(markup=False)
# Off a terminal (CI logs, pipes) rich would break any line at 80 columns: keep lines whole.
console.soft_wrap = not console.is_terminal
# An error or a gate's refusal is one line, whatever the width.
err_console = Console(stderr=True, markup=False, soft_wrap=True)


class UntilReaderLeaves:
    """The standard output of a command whose reader may leave early (`failwell lessons ... |
    head`). Once the pipe is closed, what is left to print is dropped instead of ending the
    command, so its exit code (the lessons gate's 3, say) still says what happened: Python
    raises BrokenPipeError where a C program would end on SIGPIPE, and click made that exit 1."""

    def __init__(self, stream: IO[str]) -> None:
        self._stream = stream
        self._gone = False

    def write(self, text: str) -> int:
        if not self._gone:
            try:
                return self._stream.write(text)
            except BrokenPipeError:
                self._drop()
        return len(text)

    def flush(self) -> None:
        if not self._gone:
            try:
                self._stream.flush()
            except BrokenPipeError:
                self._drop()

    def _drop(self) -> None:
        self._gone = True
        # The interpreter's own flush at exit writes to the descriptor: point it at nothing.
        devnull = os.open(os.devnull, os.O_WRONLY)
        try:
            os.dup2(devnull, self._stream.fileno())
        finally:
            os.close(devnull)

    def __getattr__(self, name: str) -> Any:  # isatty, encoding, fileno... as the stream says
        return getattr(self._stream, name)


UrlOption = Annotated[
    str | None,
    typer.Option("--url", envvar="FAILWELL_URL", help="failwell server (default http://127.0.0.1:8000)."),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


_wiring: list[Callable[[], None]] = []


def on_local_database(wire: Callable[[], None]) -> None:
    """Registers what must run before a verb works on the database itself: the composition
    root's wiring of event handlers (set by the `failwell` command; the HTTP verbs skip it)."""
    if wire not in _wiring:  # the callback runs on every `main()` call of one process
        _wiring.append(wire)


def wire_local() -> None:
    """Runs the registered wiring: for verbs that run services on a database of their own."""
    for wire in _wiring:
        wire()


def local_database(pool_size: int = 1) -> Database:
    """The configured database (FAILWELL_DATABASE_URL), with the event handlers wired first."""
    from failwell.db import Database

    wire_local()
    settings = get_settings()
    return Database(
        settings.database_url, pool_size=pool_size, busy_timeout_ms=settings.sqlite_busy_timeout_ms
    )


@contextmanager
def local_session() -> Iterator[Session]:
    """A unit of work on the configured database (FAILWELL_DATABASE_URL)."""
    db = local_database()
    try:
        with db.session() as session:
            yield session
    finally:
        db.dispose()


@contextmanager
def api(url: str | None) -> Iterator[ApiClient]:
    """The server's client for one verb; a refusal names the options typed, not the API's fields."""
    client = ApiClient(url)
    try:
        yield client
    except ApiError as exc:
        command = _current_command()
        if not exc.fields or command is None:
            raise
        raise ApiError.at_fields([(as_option(command, f), r) for f, r in exc.fields], exc.status) from None
    finally:
        client.close()


TeamOption = Annotated[str | None, typer.Option(help="The team's name (its id is taken too).")]
PersonOption = Annotated[str | None, typer.Option(help="The person's e-mail (their id is taken too).")]


def _id_by(
    client: ApiClient, path: str, typed: str | None, key: str, option: str, unknown: str
) -> int | None:
    """The id of what an option names by ``key`` (a team's name, a person's e-mail), found
    through the list at ``path``; digits are taken as the id itself, as the verbs took it."""
    if typed is None:
        return None
    if typed.isdigit():
        return int(typed)
    page = client.request("GET", path, params={"q": typed, "limit": 100})
    for found in page["items"]:
        if str(found.get(key, "")) == typed:
            return int(found["id"])
    raise ApiError.at_fields([(option, unknown)])


def team_id(client: ApiClient, team: str | None) -> int | None:
    """A --team by name, exactly as the server names teams (an id still works)."""
    return _id_by(client, "/teams", team, "name", "--team", f"unknown team '{team}'")


def person_id(client: ApiClient, person: str | None, option: str = "--person") -> int | None:
    """A person by e-mail, in any case (an id still works)."""
    wanted = None if person is None else person.strip().lower()
    return _id_by(client, "/people", wanted, "email", option, f"nobody has the e-mail '{person}'")


def _current_command() -> Any:
    """The verb being run (a click command), or None outside one. Typer 0.29 runs commands on
    its own copy of click, whose context stack is not click's."""
    try:
        from typer._click.globals import get_current_context
    except ImportError:  # a Typer on click itself
        from click import get_current_context  # type: ignore[no-redef]
    ctx = get_current_context(silent=True)
    return None if ctx is None else ctx.command


# An API field the verb's own option (or its singular) sends, for the few not named alike.
_SENT_AS = {"q": "search", "commit_shas": "commit", "services": "service", "tags": "tag"}


def as_option(command: Any, field: str) -> str:
    """``field`` (e.g. "severity_at_least", "commit_shas[0]") as the command's option that sends
    it ("--severity-at-least", "--commit"); unchanged if the command has none."""
    root = field.split("[", 1)[0].split(".", 1)[0]
    names = [root, _SENT_AS.get(root, ""), root.removesuffix("s"), root.removesuffix("_ids") + "_id"]
    by_name = {p.name: p for p in command.params if getattr(p, "param_type_name", "") == "option"}
    for name in names:
        option = by_name.get(name)
        if option is not None:
            return str(max(option.opts, key=len))  # "--search", not "-q"
    return field


def parse_time(value: str | None, option: str) -> str | None:
    """Validates an ISO 8601 time locally so a typo fails before any request is sent."""
    if value is None:
        return None
    try:
        datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise typer.BadParameter(
            f"'{value}' is not an ISO 8601 time (e.g. 2026-11-22T14:05:00Z)", param_hint=option
        ) from None
    return value


def print_json(data: Any) -> None:
    console.print_json(json.dumps(data, default=str))


def print_table(
    title: str,
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    total: int | None = None,
    exact: bool = True,
) -> None:
    """A table on a terminal; plain aligned lines elsewhere (CI logs, pipes), where rich would
    squeeze it into 80 columns and chop long values."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    more = None
    if total is not None and total > len(rows):
        more = f"{len(rows)} shown of {total}{'' if exact else '+'}; use --limit/--offset for more."
    if not console.is_terminal:
        typer.echo("\n".join([title, *plain_lines(columns, cells), *([more] if more else [])]))
        return
    table = Table(title=title, title_justify="left")
    for column in columns:
        table.add_column(column)
    for row in cells:
        table.add_row(*row)
    console.print(table)
    if more:
        console.print(more)


def plain_lines(columns: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """Header and rows in columns two spaces apart, every value whole and on one line."""
    lines = [list(columns), *([" ".join(v.split()) for v in row] for row in rows)]
    widths = [max(len(line[i]) for line in lines) for i in range(len(columns))]
    return ["  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip() for line in lines]


def show_page(
    url: str | None,
    path: str,
    params: dict[str, Any],
    as_json: bool,
    title: str,
    columns: Sequence[str],
    row: Callable[[dict[str, Any]], Sequence[Any]],
) -> None:
    """Fetches one page of a list from the server and prints it as JSON or a table."""
    with api(url) as client:
        page = client.request("GET", path, params=params)
    if as_json:
        print_json(page)
        return
    print_table(title, columns, [row(item) for item in page["items"]], page["total"], page["total_exact"])
