"""Near misses that uncovered latent risks: an end-of-life database, a single expert, an FX feed,
alert routing, a deploy token."""

from __future__ import annotations

from failwell.demo.content.shapes import DETECT, HIGH, LOW, MEDIUM, PREVENT, PROCESS, Factor, Scenario, act
from failwell.enums import FailureKind

LATENT_RISK_NEAR_MISSES: tuple[Scenario, ...] = (
    Scenario(
        key="nm-db-eol",
        kind=FailureKind.near_miss,
        services=("ledger", "auth-service", "support-console"),
        title="{service} database version reaches end of support in 30 days",
        description=(
            "The managed database for {service} runs a major version that reaches end of standard support in "
            "30 days, after which the provider upgrades it automatically in a maintenance window of its "
            "choosing, which could fall in our peak hours."
        ),
        severity=(4, 5),
        impact_partners="None yet.",
        impact_consumers="None yet.",
        tags=("database", "end-of-life", "near-miss"),
        detection="Provider notice spotted during the monthly operations review.",
        diagnosis="Earlier notices had gone to a distribution list nobody watches.",
        mitigation="Scheduled a planned upgrade for a quiet Sunday morning.",
        resolution="Upgrade done; provider notices routed to the platform team's queue.",
        went_well="The operations review caught it with a month to spare.",
        went_wrong="Provider notices were not routed to any team.",
        lucky="Thirty days was just enough to test the upgrade.",
        lessons="Vendor notices need an owner, like alerts.",
        factors=(
            Factor("time", "End of support approaching."),
            Factor("knowledge", "Provider notices unread."),
        ),
        actions=(
            act(
                PROCESS,
                MEDIUM,
                "Route provider notices to the platform queue",
                "With a weekly triage.",
                "platform",
            ),
        ),
        detect_minutes=(0, 60),
        mitigate_minutes=(600, 3000),
        resolve_hours=(100, 500),
    ),
    Scenario(
        key="nm-single-expert",
        kind=FailureKind.near_miss,
        services=("ledger", "payouts", "event-bus"),
        title="Only one person on the {team} rota knew how to restore {service}",
        description=(
            "During a game day, the restore procedure for {service} could be completed only with help from "
            "one engineer, who was about to go on a month's leave. The written runbook was two versions out "
            "of date."
        ),
        severity=(5, 5),
        impact_partners="None.",
        impact_consumers="None.",
        tags=("knowledge", "game-day", "near-miss"),
        detection="Game day exercise.",
        diagnosis="Runbook steps referred to tooling that had been replaced.",
        mitigation="Recorded a walkthrough and rewrote the runbook before the leave started.",
        resolution="Three more people on the rota have done a supervised restore.",
        went_well="The game day surfaced it in a safe setting.",
        went_wrong="Runbooks were not reviewed when tools changed.",
        lucky="The gap was found a week before the leave.",
        lessons="Knowledge held by one person is a single point of failure, like any other.",
        factors=(
            Factor("knowledge", "Restore knowledge concentrated in one person."),
            Factor("process", "Runbooks not reviewed when tools change."),
        ),
        actions=(
            act(PROCESS, MEDIUM, "Review runbooks as part of every tooling change", "Checklist item."),
            act(PROCESS, LOW, "Supervised restore for everyone on the rota", "Once a year."),
        ),
        detect_minutes=(0, 5),
        mitigate_minutes=(600, 3000),
        resolve_hours=(100, 400),
    ),
    Scenario(
        key="nm-fx-feed",
        kind=FailureKind.near_miss,
        services=("checkout-api", "ledger"),
        title="FX rate feed stopped for 40 minutes; {service} kept cached rates within tolerance",
        description=(
            "The FX rate provider stopped publishing updates for 40 minutes. {service} kept using cached "
            "rates, which stayed within our tolerance because markets were calm, so no payment was priced "
            "wrongly."
        ),
        severity=(4, 5),
        impact_partners="None.",
        impact_consumers="None.",
        tags=("fx", "dependency", "near-miss"),
        detection="Staleness warning on the FX dashboard.",
        diagnosis="Provider confirmed a publishing outage.",
        mitigation="None needed; the feed recovered.",
        resolution="Added a maximum rate age after which multi-currency checkout is paused.",
        went_well="The staleness warning fired.",
        went_wrong="No defined behaviour once cached rates became too old.",
        lucky="Markets were calm.",
        lessons="Decide in advance how stale is too stale.",
        factors=(Factor("dependency", "FX provider outage."),),
        actions=(
            act(
                PREVENT,
                MEDIUM,
                "Maximum FX rate age with safe fallback",
                "Pause multi-currency checkout after 2 h.",
            ),
        ),
        detect_minutes=(10, 20),
        mitigate_minutes=(20, 40),
        resolve_hours=(24, 200),
    ),
    Scenario(
        key="nm-alert-routing",
        kind=FailureKind.near_miss,
        services=("sms-gateway", "push-notifications", "warehouse-export", "reporting-api"),
        title="{service} critical alerts routed to a retired on-call schedule",
        description=(
            "An alert-routing audit found that {service}'s critical alerts still pointed at an on-call "
            "schedule retired during the last team reorganisation. Any page would have reached nobody."
        ),
        severity=(4, 5),
        impact_partners="None.",
        impact_consumers="None.",
        tags=("alerting", "on-call", "near-miss"),
        detection="Quarterly alert-routing audit.",
        diagnosis="The routing rule referenced the old schedule id.",
        mitigation="Re-pointed the alerts to {team} on-call.",
        resolution="Retiring a schedule is now blocked while alerts still route to it.",
        went_well="The audit found it.",
        went_wrong="Schedules could be retired while still in use.",
        lucky="No critical alert fired in the meantime.",
        lessons="Test the path an alert takes, not just the alert.",
        factors=(
            Factor("detection_gap", "Alerts routed nowhere."),
            Factor("process", "Reorganisation checklist missed alert routing."),
        ),
        actions=(
            act(
                PREVENT,
                MEDIUM,
                "Block retiring schedules that still receive alerts",
                "In the paging tool.",
                "platform",
            ),
            act(
                DETECT, LOW, "Weekly synthetic page to each team", "Acknowledged by the on-call.", "platform"
            ),
        ),
        detect_minutes=(0, 30),
        mitigate_minutes=(5, 60),
        resolve_hours=(48, 300),
    ),
    Scenario(
        key="nm-deploy-token",
        kind=FailureKind.near_miss,
        services=("api-gateway", "flag-service"),
        title="CI deploy token for {service} had write access to every production namespace",
        description=(
            "A permissions review found the CI token used for {service} deploys could write to every "
            "production namespace, including the payments ones. A compromised pipeline could have changed "
            "any service."
        ),
        severity=(4, 4),
        impact_partners="None.",
        impact_consumers="None.",
        tags=("security", "ci", "near-miss"),
        detection="Quarterly permissions review.",
        diagnosis="The token was created with a cluster-wide role during the initial setup.",
        mitigation="Scoped the token to {service}'s namespace.",
        resolution="Per-service deploy identities with namespace-scoped roles for every pipeline.",
        went_well="The review was thorough.",
        went_wrong="Broad permissions granted at setup were never revisited.",
        lucky="No sign the token was ever misused.",
        lessons="Temporary broad permissions become permanent unless something expires them.",
        factors=(Factor("security", "Over-broad CI permissions."),),
        actions=(
            act(
                PREVENT,
                HIGH,
                "Namespace-scoped deploy identities for every pipeline",
                "No cluster-wide roles.",
                "platform",
            ),
        ),
        detect_minutes=(0, 30),
        mitigate_minutes=(30, 180),
        resolve_hours=(48, 400),
    ),
)
