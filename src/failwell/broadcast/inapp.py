"""The delivery worker inside the app process: the embedded default of `failwell serve`."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any

from failwell.broadcast.config import get_broadcast_settings
from failwell.db import Database


def worker_lifespan(db: Database, enabled: bool) -> Callable[[Any], AbstractAsyncContextManager[None]]:
    """A FastAPI lifespan running a worker thread while the app serves.

    On when FAILWELL_BROADCAST_IN_APP_WORKER is true (the default) and `enabled` (the app owns
    its database). Every app process runs one; claims are safe with any number of them, so
    `--workers 4` or several hosts need nothing more. Turn it off when separate
    `failwell worker` processes deliver."""

    @asynccontextmanager
    async def lifespan(_app: Any) -> AsyncIterator[None]:
        if not (enabled and get_broadcast_settings().in_app_worker):
            yield
            return
        from failwell.broadcast.worker import Worker

        worker = Worker(db).start()
        try:
            yield
        finally:
            worker.stop(timeout_s=5)

    return lifespan
