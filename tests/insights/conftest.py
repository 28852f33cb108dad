"""A database holding a generated event stream, on each backend."""

from __future__ import annotations

import pytest

from failwell.db import Database
from insights.stream import Stream, generate, load


@pytest.fixture
def stream(db: Database) -> Stream:
    events = generate(seed=11)
    with db.session() as session:
        load(session, events)
    return events
