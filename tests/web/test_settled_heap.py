"""A serving app puts its start-up objects out of the cyclic collector's way (failwell.app.settle_heap);
an app built around a caller's database (every test's) leaves the collector as it is."""

from __future__ import annotations

import gc
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from failwell.app import create_app
from failwell.broadcast.config import get_broadcast_settings
from failwell.db import Database
from failwell.settings import Settings


@pytest.fixture
def unfrozen(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("FAILWELL_BROADCAST_IN_APP_WORKER", "false")  # no worker thread to start
    get_broadcast_settings.cache_clear()
    gc.unfreeze()
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()  # frozen objects are never freed: give them back to the collector
    gc.set_threshold(*threshold)
    get_broadcast_settings.cache_clear()


@pytest.mark.usefixtures("unfrozen")
def test_the_serving_app_freezes_what_start_up_built(database_url: str) -> None:
    app = create_app(Settings(database_url=database_url))
    assert gc.get_freeze_count() == 0  # building it is not starting it
    with TestClient(app) as client:
        assert gc.get_freeze_count() > 10_000  # modules, routes, mappers, validators
        assert gc.get_threshold()[0] == 10_000
        assert client.get("/healthz").status_code == 200
    app.state.db.dispose()


@pytest.mark.usefixtures("unfrozen")
def test_an_app_on_the_callers_database_leaves_the_collector_alone(db: Database, database_url: str) -> None:
    with TestClient(create_app(Settings(database_url=database_url), db)) as client:
        assert client.get("/healthz").status_code == 200
        assert gc.get_freeze_count() == 0 and gc.get_threshold()[0] != 10_000
