"""Each process's copy of the integrations and their mapping rules, checked against a stamp.

Every delivery needs its integration (kind, secret, options) and its rules; reading them costs
a read transaction and two statements, and unsealing the secret. They change rarely (a practice
owner's edit), so a process keeps them, per Database, and each delivery reads one row in its
write transaction instead: the stamp. Any flush that adds, changes or removes an integration or a
rule, or renames or removes a service (rules map to services), writes a new stamp in the same
transaction, so the first delivery after the edit commits, in whichever process, sees a
stamp it does not know and reads the integration again. No time-to-live: a rule edit is never
served stale.

The stamp is a row of org_settings (shared by slices, like broadcast's options), written with
Core so the audit trail records the edit itself, not the stamp.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from pydantic import ValidationError
from sqlalchemy import Connection, Table, bindparam, event, inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.db import Database, utcnow
from failwell.integrations.mapping import Rule, rules_of
from failwell.integrations.models import Integration, IntegrationKind, IntegrationRule
from failwell.integrations.schemas import IntegrationOptions
from failwell.integrations.service import unseal_secret
from failwell.people.models import OrgSetting

STAMP_KEY = "integrations.config_stamp"


@dataclass(frozen=True)
class Entry:
    """What a delivery needs of its integration. ``integration`` is transient (never added to a
    session) and shared by the threads of the process: handlers only read it."""

    stamp: str | None
    integration: Integration
    kind: IntegrationKind
    active: bool
    secret: str
    options: IntegrationOptions | None  # None: the settings do not validate (the handler says why)
    rules: tuple[Rule, ...]


_SETTINGS: Table = OrgSetting.__table__  # type: ignore[assignment]  # declarative types it loosely
_INTEGRATIONS: Table = Integration.__table__  # type: ignore[assignment]
_STAMP = select(_SETTINGS.c.value).where(_SETTINGS.c.key == STAMP_KEY)
_INTEGRATION = select(
    _INTEGRATIONS.c.kind,
    _INTEGRATIONS.c.name,
    _INTEGRATIONS.c.active,
    _INTEGRATIONS.c.secret_sealed,
    _INTEGRATIONS.c.settings,
).where(_INTEGRATIONS.c.id == bindparam("id"))
_BUMP = {
    name: dialect.insert(_SETTINGS)
    .values(key=STAMP_KEY, value=bindparam("value"), updated_at=bindparam("now"))
    .on_conflict_do_update(
        index_elements=["key"], set_={"value": bindparam("value"), "updated_at": bindparam("now")}
    )
    for name, dialect in (("postgresql", postgresql), ("sqlite", sqlite))
}

_lock = threading.Lock()
_entries: WeakKeyDictionary[Database, dict[int, Entry]] = WeakKeyDictionary()


def _options(settings: Any) -> IntegrationOptions | None:
    try:
        return IntegrationOptions.model_validate(settings or {})
    except ValidationError:
        return None


def _read(connection: Connection, integration_id: int) -> Entry | None:
    # The stamp first: an edit committed between the two reads leaves an entry whose stamp is
    # already old, so the next delivery reads again (never new stamp with old rules).
    stamp = connection.execute(_STAMP).scalar()
    row = connection.execute(_INTEGRATION, {"id": integration_id}).first()
    if row is None:
        return None
    integration = Integration(
        id=integration_id, kind=row.kind, name=row.name, active=row.active, settings=row.settings
    )
    return Entry(
        stamp=stamp,
        integration=integration,
        kind=row.kind,
        active=row.active,
        secret=unseal_secret(row.name, row.secret_sealed),
        options=_options(row.settings),
        rules=tuple(rules_of(connection, integration_id)),
    )


def _keep(db: Database, integration_id: int, entry: Entry | None) -> Entry | None:
    with _lock:
        entries = _entries.setdefault(db, {})
        if entry is None:
            entries.pop(integration_id, None)
        else:
            entries[integration_id] = entry
    return entry


def cached(db: Database, integration_id: int) -> Entry | None:
    """The process's copy, or one read now (outside any write transaction); None if no such
    integration. Good enough to check a signature before taking the write lock; the write
    transaction then confirms it with ``current``."""
    with _lock:
        entry = _entries.get(db, {}).get(integration_id)
    return entry if entry is not None else fresh(db, integration_id)


def fresh(db: Database, integration_id: int) -> Entry | None:
    """Read now, whatever the process holds (e.g. a signature failed against its copy: the
    secret may have been rotated by another process)."""
    with db.session(write=False) as session:
        return _keep(db, integration_id, _read(session.connection(), integration_id))


def current(db: Database, session: Session, integration_id: int, held: Entry | None) -> Entry | None:
    """The entry as of this transaction: ``held`` when the stamp has not moved, else read again."""
    connection = session.connection()
    if held is not None and connection.execute(_STAMP).scalar() == held.stamp:
        return held
    return _keep(db, integration_id, _read(connection, integration_id))


def forget(db: Database | None = None) -> None:
    """Drops the copies (of one database, or all): for tests."""
    with _lock:
        if db is None:
            _entries.clear()
        else:
            _entries.pop(db, None)


# ---- the stamp: moved by every write of what the entries hold ------------------------------


def bump(connection: Connection) -> None:
    """A new stamp, in the connection's transaction: every process reads its integrations again."""
    dialect = "postgresql" if connection.dialect.name == "postgresql" else "sqlite"
    connection.execute(_BUMP[dialect], {"value": uuid.uuid4().hex, "now": utcnow()})


def _written(_mapper: Any, connection: Connection, _target: object) -> None:
    bump(connection)


def _service_updated(_mapper: Any, connection: Connection, target: Service) -> None:
    if inspect(target).attrs.name.history.has_changes():  # rules name services
        bump(connection)


_installed = False


def install() -> None:
    """Listens to the rows the entries are made of (idempotent); failwell.bootstrap calls it.
    Mapper events: they cost nothing to the flushes that write none of these rows."""
    global _installed
    if _installed:
        return
    for model in (Integration, IntegrationRule):
        for name in ("after_insert", "after_update", "after_delete"):
            event.listen(model, name, _written)
    event.listen(Service, "after_update", _service_updated)
    event.listen(Service, "after_delete", _written)
    _installed = True
