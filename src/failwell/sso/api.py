"""API routes of single sign-on, mounted under /api/v1: the claim mapping rules and the
configuration as the server sees it (practice owners)."""

from __future__ import annotations

from fastapi import APIRouter, Request, status
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.deps import IdPath, Work
from failwell.enums import Role
from failwell.settings import Settings
from failwell.sso import service
from failwell.sso.schemas import ClaimRuleIn, ClaimRuleOut, SsoStatus

router = APIRouter(tags=["single sign-on"])

CALLBACK_PATH = "/sign-in/sso/callback"
POST_LOGOUT_PATH = "/sign-in"


def sso_status(settings: Settings, base_url: str) -> SsoStatus:
    base = base_url.rstrip("/")
    return SsoStatus(
        enabled=settings.sso_enabled,
        issuer=settings.oidc_issuer or None,
        client_id=settings.oidc_client_id or None,
        redirect_uri=base + CALLBACK_PATH,
        post_logout_redirect_uri=base + POST_LOGOUT_PATH,
        scopes=settings.oidc_scopes,
        groups_claim=settings.oidc_groups_claim,
        default_role=settings.oidc_default_role,
        password_sign_in=settings.password_sign_in,
        break_glass_emails=[e.strip().lower() for e in settings.break_glass_emails.split(",") if e.strip()],
    )


@router.get("/sso", response_model=SsoStatus)
async def get_sso_status(uow: Work, request: Request) -> object:
    """How single sign-on is set up, and the redirect URIs to register at the provider."""
    settings: Settings = request.app.state.settings

    def work(session: Session, actor: Actor) -> object:
        require(actor, Role.practice_owner, "Reading the single sign-on set-up")
        return sso_status(settings, str(request.base_url))

    return await uow.run(work)


@router.get("/sso/rules", response_model=list[ClaimRuleOut])
async def list_rules(uow: Work) -> object:
    def work(session: Session, actor: Actor) -> object:
        return service.list_rules(session, actor)

    return await uow.run(work)


@router.post("/sso/rules", status_code=status.HTTP_201_CREATED, response_model=ClaimRuleOut)
async def create_rule(data: ClaimRuleIn, uow: Work) -> object:
    """Adds a rule: when the claim holds the value, the person gets the role and/or team."""

    def work(session: Session, actor: Actor) -> object:
        return service.create_rule(session, actor, data)

    return await uow.run(work)


@router.delete("/sso/rules/{rule_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_rule(rule_id: IdPath, uow: Work) -> None:
    def work(session: Session, actor: Actor) -> None:
        service.delete_rule(session, actor, rule_id)

    await uow.run(work)
