"""The export archive: which tables travel, how each value is written, and the zip around them.

An archive is a zip of one JSON-lines member per table (``tables/<name>.jsonl``, a row a line,
in primary-key order) and ``manifest.json`` (format, schema revision, tables, row counts and a
SHA-256 per member). Every byte is fixed by the data alone: keys sorted, one encoding per column
type (SQLite and PostgreSQL hand values back in different shapes), fixed zip timestamps and
member order, so exporting a restored database gives the archive it was restored from.
"""

from __future__ import annotations

import base64
import enum
import json
import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, Boolean, Date, DateTime, Float, Integer, LargeBinary, Numeric, Table
from sqlalchemy.sql.schema import Column
from sqlalchemy.types import TypeDecorator

from failwell.errors import DomainError

FORMAT = "failwell-export"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"

# Tables that must not travel, and why. Everything else in the app's metadata does, including
# tables added later: new slices need no change here unless their table is derived or local.
EXCLUDED_TABLES: dict[str, str] = {
    "web_sessions": "browser sign-ins belong to one installation; people sign in again",
    "sign_in_throttle": "per-installation rate limiting state",
    "failure_search": "derived search text, rebuilt on import",
    "deployment_rollup": "derived daily sums, rebuilt on import",
    "failure_rollup": "derived daily sums, rebuilt on import",
    "embedding_backlog": "embeddings still to compute: the import counts them for `recurrence reindex`",
    "sso_pending_sign_ins": "sign-ins in flight at the provider, valid ten minutes on one installation",
    "audit_purge_window": "open only inside the retention purge's own transaction",
}
# Reference rows the migrations seed into every new database; an import replaces them.
SEEDED_TABLES = frozenset({"severity_levels", "factor_categories"})
# Columns holding secrets sealed with FAILWELL_BROADCAST_SECRET_KEYS ("enc:<Fernet token>", whose
# header names no key: any key of that list that opens it will do). They travel as stored, so
# the target needs the same keys; an archive never holds a secret in the clear unless the source
# database did (no key configured: "plain:").
SECRET_COLUMNS: dict[str, tuple[str, ...]] = {
    "broadcast_channels": ("secret_url",),
    "integrations": ("secret_sealed",),
}

# Zip members carry this time (the earliest a zip can hold) and these attributes, always.
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_FILE_MODE = 0o644 << 16


def member_name(table: str) -> str:
    return f"tables/{table}.jsonl"


def zip_info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = zipfile.ZIP_DEFLATED
    info.create_system = 3
    info.external_attr = _FILE_MODE
    return info


def canonical(data: Any) -> bytes:
    """One JSON text per value: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        data, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode()


def _kind(column: Column[Any]) -> type[Any] | None:
    """The column's storage type, seen through TypeDecorators (UTCDateTime is a DateTime)."""
    col_type = column.type
    if isinstance(col_type, TypeDecorator):
        col_type = col_type.impl_instance
    for kind in (DateTime, Date, LargeBinary, JSON, Boolean, Float, Numeric, Integer):
        if isinstance(col_type, kind):
            return kind
    return None


def encode_value(column: Column[Any], value: Any) -> Any:
    """A database value as JSON, the same whichever database it came from."""
    if value is None:
        return None
    kind = _kind(column)
    if kind is DateTime:
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return str(value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"))
    if kind is Date:
        return value.isoformat()
    if kind is LargeBinary:
        return base64.b64encode(bytes(value)).decode("ascii")
    if kind is Boolean:
        return bool(value)
    if kind is Integer:
        return int(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def decode_value(column: Column[Any], value: Any) -> Any:
    """The inverse of encode_value: a value to bind into an insert."""
    if value is None:
        return None
    kind = _kind(column)
    if kind is DateTime:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)
    if kind is Date:
        return date.fromisoformat(value)
    if kind is LargeBinary:
        return base64.b64decode(value)
    if kind is Numeric and not isinstance(column.type, Float):
        return Decimal(value)
    return value


def encode_row(table: Table, row: Any) -> bytes:
    mapping = row._mapping
    return canonical({c.name: encode_value(c, mapping[c]) for c in table.columns}) + b"\n"


def decode_row(table: Table, line: bytes) -> dict[str, Any]:
    try:
        data = json.loads(line)
    except ValueError:
        raise ArchiveError(f"a row of {table.name} is not JSON") from None
    if not isinstance(data, dict):
        raise ArchiveError(f"a row of {table.name} is not a JSON object")
    unknown = set(data) - {c.name for c in table.columns}
    if unknown:
        raise ArchiveError(f"{table.name} has no column {sorted(unknown)[0]!r}")
    return {c.name: decode_value(c, data.get(c.name)) for c in table.columns if c.name in data}


class ArchiveError(DomainError):
    """The archive cannot be restored (damaged, tampered with, or from another schema)."""

    def __init__(self, detail: str) -> None:
        super().__init__(detail=f"archive: {detail}")
