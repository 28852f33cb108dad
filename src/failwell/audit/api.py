"""API routes of the audit trail, mounted under /api/v1: read and export (practice owners).
There is no route that changes or removes an entry."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.audit import service
from failwell.audit.schemas import AuditEntryOut, AuditExportFilter, AuditFilter
from failwell.authz import Actor
from failwell.deps import Work
from failwell.listing import Page, page_of

router = APIRouter(tags=["audit"])

MEDIA_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson"}
_EXPORT = {
    200: {
        "description": "Every matching entry, oldest first, as CSV or JSON lines",
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


@router.get("/audit", response_model=Page[AuditEntryOut])
async def list_audit(filters: Annotated[AuditFilter, Query()], uow: Work) -> object:
    """The audit trail, newest first: who changed what, when, before and after (practice owners)."""

    def work(session: Session, actor: Actor) -> object:
        rows, total, exact = service.list_entries(session, actor, filters)
        return page_of([service.entry_out(e) for e in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/audit/export", response_class=Response, responses=_EXPORT)  # type: ignore[arg-type]
async def export_audit(filters: Annotated[AuditExportFilter, Query()], uow: Work) -> Response:
    """Every matching entry (limit and offset are ignored), oldest first (practice owners)."""

    def work(session: Session, actor: Actor) -> str:
        return service.export(session, actor, filters, filters.format)

    body = await uow.run(work)
    headers = {"Content-Disposition": f'attachment; filename="failwell-audit.{filters.format}"'}
    return Response(body, media_type=MEDIA_TYPES[filters.format], headers=headers)
