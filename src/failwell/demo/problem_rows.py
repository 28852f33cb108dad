"""The demo's problems: each groups a recurring family, with its known error and a recurrence link
from every occurrence to the one before."""

from __future__ import annotations

from collections import defaultdict
from datetime import timedelta

from failwell.actions.models import CorrectiveAction
from failwell.demo.content.problems import PROBLEMS
from failwell.demo.world import World
from failwell.enums import ActionStatus
from failwell.failures.models import Failure
from failwell.recurrence.enums import ProblemStatus
from failwell.recurrence.models import KnownError, Problem, ProblemFailure, RecurrenceLink


def problem_rows(w: World, failures: list[Failure], actions: list[CorrectiveAction]) -> list[Problem]:
    """The problems of content/problems.py, each grouping a recurring family, with a known error
    and a recurrence link from every occurrence to the one before it.

    Built as rows, like the failures they group, so their times are history, not the clock."""
    rng = w.rng
    members: dict[str, list[Failure]] = defaultdict(list)
    for failure in failures:
        if failure.id in w.family_of:
            members[w.family_of[failure.id]].append(failure)
    rows: list[Problem] = []
    for spec in PROBLEMS:
        family = sorted(members[spec.family], key=lambda f: (f.started_at, f.id))
        team = w.teams[spec.owner_team]
        created = w.clamp(family[spec.recorded_at].created_at + timedelta(hours=rng.randint(2, 30)))
        problem = Problem(
            title=spec.title,
            description=spec.description,
            root_cause=spec.root_cause,
            status=ProblemStatus.open,
            owner_team_id=team.id,
            created_by_id=w.someone(team, responders=True).id,
            created_at=created,
            updated_at=created,
            resolved_at=None,
        )
        w.s.add(problem)
        w.s.flush()
        updated = created
        for i, failure in enumerate(family):
            who = w.someone(team, responders=True).id
            at = created
            if i > spec.recorded_at:
                at = w.clamp(max(failure.created_at + timedelta(hours=rng.randint(1, 12)), created))
            w.s.add(
                ProblemFailure(problem_id=problem.id, failure_id=failure.id, linked_by_id=who, created_at=at)
            )
            if i > 0:
                w.s.add(
                    RecurrenceLink(
                        failure_id=failure.id,
                        earlier_id=family[i - 1].id,
                        note=f"Another occurrence of problem #{problem.id}: {spec.title}.",
                        linked_by_id=who,
                        created_at=at,
                    )
                )
            updated = max(updated, at)
        if spec.known_error is not None:
            known_at = w.clamp(created + timedelta(days=rng.randint(1, 6), minutes=rng.randint(0, 600)))
            w.s.add(
                KnownError(
                    problem_id=problem.id,
                    title=spec.known_error.title,
                    symptoms=spec.known_error.symptoms,
                    workaround=spec.known_error.workaround,
                    created_at=known_at,
                    updated_at=known_at,
                )
            )
            problem.status = ProblemStatus.known_error
            updated = max(updated, known_at)
        if spec.fix_holds:
            ids = {f.id for f in family}
            fixes = [
                a.completed_at
                for a in actions
                if a.failure.id in ids and a.status == ActionStatus.done and a.completed_at is not None
            ]
            problem.status = ProblemStatus.resolved
            problem.resolved_at = w.clamp(max([updated, *fixes]) + timedelta(days=rng.randint(7, 21)))
            updated = problem.resolved_at
        problem.updated_at = updated
        rows.append(problem)
    w.s.flush()
    return rows
