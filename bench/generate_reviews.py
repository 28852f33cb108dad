"""The rows that follow a generated organisation's failures: timelines, reviews of a quarter of
the resolved ones, their contributing factors and corrective actions."""

from __future__ import annotations

import random
from collections.abc import Sequence
from datetime import datetime, timedelta

from bench.org_shape import NOW, Row, Scale, TableLoad


def timeline(scale: Scale, f_times: list[datetime]) -> TableLoad:
    n_f = scale.failures
    tl_rows: list[Row] = []
    for n, i in enumerate(i for i in range(n_f) if i % 5 == 0):
        base = f_times[i]
        for j, kind in enumerate(("detection", "diagnosis", "mitigation")):
            tl_rows.append(
                (
                    3 * n + j + 1,
                    i + 1,
                    base + timedelta(minutes=10 * (j + 1)),
                    kind,
                    f"{kind.capitalize()} step.",
                    1 + i % scale.people,
                    base,
                )
            )
    return TableLoad(
        "timeline_events",
        ("id", "failure_id", "occurred_at", "kind", "description", "author_id", "created_at"),
        tl_rows,
    )


def reviews_and_actions(
    rng: random.Random,
    scale: Scale,
    category_ids: Sequence[int],
    f_times: list[datetime],
    statuses: list[str],
) -> list[TableLoad]:
    """Reviews of a quarter of the resolved failures, their factors and corrective actions."""
    n_f = scale.failures
    reviewed = [i for i in range(n_f) if statuses[i] in ("resolved", "closed") and i % 4 == 0]
    loads: list[TableLoad] = []
    rv_rows: list[Row] = []
    cf_rows: list[Row] = []
    act_rows: list[Row] = []
    today = NOW.date()
    for n, i in enumerate(reviewed):
        rid, fid, started = n + 1, i + 1, f_times[i]
        status = (
            "published",
            "published",
            "published",
            "published",
            "published",
            "published",
            "published",
            "in_review",
            "draft",
            "draft",
        )[n % 10]
        updated = started + timedelta(days=3 + n % 10)
        rv_rows.append(
            (
                rid,
                fid,
                status,
                f"Summary of failure {fid}.",
                "Some impact.",
                "Alerting worked.",
                "The change was not canaried.",
                "It was a quiet day.",
                "Canary every change.",
                1 + fid % scale.people,
                started + timedelta(days=1),
                updated,
                updated if status == "published" else None,
            )
        )
        for pos in range(2):
            cf_rows.append(
                (
                    2 * n + pos + 1,
                    rid,
                    category_ids[(n + pos) % len(category_ids)],
                    "A contributing condition.",
                    pos,
                )
            )
        for k in range(1 + n % 2):
            due = started.date() + timedelta(days=14 + (n * 7 + k) % 50)
            if due >= today:
                a_status = ("open", "in_progress", "done")[(n + k) % 3]
            else:
                a_status = rng.choices(("done", "wont_do", "open", "in_progress"), (75, 8, 12, 5))[0]
            closed_at = started + timedelta(days=20) if a_status in ("done", "wont_do") else None
            act_rows.append(
                (
                    len(act_rows) + 1,
                    fid,
                    f"Prevent failure {fid} from recurring ({k + 1})",
                    "Add a guard rail.",
                    ("mitigate", "prevent", "detect", "process")[(n + k) % 4],
                    1 + (n + k) % scale.teams,
                    1 + (n * 3 + k) % scale.people if k == 0 else None,
                    due,
                    ("critical", "high", "medium", "low")[(n + k) % 4],
                    a_status,
                    "Superseded by a redesign." if a_status == "wont_do" else None,
                    None,
                    closed_at,
                    started + timedelta(days=2),
                    closed_at or started + timedelta(days=2),
                )
            )
    loads.append(
        TableLoad(
            "reviews",
            (
                "id",
                "failure_id",
                "status",
                "summary",
                "impact",
                "what_went_well",
                "what_went_wrong",
                "where_we_got_lucky",
                "lessons_learned",
                "author_id",
                "created_at",
                "updated_at",
                "published_at",
            ),
            rv_rows,
        )
    )
    loads.append(
        TableLoad(
            "contributing_factors", ("id", "review_id", "category_id", "description", "position"), cf_rows
        )
    )
    loads.append(
        TableLoad(
            "corrective_actions",
            (
                "id",
                "failure_id",
                "title",
                "description",
                "action_type",
                "owner_team_id",
                "owner_person_id",
                "due_date",
                "priority",
                "status",
                "wont_do_reason",
                "external_url",
                "completed_at",
                "created_at",
                "updated_at",
            ),
            act_rows,
        )
    )
    return loads
