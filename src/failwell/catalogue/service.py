"""The service catalogue."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session, lazyload, selectinload

from failwell.authz import Actor, require
from failwell.catalogue.models import Service, ServiceConsumer
from failwell.catalogue.schemas import ConsumerIn, ServiceFilter, ServiceIn, ServiceOut, ServiceUpdate
from failwell.enums import Role
from failwell.errors import Conflict, InvalidInput, NotFound
from failwell.listing import apply_sort, paginate, text_match
from failwell.people.models import team_members
from failwell.people.teams import team_by_name


def service_out(svc: Service) -> ServiceOut:
    return ServiceOut(
        id=svc.id,
        name=svc.name,
        description=svc.description,
        owner_team=svc.owner_team.name,
        owner_team_id=svc.owner_team_id,
        tier=svc.tier,
        consumers=[ConsumerIn(name=c.name, kind=c.kind) for c in svc.consumers],
        created_at=svc.created_at,
    )


def get_service(session: Session, service_id: int) -> Service:
    svc = session.get(Service, service_id, options=[selectinload(Service.consumers)])
    if svc is None:
        raise NotFound(detail=f"No service with id {service_id}.")
    return svc


def service_by_name(session: Session, name: str, field: str = "service") -> Service:
    # A reference look-up (failure links, list filters): owner and consumers are not needed.
    stmt = select(Service).options(lazyload(Service.owner_team)).where(Service.name == name.strip())
    svc = session.scalar(stmt)
    if svc is None:
        raise InvalidInput.on(field, f"unknown service '{name}'")
    return svc


def services_by_names(
    session: Session, names: list[str], field: str = "services", known: dict[str, Service] | None = None
) -> list[Service]:
    """The services named, in one query (or from ``known``, a `services_named` answer that
    covers them); an unknown name is refused by its place, e.g. ``services[2]``."""
    wanted = list(dict.fromkeys(n.strip() for n in names))
    found = known if known is not None else services_named(session, wanted)
    unknown = [
        (f"{field}[{i}]", f"unknown service '{name}'") for i, name in enumerate(wanted) if name not in found
    ]
    if unknown:
        raise InvalidInput.each(unknown)
    return sorted((found[n] for n in wanted), key=lambda svc: svc.name)  # the order every read returns


def services_named(session: Session, names: Iterable[str]) -> dict[str, Service]:
    """Each known service among ``names`` by its name, in one query."""
    wanted = sorted({n.strip() for n in names})
    if not wanted:
        return {}
    stmt = select(Service).options(lazyload(Service.owner_team)).where(Service.name.in_(wanted))
    return {svc.name: svc for svc in session.scalars(stmt)}


def _ensure_name_free(session: Session, name: str, except_id: int | None = None) -> None:
    existing = session.scalar(select(Service.id).where(Service.name == name))
    if existing is not None and existing != except_id:
        raise Conflict.on("name", f"a service named '{name}' already exists")


def _consumers(items: list[ConsumerIn]) -> list[ServiceConsumer]:
    seen = {(c.name, c.kind) for c in items}
    return [ServiceConsumer(name=n, kind=k) for n, k in sorted(seen)]


def create_service(session: Session, actor: Actor, data: ServiceIn) -> Service:
    require(actor, Role.practice_manager, "Adding a service to the catalogue")
    _ensure_name_free(session, data.name)
    svc = Service(
        name=data.name,
        description=data.description,
        tier=data.tier,
        owner_team=team_by_name(session, data.owner_team, "owner_team"),
        consumers=_consumers(data.consumers),
    )
    session.add(svc)
    session.flush()
    return svc


def update_service(session: Session, actor: Actor, service_id: int, data: ServiceUpdate) -> Service:
    require(actor, Role.practice_manager, "Changing a service")
    svc = get_service(session, service_id)
    if data.name is not None and data.name != svc.name:
        _ensure_name_free(session, data.name, svc.id)
        svc.name = data.name
    if data.description is not None:
        svc.description = data.description
    if data.owner_team is not None:
        svc.owner_team = team_by_name(session, data.owner_team, "owner_team")
    if data.tier is not None:
        svc.tier = data.tier
    if data.consumers is not None:
        svc.consumers = _consumers(data.consumers)
    session.flush()
    return svc


SORTS = {"name": Service.name, "tier": Service.tier, "created_at": Service.created_at}


def list_services(session: Session, filters: ServiceFilter) -> tuple[Sequence[Service], int, bool]:
    stmt = select(Service).options(selectinload(Service.consumers))
    if filters.team:
        stmt = stmt.where(Service.owner_team_id == team_by_name(session, filters.team).id)
    if filters.tier:
        stmt = stmt.where(Service.tier == filters.tier)
    if filters.q:
        stmt = stmt.where(text_match(filters.q, Service.name, Service.description))
    stmt = apply_sort(stmt, filters.sort, SORTS, "name", Service.id)
    return paginate(session, stmt, filters)


# ---- pages: the service and team pages' look-ups ----------------------------------


def services_of_team(session: Session, team_id: int) -> list[ServiceOut]:
    stmt = (
        select(Service)
        .options(selectinload(Service.consumers))
        .where(Service.owner_team_id == team_id)
        .order_by(Service.name)
        .limit(500)
    )
    return [service_out(s) for s in session.scalars(stmt)]


def team_sizes(session: Session, team_ids: list[int]) -> dict[int, tuple[int, int]]:
    """Per team: (members, services owned), for a page of teams."""
    if not team_ids:
        return {}
    members: dict[int, int] = dict(
        session.execute(
            select(team_members.c.team_id, func.count())
            .where(team_members.c.team_id.in_(team_ids))
            .group_by(team_members.c.team_id)
        ).all()
    )
    services: dict[int, int] = dict(
        session.execute(
            select(Service.owner_team_id, func.count())
            .where(Service.owner_team_id.in_(team_ids))
            .group_by(Service.owner_team_id)
        ).all()
    )
    return {tid: (int(members.get(tid, 0)), int(services.get(tid, 0))) for tid in team_ids}
