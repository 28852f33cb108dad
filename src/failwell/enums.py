"""Vocabulary shared across slices (ITIL 4 / DevOps terms). Stored as strings."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # imported where used: the CLI's HTTP verbs start without SQLAlchemy
    from sqlalchemy import Enum as SAEnum


def db_enum(enum_cls: type[StrEnum], name: str) -> SAEnum:
    """A portable string enum column with a CHECK constraint on both databases."""
    from sqlalchemy import Enum as SAEnum

    return SAEnum(
        enum_cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        validate_strings=True,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class Role(StrEnum):
    """ITIL 4 practice roles, most privileged first."""

    practice_owner = "practice_owner"
    practice_manager = "practice_manager"
    practitioner = "practitioner"
    viewer = "viewer"


ROLE_RANK = {Role.viewer: 0, Role.practitioner: 1, Role.practice_manager: 2, Role.practice_owner: 3}


class Tier(StrEnum):
    tier1 = "tier1"  # business-critical: outage hurts partners and consumers at once
    tier2 = "tier2"
    tier3 = "tier3"
    tier4 = "tier4"  # internal convenience


class ConsumerKind(StrEnum):
    partner = "partner"
    consumer = "consumer"
    internal = "internal"


class ChangeType(StrEnum):
    standard = "standard"
    normal = "normal"
    emergency = "emergency"


class Risk(StrEnum):
    low = "low"
    medium = "medium"
    high = "high"


class DeploymentOutcome(StrEnum):
    succeeded = "succeeded"
    failed = "failed"
    rolled_back = "rolled_back"


class FailureKind(StrEnum):
    failed_deployment = "failed_deployment"
    incident = "incident"
    near_miss = "near_miss"


class FailureStatus(StrEnum):
    open = "open"
    mitigated = "mitigated"
    resolved = "resolved"
    closed = "closed"


class FailureStatusFilter(StrEnum):
    """What a failures list filters by: a status, or "unresolved" (open or mitigated)."""

    open = "open"
    mitigated = "mitigated"
    resolved = "resolved"
    closed = "closed"
    unresolved = "unresolved"


class ReportChannel(StrEnum):
    api = "api"
    cli = "cli"
    web = "web"
    webhook = "webhook"
    demo = "demo"


class TimelineKind(StrEnum):
    detection = "detection"
    diagnosis = "diagnosis"
    mitigation = "mitigation"
    resolution = "resolution"
    key_moment = "key_moment"
    note = "note"


class ReviewStatus(StrEnum):
    draft = "draft"
    in_review = "in_review"
    published = "published"


class ReviewStatusFilter(StrEnum):
    """What a reviews list filters by: a status, or "waiting" (in draft or in review although
    the failure is resolved or closed: home's "Reviews waiting")."""

    draft = "draft"
    in_review = "in_review"
    published = "published"
    waiting = "waiting"


class ActionType(StrEnum):
    mitigate = "mitigate"
    prevent = "prevent"
    detect = "detect"
    process = "process"


class ActionPriority(StrEnum):
    critical = "critical"
    high = "high"
    medium = "medium"
    low = "low"


class ActionStatus(StrEnum):
    open = "open"
    in_progress = "in_progress"
    done = "done"
    wont_do = "wont_do"
    # A practitioner's proposal, waiting for a practice manager to accept (-> open) or decline.
    proposed = "proposed"
    declined = "declined"


class IdeaStatus(StrEnum):
    open = "open"
    accepted = "accepted"  # turned into a corrective action
    closed = "closed"  # closed with a reason


class RecipientKind(StrEnum):
    """Whom a kudos or a nomination thanks."""

    person = "person"
    team = "team"
    # The reporter of an anonymous failure (or the proposer of an anonymous idea): no person is stored.
    anonymous_reporter = "anonymous_reporter"


class ThankedKind(StrEnum):
    """What a kudos thanks: a contribution to learning, never the absence of failures."""

    review = "review"
    failure = "failure"  # a report, often a near miss
    action = "action"  # a corrective action that held
    lesson = "lesson"  # a published review's lessons, shared with another team
    comment = "comment"  # a comment on a review that helped
    idea = "idea"


class CycleStatus(StrEnum):
    nominating = "nominating"
    voting = "voting"
    announced = "announced"


class VoterScope(StrEnum):
    everyone = "everyone"
    panel = "panel"
