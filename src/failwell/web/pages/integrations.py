"""Web pages of the integrations slice: administration of integrations, their mapping rules
and deliveries (with replay), and the suggested links fragment of a failure page."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.catalogue.models import Service
from failwell.enums import Role
from failwell.errors import DomainError, InvalidInput
from failwell.integrations import links, service
from failwell.integrations.models import IntegrationKind, Verdict
from failwell.integrations.receive import replay
from failwell.integrations.schemas import DeliveryFilter, IntegrationIn, IntegrationUpdate
from failwell.listing import page_of
from failwell.web.auth import PageWork
from failwell.web.forms.base import FormState, cleaned, domain_errors, read_form, validate
from failwell.web.forms.integrations import options_from_form, rule_from_form
from failwell.web.responses import redirect_with_notice
from failwell.web.templating import render

router = APIRouter(include_in_schema=False)

KIND_LABELS = {
    IntegrationKind.github: "GitHub",
    IntegrationKind.gitlab: "GitLab",
    IntegrationKind.alertmanager: "Prometheus Alertmanager",
    IntegrationKind.pagerduty: "PagerDuty",
    IntegrationKind.generic: "Any CI (generic JSON)",
}


def _list_context(session: Session, actor: Actor, base: str) -> dict[str, Any]:
    require(actor, Role.practice_owner, "Administering integrations")
    unmapped, _total, _exact = service.list_deliveries(
        session, DeliveryFilter(verdict=Verdict.unmapped, limit=1)
    )
    return {
        "integrations": [service.integration_out(i, base) for i in service.list_integrations(session)],
        "kinds": [(k.value, label) for k, label in KIND_LABELS.items()],
        "kind_labels": {k.value: label for k, label in KIND_LABELS.items()},
        "has_unmapped": bool(unmapped),
    }


def _base(request: Request) -> str:
    return str(request.base_url)


@router.get("/admin/integrations")
async def integrations_page(request: Request, page: PageWork) -> Response:
    data = await page.run(lambda s, a: _list_context(s, a, _base(request)))
    return render(request, "integrations/admin.html", {**data, "form": FormState(), "created": None})


@router.post("/admin/integrations")
async def add_integration(request: Request, page: PageWork) -> Response:
    values = await read_form(request)
    raw = cleaned(values)
    if not raw.get("secret"):
        raw.pop("secret", None)
    data, errors = validate(IntegrationIn, raw)
    created: dict[str, Any] | None = None
    status = 422
    if data is not None:

        def work(session: Session, actor: Actor) -> dict[str, Any]:
            integration, secret = service.create_integration(session, actor, data)
            return {"out": service.integration_out(integration, _base(request)), "secret": secret}

        try:
            created = await page.run(work)
            status, values, errors = 201, {}, {}
        except DomainError as exc:
            errors = domain_errors(exc)
            status = exc.status
    values = {k: v for k, v in values.items() if k != "secret"}  # a secret is never shown back
    context = await page.run(lambda s, a: _list_context(s, a, _base(request)))
    # The secret appears on this one response only; the page after a reload no longer has it.
    return render(
        request,
        "integrations/admin.html",
        {**context, "form": FormState(values, errors), "created": created},
        status_code=status,
        headers={"Cache-Control": "no-store"},
    )


def _detail_context(session: Session, actor: Actor, integration_id: int, base: str) -> dict[str, Any]:
    require(actor, Role.practice_owner, "Administering integrations")
    integration = service.get_integration(session, integration_id)
    return {
        "integration": service.integration_out(integration, base),
        "kind_label": KIND_LABELS[integration.kind],
        "rules": service.list_rules(session, integration_id),
        "services": [
            (n, n) for n in session.scalars(select(Service.name).order_by(Service.name).limit(1000))
        ],
    }


@router.get("/admin/integrations/{integration_id}")
async def integration_page(request: Request, integration_id: int, page: PageWork) -> Response:
    data = await page.run(lambda s, a: _detail_context(s, a, integration_id, _base(request)))
    # "Add a rule from this delivery" (the deliveries page) fills the form in; nothing is saved yet.
    offered = {
        k: request.query_params[k][:300] for k in ("match_field", "pattern") if k in request.query_params
    }
    return render(request, "integrations/detail.html", {**data, "form": FormState(offered), "secret": None})


async def _detail_refused(
    request: Request, page: PageWork, integration_id: int, forms: dict[str, FormState]
) -> Response:
    """The integration's page again (422) with a refused form's reasons beside its fields and
    its values as entered: nothing was saved."""
    context = await page.run(lambda s, a: _detail_context(s, a, integration_id, _base(request)))
    return render(request, "integrations/detail.html", {**context, **forms, "secret": None}, status_code=422)


@router.post("/admin/integrations/{integration_id}/rules")
async def add_rule(request: Request, integration_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    data, errors = rule_from_form(values)
    if data is not None:
        try:
            await page.run(lambda s, a: service.create_rule(s, a, integration_id, data))
            return redirect_with_notice(f"/admin/integrations/{integration_id}", "Rule added.")
        except DomainError as exc:
            errors = domain_errors(exc)
    return await _detail_refused(request, page, integration_id, {"form": FormState(values, errors)})


@router.post("/admin/integrations/{integration_id}/rules/{rule_id}/delete")
async def delete_rule(integration_id: int, rule_id: int, page: PageWork) -> Response:
    await page.run(lambda s, a: service.delete_rule(s, a, integration_id, rule_id))
    return redirect_with_notice(f"/admin/integrations/{integration_id}", "Rule removed.")


@router.post("/admin/integrations/{integration_id}/options")
async def save_options(request: Request, integration_id: int, page: PageWork) -> Response:
    values = await read_form(request)
    options, errors = options_from_form(values)
    if options is not None:
        try:
            update = IntegrationUpdate(options=options)
            await page.run(lambda s, a: service.update_integration(s, a, integration_id, update))
            return redirect_with_notice(f"/admin/integrations/{integration_id}", "Options saved.")
        except DomainError as exc:
            errors = domain_errors(exc)
    forms = {"form": FormState(), "options_form": FormState(values, errors)}
    return await _detail_refused(request, page, integration_id, forms)


@router.post("/admin/integrations/{integration_id}/{action}")
async def integration_action(request: Request, integration_id: int, action: str, page: PageWork) -> Response:
    if action == "rotate":

        def rotate(session: Session, actor: Actor) -> dict[str, Any]:
            _integration, secret = service.update_integration(
                session, actor, integration_id, IntegrationUpdate(rotate_secret=True)
            )
            return {"secret": secret, **_detail_context(session, actor, integration_id, _base(request))}

        data = await page.run(rotate)
        return render(
            request,
            "integrations/detail.html",
            {**data, "form": FormState()},
            headers={"Cache-Control": "no-store"},
        )

    def work(session: Session, actor: Actor) -> str:
        integration = service.get_integration(session, integration_id)
        name = integration.name
        if action == "toggle":
            service.update_integration(
                session, actor, integration_id, IntegrationUpdate(active=not integration.active)
            )
            return f"Integration '{name}' {'switched off' if integration.active else 'switched on'}."
        if action == "delete":
            service.delete_integration(session, actor, integration_id)
            return f"Integration '{name}' removed."
        raise InvalidInput.on("action", "unknown")

    notice = await page.run(work)
    target = "/admin/integrations" if action == "delete" else f"/admin/integrations/{integration_id}"
    return redirect_with_notice(target, notice)


# ---- deliveries ----------------------------------------------------------------------------


@router.get("/admin/integration-deliveries")
async def deliveries_page(request: Request, page: PageWork) -> Response:
    params = {k: v for k, v in request.query_params.items() if v}
    filters, errors = validate(DeliveryFilter, params)
    if filters is None:
        raise InvalidInput(detail="; ".join(f"{k}: {v}" for k, v in errors.items()))

    def work(session: Session, actor: Actor) -> dict[str, Any]:
        require(actor, Role.practice_owner, "Reading deliveries")
        rows, total, exact = service.list_deliveries(session, filters)
        names = {i.id: i.name for i in service.list_integrations(session)}
        items = [service.delivery_out(d) for d in rows]
        return {"page": page_of(items, total, exact, filters).model_dump(), "names": names}

    data = await page.run(work)
    keep = {k: v for k, v in params.items() if k not in ("offset", "limit")}
    return render(
        request,
        "integrations/deliveries.html",
        {
            **data,
            "query": filters,
            "verdicts": [v.value for v in Verdict if v != Verdict.duplicate],
            "base_url": "/admin/integration-deliveries?" + urlencode(keep),
        },
    )


@router.post("/admin/integration-deliveries/{delivery_id}/replay")
async def replay_delivery(request: Request, delivery_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> str:
        require(actor, Role.practice_owner, "Replaying a delivery")
        got = replay(session, service.get_delivery(session, delivery_id))
        return f"Delivery {delivery_id} replayed: {got.verdict.value}. {got.detail}".strip()

    notice = await page.run(work)
    return redirect_with_notice(request.headers.get("referer") or "/admin/integration-deliveries", notice)


# ---- suggested links on a failure page -------------------------------------------------------


@router.get("/failures/{failure_id}/suggested-links")
async def suggested_links(request: Request, failure_id: int, page: PageWork) -> Response:
    def work(session: Session, actor: Actor) -> dict[str, Any]:
        return {
            "suggestions": links.suggestions(session, failure_id),
            "can_decide": actor.at_least(Role.practitioner),
            "failure_id": failure_id,
        }

    return render(request, "integrations/_suggested.html", await page.run(work))


@router.post("/failures/{failure_id}/suggested-links/{deployment_id}/{decision}")
async def decide_link(failure_id: int, deployment_id: int, decision: str, page: PageWork) -> Response:
    if decision not in ("confirm", "reject"):
        raise InvalidInput.on("decision", "is confirm or reject")
    confirm = decision == "confirm"
    await page.run(lambda s, a: links.decide(s, a, failure_id, "deployment", deployment_id, confirm=confirm))
    text = "Link confirmed." if confirm else "Suggestion rejected; it will not be suggested again."
    return redirect_with_notice(f"/failures/{failure_id}", text)
