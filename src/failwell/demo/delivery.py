"""What the demo's delivery and learning metrics need beyond the loader's history: when the
commits of a release were first made, and who read the published lessons."""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from failwell.broadcast.models import ReviewRead
from failwell.enums import ReviewStatus
from failwell.people.models import Person
from failwell.reviews.models import Review


def first_commit_before(rng: random.Random) -> timedelta:
    """How long before its pipeline started a release's first commit was made: mostly the same
    day or the day before, sometimes a few days, now and then a long-lived branch."""
    roll = rng.random()
    if roll < 0.6:
        return timedelta(minutes=rng.randint(40, 20 * 60))
    if roll < 0.9:
        return timedelta(hours=rng.randint(20, 96))
    return timedelta(days=rng.randint(5, 14), hours=rng.randint(0, 23))


def lesson_reads(
    reviews: Sequence[Review], members: Mapping[str, list[Person]], now: datetime, rng: random.Random
) -> list[ReviewRead]:
    """Each published review read by someone in a few teams, within days of publication."""
    teams = sorted(name for name, people in members.items() if people)
    reads: dict[tuple[int, int], ReviewRead] = {}
    for review in reviews:
        if review.status != ReviewStatus.published or review.published_at is None:
            continue
        for team in rng.sample(teams, rng.randint(1, max(1, len(teams) // 2))):
            person = rng.choice(members[team])
            at = min(review.published_at + timedelta(hours=rng.randint(1, 120)), now - timedelta(minutes=1))
            reads.setdefault(
                (review.id, person.id), ReviewRead(review_id=review.id, person_id=person.id, read_at=at)
            )
    return list(reads.values())
