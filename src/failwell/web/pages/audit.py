"""The audit trail's page (/admin/audit) and its export, for practice owners: who changed what,
when, before and after. It reads; nothing here changes or removes an entry."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from failwell.audit import service
from failwell.audit.api import MEDIA_TYPES
from failwell.audit.registry import subject_types
from failwell.authz import Actor
from failwell.listing import page_of
from failwell.web.forms.audit import ACTIONS, ACTOR_KINDS, audit_filters
from failwell.web.forms.base import FormState
from failwell.web.pages.admin import OwnerWork
from failwell.web.responses import filters_refused
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

_KEPT = ("actor", "actor_kind", "action", "subject_type", "since", "until")


def _options(values: tuple[str, ...] | list[str]) -> list[tuple[str, str]]:
    return [(v, v.replace("_", " ").capitalize()) for v in values]


@router.get("/admin/audit")
async def admin_audit(request: Request, page: OwnerWork) -> Response:
    filters, shown, errors, raw = audit_filters(dict(request.query_params))

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        if errors:
            return {"entries": page_of([], 0, True, shown)}
        rows, total, exact = service.list_entries(session, actor, filters)
        return {"entries": page_of([service.entry_out(e) for e in rows], total, exact, filters)}

    data = await page.run(work)
    keep = {k: v for k, v in raw.items() if k in _KEPT}
    query = urlencode(keep)
    return render(
        request,
        "admin/audit.html",
        {
            **data,
            "filters": FormState(raw, errors),
            "base_url": "/admin/audit" + (f"?{query}" if query else ""),
            "export_query": query,
            "action_options": _options(ACTIONS),
            "subject_options": _options(subject_types()),
            "kind_options": ACTOR_KINDS,
        },
        status_code=422 if errors else 200,
    )


@router.get("/admin/audit/export")
async def admin_audit_export(request: Request, page: OwnerWork) -> Response:
    """The page's filters, every matching entry, as a download."""
    query = dict(request.query_params)
    fmt = "jsonl" if query.pop("format", "csv") == "jsonl" else "csv"
    filters, _, errors, _ = audit_filters(query)
    if errors:
        return filters_refused(errors)

    def work(session: Session, actor: Actor) -> str:
        return service.export(session, actor, filters, "jsonl" if fmt == "jsonl" else "csv")

    body = await page.run(work)
    headers = {"Content-Disposition": f'attachment; filename="failwell-audit.{fmt}"'}
    return Response(body, media_type=MEDIA_TYPES[fmt], headers=headers)
