"""InputModel's own refusals (NUL characters, numbers for times or yes/no, implausible dates),
checked once per input rather than once per field: each still names the field, nested ones
with their place in the batch."""

from __future__ import annotations

import importlib
import pkgutil
from datetime import date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

import failwell
from factories import API, assert_problem
from failwell.actions.schemas import ActionIn
from failwell.fields import (
    InputModel,
    _not_a_day_number,
    _not_a_number,
    _not_a_yes_no_number,
    checks_itself,
    error_reason,
    field_kinds,
    plausible_time,
)
from failwell.integrations.schemas import GenericBatch
from support import Org


def _item(**changes: Any) -> dict[str, Any]:
    return {"service": "checkout", "version": "1.2.3", "outcome": "succeeded", **changes}


def _refused(model: Any, data: dict[str, Any]) -> list[tuple[tuple[Any, ...], str]]:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(data)
    return [(e["loc"], error_reason(e)) for e in caught.value.errors()]


def test_nul_is_named_at_its_field_and_place_in_a_batch() -> None:
    batch = {"deployments": [_item(), _item(), _item(version="1.\x00"), _item(repository="a\x00b")]}
    assert _refused(GenericBatch, batch) == [
        (("deployments", 2, "version"), "must not contain NUL (\\x00) characters"),
        (("deployments", 3, "repository"), "must not contain NUL (\\x00) characters"),
    ]


def test_numbers_for_times_and_yes_no_are_refused_with_the_other_mistakes() -> None:
    refused = _refused(GenericBatch, {"deployments": [_item(started_at=1700000000, rework=1, outcome="?")]})
    assert refused == [
        (
            ("deployments", 0, "started_at"),
            "must be an ISO 8601 time such as 2026-11-22T14:05:00Z, not a number",
        ),
        (("deployments", 0, "outcome"), "Input should be 'succeeded', 'failed' or 'rolled_back'"),
        (("deployments", 0, "rework"), "must be true or false, not a number"),
    ]


def test_a_plain_date_field_is_checked_for_numbers_and_plausibility() -> None:
    base = {"failure_id": 1, "title": "Add a retry budget", "action_type": "mitigate"}
    assert _refused(ActionIn, {**base, "due_date": "20261122"}) == [
        (("due_date",), "must be an ISO 8601 date such as 2026-11-22, not a number")
    ]
    assert _refused(ActionIn, {**base, "due_date": "0001-01-01"}) == [
        (("due_date",), "must be between 1970 and 2099")
    ]
    assert ActionIn.model_validate({**base, "due_date": "2026-11-22"}).due_date == date(2026, 11, 22)


def test_nul_outside_any_field_is_left_to_the_unknown_field_refusal() -> None:
    refused = _refused(GenericBatch, {"deployments": [_item(colour="r\x00ed")]})
    assert refused == [(("deployments", 0, "colour"), "Extra inputs are not permitted")]


def _every_input_model() -> list[type[InputModel]]:
    # Every module, not only what the app imports at start: pages and forms load lazily.
    for module in pkgutil.walk_packages(failwell.__path__, "failwell."):
        if ".migrations" not in module.name and not module.name.endswith("__main__"):
            importlib.import_module(module.name)

    found: list[type[InputModel]] = []
    todo: list[type[InputModel]] = [InputModel]
    while todo:
        for sub in todo.pop().__subclasses__():
            found.append(sub)
            todo.append(sub)
    return found


def test_every_time_date_and_yes_no_field_checks_its_value_through_its_type() -> None:
    """InputModel does not look at each field: a time or date field's type must refuse numbers
    and implausible values itself (UtcDateTime, Day), a yes/no field's numbers (YesNo)."""
    unchecked = [
        f"{model.__module__}.{model.__name__}.{name}"
        for model in _every_input_model()
        for name, field in model.model_fields.items()
        if field_kinds(field) & {date, datetime}
        and not (
            checks_itself(field, plausible_time)
            and (checks_itself(field, _not_a_number) or checks_itself(field, _not_a_day_number))
        )
    ]
    unchecked += [
        f"{model.__module__}.{model.__name__}.{name}"
        for model in _every_input_model()
        for name, field in model.model_fields.items()
        if bool in (kinds := field_kinds(field))
        and not kinds & {int, float}
        and not checks_itself(field, _not_a_yes_no_number)
    ]
    assert not unchecked
    assert len(_every_input_model()) > 50


def test_nul_in_queries_and_bodies_is_refused_naming_the_field(client: TestClient, org: Org) -> None:
    h = org.headers()
    for path, params in [
        ("/failures", {"tag": "a\x00b"}),
        ("/deployments", {"environment": "pro\x00d"}),
        ("/audit", {"actor": "x\x00"}),
        ("/actions", {"q": "x\x00"}),
    ]:
        (field,) = params
        assert_problem(client.get(f"{API}{path}", params=params, headers=h), 422, field)
    refused = client.post(f"{API}/teams", json={"name": "a\x00b"}, headers=h)
    assert assert_problem(refused, 422, "name")["errors"] == [
        {"field": "name", "reason": "must not contain NUL (\\x00) characters"}
    ]
