"""CLI commands of this slice: the delivery worker and broadcast administration."""

from __future__ import annotations

import signal
from typing import Annotated

import typer

from failwell.cli_support import console, local_database, local_session

broadcast_app = typer.Typer(help="Broadcasting: keys, reminders, digests.", no_args_is_help=True)


def worker(
    threads: Annotated[int | None, typer.Option(min=1, max=64, help="Parallel sends (default 8).")] = None,
    batch: Annotated[int | None, typer.Option(min=1, max=500, help="Deliveries claimed at once.")] = None,
    once: Annotated[bool, typer.Option("--once", help="Deliver what is due now, then exit.")] = False,
    schedule: Annotated[bool, typer.Option(help="Queue reminders and digests, run housekeeping.")] = True,
    name: Annotated[str | None, typer.Option(help="Worker name in claims (default host:pid:random).")] = None,
) -> None:
    """Deliver notifications from the outbox; run several at once on PostgreSQL."""
    from failwell.broadcast.config import get_broadcast_settings
    from failwell.broadcast.worker import Worker

    cfg = get_broadcast_settings()
    updates = {k: v for k, v in (("send_threads", threads), ("batch_size", batch)) if v is not None}
    cfg = cfg.model_copy(update=updates)
    db = local_database(pool_size=cfg.send_threads + 2)
    w = Worker(db, cfg, name=name, schedule=schedule)

    def _stop(_signum: int, _frame: object) -> None:
        # Finish the batch in hand and record it; an unrecorded send would be repeated later.
        w.request_stop()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    try:
        if once:
            stats = w.drain()
            console.print(f"delivered {stats.delivered}, retrying {stats.retried}, parked {stats.parked}")
        else:
            console.print(f"failwell worker {w.id} delivering (Ctrl-C to stop)", highlight=False)
            w.run()
    finally:
        w.stop(timeout_s=0)
        db.dispose()


@broadcast_app.command("new-key")
def new_key() -> None:
    """Print a new key for FAILWELL_BROADCAST_SECRET_KEYS (put it first to rotate)."""
    from failwell.broadcast.secrets import new_key as make

    console.print(make(), highlight=False)


@broadcast_app.command("reseal")
def reseal() -> None:
    """Re-encrypt every channel URL with the first key (after adding or rotating keys)."""
    from sqlalchemy import select

    from failwell.broadcast import secrets
    from failwell.broadcast.models import Channel

    with local_session() as s:
        channels = s.scalars(select(Channel)).all()
        for channel in channels:
            channel.secret_url = secrets.seal(secrets.unseal(channel.secret_url))
    console.print(f"{len(channels)} channel URL(s) resealed.")


@broadcast_app.command("schedule")
def schedule_now() -> None:
    """Queue the reminders and digests due now (workers also do this on their own)."""
    from failwell.broadcast.schedule import run_schedule

    db = local_database()
    try:
        r = run_schedule(db)
    finally:
        db.dispose()
    console.print(
        f"queued: {r.due_soon} due-soon and {r.overdue} overdue action reminders, "
        f"{r.reviews} review reminders, {r.digests} digests"
    )


def register(app: typer.Typer) -> None:
    """Adds this slice's commands to the `failwell` command."""
    app.command("worker")(worker)
    app.add_typer(broadcast_app, name="broadcast")
