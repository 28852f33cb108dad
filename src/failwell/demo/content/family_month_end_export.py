"""The recurring family of the month-end settlement export outgrowing its window."""

from __future__ import annotations

from failwell.demo.content.shapes import (
    DETECT,
    HIGH,
    MEDIUM,
    MITIGATE,
    PREVENT,
    Factor,
    Family,
    Scenario,
    act,
)
from failwell.enums import FailureKind

MONTH_END_EXPORT = Family(
    key="month-end-export",
    days_ago=(430, 250, 70),
    occurrences=(
        Scenario(
            key="month-end-1",
            kind=FailureKind.incident,
            services=("warehouse-export", "reporting-api"),
            title="Month-end settlement export timed out; merchant statements late",
            description=(
                "The month-end export of settlement data ran for six hours and hit its timeout. "
                "Merchant statements, due at 06:00 UTC on the first working day, were not available "
                "until 14:00."
            ),
            severity=(2, 3),
            impact_partners="{partners} received monthly statements eight hours late.",
            impact_consumers="Dashboard users saw incomplete monthly figures until the afternoon.",
            tags=("month-end", "batch", "warehouse"),
            detection="Export job timeout alert at 04:30 UTC.",
            diagnosis="Export volume had doubled in a year; the job ran as one query.",
            mitigation="Re-ran with a longer timeout on a larger warehouse.",
            resolution="Timeout doubled and warehouse size raised for month-end.",
            went_well="The timeout alert left time to re-run before most merchants noticed.",
            went_wrong="The job's runtime had been creeping up for months without anyone watching.",
            lucky="The re-run succeeded first time.",
            lessons="Watch the trend of batch runtimes, not just whether they finish.",
            factors=(
                Factor("capacity", "Data volume doubled."),
                Factor("time", "Fixed deadline for statements."),
            ),
            actions=(
                act(MITIGATE, MEDIUM, "Scale the warehouse up for month-end", "Scheduled resize."),
                act(
                    DETECT,
                    MEDIUM,
                    "Alert when batch runtime exceeds 70% of its window",
                    "All month-end jobs.",
                ),
            ),
            detect_minutes=(355, 365),
            mitigate_minutes=(540, 580),
            start_at=(22, 30),
            month_end=True,
            resolve_hours=(4, 10),
        ),
        Scenario(
            key="month-end-2",
            kind=FailureKind.incident,
            services=("warehouse-export",),
            title="Month-end export overran again and collided with the nightly backup",
            description=(
                "With the longer timeout the month-end export ran past 05:00 UTC, when the nightly backup "
                "starts and takes an exclusive snapshot. The export stalled behind it and statements were "
                "four hours late again."
            ),
            severity=(3, 3),
            impact_partners="{partners} received monthly statements four hours late.",
            impact_consumers="None.",
            tags=("month-end", "batch", "warehouse", "backups"),
            detection="Runtime alert at 70% of the window (added last time).",
            diagnosis="The export was waiting on the backup snapshot lock.",
            mitigation="Postponed the backup for the night.",
            resolution="Moved the backup window; the export is being split per merchant.",
            went_well="The runtime alert gave warning, as intended.",
            went_wrong="The earlier fix made the job longer instead of smaller.",
            lucky="The backup could safely be postponed.",
            lessons="Giving a job more time only moves the collision; make the job smaller.",
            factors=(
                Factor("capacity", "Export still a single large job."),
                Factor("time", "Export and backup windows overlapped."),
            ),
            actions=(
                act(
                    PREVENT,
                    HIGH,
                    "Split the month-end export per merchant",
                    "Parallel, restartable chunks.",
                ),
            ),
            detect_minutes=(200, 280),
            start_at=(22, 30),
            month_end=True,
            mitigate_minutes=(20, 60),
            resolve_hours=(4, 10),
        ),
        Scenario(
            key="month-end-3",
            kind=FailureKind.incident,
            services=("warehouse-export", "reporting-api"),
            title="Month-end statements missing for the largest merchants: one export chunk failed silently",
            description=(
                "The split per-merchant export finished on time, but one chunk for the twelve largest "
                "merchants failed on a memory limit. The job reported success because failed chunks were "
                "logged, not counted, so those statements were simply missing."
            ),
            severity=(2, 3),
            impact_partners="The twelve largest merchants among {partners} had no statement for most of the day.",
            impact_consumers="None.",
            tags=("month-end", "batch", "warehouse"),
            detection="A merchant partner reported a missing statement.",
            diagnosis="Chunk log showed an out-of-memory failure; the job status ignored it.",
            mitigation="Re-ran the chunk with more memory.",
            resolution="Job fails if any chunk fails; large merchants split into smaller chunks.",
            went_well="Restartable chunks made the re-run take twenty minutes.",
            went_wrong="Success was reported with a chunk missing.",
            lucky="Only one chunk failed.",
            lessons="A batch that can partly fail must say so loudly.",
            factors=(
                Factor("capacity", "Largest merchants' data exceeded chunk memory."),
                Factor("detection_gap", "Partial failures were not reflected in job status."),
            ),
            actions=(
                act(DETECT, HIGH, "Fail the export when any chunk fails", "And page data on-call."),
                act(PREVENT, MEDIUM, "Size chunks by row count, not merchant", "Caps memory per chunk."),
            ),
            detect_minutes=(540, 720),
            start_at=(22, 30),
            month_end=True,
            mitigate_minutes=(30, 60),
            resolve_hours=(4, 24),
        ),
    ),
)
