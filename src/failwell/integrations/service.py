"""Integrations, their rules and deliveries: the practice owner's administration."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from failwell.authz import Actor, require
from failwell.broadcast.secrets import SecretUnreadable, seal, unseal
from failwell.catalogue.models import Service
from failwell.catalogue.service import service_by_name
from failwell.db import utcnow
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.integrations.config import get_integration_settings
from failwell.integrations.models import Integration, IntegrationDelivery, IntegrationRule, Verdict
from failwell.integrations.schemas import (
    DeliveryDetail,
    DeliveryFilter,
    DeliveryOut,
    IntegrationIn,
    IntegrationOptions,
    IntegrationOut,
    IntegrationUpdate,
    RuleIn,
    RuleOut,
    RuleUpdate,
)
from failwell.listing import paginate

SECRET_PREFIX = "fwh_"


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def secret_of(integration: Integration) -> str:
    return unseal_secret(integration.name, integration.secret_sealed)


def unseal_secret(name: str, sealed: str) -> str:
    try:
        return unseal(sealed)
    except SecretUnreadable:
        raise SecretUnreadable(
            detail=f"The secret of integration '{name}' is encrypted with a key not in "
            "FAILWELL_BROADCAST_SECRET_KEYS."
        ) from None


def _hint(secret: str) -> str:
    return f"…{secret[-4:]}"


def inbound_path(integration: Integration) -> str:
    return f"/api/v1/hooks/{integration.id}/{integration.kind.value}"


def integration_out(integration: Integration, base_url: str = "") -> IntegrationOut:
    return IntegrationOut(
        id=integration.id,
        kind=integration.kind,
        name=integration.name,
        active=integration.active,
        options=IntegrationOptions.model_validate(integration.settings or {}),
        secret_hint=integration.secret_hint,
        inbound_url=base_url.rstrip("/") + inbound_path(integration),
        created_at=integration.created_at,
    )


def get_integration(session: Session, integration_id: int) -> Integration:
    integration = session.get(Integration, integration_id)
    if integration is None:
        raise NotFound(detail=f"No integration with id {integration_id}.")
    return integration


def list_integrations(session: Session) -> Sequence[Integration]:
    return session.scalars(select(Integration).order_by(Integration.name)).all()


def _name_free(session: Session, name: str, but: int | None = None) -> None:
    found = session.scalar(select(Integration.id).where(Integration.name == name))
    if found is not None and found != but:
        raise Conflict.on("name", f"an integration named '{name}' exists")


def create_integration(session: Session, actor: Actor, data: IntegrationIn) -> tuple[Integration, str]:
    """Answers the integration and its secret: the only time the secret is shown."""
    require(actor, Role.practice_owner, "Adding an integration")
    _name_free(session, data.name)
    secret = data.secret or new_secret()
    integration = Integration(
        kind=data.kind,
        name=data.name,
        secret_sealed=seal(secret),
        secret_hint=_hint(secret),
        active=data.active,
        settings=data.options.model_dump(mode="json"),
    )
    session.add(integration)
    session.flush()
    return integration, secret


def update_integration(
    session: Session, actor: Actor, integration_id: int, data: IntegrationUpdate
) -> tuple[Integration, str | None]:
    """Answers the new secret when it was rotated (shown once), else None."""
    require(actor, Role.practice_owner, "Changing an integration")
    integration = get_integration(session, integration_id)
    if data.name is not None:
        _name_free(session, data.name, but=integration.id)
        integration.name = data.name
    if data.active is not None:
        integration.active = data.active
    if data.options is not None:
        integration.settings = data.options.model_dump(mode="json")
    secret = data.secret or (new_secret() if data.rotate_secret else None)
    if secret is not None:
        integration.secret_sealed = seal(secret)
        integration.secret_hint = _hint(secret)
    session.flush()
    return integration, secret if data.rotate_secret else None


def delete_integration(session: Session, actor: Actor, integration_id: int) -> None:
    """Its rules and deliveries go with it; deployments it recorded stay (they happened)."""
    require(actor, Role.practice_owner, "Removing an integration")
    integration = get_integration(session, integration_id)
    session.delete(integration)
    session.flush()


# ---- rules ---------------------------------------------------------------------------


def rule_out(rule: IntegrationRule, service_name: str | None) -> RuleOut:
    return RuleOut(
        id=rule.id,
        integration_id=rule.integration_id,
        match_field=rule.match_field,
        pattern=rule.pattern,
        service=service_name,
        environment=rule.environment,
        position=rule.position,
    )


def list_rules(session: Session, integration_id: int) -> list[RuleOut]:
    get_integration(session, integration_id)
    rows = session.execute(
        select(IntegrationRule, Service.name)
        .outerjoin(Service, Service.id == IntegrationRule.service_id)
        .where(IntegrationRule.integration_id == integration_id)
        .order_by(IntegrationRule.position, IntegrationRule.id)
    ).all()
    return [rule_out(rule, name) for rule, name in rows]


def _get_rule(session: Session, integration_id: int, rule_id: int) -> IntegrationRule:
    rule = session.get(IntegrationRule, rule_id)
    if rule is None or rule.integration_id != integration_id:
        raise NotFound(detail=f"No rule {rule_id} on integration {integration_id}.")
    return rule


def _service_name(session: Session, service_id: int | None) -> str | None:
    return session.scalar(select(Service.name).where(Service.id == service_id)) if service_id else None


def create_rule(session: Session, actor: Actor, integration_id: int, data: RuleIn) -> RuleOut:
    require(actor, Role.practice_owner, "Adding a mapping rule")
    get_integration(session, integration_id)
    rule = IntegrationRule(
        integration_id=integration_id,
        match_field=data.match_field,
        pattern=data.pattern,
        service_id=service_by_name(session, data.service).id if data.service else None,
        environment=data.environment,
        position=data.position,
    )
    session.add(rule)
    session.flush()
    return rule_out(rule, data.service)


def update_rule(
    session: Session, actor: Actor, integration_id: int, rule_id: int, data: RuleUpdate
) -> RuleOut:
    require(actor, Role.practice_owner, "Changing a mapping rule")
    rule = _get_rule(session, integration_id, rule_id)
    fields = data.model_dump(exclude_unset=True)
    for name in ("match_field", "pattern", "position"):
        if fields.get(name) is not None:
            setattr(rule, name, fields[name])
    if "service" in fields:
        rule.service_id = service_by_name(session, fields["service"]).id if fields["service"] else None
    if "environment" in fields:
        rule.environment = fields["environment"]
    if rule.service_id is None and rule.environment is None:
        raise InvalidInput.on("service", "a rule maps to a service, an environment or both")
    session.flush()
    return rule_out(rule, _service_name(session, rule.service_id))


def delete_rule(session: Session, actor: Actor, integration_id: int, rule_id: int) -> None:
    require(actor, Role.practice_owner, "Removing a mapping rule")
    session.delete(_get_rule(session, integration_id, rule_id))
    session.flush()


# ---- deliveries ----------------------------------------------------------------------


def delivery_out(d: IntegrationDelivery) -> DeliveryOut:
    return DeliveryOut(
        id=d.id,
        integration_id=d.integration_id,
        delivery_key=d.delivery_key,
        event=d.event,
        received_at=d.received_at,
        verdict=d.verdict,
        detail=d.detail,
        result=dict(d.result or {}),
        headers=dict(d.headers or {}),
        size=len(d.body),
        replayed_at=d.replayed_at,
    )


def delivery_detail(d: IntegrationDelivery) -> DeliveryDetail:
    return DeliveryDetail(**delivery_out(d).model_dump(), body=d.body.decode("utf-8", "replace"))


def get_delivery(session: Session, delivery_id: int) -> IntegrationDelivery:
    delivery = session.get(IntegrationDelivery, delivery_id)
    if delivery is None:
        raise NotFound(detail=f"No delivery with id {delivery_id}.")
    return delivery


def list_deliveries(
    session: Session, filters: DeliveryFilter
) -> tuple[Sequence[IntegrationDelivery], int, bool]:
    stmt = select(IntegrationDelivery)
    if filters.integration_id is not None:
        stmt = stmt.where(IntegrationDelivery.integration_id == filters.integration_id)
    if filters.verdict is not None:
        stmt = stmt.where(IntegrationDelivery.verdict == filters.verdict)
    stmt = stmt.order_by(IntegrationDelivery.received_at.desc(), IntegrationDelivery.id.desc())
    return paginate(session, stmt, filters)


def unmapped_counts(session: Session) -> dict[int, int]:
    """Per integration, how many stored deliveries wait for a rule (verdict unmapped)."""
    rows = session.execute(
        select(IntegrationDelivery.integration_id, func.count())
        .where(IntegrationDelivery.verdict == Verdict.unmapped)
        .group_by(IntegrationDelivery.integration_id)
    )
    return {int(integration_id): int(count) for integration_id, count in rows}


def purge_deliveries(session: Session, days: int | None = None) -> int:
    """Removes deliveries older than the retention; answers how many."""
    keep = days if days is not None else get_integration_settings().retention_days
    cutoff = utcnow() - timedelta(days=keep)
    result: Any = session.execute(delete(IntegrationDelivery).where(IntegrationDelivery.received_at < cutoff))
    return int(result.rowcount or 0)
