"""The audit trail's vocabulary, importable without the database layer (the CLI's options)."""

from __future__ import annotations

from enum import StrEnum


class AuditAction(StrEnum):
    """What an entry records: a watched row created, updated or deleted, or a domain event."""

    created = "created"
    updated = "updated"
    deleted = "deleted"
    reported = "reported"  # a failure reported
    published = "published"  # a review published
    unpublished = "unpublished"  # a published review taken back to work
    refused = "refused"  # a permission refused
