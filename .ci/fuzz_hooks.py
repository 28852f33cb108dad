"""Schemathesis hooks for .ci/fuzz-api: keep the demo token alive through the whole run.

The fuzzer authenticates as the demo practice owner with the demo API token. Two kinds of
request would end the run early by locking that token out (every later request a 401): revoking
the demo token itself (the API asks for ?confirm_self=true, which the fuzzer may well generate)
and deactivating or demoting the demo owner. Those requests still go out, minus the part that
would do it. .ci/fuzz-api passes the ids in the environment.
"""

from __future__ import annotations

import os
from typing import Any

import schemathesis

DEMO_TOKEN_ID = int(os.environ["FAILWELL_FUZZ_TOKEN_ID"])
DEMO_OWNER_ID = int(os.environ["FAILWELL_FUZZ_OWNER_ID"])


def _same_id(value: Any, expected: int) -> bool:
    return str(value).strip() == str(expected)


@schemathesis.hook
def before_call(context: Any, case: Any, **kwargs: Any) -> None:
    method = case.operation.method.upper()
    path = case.operation.path
    params = case.path_parameters or {}
    if method == "DELETE" and path.endswith("/tokens/{token_id}"):
        if _same_id(params.get("token_id"), DEMO_TOKEN_ID) and isinstance(case.query, dict):
            case.query.pop("confirm_self", None)  # the 409 then protects it
    if method == "PATCH" and path.endswith("/people/{person_id}"):
        if _same_id(params.get("person_id"), DEMO_OWNER_ID) and isinstance(case.body, dict):
            for key in ("is_active", "role", "email"):
                case.body.pop(key, None)
