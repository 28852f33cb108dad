"""API routes of this slice, mounted under /api/v1: administration (practice owners), the
inbound webhooks (authenticated by their signature or token, never an API token) and the
decisions on suggested failure links."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request, status
from pydantic import BaseModel
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.changes.schemas import DeploymentOut
from failwell.changes.service import deployment_out
from failwell.deps import IdPath, Work
from failwell.enums import Role
from failwell.integrations import links, service
from failwell.integrations.receive import replay
from failwell.integrations.schemas import (
    DeliveryDetail,
    DeliveryFilter,
    DeliveryOut,
    HookResult,
    IntegrationCreated,
    IntegrationIn,
    IntegrationOut,
    IntegrationUpdate,
    RuleIn,
    RuleOut,
    RuleUpdate,
)
from failwell.listing import Page, page_of

router = APIRouter(tags=["integrations"])


def _base(request: Request) -> str:
    return str(request.base_url)


@router.post("/integrations", status_code=status.HTTP_201_CREATED, response_model=IntegrationCreated)
async def create_integration(data: IntegrationIn, uow: Work, request: Request) -> object:
    """Adds an integration (practice owners). Its inbound URL and secret are answered once."""

    def work(session: Session, actor: Actor) -> object:
        integration, secret = service.create_integration(session, actor, data)
        out = service.integration_out(integration, _base(request))
        return IntegrationCreated(**out.model_dump(), secret=secret)

    return await uow.run(work)


@router.get("/integrations", response_model=list[IntegrationOut])
async def list_integrations(uow: Work, request: Request) -> object:
    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_owner, "Listing integrations")
        return [service.integration_out(i, _base(request)) for i in service.list_integrations(session)]

    return await uow.run(work)


@router.get("/integrations/{integration_id}", response_model=IntegrationOut)
async def get_integration(integration_id: IdPath, uow: Work, request: Request) -> object:
    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_owner, "Reading an integration")
        return service.integration_out(service.get_integration(session, integration_id), _base(request))

    return await uow.run(work)


@router.patch("/integrations/{integration_id}", response_model=IntegrationCreated | IntegrationOut)
async def update_integration(
    integration_id: IdPath, data: IntegrationUpdate, uow: Work, request: Request
) -> object:
    """Changes an integration; with rotate_secret, answers the new secret once."""

    def work(session: Session, actor: Actor) -> object:
        integration, secret = service.update_integration(session, actor, integration_id, data)
        out = service.integration_out(integration, _base(request))
        return IntegrationCreated(**out.model_dump(), secret=secret) if secret else out

    return await uow.run(work)


@router.delete("/integrations/{integration_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_integration(integration_id: IdPath, uow: Work) -> None:
    def work(session: Session, actor: Actor) -> None:
        service.delete_integration(session, actor, integration_id)

    await uow.run(work)


# ---- rules -------------------------------------------------------------------------------


@router.get("/integrations/{integration_id}/rules", response_model=list[RuleOut])
async def list_rules(integration_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_owner, "Reading mapping rules")
        return service.list_rules(session, integration_id)

    return await uow.run(work)


@router.post(
    "/integrations/{integration_id}/rules", status_code=status.HTTP_201_CREATED, response_model=RuleOut
)
async def create_rule(integration_id: IdPath, data: RuleIn, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.create_rule(session, actor, integration_id, data)

    return await uow.run(work)


@router.patch("/integrations/{integration_id}/rules/{rule_id}", response_model=RuleOut)
async def update_rule(integration_id: IdPath, rule_id: IdPath, data: RuleUpdate, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.update_rule(session, actor, integration_id, rule_id, data)

    return await uow.run(work)


@router.delete("/integrations/{integration_id}/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(integration_id: IdPath, rule_id: IdPath, uow: Work) -> None:
    def work(session: Session, actor: Actor) -> None:
        service.delete_rule(session, actor, integration_id, rule_id)

    await uow.run(work)


# ---- deliveries ----------------------------------------------------------------------------


@router.get("/integration-deliveries", response_model=Page[DeliveryOut])
async def list_deliveries(filters: Annotated[DeliveryFilter, Query()], uow: Work) -> object:
    """Every stored delivery, newest first; filter by integration and verdict (e.g. unmapped)."""

    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_owner, "Reading deliveries")
        rows, total, exact = service.list_deliveries(session, filters)
        return page_of([service.delivery_out(d) for d in rows], total, exact, filters)

    return await uow.run(work)


@router.get("/integration-deliveries/{delivery_id}", response_model=DeliveryDetail)
async def get_delivery(delivery_id: IdPath, uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_owner, "Reading a delivery")
        return service.delivery_detail(service.get_delivery(session, delivery_id))

    return await uow.run(work)


@router.post("/integration-deliveries/{delivery_id}/replay", response_model=HookResult)
async def replay_delivery(delivery_id: IdPath, uow: Work) -> object:
    """Processes a delivery that was unmapped, refused or failed again, e.g. after a rule was fixed."""

    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_owner, "Replaying a delivery")
        got = replay(session, service.get_delivery(session, delivery_id))
        return HookResult(
            delivery_id=got.delivery_id, verdict=got.verdict, detail=got.detail, result=got.result
        )

    return await uow.run(work)


# ---- suggested links -------------------------------------------------------------------------


class LinkDecision(BaseModel):
    decision: Literal["confirm", "reject"]


class SuggestedDeployment(BaseModel):
    deployment: DeploymentOut
    state: str


@router.get("/failures/{failure_id}/suggested-deployments", response_model=list[SuggestedDeployment])
async def suggested_deployments(failure_id: IdPath, uow: Work) -> object:
    """Deployments failwell suggests linking (same service, production, shortly before it started)."""

    def work(session: Session, _actor: Actor) -> object:
        return [
            SuggestedDeployment(deployment=deployment_out(s.deployment), state=s.state)
            for s in links.suggestions(session, failure_id)
        ]

    return await uow.run(work)


@router.post("/failures/{failure_id}/suggested-deployments/{deployment_id}", response_model=LinkDecision)
async def decide_deployment(
    failure_id: IdPath, deployment_id: IdPath, data: LinkDecision, uow: Work
) -> object:
    """Confirms (it then counts as a link) or rejects (never suggested again) a suggestion."""

    def work(session: Session, actor: Actor) -> object:
        links.decide(
            session, actor, failure_id, "deployment", deployment_id, confirm=data.decision == "confirm"
        )
        return data

    return await uow.run(work)
