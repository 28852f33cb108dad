"""CLI commands of this slice."""

import typer


def register(app: typer.Typer) -> None:
    """Adds this slice's commands to the `failwell` command."""
