"""The shapes of the demo's texts (teams, people, services, scenarios, recurring families)
and the short names the texts are written with."""

from __future__ import annotations

from dataclasses import dataclass

from failwell.enums import (
    ActionPriority,
    ActionType,
    ConsumerKind,
    DeploymentOutcome,
    FailureKind,
    Role,
    Tier,
)


@dataclass(frozen=True)
class TeamSpec:
    name: str
    description: str
    tracker_key: str  # project key of the team's board in the issue tracker


@dataclass(frozen=True)
class PersonSpec:
    name: str
    email: str
    role: Role
    teams: tuple[str, ...]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    description: str
    team: str
    tier: Tier
    consumers: tuple[tuple[str, ConsumerKind], ...]
    releases_per_week: float
    first_version: tuple[int, int, int]
    # What changes to this service are about; release titles are drawn from these.
    change_subjects: tuple[str, ...]


@dataclass(frozen=True)
class Factor:
    category: str  # a key of the seeded factor taxonomy
    description: str


@dataclass(frozen=True)
class ActionSpec:
    action_type: ActionType
    priority: ActionPriority
    title: str
    description: str
    team: str | None = None  # None: the team owning the affected service
    # In a recurring family: whether it was finished before the failure came back.
    done_before_recurrence: bool = True


@dataclass(frozen=True)
class Scenario:
    """One kind of failure, with everything needed to record it and review it."""

    key: str
    kind: FailureKind
    # Standalone scenarios: candidate services, one is picked per use (empty means any).
    # Occurrences of a recurring family: every service listed is affected.
    services: tuple[str, ...]
    title: str
    description: str
    severity: tuple[int, int]  # inclusive range, 1 is worst
    impact_partners: str
    impact_consumers: str
    tags: tuple[str, ...]
    detection: str
    diagnosis: str
    mitigation: str
    resolution: str
    went_well: str
    went_wrong: str
    lucky: str
    lessons: str
    factors: tuple[Factor, ...]
    actions: tuple[ActionSpec, ...]
    detect_minutes: tuple[int, int] = (3, 25)
    mitigate_minutes: tuple[int, int] = (15, 90)  # after detection
    resolve_hours: tuple[int, int] = (2, 48)  # after mitigation
    outcome: DeploymentOutcome | None = None  # failed deployments: the outcome it fits
    start_at: tuple[int, int] | None = None  # (hour, minute) UTC, when the text names a time
    month_end: bool = False  # starts on the last day of a month


@dataclass(frozen=True)
class Family:
    """Failures that share one underlying cause and keep coming back."""

    key: str
    days_ago: tuple[int, ...]  # when each occurrence starts, counted back from today
    occurrences: tuple[Scenario, ...]


def act(
    action_type: ActionType,
    priority: ActionPriority,
    title: str,
    description: str,
    team: str | None = None,
    *,
    done_before_recurrence: bool = True,
) -> ActionSpec:
    """An ActionSpec, written short: the texts hold a great many."""
    return ActionSpec(action_type, priority, title, description, team, done_before_recurrence)


MITIGATE, PREVENT, DETECT, PROCESS = (
    ActionType.mitigate,
    ActionType.prevent,
    ActionType.detect,
    ActionType.process,
)
CRITICAL, HIGH, MEDIUM, LOW = (
    ActionPriority.critical,
    ActionPriority.high,
    ActionPriority.medium,
    ActionPriority.low,
)
PARTNER, CONSUMER, INTERNAL = ConsumerKind.partner, ConsumerKind.consumer, ConsumerKind.internal
