"""Incidents on the cluster (node drains, conntrack, full disks) and the money path (acquirer,
payouts, ledger, fraud scoring)."""

from __future__ import annotations

from failwell.demo.content.shapes import (
    CRITICAL,
    DETECT,
    HIGH,
    LOW,
    MEDIUM,
    MITIGATE,
    PREVENT,
    PROCESS,
    Factor,
    Scenario,
    act,
)
from failwell.enums import FailureKind

CLUSTER_AND_PAYMENT_INCIDENTS: tuple[Scenario, ...] = (
    Scenario(
        key="inc-node-drain",
        kind=FailureKind.incident,
        services=("checkout-api", "auth-service", "mobile-bff", "reporting-api", "support-console"),
        title="{service} errors during node pool upgrade: pods evicted without a disruption budget",
        description=(
            "A scheduled node pool upgrade drained nodes two at a time. {service} had no pod disruption "
            "budget, and three of its four pods happened to be on the first two nodes, so capacity dropped "
            "by three quarters for several minutes."
        ),
        severity=(2, 3),
        impact_partners="{partners} saw elevated errors for about eight minutes.",
        impact_consumers="{consumers} saw errors and slow responses for about eight minutes.",
        tags=("kubernetes", "maintenance"),
        detection="Error-rate alert on {service} during the maintenance window.",
        diagnosis="Pod events showed evictions from the drained nodes; no disruption budget was defined.",
        mitigation="Paused the node upgrade and scaled {service} up.",
        resolution="Added disruption budgets and anti-affinity; resumed the upgrade.",
        went_well="The maintenance was announced, so the link to the upgrade was made within minutes.",
        went_wrong="Nothing checked that services had disruption budgets before the upgrade started.",
        lucky="The upgrade started on the smallest node pool.",
        lessons="Planned maintenance needs the same safety checks as a deploy.",
        factors=(
            Factor("change_or_configuration", "No pod disruption budget on {service}."),
            Factor("process", "The maintenance checklist did not cover disruption budgets."),
        ),
        actions=(
            act(
                PREVENT,
                HIGH,
                "Require pod disruption budgets for tier 1 and tier 2 services",
                "Admission policy rejects deployments of tier 1 and 2 services without one.",
                "platform",
            ),
            act(
                PREVENT,
                MEDIUM,
                "Spread replicas across nodes with anti-affinity",
                "Add topology spread constraints to the shared chart.",
            ),
        ),
        mitigate_minutes=(5, 20),
    ),
    Scenario(
        key="inc-conntrack",
        kind=FailureKind.incident,
        services=("checkout-api", "ledger", "auth-service", "mobile-bff"),
        title="Intermittent connection failures from {service}: conntrack table full on busy nodes",
        description=(
            "Connections from {service} to its database and cache failed intermittently during the evening "
            "peak. The nodes' connection-tracking table was full, so the kernel dropped new connections "
            "silently; retries mostly succeeded, which made it look random."
        ),
        severity=(2, 3),
        impact_partners="{partners} saw a low rate of failed requests over about two hours.",
        impact_consumers="About 1% of requests from {consumers} failed during the evening peak.",
        tags=("networking", "kubernetes", "capacity"),
        detection="A steady rise in connection timeouts, first noticed on the {service} dashboard.",
        diagnosis="Kernel logs on the nodes showed 'nf_conntrack: table full, dropping packet'.",
        mitigation="Raised the conntrack limit on the affected node pool.",
        resolution="Node image now sizes conntrack from memory; keep-alive enabled for database connections.",
        went_well="The kernel message was found quickly once someone looked at node logs.",
        went_wrong="Node-level metrics were not on any service dashboard, so the first hour went to app logs.",
        lucky="Retries hid most of the failures from users.",
        lessons="Intermittent network errors on many services at once point below the application.",
        factors=(
            Factor("capacity", "The conntrack table was sized for smaller nodes."),
            Factor("detection_gap", "No alert on conntrack usage."),
        ),
        actions=(
            act(
                DETECT,
                MEDIUM,
                "Alert on conntrack usage above 75%",
                "Node-level alert routed to platform on-call.",
                "platform",
            ),
            act(
                MITIGATE,
                MEDIUM,
                "Enable connection keep-alive to the database",
                "Reuse connections instead of opening one per request burst.",
            ),
        ),
        detect_minutes=(20, 60),
        start_at=(19, 5),
        mitigate_minutes=(40, 120),
    ),
    Scenario(
        key="inc-disk-full",
        kind=FailureKind.incident,
        services=("ticket-sync", "support-console", "warehouse-export", "push-notifications", "event-bus"),
        title="{service} stopped processing: debug logging filled the node disk",
        description=(
            "Debug logging was switched on for {service} to investigate a bug and stayed on. Over two days "
            "the logs filled the node's disk, the container runtime could not write, and {service} stopped "
            "processing."
        ),
        severity=(3, 4),
        impact_partners="None directly; some updates to {partners} were delayed.",
        impact_consumers="{consumers} saw stale data for about three hours.",
        tags=("logging", "disk"),
        detection="Reports from {consumers} that nothing had updated since the morning.",
        diagnosis="Node disk at 100%; most of it was {service} debug logs.",
        mitigation="Turned debug logging off and cleared the log files.",
        resolution="Log-level changes now expire automatically after four hours.",
        went_well="Once found, the fix took five minutes.",
        went_wrong="Nothing alerted on the node disk filling up, and the log level had no expiry.",
        lucky="The affected node ran only lower-tier workloads.",
        lessons="Temporary settings need a built-in expiry; people have better things to remember.",
        factors=(
            Factor("change_or_configuration", "Debug logging left on after an investigation."),
            Factor("detection_gap", "No alert on node disk usage."),
        ),
        actions=(
            act(
                PREVENT,
                MEDIUM,
                "Auto-expire log-level overrides after four hours",
                "The logging config endpoint records an expiry and reverts on its own.",
                "platform",
            ),
            act(
                DETECT, HIGH, "Alert on node disk usage above 80%", "Routed to platform on-call.", "platform"
            ),
        ),
        detect_minutes=(60, 180),
        mitigate_minutes=(10, 30),
    ),
    Scenario(
        key="inc-acquirer-latency",
        kind=FailureKind.incident,
        services=("checkout-api",),
        title="Card authorisations slow: acquirer responses at 8 s p95",
        description=(
            "The card acquirer's authorisation API slowed to an 8-second p95 for about forty minutes. Our "
            "checkout timeout is 10 seconds, so most payments still succeeded, but shoppers waited and some "
            "abandoned checkout."
        ),
        severity=(2, 3),
        impact_partners="{partners} saw checkout conversion fall by about 9% for forty minutes.",
        impact_consumers="{consumers} waited up to ten seconds at the pay step; some gave up.",
        tags=("acquirer", "dependency", "latency"),
        detection="Checkout latency SLO burn-rate alert.",
        diagnosis="Traces showed the time spent entirely in the acquirer call.",
        mitigation="Acquirer confirmed a degraded database on their side and failed over.",
        resolution="Acquirer recovered; we agreed to receive their incident notices directly.",
        went_well="Traces made it clear within minutes that the time was spent outside our systems.",
        went_wrong="We learned about the acquirer's incident from our own alerts rather than from them.",
        lucky="The 10-second timeout was just above the slowdown; a lower one would have failed payments.",
        lessons="For critical dependencies, agree incident communication before you need it.",
        factors=(
            Factor("dependency", "The acquirer's authorisation API degraded."),
            Factor("process", "No agreed incident notification channel with the acquirer."),
        ),
        actions=(
            act(
                PROCESS,
                MEDIUM,
                "Subscribe to the acquirer's incident notices and add them to the runbook",
                "Route their status notices into the payments on-call channel.",
            ),
            act(
                DETECT,
                LOW,
                "Dashboard of acquirer latency by card scheme",
                "Makes it quick to tell an acquirer problem from ours.",
            ),
        ),
        detect_minutes=(3, 10),
        mitigate_minutes=(20, 45),
        resolve_hours=(1, 4),
    ),
    Scenario(
        key="inc-duplicate-payouts",
        kind=FailureKind.incident,
        services=("payouts",),
        title="Duplicate payout instructions sent to the bank for 37 merchants",
        description=(
            "The bank's submission endpoint timed out after accepting a payout file. payouts retried the "
            "submission without the original file reference, so the bank treated it as new and paid 37 "
            "merchants twice, about 41,000 EUR in total."
        ),
        severity=(1, 2),
        impact_partners="37 merchants were paid twice; the bank partner had to reverse the second payments.",
        impact_consumers="None directly.",
        tags=("payouts", "idempotency", "bank"),
        detection="Daily reconciliation showed outgoing payments exceeding payout instructions.",
        diagnosis="Two files with identical contents but different references in the bank's logs.",
        mitigation="Held further payout batches and asked the bank to recall the duplicates.",
        resolution="Recovered all but two payments through the bank; retries now reuse the file reference.",
        went_well="Reconciliation caught it the next morning, and the bank partner was quick to help recall.",
        went_wrong=(
            "The retry path built a fresh file reference, so the bank could not tell it was a retry. "
            "Nothing checked outgoing totals during the day."
        ),
        lucky="The affected batch was a small one; the evening batch is five times larger.",
        lessons="Every money-moving retry must be idempotent end to end, including the partner's side.",
        factors=(
            Factor("dependency", "The bank endpoint timed out after accepting the file."),
            Factor("change_or_configuration", "Retries generated a new file reference."),
            Factor("detection_gap", "Only the next-day reconciliation compared totals."),
        ),
        actions=(
            act(
                PREVENT,
                CRITICAL,
                "Reuse the original file reference on payout retries",
                "The bank deduplicates on the reference; retries must keep it.",
            ),
            act(
                DETECT,
                HIGH,
                "Intra-day check of outgoing totals against instructions",
                "Alert within an hour of a mismatch instead of the next morning.",
                "data",
            ),
            act(
                PROCESS,
                MEDIUM,
                "Runbook for recalling payments with each bank partner",
                "Contacts, cut-off times and forms in one place.",
            ),
        ),
        detect_minutes=(600, 900),
        mitigate_minutes=(30, 90),
        resolve_hours=(48, 120),
    ),
    Scenario(
        key="inc-ledger-rounding",
        kind=FailureKind.incident,
        services=("ledger",),
        title="Ledger balances drifted from the bank statement by 12,480 EUR",
        description=(
            "Reconciliation found merchant balances in the ledger 12,480 EUR above the bank statement. FX "
            "conversions were rounded per line item instead of per payment, and the tiny differences had "
            "accumulated over six weeks across multi-currency merchants."
        ),
        severity=(2, 3),
        impact_partners="Some merchants' displayed balances were a few cents off; {partners} unaffected.",
        impact_consumers="None.",
        tags=("ledger", "fx", "reconciliation"),
        detection="Monthly reconciliation exceeded the tolerance threshold.",
        diagnosis="Recomputed conversions per payment; the difference matched to the cent.",
        mitigation="Posted correcting entries per merchant after finance sign-off.",
        resolution="Rounding now happens once per payment; a property test compares both methods.",
        went_well="Finance and engineering together traced the drift to one rule in two days.",
        went_wrong="Reconciliation ran monthly, so the drift built up for weeks before anyone saw it.",
        lucky="The drift was in the merchants' favour, so nobody was short-changed.",
        lessons="Money rounding rules belong in one place, with tests written from the accounting policy.",
        factors=(
            Factor("change_or_configuration", "Rounding applied per line item."),
            Factor("detection_gap", "Reconciliation was monthly."),
            Factor("knowledge", "The accounting rounding policy was not linked from the code."),
        ),
        actions=(
            act(
                PREVENT,
                HIGH,
                "Single rounding function with property tests",
                "All FX conversions go through one tested function.",
            ),
            act(
                DETECT,
                MEDIUM,
                "Run reconciliation daily",
                "Daily comparison with a tighter tolerance.",
                "data",
            ),
        ),
        detect_minutes=(60, 240),
        mitigate_minutes=(600, 2000),
        resolve_hours=(24, 96),
    ),
    Scenario(
        key="inc-fraud-drift",
        kind=FailureKind.incident,
        services=("fraud-scoring",),
        title="Fraud model declined 6% of legitimate payments after an upstream field rename",
        description=(
            "An upstream service renamed a field in the payment event. fraud-scoring received null for a "
            "feature the model weighs heavily, filled in a default that looks risky, and declined about 6% "
            "of legitimate payments for three hours."
        ),
        severity=(2, 2),
        impact_partners="{partners} lost sales: about 6% of payments were declined wrongly for three hours.",
        impact_consumers="Shoppers had cards declined and many retried or gave up.",
        tags=("fraud", "machine-learning", "contract"),
        detection="Risk operations noticed the decline rate had doubled on their afternoon review.",
        diagnosis="Feature monitoring showed one feature constant at its default since the upstream release.",
        mitigation="Raised the decline threshold temporarily and mapped the new field name.",
        resolution="Schema validation on scoring input; missing features now fail open with an alert.",
        went_well="Risk operations' manual review caught it the same day.",
        went_wrong="A silent default masked the missing field; no alert on feature distributions.",
        lucky="The change landed on a weekday afternoon when risk operations was reviewing.",
        lessons="A model input that goes missing should be loud. Silent defaults turn contract breaks into bad decisions.",
        factors=(
            Factor("dependency", "An upstream field was renamed without notice to consumers."),
            Factor("detection_gap", "No monitoring of feature value distributions."),
        ),
        actions=(
            act(
                DETECT,
                HIGH,
                "Alert on feature distribution shifts",
                "Compare hourly feature distributions with the trailing week.",
            ),
            act(
                PREVENT,
                MEDIUM,
                "Validate the payment event schema at the consumer",
                "Reject or flag events missing required fields.",
                "data",
            ),
        ),
        detect_minutes=(120, 200),
        mitigate_minutes=(20, 60),
    ),
)
