"""Schema-driven fuzzing of the whole API with schemathesis.

Every operation in the OpenAPI document gets generated requests, valid ones and invalid
ones, sent with a practice owner's token: no 5xx ever, and every response matches its
documented status codes, content type and schema. (Driven through schemathesis'
strategies inside a plain hypothesis test; its pytest plugin does not support pytest 9.)
"""

from __future__ import annotations

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from failwell.app import create_app
from failwell.db import Database
from failwell.enums import Role
from failwell.settings import Settings
from support import Org

# A few cases per operation and mode: enough that each operation is called on each database
# it runs on here. The deep search is .ci/fuzz-api's, over a served demo on both databases.
EXAMPLES_PER_OPERATION = 3


def test_api_contract_with_valid_input(db: Database, database_url: str, org: Org) -> None:
    _fuzz(db, database_url, org, GenerationMode.POSITIVE)


# Invalid input is refused by the request models before any statement runs, the same on both
# databases: fuzzed here on SQLite (on both by .ci/fuzz-api). Valid input reaches the database,
# where PostgreSQL is the stricter one, so that mode runs on both.
@pytest.mark.parametrize("backend", ["sqlite"])
def test_api_contract_with_invalid_input(db: Database, database_url: str, org: Org) -> None:
    _fuzz(db, database_url, org, GenerationMode.NEGATIVE)


def _fuzz(db: Database, database_url: str, org: Org, mode: GenerationMode) -> None:
    app = create_app(Settings(database_url=database_url), db)
    schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)
    headers = org.headers(Role.practice_owner)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 40

    called: set[str] = set()
    for operation in operations:
        strategy = operation.as_strategy(generation_mode=mode, headers=headers)

        @given(case=strategy)
        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
        )
        def check(case: schemathesis.Case) -> None:
            # Schema-valid input may still name a team or service that does not exist:
            # a 422 is the right answer there, so "valid data must be accepted" is off.
            case.call_and_validate(headers=headers, excluded_checks=[positive_data_acceptance])
            called.add(case.operation.label)

        try:
            check()
        except Unsatisfiable:
            # Nothing to make invalid (e.g. GET /people/me has no parameters).
            assert mode == GenerationMode.NEGATIVE, operation.path
        except Exception as exc:
            raise AssertionError(f"{operation.method.upper()} {operation.path}: {exc}") from exc
        else:
            # The small budget still reaches every operation (an Unsatisfiable one aside).
            assert operation.label in called, f"{operation.label} was never called"


def test_documented_sort_keys_match_the_services() -> None:
    from typing import get_args

    from failwell.actions import schemas as a_schemas
    from failwell.actions import service as a_service
    from failwell.catalogue import schemas as c_schemas
    from failwell.catalogue import service as c_service
    from failwell.changes import schemas as ch_schemas
    from failwell.changes import service as ch_service
    from failwell.failures import schemas as f_schemas
    from failwell.failures import service as f_service
    from failwell.people import schemas as p_schemas
    from failwell.people import service as p_service
    from failwell.people import teams
    from failwell.reviews import schemas as r_schemas
    from failwell.reviews import service as r_service

    pairs = [
        (p_schemas.TeamSort, teams.TEAM_SORTS),
        (p_schemas.PersonSort, p_service.PERSON_SORTS),
        (c_schemas.ServiceSort, c_service.SORTS),
        (ch_schemas.ChangeSort, ch_service.CHANGE_SORTS),
        (ch_schemas.DeploymentSort, ch_service.DEPLOYMENT_SORTS),
        (f_schemas.FailureSort, f_service.SORTS),
        (r_schemas.ReviewSort, r_service.SORTS),
        (a_schemas.ActionSort, a_service.SORTS),
    ]
    # 'relevance' is no column: the search engine's rank for q.
    ranked = {f_schemas.FailureSort: {"relevance"}, r_schemas.ReviewSort: {"relevance"}}
    for literal, columns in pairs:
        documented = {key.lstrip("-") for key in get_args(literal)}
        assert documented == set(columns) | ranked.get(literal, set()), literal


def test_every_error_response_is_documented_with_a_defined_problem_schema(client: TestClient) -> None:
    document = client.get("/api/v1/openapi.json").json()
    schemas = document["components"]["schemas"]
    problem_refs = 0
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            for status, response in operation["responses"].items():
                if not status.startswith(("4", "5")):
                    continue
                ref = response["content"]["application/problem+json"]["schema"]["$ref"]
                name = ref.rsplit("/", 1)[-1]
                assert name in schemas, f"{method.upper()} {path} {status}: {ref} is not defined"
                assert {"type", "title", "status", "detail"} <= set(schemas[name]["required"])
                problem_refs += 1
    assert problem_refs > 300  # every operation documents its errors


@pytest.mark.parametrize(
    ("method", "path", "allowed"),
    [
        ("DELETE", "/api/v1/teams", "GET, POST"),
        ("PUT", "/api/v1/teams/1", "GET, PATCH"),
        ("POST", "/healthz", "GET"),
        ("DELETE", "/sign-in", "GET, POST"),
        ("PUT", "/", "GET"),
    ],
)
def test_405_says_which_methods_are_allowed(client: TestClient, method: str, path: str, allowed: str) -> None:
    response = client.request(method, path)
    assert response.status_code == 405
    assert response.headers["Allow"] == allowed
    if path.startswith("/api/"):
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["status"] == 405
