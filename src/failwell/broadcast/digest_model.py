"""The shape of the weekly learning digest: what one ISO week holds, for a team or the organisation.

A module of its own so that the digest port (ports.py), the digest e-mail (digest.py) and the
read side that fills it (failwell.insights.digest) share it without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class LessonItem:
    review_id: int
    failure_id: int
    title: str
    severity: int
    services: list[str]
    lessons: str
    readers: int
    url: str


@dataclass
class ActionItem:
    action_id: int
    failure_id: int
    title: str
    team: str
    due_date: date | None
    url: str


@dataclass
class RecurrenceItem:
    title: str
    failure_id: int | None


@dataclass
class RecognitionItem:
    """An award announced, or kudos given, that week (names as everyone may read them)."""

    line: str
    url: str


@dataclass
class Digest:
    scope: str  # "organisation" or the team's name
    team_id: int | None
    week: str
    lessons: list[LessonItem] = field(default_factory=list)
    recurrences: list[RecurrenceItem] = field(default_factory=list)
    actions_done: list[ActionItem] = field(default_factory=list)
    actions_overdue: list[ActionItem] = field(default_factory=list)
    lesson_of_the_week: LessonItem | None = None
    # One line on the week's production deployments (DORA's keys), from the read side.
    delivery: str = ""
    # Awards announced and kudos given that week (recognition for learning).
    recognition: list[RecognitionItem] = field(default_factory=list)

    @property
    def empty(self) -> bool:
        return not (
            self.lessons or self.recurrences or self.actions_done or self.actions_overdue or self.recognition
        )
