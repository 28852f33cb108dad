"""Incidents in shared infrastructure and back-office systems: webhooks, time zones, zone packet
loss, database failover, credential stuffing, the flag service, batch jobs, permissions, query plans."""

from __future__ import annotations

from failwell.demo.content.shapes import (
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

SHARED_SYSTEM_INCIDENTS: tuple[Scenario, ...] = (
    Scenario(
        key="inc-ticket-dupes",
        kind=FailureKind.incident,
        services=("ticket-sync",),
        title="Helpdesk tickets duplicated after webhook retries",
        description=(
            "The helpdesk retried webhooks that ticket-sync had processed but acknowledged slowly. Each retry "
            "created a new internal ticket, so agents saw two or three copies of many refund requests."
        ),
        severity=(4, 4),
        impact_partners="None.",
        impact_consumers="Support agents handled duplicates; two refunds were issued twice and recovered.",
        tags=("webhooks", "idempotency"),
        detection="Agents reported duplicate tickets.",
        diagnosis="Duplicate tickets shared the same helpdesk delivery id.",
        mitigation="Merged duplicates and paused refund automation.",
        resolution="Webhooks are deduplicated by delivery id and acknowledged before processing.",
        went_well="Agents flagged it early and the duplicate refunds were caught.",
        went_wrong="Webhook handling was not idempotent.",
        lucky="Refund approval for large amounts stopped the costliest duplicates.",
        lessons="Assume every webhook arrives more than once.",
        factors=(Factor("dependency", "The helpdesk retries slow acknowledgements."),),
        actions=(
            act(
                PREVENT, MEDIUM, "Deduplicate webhooks by delivery id", "Store processed ids for seven days."
            ),
        ),
        detect_minutes=(60, 180),
        mitigate_minutes=(30, 60),
    ),
    Scenario(
        key="inc-dst-dashboards",
        kind=FailureKind.incident,
        services=("reporting-api",),
        title="Merchant dashboards showed the wrong day's figures after the clocks changed",
        description=(
            "On the night the clocks changed, reporting-api computed 'today' in UTC while dashboard tiles "
            "were cached per local date. For merchants in affected time zones, the first hour of the day "
            "showed yesterday's totals labelled as today's."
        ),
        severity=(3, 4),
        impact_partners="{partners} saw wrong daily totals for about an hour; several opened tickets.",
        impact_consumers="Dashboard users saw the wrong day's figures.",
        tags=("time", "timezones", "reporting"),
        detection="Merchant tickets the following morning.",
        diagnosis="Cache keys used the local date while the query used the UTC date.",
        mitigation="Flushed the tile cache.",
        resolution="Dates handled in the merchant's time zone end to end; tests cover clock changes.",
        went_well="The cause was reproduced in a test within an hour.",
        went_wrong="No tests covered the daylight-saving boundaries.",
        lucky="The error affected display only; settlement files were correct.",
        lessons="Time zone handling needs tests at the awkward boundaries, not just on ordinary days.",
        factors=(
            Factor("time", "Daylight-saving change exposed mixed UTC and local dates."),
            Factor("detection_gap", "No tests around clock changes."),
        ),
        actions=(
            act(PREVENT, LOW, "Tests for daylight-saving boundaries in reporting", "Both transitions."),
        ),
        detect_minutes=(300, 600),
        mitigate_minutes=(10, 30),
    ),
    Scenario(
        key="inc-zone-packet-loss",
        kind=FailureKind.incident,
        services=("checkout-api", "api-gateway", "auth-service", "ledger", "mobile-bff"),
        title="Packet loss between availability zones degraded {service}",
        description=(
            "The cloud provider had packet loss between two availability zones in our region. Calls from "
            "{service} to dependencies in the other zone timed out intermittently, and error rates rose "
            "until traffic was shifted."
        ),
        severity=(2, 3),
        impact_partners="{partners} saw elevated errors for about thirty-five minutes.",
        impact_consumers="{consumers} saw intermittent failures for about thirty-five minutes.",
        tags=("cloud-provider", "networking"),
        detection="Error-rate alert on {service}.",
        diagnosis="Errors concentrated on cross-zone calls; the provider confirmed a network issue later.",
        mitigation="Drained the affected zone and kept traffic zone-local.",
        resolution="Provider fixed the fault; zone evacuation was added to the runbook as a tested procedure.",
        went_well="Zone-level dashboards showed the pattern before the provider confirmed anything.",
        went_wrong="Draining a zone was a manual, unrehearsed sequence of steps.",
        lucky="We had enough capacity in two zones to absorb the third's traffic.",
        lessons="Practise zone evacuation before it is needed.",
        factors=(
            Factor("dependency", "Cloud provider network fault between zones."),
            Factor("hardware", "Degraded network links in the provider's region."),
        ),
        actions=(
            act(PROCESS, MEDIUM, "Quarterly zone evacuation drill", "Timed and written up.", "platform"),
        ),
        detect_minutes=(3, 10),
        mitigate_minutes=(15, 40),
        resolve_hours=(2, 8),
    ),
    Scenario(
        key="inc-db-failover",
        kind=FailureKind.incident,
        services=("checkout-api", "ledger", "auth-service", "payouts"),
        title="{service} read-only for six minutes during an unplanned database failover",
        description=(
            "The primary database host for {service} failed a hardware health check and the managed service "
            "failed over. Connection pools kept connections to the old primary, so writes failed until the "
            "pools were recycled."
        ),
        severity=(2, 3),
        impact_partners="Writes from {partners} failed for about six minutes.",
        impact_consumers="{consumers} could browse but not complete actions for about six minutes.",
        tags=("database", "failover"),
        detection="Write error alert on {service}.",
        diagnosis="'cannot execute in a read-only transaction' errors; the provider reported a failover.",
        mitigation="Restarted {service} pods to reset connection pools.",
        resolution="Pools now validate connections and reconnect on read-only errors.",
        went_well="The failover itself took under a minute, as designed.",
        went_wrong="Our connection handling turned a one-minute failover into six.",
        lucky="It happened outside the payout batch window.",
        lessons="Test failovers with the real application, not only the database.",
        factors=(
            Factor("hardware", "Primary database host failed."),
            Factor("tooling", "Connection pools did not detect the role change."),
        ),
        actions=(
            act(PREVENT, HIGH, "Reconnect on read-only errors", "Recycle pooled connections on failover."),
            act(PROCESS, MEDIUM, "Failover test in staging every quarter", "With application traffic."),
        ),
        detect_minutes=(1, 4),
        mitigate_minutes=(3, 8),
    ),
    Scenario(
        key="inc-credential-stuffing",
        kind=FailureKind.incident,
        services=("api-gateway", "auth-service"),
        title="Credential stuffing traffic saturated sign-in capacity on {service}",
        description=(
            "A credential stuffing campaign sent around 4,000 sign-in attempts a second from rotating "
            "residential proxies. Per-IP limits did not catch it, password hashing saturated CPU, and "
            "legitimate sign-ins slowed or failed."
        ),
        severity=(2, 2),
        impact_partners="Merchant dashboard sign-ins slowed or failed for about fifty minutes.",
        impact_consumers="Sign-ins slowed or failed for about fifty minutes.",
        tags=("security", "abuse", "rate-limiting"),
        detection="Sign-in latency alert and CPU saturation on auth-service.",
        diagnosis="Traffic analysis showed high failure ratios across thousands of IPs with shared fingerprints.",
        mitigation="Enabled the bot challenge on sign-in and blocked the fingerprints.",
        resolution="Risk-based challenges on sign-in and breached-password checks enabled.",
        went_well="Security and identity worked the incident together from the first alert.",
        went_wrong="Protections were per IP only; the campaign was distributed.",
        lucky="No account takeovers were confirmed.",
        lessons="Abuse controls must assume distributed attackers.",
        factors=(
            Factor("security", "A distributed credential stuffing campaign."),
            Factor("capacity", "Password hashing capacity was sized for normal sign-in volume."),
        ),
        actions=(
            act(
                PREVENT,
                HIGH,
                "Risk-based challenge on sign-in",
                "Challenge on fingerprint and failure-ratio signals.",
                "identity",
            ),
            act(
                DETECT, MEDIUM, "Alert on sign-in failure ratio", "Across the fleet, not per IP.", "identity"
            ),
        ),
        detect_minutes=(5, 15),
        mitigate_minutes=(20, 50),
    ),
    Scenario(
        key="inc-flag-service-down",
        kind=FailureKind.incident,
        services=("flag-service",),
        title="flag-service outage made clients fall back to stale defaults",
        description=(
            "flag-service ran out of database connections after a traffic spike from a new polling client. "
            "Clients without a local cache fell back to code defaults, which for several services were "
            "months out of date."
        ),
        severity=(2, 3),
        impact_partners="Some partner-facing features reverted to older behaviour for about twenty minutes.",
        impact_consumers="App features controlled by flags flickered between old and new behaviour.",
        tags=("feature-flags", "dependency", "capacity"),
        detection="flag-service availability alert.",
        diagnosis="Connection pool exhausted; polling rate from one client was 50 times the norm.",
        mitigation="Blocked the misbehaving client and restarted flag-service.",
        resolution="Clients must cache the last known flags locally; rate limits added per client.",
        went_well="The misbehaving client was identified from access logs within minutes.",
        went_wrong="Not every client cached flags locally, so an outage meant code defaults.",
        lucky="The stale defaults were mostly harmless.",
        lessons="A configuration service must be able to fail without changing anyone's behaviour.",
        factors=(
            Factor("capacity", "A polling client overloaded the service."),
            Factor("tooling", "Client libraries did not all cache flags."),
        ),
        actions=(
            act(
                PREVENT,
                HIGH,
                "Local last-known-good cache in every flag client",
                "Persisted across restarts.",
            ),
            act(
                MITIGATE,
                MEDIUM,
                "Per-client rate limits on flag-service",
                "Protects against one noisy client.",
            ),
        ),
        detect_minutes=(1, 5),
        mitigate_minutes=(10, 30),
    ),
    Scenario(
        key="inc-batch-twice",
        kind=FailureKind.incident,
        services=("payouts", "warehouse-export"),
        title="{service} batch job ran twice after a scheduler failover",
        description=(
            "The job scheduler failed over between instances just as the {service} batch started. The "
            "new leader did not see the run as started and launched it again, so the batch ran twice in "
            "parallel."
        ),
        severity=(2, 3),
        impact_partners="{partners} received duplicated records that had to be withdrawn.",
        impact_consumers="None directly.",
        tags=("scheduler", "batch", "idempotency"),
        detection="Row counts for the batch were double the usual.",
        diagnosis="Scheduler logs showed two leaders for eleven seconds.",
        mitigation="Stopped the second run and removed its output.",
        resolution="Batch runs take a database lock keyed on the run date.",
        went_well="The duplicate output was caught before the partner's processing window.",
        went_wrong="The batch assumed the scheduler guaranteed one run at a time.",
        lucky="Detection happened minutes before the files were sent on.",
        lessons="Schedulers can run a job twice. Jobs must protect themselves.",
        factors=(
            Factor("time", "Failover coincided with the batch start."),
            Factor("process", "The job had no guard against concurrent runs."),
        ),
        actions=(
            act(PREVENT, HIGH, "Run-date lock for batch jobs", "Second run exits if the lock is held."),
        ),
        detect_minutes=(20, 60),
        mitigate_minutes=(10, 30),
    ),
    Scenario(
        key="inc-refund-permissions",
        kind=FailureKind.incident,
        services=("support-console",),
        title="Support agents unable to issue refunds after a role mapping change",
        description=(
            "An identity provider group was renamed during a directory clean-up. The support console mapped "
            "roles by group name, so agents lost the refund permission and saw 'not allowed' on every "
            "refund."
        ),
        severity=(3, 3),
        impact_partners="None.",
        impact_consumers="Shoppers waiting for refunds were delayed by about half a day.",
        tags=("permissions", "identity-provider"),
        detection="Agents reported the error to their team lead.",
        diagnosis="The console's role mapping referenced a group name that no longer existed.",
        mitigation="Updated the mapping to the new group name.",
        resolution="Role mapping now uses immutable group ids, and unknown groups raise an alert.",
        went_well="Agents had a documented manual refund path for urgent cases.",
        went_wrong="The directory clean-up had no list of systems depending on group names.",
        lucky="Few urgent refunds were pending.",
        lessons="Map permissions by stable identifiers, never by display names.",
        factors=(
            Factor("change_or_configuration", "A group rename broke the role mapping."),
            Factor("security", "Permissions were bound to a mutable name."),
        ),
        actions=(act(PREVENT, MEDIUM, "Map roles by group id", "Replace name-based mapping."),),
        detect_minutes=(30, 120),
        mitigate_minutes=(60, 240),
    ),
    Scenario(
        key="inc-plan-flip",
        kind=FailureKind.incident,
        services=("ledger", "reporting-api"),
        title="{service} queries slowed tenfold after a statistics refresh changed the plan",
        description=(
            "The nightly statistics refresh made the planner pick a nested loop for {service}'s busiest "
            "query. Its p95 went from 40 ms to 600 ms, and the connection pool backed up during the morning "
            "peak."
        ),
        severity=(3, 3),
        impact_partners="{partners} saw slow responses for about ninety minutes.",
        impact_consumers="{consumers} saw slow pages during the morning.",
        tags=("database", "performance"),
        detection="Latency SLO burn-rate alert.",
        diagnosis="Plan comparison showed a nested loop replacing a hash join.",
        mitigation="Re-ran ANALYZE with a larger sample; the old plan returned.",
        resolution="Raised the statistics target on the skewed column and track plans of the top queries.",
        went_well="Saved query plans made the comparison quick.",
        went_wrong="Skewed data made the default statistics sample unreliable.",
        lucky="Caching absorbed most read traffic.",
        lessons="Watch plans, not just latency, for the queries that matter.",
        factors=(
            Factor("capacity", "Data skew grew with volume."),
            Factor("tooling", "No plan regression monitoring."),
        ),
        actions=(act(DETECT, LOW, "Track query plans of the top twenty queries", "Alert on plan changes."),),
        detect_minutes=(10, 30),
        mitigate_minutes=(30, 80),
    ),
)
