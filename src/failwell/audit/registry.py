"""Which models the audit trail watches, and how: one `register` call per model.

The audit slice sits low (right above people) so that every slice's changes can be recorded,
and so it cannot import the models of the slices above it. The composition root registers
them instead (failwell.audited), one line each; a new slice adds its own line there.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# Bookkeeping columns that change with every save and say nothing about what was changed.
ALWAYS_IGNORED = frozenset({"created_at", "updated_at"})
EVERY_ACTION = frozenset({"created", "updated", "deleted"})
# Subjects recorded from domain events and refusals rather than from watched models.
EVENT_SUBJECTS = frozenset({"failure", "review", "permission"})


@dataclass(frozen=True)
class Audited:
    subject_type: str
    # The attribute that names a record in summaries ("name", "title", "key"); None: only its id.
    label: str | None
    # Recorded only as "set" or "changed", never their value (webhook URLs, sealed secrets, hashes).
    secret: frozenset[str]
    # Not recorded at all (bookkeeping, caches, values derived from others).
    ignore: frozenset[str]
    # Collections (many-to-many relationships) recorded by the labels of their members.
    collections: tuple[str, ...]
    # Which of created / updated / deleted are recorded.
    actions: frozenset[str]


_registry: dict[type, Audited] = {}


def register(
    model: type,
    subject_type: str,
    *,
    label: str | None = "name",
    secret: Iterable[str] = (),
    ignore: Iterable[str] = (),
    collections: Iterable[str] = (),
    actions: Iterable[str] = EVERY_ACTION,
) -> None:
    """Records every change to rows of `model` (registering a model again replaces its entry)."""
    chosen = frozenset(actions)
    unknown = chosen - EVERY_ACTION
    if unknown:
        raise ValueError(f"unknown audit actions {sorted(unknown)}; use {sorted(EVERY_ACTION)}")
    _registry[model] = Audited(
        subject_type=subject_type,
        label=label,
        secret=frozenset(secret),
        ignore=ALWAYS_IGNORED | frozenset(ignore),
        collections=tuple(collections),
        actions=chosen,
    )


def audited(model: type) -> Audited | None:
    return _registry.get(model)


def subject_types() -> list[str]:
    """Every subject type that can appear in the trail, for the filters."""
    return sorted({spec.subject_type for spec in _registry.values()} | EVENT_SUBJECTS)
