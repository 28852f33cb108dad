"""Mapping rules: from what an event names (repository, environment, an alert label) to a
service and an environment of failwell's catalogue."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from fnmatch import fnmatchcase

from sqlalchemy import Connection, Table, bindparam, select
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.integrations.models import IntegrationRule

GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Mapped:
    service: str | None
    environment: str | None
    service_id: int | None = None  # the mapped service's id, as the rule knows it


def matches(pattern: str, value: str) -> bool:
    """Exact (case-insensitive) unless the pattern has glob characters."""
    if GLOB_CHARACTERS & set(pattern):
        return fnmatchcase(value.lower(), pattern.lower())
    return value.lower() == pattern.lower()


LABEL = "label:"  # a rule's field that names an alert label: label:<name>


def fact_for(match_field: str, facts: Mapping[str, str], labels: Mapping[str, str]) -> str | None:
    if match_field.startswith(LABEL):
        return labels.get(match_field[len(LABEL) :])
    return facts.get(match_field)


def label_facts(labels: Mapping[str, str]) -> dict[str, str]:
    """Labels as the rule fields that would match them, in name order: {"label:job": "node"}."""
    return {f"{LABEL}{name}": value for name, value in sorted(labels.items())}


@dataclass(frozen=True)
class Rule:
    match_field: str
    pattern: str
    service: str | None
    environment: str | None
    service_id: int | None = None


_RULE_TABLE: Table = IntegrationRule.__table__  # type: ignore[assignment]  # declarative types it loosely
_SERVICE_TABLE: Table = Service.__table__  # type: ignore[assignment]
# Core, column-only: read when a process first serves an integration or after an edit (see
# integrations.cache), and on a replay.
_RULES = (
    select(
        _RULE_TABLE.c.match_field,
        _RULE_TABLE.c.pattern,
        _SERVICE_TABLE.c.name,
        _RULE_TABLE.c.environment,
        _SERVICE_TABLE.c.id,
    )
    .outerjoin(_SERVICE_TABLE, _SERVICE_TABLE.c.id == _RULE_TABLE.c.service_id)
    .where(_RULE_TABLE.c.integration_id == bindparam("integration_id"))
    .order_by(_RULE_TABLE.c.position, _RULE_TABLE.c.id)
)


def load_rules(session: Session, integration_id: int) -> list[Rule]:
    return rules_of(session.connection(), integration_id)


def rules_of(connection: Connection, integration_id: int) -> list[Rule]:
    return [Rule(*row) for row in connection.execute(_RULES, {"integration_id": integration_id})]


def pick(rules: Sequence[Rule], facts: Mapping[str, str], labels: Mapping[str, str] | None = None) -> Mapped:
    """The first rule (by position) that matches and names a service gives the service; likewise
    for the environment. Facts: 'repository' and 'environment'; labels: an alert's labels."""
    service: str | None = None
    service_id: int | None = None
    environment: str | None = None
    for rule in rules:
        value = fact_for(rule.match_field, facts, labels or {})
        if value is None or not matches(rule.pattern, value):
            continue
        if service is None and rule.service:
            service, service_id = rule.service, rule.service_id
        if environment is None and rule.environment:
            environment = rule.environment
        if service and environment:
            break
    return Mapped(service, environment, service_id)


def resolve(
    session: Session, integration_id: int, facts: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> Mapped:
    return pick(load_rules(session, integration_id), facts, labels)
