"""JSON columns are written by orjson (failwell.db._json_text) as the standard library would."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from failwell.db import Database, _json_text
from failwell.integrations.models import IntegrationDelivery


def test_json_text_reads_back_as_the_standard_library_wrote_it() -> None:
    value = {"ids": [1, 2], "name": "café ✓", 3: "three", "nested": {"ok": True, "none": None}}
    assert json.loads(_json_text(value)) == json.loads(json.dumps(value))
    with pytest.raises(TypeError):
        _json_text({"at": datetime(2026, 1, 1, tzinfo=UTC)})  # neither guesses a format
    with pytest.raises(TypeError):
        _json_text({"tags": {"a", "b"}})


def test_a_json_column_round_trips(db: Database) -> None:
    from failwell.authz import SYSTEM
    from failwell.integrations import service
    from failwell.integrations.models import IntegrationKind, Verdict
    from failwell.integrations.schemas import IntegrationIn

    result = {"unmapped": {"label:team": "café", "repository": "acme/pay"}, "deployments": [7]}
    with db.session() as s:
        integration, _secret = service.create_integration(
            s, SYSTEM, IntegrationIn(kind=IntegrationKind.generic, name="ci")
        )
        s.add(
            IntegrationDelivery(
                integration_id=integration.id, delivery_key="k", event="deployment", body=b"{}",
                headers={"user-agent": "ci ✓"}, verdict=Verdict.unmapped, detail="", result=result,
            )
        )  # fmt: skip
    with db.session(write=False) as s:
        stored = s.scalars(select(IntegrationDelivery)).one()
        assert (stored.result, stored.headers) == (result, {"user-agent": "ci ✓"})
