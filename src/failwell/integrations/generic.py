"""The generic JSON endpoint for any CI: one deployment (the twin of `failwell deploy record`),
or a batch of them, recorded all or none."""

from __future__ import annotations

from typing import Any

from failwell.errors import InvalidInput
from failwell.integrations.batch import record_batch
from failwell.integrations.config import get_integration_settings
from failwell.integrations.context import Context
from failwell.integrations.ingest import record
from failwell.integrations.schemas import GenericBatch, GenericDeployment


def validated(event: str, payload: Any) -> GenericBatch | GenericDeployment:
    """The body as its model (raises pydantic's ValidationError). The pipeline calls it before
    the write transaction, so that with several app processes one validates a CI batch while
    another writes (a fifth of a 1,000-deployment batch's time on 2026-12-07, an eighth since
    the checks run once per input, 2026-12-08)."""
    if event == "batch":
        return GenericBatch.model_validate(payload)
    return GenericDeployment.model_validate(payload)


def handle(ctx: Context, event: str, payload: Any) -> None:
    """Records the delivery: ``payload`` is the parsed body, or already `validated`."""
    if not isinstance(payload, GenericBatch | GenericDeployment):
        payload = validated(event, payload)
    if isinstance(payload, GenericBatch):
        deployments = payload.deployments
        limit = get_integration_settings().max_batch
        if len(deployments) > limit:
            raise InvalidInput.on("deployments", f"holds {len(deployments)}; at most {limit} at once")
        record_batch(ctx, deployments)
        ctx.outcome.detail = f"recorded {len(deployments)} deployments"
        return
    ctx.outcome.detail = recorded(payload, record(ctx, payload))


def recorded(item: GenericDeployment, dep_id: int) -> str:
    return f"recorded deployment {dep_id}"


def one_deployment(event: str, payload: Any) -> GenericDeployment | None:
    """What the delivery records, when that is one deployment and nothing else (see
    integrations.grouped): a `validated` single deployment; None for a batch."""
    return payload if isinstance(payload, GenericDeployment) else None
