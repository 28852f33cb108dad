"""Incidents at the edge and in its clients: key rotation, partner rate limits, gateway headers,
consumer lag, clock skew, push and mobile clients, a missing index."""

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

EDGE_AND_CLIENT_INCIDENTS: tuple[Scenario, ...] = (
    Scenario(
        key="inc-key-rotation",
        kind=FailureKind.incident,
        services=("auth-service",),
        title="Users signed out after signing key rotation removed the old key too early",
        description=(
            "The quarterly rotation of token-signing keys published the new key and removed the old one in "
            "the same step. Every session token signed with the old key failed verification, signing out "
            "everyone in the web and mobile apps at once."
        ),
        severity=(1, 2),
        impact_partners="Partner API clients had to re-authenticate; most did so automatically.",
        impact_consumers="Every signed-in user was signed out; sign-in traffic spiked tenfold.",
        tags=("auth", "key-rotation", "sessions"),
        detection="Sign-in volume alert and a wave of 401s across services.",
        diagnosis="The key set no longer contained the key id used by existing tokens.",
        mitigation="Re-published the old key alongside the new one.",
        resolution="Rotation is now two steps a day apart: add the new key, then retire the old one.",
        went_well="Auth scaled for the sign-in spike without errors.",
        went_wrong="The rotation script did both steps at once; nothing checked for tokens still in use.",
        lucky="It happened at 7 am UTC, before the European peak.",
        lessons="Rotation is a migration: overlap old and new until nothing uses the old.",
        factors=(
            Factor("process", "The rotation procedure removed the old key in the same step."),
            Factor("time", "No overlap period between the two keys."),
            Factor("tooling", "The rotation script offered no dry run."),
        ),
        actions=(
            act(
                PREVENT,
                CRITICAL,
                "Two-phase key rotation with an overlap period",
                "Add the new key, wait out the token lifetime, then remove the old one.",
            ),
            act(
                DETECT,
                MEDIUM,
                "Alert when verification failures exceed 1% of requests",
                "Across all services verifying tokens.",
                "platform",
            ),
        ),
        detect_minutes=(1, 5),
        start_at=(7, 0),
        mitigate_minutes=(10, 25),
    ),
    Scenario(
        key="inc-partner-rate-limit",
        kind=FailureKind.incident,
        services=("api-gateway", "auth-service"),
        title="Partner API clients locked out by the {service} rate limit meant for password guessing",
        description=(
            "A new rate limit on failed authentication, aimed at password guessing, also counted partner "
            "clients refreshing expired tokens. Large partners refreshing many tokens at once were blocked "
            "for fifteen-minute windows."
        ),
        severity=(2, 3),
        impact_partners="Integrations of three large partners ({partners}) were blocked repeatedly for two hours.",
        impact_consumers="None.",
        tags=("rate-limiting", "partners", "security"),
        detection="Partner success escalated complaints from two partners within half an hour.",
        diagnosis="Gateway logs showed the new limit firing on token refresh calls.",
        mitigation="Exempted token refresh from the failed-authentication limit.",
        resolution="Limits are now keyed per credential type and tested against partner traffic replays.",
        went_well="Partner success escalated fast, with request ids that made the logs easy to find.",
        went_wrong="The limit was tested with shopper traffic only.",
        lucky="Partners' retry logic meant no transactions were lost, only delayed.",
        lessons="Security controls need testing against the legitimate traffic they might catch.",
        factors=(
            Factor("security", "A brute-force protection matched legitimate refresh traffic."),
            Factor("change_or_configuration", "The limit applied to all credential types."),
        ),
        actions=(
            act(
                PREVENT,
                MEDIUM,
                "Replay partner traffic against new gateway rules before rollout",
                "Shadow-evaluate rules on a day of partner traffic.",
                "platform",
            ),
        ),
        detect_minutes=(20, 45),
        mitigate_minutes=(30, 90),
    ),
    Scenario(
        key="inc-header-size",
        kind=FailureKind.incident,
        services=("api-gateway",),
        title="Requests with large cookies rejected with 431 after the gateway upgrade",
        description=(
            "The gateway upgrade lowered the default maximum header size. Browser sessions carrying several "
            "marketing cookies exceeded it and were rejected with 431 before reaching any service."
        ),
        severity=(2, 3),
        impact_partners="Merchant dashboard sign-ins failed for some merchants.",
        impact_consumers="About 2% of web requests failed, concentrated among returning shoppers.",
        tags=("gateway", "upgrade", "http"),
        detection="Support contacts about a blank error page, then the 4xx-rate alert.",
        diagnosis="431 responses at the edge; the new release notes listed the changed default.",
        mitigation="Set the header size limit explicitly to the old value.",
        resolution="All gateway limits are now explicit in configuration, with release notes reviewed per upgrade.",
        went_well="The release notes described the change, so diagnosis was quick once someone read them.",
        went_wrong="Relying on defaults meant an upgrade changed our behaviour without a config change.",
        lucky="The upgrade was on one of two gateway clusters, so half of traffic was unaffected.",
        lessons="Make every limit that matters explicit; defaults are someone else's decision.",
        factors=(
            Factor("dependency", "The gateway changed a default between versions."),
            Factor("knowledge", "Release notes were not part of the upgrade checklist."),
        ),
        actions=(
            act(
                PROCESS,
                MEDIUM,
                "Read and summarise release notes for every gateway upgrade",
                "A checklist item with a named reviewer.",
                "platform",
            ),
        ),
        detect_minutes=(15, 40),
        mitigate_minutes=(10, 30),
    ),
    Scenario(
        key="inc-consumer-lag",
        kind=FailureKind.incident,
        services=("event-bus",),
        title="Event bus consumer lag reached three hours; order confirmations delayed",
        description=(
            "A burst of retries after a partner outage tripled event volume on the payments topic. The "
            "consumer group had as many consumers as partitions, so it could not scale out, and lag grew to "
            "three hours."
        ),
        severity=(2, 3),
        impact_partners="{partners} received order updates up to three hours late.",
        impact_consumers="Order confirmation e-mails and pushes arrived hours late.",
        tags=("kafka", "capacity", "lag"),
        detection="Consumer lag alert, about forty minutes after the lag started growing.",
        diagnosis="Consumers were at full throughput; the partition count capped parallelism.",
        mitigation="Temporarily skipped enrichment in the consumer to raise throughput.",
        resolution="Increased partitions on the payments topic and set the alert on lag growth rate.",
        went_well="The consumer's feature switch made a quick throughput trade-off possible.",
        went_wrong="Partition count had not been revisited since the topic was created.",
        lucky="No events were lost; only delayed.",
        lessons="Capacity plans need a burst case, not just the daily peak.",
        factors=(
            Factor("capacity", "Partition count capped consumer parallelism."),
            Factor("detection_gap", "The lag alert fired on absolute lag, late."),
        ),
        actions=(
            act(MITIGATE, HIGH, "Increase partitions on high-volume topics", "Sized for three times peak."),
            act(
                DETECT,
                MEDIUM,
                "Alert on lag growth rate",
                "Fire when lag grows steadily for ten minutes, whatever its size.",
            ),
        ),
        detect_minutes=(30, 50),
        mitigate_minutes=(40, 120),
    ),
    Scenario(
        key="inc-clock-skew",
        kind=FailureKind.incident,
        services=("payouts", "api-gateway"),
        title="Signed {service} webhooks rejected by partners: clock skew on two nodes",
        description=(
            "Two nodes lost time synchronisation after a network change blocked NTP. Webhook signatures "
            "include a timestamp, and partners reject signatures more than five minutes old, so webhooks "
            "sent from those nodes failed verification."
        ),
        severity=(3, 3),
        impact_partners="{partners} rejected about 20% of webhooks for four hours; retries succeeded later.",
        impact_consumers="None.",
        tags=("time", "webhooks", "ntp"),
        detection="Partner reported signature verification failures.",
        diagnosis="Failures came only from two nodes whose clocks were seven minutes fast.",
        mitigation="Cordoned the two nodes and restored NTP access.",
        resolution="Firewall rule fixed; clock offset is now monitored on every node.",
        went_well="Grouping failures by node made the pattern obvious.",
        went_wrong="No monitoring of clock offset, and the firewall change had no list of what used NTP.",
        lucky="Webhook retries delivered everything eventually.",
        lessons="Time is a dependency. Monitor it like one.",
        factors=(
            Factor("time", "Clocks drifted once NTP was blocked."),
            Factor("change_or_configuration", "A firewall change blocked NTP traffic."),
            Factor("detection_gap", "Clock offset was not monitored."),
        ),
        actions=(act(DETECT, MEDIUM, "Alert on clock offset above 500 ms", "On every node.", "platform"),),
        detect_minutes=(120, 240),
        mitigate_minutes=(20, 60),
    ),
    Scenario(
        key="inc-push-migration",
        kind=FailureKind.incident,
        services=("push-notifications",),
        title="Android push notifications not delivered after the legacy send API was retired",
        description=(
            "The push provider retired its legacy send API on the announced date. Our Android sends still "
            "used it; the migration had been planned but had slipped twice. Android users received no push "
            "notifications for most of a day."
        ),
        severity=(3, 3),
        impact_partners="None.",
        impact_consumers="Android users got no order or delivery notifications for about nineteen hours.",
        tags=("push", "deprecation", "dependency"),
        detection="Delivery success rate dashboard, noticed the next morning.",
        diagnosis="Every Android send returned a 'deprecated endpoint' error.",
        mitigation="Shipped the half-finished migration to the new API behind a flag.",
        resolution="Completed the migration; deprecation dates now tracked with owners and reminders.",
        went_well="The migration branch existed and needed only a day of finishing.",
        went_wrong="The deprecation date lived in one e-mail thread; nothing alerted on failed sends.",
        lucky="iOS, most of our users, was unaffected.",
        lessons="A vendor deadline is an incident with a known start time. Track it like one.",
        factors=(
            Factor("dependency", "The provider retired an API we still used."),
            Factor("time", "A fixed deadline passed with the migration incomplete."),
            Factor("detection_gap", "No alert on push send failures."),
        ),
        actions=(
            act(
                PROCESS,
                MEDIUM,
                "Register of third-party deprecation dates with owners",
                "Reviewed monthly in the operations review.",
                "platform",
            ),
            act(DETECT, HIGH, "Alert on push delivery success rate below 95%", "Per platform."),
        ),
        detect_minutes=(600, 900),
        mitigate_minutes=(120, 300),
    ),
    Scenario(
        key="inc-old-app-crash",
        kind=FailureKind.incident,
        services=("mobile-bff",),
        title="Older app versions crashed on launch after mobile-bff removed a field",
        description=(
            "mobile-bff stopped sending a field that only app versions before 5.0 read. Those versions "
            "treated the field as required and crashed on launch. About 4% of active users were still on "
            "them."
        ),
        severity=(2, 3),
        impact_partners="None.",
        impact_consumers="About 4% of {consumers} could not open the app until they updated.",
        tags=("mobile", "compatibility", "api-contract"),
        detection="Crash reporting spike for app versions 4.x.",
        diagnosis="Stack traces showed the missing field in the home screen parser.",
        mitigation="Restored the field.",
        resolution="Field removals now check the version distribution first; a forced-update screen was added.",
        went_well="Crash reporting pointed at the exact parser and version range.",
        went_wrong="The assumption that nobody used versions before 5.0 was not checked against analytics.",
        lucky="The field was easy to restore without a new app release.",
        lessons="Old app versions live for years. Check who is still calling before removing anything.",
        factors=(
            Factor("change_or_configuration", "A field still read by old clients was removed."),
            Factor("knowledge", "App version usage was not easy to look up."),
        ),
        actions=(
            act(
                PREVENT,
                MEDIUM,
                "Contract tests against the three oldest supported app versions",
                "Run their parsers against BFF responses in CI.",
            ),
            act(
                MITIGATE,
                LOW,
                "Minimum version and forced-update screen",
                "Lets us retire old versions deliberately.",
            ),
        ),
        detect_minutes=(10, 30),
        mitigate_minutes=(15, 45),
    ),
    Scenario(
        key="inc-missing-index",
        kind=FailureKind.incident,
        services=("support-console",),
        title="Support console order search timed out for two hours",
        description=(
            "Order search by e-mail in the support console began timing out. The orders table had grown "
            "past the point where the planner chose the old partial index, and the query fell back to a "
            "scan of forty million rows."
        ),
        severity=(3, 3),
        impact_partners="None.",
        impact_consumers="Support agents could not look up orders; response times to shoppers doubled.",
        tags=("database", "performance"),
        detection="Support team lead reported agents unable to search.",
        diagnosis="EXPLAIN showed a sequential scan on orders.",
        mitigation="Created a suitable index concurrently.",
        resolution="Added query plan regression checks for the console's top ten queries.",
        went_well="Agents switched to searching by order number, which still worked.",
        went_wrong="No monitoring of query times for internal tools.",
        lucky="Contact volume was low that day, so the backlog stayed manageable.",
        lessons="Internal tools deserve latency monitoring too: their users are serving customers.",
        factors=(
            Factor("capacity", "Table growth changed the query plan."),
            Factor("detection_gap", "Internal tool latency was not monitored."),
        ),
        actions=(
            act(DETECT, MEDIUM, "Latency SLO and alert for the support console", "p95 under two seconds."),
        ),
        detect_minutes=(15, 40),
        mitigate_minutes=(40, 100),
    ),
)
