"""What a delivery is handled in: its Context (session, integration, options, mapping rules), the
Outcome it builds, and Unmapped, raised when no rule maps an event to a service."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from sqlalchemy.orm import Session

from failwell.authz import Actor
from failwell.enums import Role
from failwell.integrations.mapping import Mapped, Rule, load_rules, pick
from failwell.integrations.models import Integration, Verdict
from failwell.integrations.schemas import IntegrationOptions


class Unmapped(Exception):
    """No rule maps the event to a service: kept for a practice owner to map, then replay.

    ``facts``: what a rule could match, by rule field ("repository", "label:instance"), stored
    with the delivery so the pages can offer a rule made from any of them."""

    def __init__(self, message: str, facts: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.facts = {k: v for k, v in (facts or {}).items() if v}


@dataclass
class Outcome:
    verdict: Verdict = Verdict.accepted
    detail: str = ""
    result: dict[str, Any] = field(default_factory=dict)
    _added: set[tuple[str, int]] = field(default_factory=set, repr=False)
    error: Exception | None = field(default=None, repr=False)  # what failed, for the log

    def add(self, key: str, value: int) -> None:
        # A set beside the lists: a batch adds a thousand ids, each checked once.
        self.result.setdefault(key, [])
        if (key, value) not in self._added:
            self._added.add((key, value))
            self.result[key].append(value)


@dataclass
class Context:
    session: Session
    integration: Integration
    outcome: Outcome = field(default_factory=Outcome)
    # What the process already holds (integrations.cache, checked against its stamp in this
    # transaction); read from the database when not given.
    known_options: IntegrationOptions | None = None
    known_rules: Sequence[Rule] | None = None

    @property
    def actor(self) -> Actor:
        # Acts as a practitioner named after the integration; no person is the reporter.
        return Actor(person_id=0, name=f"integration {self.integration.name}", role=Role.practitioner)

    @cached_property
    def options(self) -> IntegrationOptions:
        if self.known_options is not None:
            return self.known_options
        return IntegrationOptions.model_validate(self.integration.settings or {})

    @cached_property
    def rules(self) -> Sequence[Rule]:
        # Read once per delivery: a batch maps every deployment with the same rules.
        if self.known_rules is not None:
            return self.known_rules
        return load_rules(self.session, self.integration.id)

    def mapped(self, facts: Mapping[str, str], labels: Mapping[str, str] | None = None) -> Mapped:
        return pick(self.rules, facts, labels)
