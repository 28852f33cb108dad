"""Tables of the single sign-on slice: who an identity provider's subject is here, the rules that
turn claims into roles and teams, and the sign-ins started but not yet finished."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from failwell.db import Base, UTCDateTime, utcnow
from failwell.enums import Role, db_enum


class SsoIdentity(Base):
    """The identity provider's stable key (issuer + sub) for a person. E-mail addresses change;
    `sub` does not, so later sign-ins find the person by it."""

    __tablename__ = "sso_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject", name="uq_sso_identities_issuer_subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SsoClaimRule(Base):
    """When claim `claim` holds `value` (or contains it, for a list such as groups), the person
    gets `role` and/or joins `team`. Of several matching roles, the highest wins."""

    __tablename__ = "sso_claim_rules"
    __table_args__ = (UniqueConstraint("claim", "value", name="uq_sso_claim_rules_claim_value"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    claim: Mapped[str] = mapped_column(String(100))
    value: Mapped[str] = mapped_column(String(300))
    role: Mapped[Role | None] = mapped_column(db_enum(Role, "role"), default=None)
    team_id: Mapped[int | None] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), default=None, index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SsoPendingSignIn(Base):
    """A sign-in sent to the identity provider and not yet back. In the database, not in the
    process, so the callback may land on any app process. Only the state's SHA-256 is kept."""

    __tablename__ = "sso_pending_sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    state_hash: Mapped[str] = mapped_column(String(64), unique=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(128))
    return_to: Mapped[str] = mapped_column(String(2000), default="/")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
