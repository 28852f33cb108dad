"""The generic JSON endpoint for any CI: one deployment (the twin of `failwell deploy record`),
or a batch of them, recorded all or none."""

from __future__ import annotations

from typing import Any

from failwell.errors import InvalidInput
from failwell.integrations.config import get_integration_settings
from failwell.integrations.ingest import Context, Unmapped, record
from failwell.integrations.schemas import GenericBatch, GenericDeployment


def handle(ctx: Context, event: str, payload: Any) -> None:
    if event == "batch":
        batch = GenericBatch.model_validate(payload)
        limit = get_integration_settings().max_batch
        if len(batch.deployments) > limit:
            raise InvalidInput.on("deployments", f"holds {len(batch.deployments)}; at most {limit} at once")
        for index, item in enumerate(batch.deployments):
            try:
                record(ctx, item)
            except Unmapped as exc:
                raise Unmapped(f"deployments[{index}]: {exc}") from None
        ctx.outcome.detail = f"recorded {len(batch.deployments)} deployments"
        return
    dep = record(ctx, GenericDeployment.model_validate(payload))
    ctx.outcome.detail = f"recorded deployment {dep.id}"
