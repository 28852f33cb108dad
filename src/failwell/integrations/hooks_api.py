"""The inbound webhooks, mounted under /api/v1: authenticated by their integration's signature
or token, never an API token.

CI and alerting post here more than anywhere, so the hot path is short. The documented FastAPI
routes (`hook`, `hook_generic_batch`) hold the contract: their OpenAPI entries, and the answer
to an address FastAPI must refuse (a word for the id, an unknown kind), naming the field. In
front of them, `fast_routes` answer the well-formed addresses through the very same `_inbound`
without FastAPI's parameter solving and routing, which cost about a tenth of a delivery
(measured 2026-12-07); tests/integrations/test_hook_routes.py holds the two to the same answers.
"""

from __future__ import annotations

import asyncio
from typing import Any

import anyio.to_thread
import orjson
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.routing import Match, Route
from starlette.types import Scope

from failwell.db import Database
from failwell.deps import IdPath, get_database
from failwell.errors import problem
from failwell.fields import MAX_ID
from failwell.integrations.grouped import Grouper
from failwell.integrations.models import IntegrationKind, Verdict
from failwell.integrations.receive import Received, admit, receive
from failwell.integrations.schemas import HookResult

hooks_router = APIRouter(tags=["integrations"])


async def _inbound(
    request: Request, integration_id: int, kind: IntegrationKind, variant: str | None = None
) -> Response:
    db = get_database(request)
    body = await request.body()
    headers = {k.lower(): v for k, v in request.headers.items()}
    if db.embedded:  # SQLite: on the event loop, with the deliveries that arrived alongside
        inbound = admit(db, integration_id, kind, headers, body, variant)
        got: Received = await _grouper(request, db).record(inbound)
    else:
        got = await anyio.to_thread.run_sync(receive, db, integration_id, kind, headers, body, variant)
    if got.verdict == Verdict.refused:
        doc = problem(422, "Delivery refused", "delivery-refused", got.detail, instance=request.url.path)
        doc |= {"delivery_id": got.delivery_id, "verdict": got.verdict.value}
        return JSONResponse(doc, status_code=422, media_type="application/problem+json")
    # Answered as bytes: the response model documents it, and validating our own answer again
    # cost a few per cent of a delivery (measured 2026-12-07).
    answer = {"delivery_id": got.delivery_id, "verdict": got.verdict.value, "detail": got.detail}
    return Response(orjson.dumps({**answer, "result": got.result}), media_type="application/json")


def _grouper(request: Request, db: Database) -> Grouper:
    """The app's grouper for the running event loop (a test may run the app on several loops)."""
    loop = asyncio.get_running_loop()
    grouper: Grouper | None = getattr(request.app.state, "hook_grouper", None)
    if grouper is None or grouper.loop is not loop or grouper.db is not db:
        grouper = Grouper(db, loop)
        request.app.state.hook_grouper = grouper
    return grouper


HOOK_DOC = "Authenticated by the integration's secret (see docs/integrations.md), not an API token."


@hooks_router.post("/hooks/{integration_id}/generic/batch", response_model=HookResult, description=HOOK_DOC)
async def hook_generic_batch(integration_id: IdPath, request: Request) -> Any:
    """Many deployments from one CI request: all recorded, or none."""
    return await _inbound(request, integration_id, IntegrationKind.generic, "batch")


@hooks_router.post("/hooks/{integration_id}/{kind}", response_model=HookResult, description=HOOK_DOC)
async def hook(integration_id: IdPath, kind: IntegrationKind, request: Request) -> Any:
    """One webhook delivery from GitHub, GitLab, Alertmanager, PagerDuty or any CI (generic)."""
    return await _inbound(request, integration_id, kind)


# ---- the hot path ---------------------------------------------------------------------------

_KINDS = {kind.value: kind for kind in IntegrationKind}


class _WellFormedHook(Route):
    """A route that takes only what the documented route would accept as it stands: a POST, an
    id in range and a known kind. Anything else is not matched, and goes on to FastAPI."""

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope.get("method") != "POST":
            return Match.NONE, {}
        match, child = super().matches(scope)
        if match != Match.FULL:
            return Match.NONE, {}
        params = child["path_params"]
        if not 1 <= params["integration_id"] <= MAX_ID or params.get("kind", "generic") not in _KINDS:
            return Match.NONE, {}
        return match, child


async def _fast_batch(request: Request) -> Response:
    return await _inbound(request, request.path_params["integration_id"], IntegrationKind.generic, "batch")


async def _fast_hook(request: Request) -> Response:
    params = request.path_params
    return await _inbound(request, params["integration_id"], _KINDS[params["kind"]])


def fast_routes(prefix: str) -> list[Route]:
    """The hot path's routes under the API's prefix, to be tried before every other route."""
    hooks = f"{prefix}/hooks/{{integration_id:int}}"
    return [
        _WellFormedHook(f"{hooks}/generic/batch", _fast_batch, methods=["POST"]),
        _WellFormedHook(f"{hooks}/{{kind}}", _fast_hook, methods=["POST"]),
    ]
