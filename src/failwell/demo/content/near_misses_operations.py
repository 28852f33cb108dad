"""Near misses in day-to-day operations: backups, production access, quotas, domains, secrets in
logs."""

from __future__ import annotations

from failwell.demo.content.shapes import DETECT, HIGH, LOW, MEDIUM, PREVENT, PROCESS, Factor, Scenario, act
from failwell.enums import FailureKind

OPERATIONS_NEAR_MISSES: tuple[Scenario, ...] = (
    Scenario(
        key="nm-backup-gap",
        kind=FailureKind.near_miss,
        services=("ledger", "checkout-api", "auth-service", "payouts"),
        title="Restore test found {service} backups missing the last nine days",
        description=(
            "The quarterly restore test for {service} restored a snapshot nine days old. The backup job "
            "had been failing since a credential rotation, and its failure notifications went to a mailbox "
            "nobody reads."
        ),
        severity=(4, 5),
        impact_partners="None: found in a test.",
        impact_consumers="None: found in a test.",
        tags=("backups", "near-miss"),
        detection="Quarterly restore test.",
        diagnosis="Backup job failing authentication since the credential rotation.",
        mitigation="Updated the credential and took a fresh backup immediately.",
        resolution="Backup failures now page; the restore test is monthly.",
        went_well="The restore test did its job.",
        went_wrong="Backup failures were reported to an unmonitored mailbox.",
        lucky="No restore was needed during those nine days.",
        lessons="A backup you have not restored is a hope, not a backup.",
        factors=(
            Factor("detection_gap", "Backup failures went to an unread mailbox."),
            Factor("change_or_configuration", "Credential rotation missed the backup job."),
        ),
        actions=(
            act(DETECT, HIGH, "Page on backup job failure", "Routed to the owning team's on-call."),
            act(
                PROCESS,
                MEDIUM,
                "Monthly automated restore test",
                "With a report to the owning team.",
                "platform",
            ),
        ),
        detect_minutes=(0, 10),
        mitigate_minutes=(30, 120),
        resolve_hours=(24, 96),
    ),
    Scenario(
        key="nm-wrong-context",
        kind=FailureKind.near_miss,
        services=("event-bus", "ledger"),
        title="{service} clean-up script pointed at production; stopped at its confirmation prompt",
        description=(
            "A clean-up script for stale {service} test data ran with the production cluster context, "
            "which the tooling had left active from an earlier task. The script's confirmation prompt showed "
            "the production name and the run was aborted."
        ),
        severity=(5, 5),
        impact_partners="None.",
        impact_consumers="None.",
        tags=("tooling", "near-miss", "production-access"),
        detection="Confirmation prompt showed the production cluster name.",
        diagnosis="The shell kept the last-used context across sessions.",
        mitigation="Script aborted; no changes made.",
        resolution="Production contexts now expire after an hour and the shell prompt shows the context in red.",
        went_well="The confirmation prompt named the target clearly.",
        went_wrong="Tooling made production the silent default after any production task.",
        lucky="The prompt existed at all; older scripts have none.",
        lessons="Make the dangerous target visible and the safe one the default.",
        factors=(Factor("tooling", "The production context persisted silently."),),
        actions=(
            act(
                PREVENT,
                MEDIUM,
                "Expire production cluster contexts after an hour",
                "Reverts to staging.",
                "platform",
            ),
            act(
                PREVENT,
                LOW,
                "Confirmation prompts in all data-changing scripts",
                "Showing the target cluster.",
                "platform",
            ),
        ),
        detect_minutes=(0, 2),
        mitigate_minutes=(0, 5),
        resolve_hours=(24, 200),
    ),
    Scenario(
        key="nm-cpu-quota",
        kind=FailureKind.near_miss,
        services=("checkout-api", "mobile-bff", "api-gateway"),
        title="{service} reached 92% of the cloud CPU quota during a load test",
        description=(
            "The peak-season load test for {service} scaled the cluster to 92% of the region's CPU quota. "
            "At real peak traffic autoscaling would have hit the quota and stopped adding capacity."
        ),
        severity=(4, 5),
        impact_partners="None: found in a load test.",
        impact_consumers="None: found in a load test.",
        tags=("capacity", "quota", "near-miss"),
        detection="Quota warning e-mail during the load test.",
        diagnosis="Quota had not been raised since the move to larger nodes.",
        mitigation="Requested a quota increase; approved in two days.",
        resolution="Quota headroom is now part of the monthly capacity review.",
        went_well="Running the load test early left time to fix it.",
        went_wrong="Quotas were not part of capacity planning.",
        lucky="The load test ran six weeks before peak.",
        lessons="Cloud quotas are capacity. Plan them like nodes.",
        factors=(Factor("capacity", "Regional CPU quota close to planned peak."),),
        actions=(act(DETECT, MEDIUM, "Alert at 70% of every cloud quota", "Per region.", "platform"),),
        detect_minutes=(0, 15),
        mitigate_minutes=(60, 600),
        resolve_hours=(24, 72),
    ),
    Scenario(
        key="nm-domain-renewal",
        kind=FailureKind.near_miss,
        services=("api-gateway",),
        title="Domain auto-renewal failed; noticed nine days before expiry",
        description=(
            "Auto-renewal for the domain behind the partner API failed because the card on file at the "
            "registrar had expired. A registrar reminder reached a shared inbox and was noticed nine days "
            "before the domain would have lapsed."
        ),
        severity=(4, 4),
        impact_partners="None; all partner traffic would have failed had the domain lapsed.",
        impact_consumers="None.",
        tags=("dns", "domains", "near-miss"),
        detection="Registrar reminder in the shared infrastructure inbox.",
        diagnosis="Payment method at the registrar expired last month.",
        mitigation="Renewed manually for three years.",
        resolution="Domains moved to an account billed by invoice; expiry monitored externally.",
        went_well="Someone read the shared inbox.",
        went_wrong="Renewal depended on a personal card and an inbox with no owner.",
        lucky="The reminder was not filtered as marketing.",
        lessons="Things that expire need monitoring independent of the vendor's reminders.",
        factors=(
            Factor("time", "Expiry approached silently."),
            Factor("process", "Registrar billing tied to one card with no owner for renewals."),
        ),
        actions=(act(DETECT, HIGH, "External monitoring of domain expiry", "Alert at 45 days.", "platform"),),
        detect_minutes=(0, 60),
        mitigate_minutes=(30, 240),
        resolve_hours=(24, 240),
    ),
    Scenario(
        key="nm-secret-in-logs",
        kind=FailureKind.near_miss,
        services=("checkout-api", "payouts", "ticket-sync", "sms-gateway"),
        title="Partner API keys written to {service} debug logs in staging",
        description=(
            "A code review for {service} spotted that a new debug log line printed full request headers, "
            "including partner API keys. It had shipped to staging only; staging uses test keys, but the "
            "same code would have logged live keys in production."
        ),
        severity=(4, 5),
        impact_partners="None: caught before production.",
        impact_consumers="None.",
        tags=("security", "logging", "near-miss"),
        detection="Caught in the code review of a follow-up change.",
        diagnosis="Header logging added during an investigation did not redact anything.",
        mitigation="Removed the log line and purged staging logs.",
        resolution="Logging library now redacts known secret headers by default.",
        went_well="Code review caught it before production.",
        went_wrong="The logging library made logging everything the easy option.",
        lucky="The release was held for an unrelated reason.",
        lessons="Redaction should be the default, not something each call site remembers.",
        factors=(
            Factor("security", "Secrets could reach logs."),
            Factor("tooling", "No default redaction in the logging library."),
        ),
        actions=(
            act(
                PREVENT,
                HIGH,
                "Default redaction of authorisation headers in the logging library",
                "With a test that fails when known secret patterns reach a log.",
                "platform",
            ),
        ),
        detect_minutes=(0, 30),
        mitigate_minutes=(10, 60),
        resolve_hours=(24, 168),
    ),
)
