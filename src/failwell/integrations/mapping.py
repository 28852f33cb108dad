"""Mapping rules: from what an event names (repository, environment, an alert label) to a
service and an environment of failwell's catalogue."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase

from sqlalchemy import select
from sqlalchemy.orm import Session

from failwell.catalogue.models import Service
from failwell.integrations.models import IntegrationRule

GLOB_CHARACTERS = frozenset("*?[")


@dataclass(frozen=True)
class Mapped:
    service: str | None
    environment: str | None


def matches(pattern: str, value: str) -> bool:
    """Exact (case-insensitive) unless the pattern has glob characters."""
    if GLOB_CHARACTERS & set(pattern):
        return fnmatchcase(value.lower(), pattern.lower())
    return value.lower() == pattern.lower()


def fact_for(match_field: str, facts: Mapping[str, str], labels: Mapping[str, str]) -> str | None:
    if match_field.startswith("label:"):
        return labels.get(match_field[len("label:") :])
    return facts.get(match_field)


def resolve(
    session: Session, integration_id: int, facts: Mapping[str, str], labels: Mapping[str, str] | None = None
) -> Mapped:
    """The first rule (by position) that matches and names a service gives the service; likewise
    for the environment. Facts: 'repository' and 'environment'; labels: an alert's labels."""
    rules = session.execute(
        select(IntegrationRule, Service.name)
        .outerjoin(Service, Service.id == IntegrationRule.service_id)
        .where(IntegrationRule.integration_id == integration_id)
        .order_by(IntegrationRule.position, IntegrationRule.id)
    ).all()
    service: str | None = None
    environment: str | None = None
    for rule, service_name in rules:
        value = fact_for(rule.match_field, facts, labels or {})
        if value is None or not matches(rule.pattern, value):
            continue
        if service is None and service_name:
            service = service_name
        if environment is None and rule.environment:
            environment = rule.environment
        if service and environment:
            break
    return Mapped(service, environment)
