"""The service catalogue: what we run, who owns it and who depends on it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import ConsumerKind, Tier, db_enum
from failwell.people.models import Team


class Service(Base):
    __tablename__ = "services"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    description: Mapped[str] = mapped_column(String(2000), default="")
    owner_team_id: Mapped[int] = mapped_column(ForeignKey("teams.id"), index=True)
    tier: Mapped[Tier] = mapped_column(db_enum(Tier, "tier"), default=Tier.tier3)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    owner_team: Mapped[Team] = relationship(lazy="joined")
    consumers: Mapped[list[ServiceConsumer]] = relationship(
        back_populates="service",
        cascade="all, delete-orphan",
        order_by="ServiceConsumer.name",
    )


class ServiceConsumer(Base):
    """A partner or consumer group that depends on a service (and is hurt when it fails)."""

    __tablename__ = "service_consumers"

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[ConsumerKind] = mapped_column(db_enum(ConsumerKind, "consumer_kind"))

    service: Mapped[Service] = relationship(back_populates="consumers")
