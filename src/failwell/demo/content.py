"""The demo organisation's texts: teams, people, services and the failures they live through.

Scenario texts may use these placeholders, filled in by the loader: {service} (the
affected service), {team} (its owning team), {partners} and {consumers} (who depends
on it) and, for failed deployments, {version}. Reviews describe systems and
conditions, never a person's fault.
"""

from __future__ import annotations

from dataclasses import dataclass

from failwell.enums import (
    ActionPriority,
    ActionType,
    ConsumerKind,
    DeploymentOutcome,
    FailureKind,
    Role,
    Tier,
)

# ---- shapes -------------------------------------------------------------------


@dataclass(frozen=True)
class TeamSpec:
    name: str
    description: str
    tracker_key: str  # project key of the team's board in the issue tracker


@dataclass(frozen=True)
class PersonSpec:
    name: str
    email: str
    role: Role
    teams: tuple[str, ...]


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    description: str
    team: str
    tier: Tier
    consumers: tuple[tuple[str, ConsumerKind], ...]
    releases_per_week: float
    first_version: tuple[int, int, int]
    # What changes to this service are about; release titles are drawn from these.
    change_subjects: tuple[str, ...]


@dataclass(frozen=True)
class Factor:
    category: str  # a key of the seeded factor taxonomy
    description: str


@dataclass(frozen=True)
class ActionSpec:
    action_type: ActionType
    priority: ActionPriority
    title: str
    description: str
    team: str | None = None  # None: the team owning the affected service
    # In a recurring family: whether it was finished before the failure came back.
    done_before_recurrence: bool = True


@dataclass(frozen=True)
class Scenario:
    """One kind of failure, with everything needed to record it and review it."""

    key: str
    kind: FailureKind
    # Standalone scenarios: candidate services, one is picked per use (empty means any).
    # Occurrences of a recurring family: every service listed is affected.
    services: tuple[str, ...]
    title: str
    description: str
    severity: tuple[int, int]  # inclusive range, 1 is worst
    impact_partners: str
    impact_consumers: str
    tags: tuple[str, ...]
    detection: str
    diagnosis: str
    mitigation: str
    resolution: str
    went_well: str
    went_wrong: str
    lucky: str
    lessons: str
    factors: tuple[Factor, ...]
    actions: tuple[ActionSpec, ...]
    detect_minutes: tuple[int, int] = (3, 25)
    mitigate_minutes: tuple[int, int] = (15, 90)  # after detection
    resolve_hours: tuple[int, int] = (2, 48)  # after mitigation
    outcome: DeploymentOutcome | None = None  # failed deployments: the outcome it fits
    start_at: tuple[int, int] | None = None  # (hour, minute) UTC, when the text names a time
    month_end: bool = False  # starts on the last day of a month


@dataclass(frozen=True)
class Family:
    """Failures that share one underlying cause and keep coming back."""

    key: str
    days_ago: tuple[int, ...]  # when each occurrence starts, counted back from today
    occurrences: tuple[Scenario, ...]


def _a(
    action_type: ActionType,
    priority: ActionPriority,
    title: str,
    description: str,
    team: str | None = None,
    *,
    done_before_recurrence: bool = True,
) -> ActionSpec:
    return ActionSpec(action_type, priority, title, description, team, done_before_recurrence)


MITIGATE, PREVENT, DETECT, PROCESS = (
    ActionType.mitigate,
    ActionType.prevent,
    ActionType.detect,
    ActionType.process,
)
CRITICAL, HIGH, MEDIUM, LOW = (
    ActionPriority.critical,
    ActionPriority.high,
    ActionPriority.medium,
    ActionPriority.low,
)
PARTNER, CONSUMER, INTERNAL = ConsumerKind.partner, ConsumerKind.consumer, ConsumerKind.internal

# ---- the organisation ------------------------------------------------------------

TEAMS: tuple[TeamSpec, ...] = (
    TeamSpec(
        "payments",
        "Owns checkout, the ledger, payouts and fraud scoring: everything between a shopper pressing Pay and "
        "a merchant being paid. On call around the clock with a rota shared between Lisbon and Toronto.",
        "PAY",
    ),
    TeamSpec(
        "identity",
        "Sign-in, sessions, multi-factor authentication and the SMS gateway that delivers one-time passcodes. "
        "Aims to keep the sign-in path fast, boring and hard to abuse.",
        "IDN",
    ),
    TeamSpec(
        "platform",
        "Runs the Kubernetes clusters, the API gateway, the feature-flag service and the deploy pipeline that "
        "every other team ships through.",
        "PLAT",
    ),
    TeamSpec(
        "data",
        "The event bus, warehouse exports and the reporting API behind merchant settlement dashboards. Owns "
        "data retention and the month-end close jobs finance depends on.",
        "DATA",
    ),
    TeamSpec(
        "mobile",
        "The iOS and Android apps, the backend-for-frontend that shapes API responses for them, and push "
        "notifications.",
        "MOB",
    ),
    TeamSpec(
        "support-tooling",
        "Builds the console customer support agents use to look up orders, issue refunds and keep tickets in "
        "step with the helpdesk.",
        "SUP",
    ),
)

DEMO_DOMAIN = "demo.failwell.dev"

# The first person is the demo login; the loader gives them the demo e-mail and password.
PEOPLE: tuple[PersonSpec, ...] = (
    PersonSpec("Morgan Ellis", "owner@demo.failwell.dev", Role.practice_owner, ("platform",)),
    PersonSpec("Priya Raman", "priya.raman@demo.failwell.dev", Role.practice_owner, ()),
    PersonSpec("Tomasz Nowak", "tomasz.nowak@demo.failwell.dev", Role.practice_manager, ("payments",)),
    PersonSpec("Aisha Bello", "aisha.bello@demo.failwell.dev", Role.practice_manager, ("identity",)),
    PersonSpec("Lena Fischer", "lena.fischer@demo.failwell.dev", Role.practice_manager, ("platform",)),
    PersonSpec("Diego Alvarez", "diego.alvarez@demo.failwell.dev", Role.practice_manager, ("data",)),
    PersonSpec(
        "Hannah Okafor",
        "hannah.okafor@demo.failwell.dev",
        Role.practice_manager,
        ("mobile", "support-tooling"),
    ),
    PersonSpec("Sam Whitfield", "sam.whitfield@demo.failwell.dev", Role.practitioner, ("payments",)),
    PersonSpec("Mei Lin Chen", "meilin.chen@demo.failwell.dev", Role.practitioner, ("payments",)),
    PersonSpec("Jonas Berg", "jonas.berg@demo.failwell.dev", Role.practitioner, ("payments", "platform")),
    PersonSpec("Fatima Haddad", "fatima.haddad@demo.failwell.dev", Role.practitioner, ("identity",)),
    PersonSpec("Oliver Grant", "oliver.grant@demo.failwell.dev", Role.practitioner, ("identity",)),
    PersonSpec("Noah Jensen", "noah.jensen@demo.failwell.dev", Role.practitioner, ("identity", "mobile")),
    PersonSpec("Kenji Watanabe", "kenji.watanabe@demo.failwell.dev", Role.practitioner, ("platform",)),
    PersonSpec("Rosa Martins", "rosa.martins@demo.failwell.dev", Role.practitioner, ("platform",)),
    PersonSpec("Arjun Mehta", "arjun.mehta@demo.failwell.dev", Role.practitioner, ("data",)),
    PersonSpec("Sofia Rossi", "sofia.rossi@demo.failwell.dev", Role.practitioner, ("data",)),
    PersonSpec("Lucas Moreau", "lucas.moreau@demo.failwell.dev", Role.practitioner, ("mobile",)),
    PersonSpec("Grace Mwangi", "grace.mwangi@demo.failwell.dev", Role.practitioner, ("mobile",)),
    PersonSpec("Daniel Kim", "daniel.kim@demo.failwell.dev", Role.practitioner, ("support-tooling",)),
    PersonSpec("Elif Demir", "elif.demir@demo.failwell.dev", Role.practitioner, ("support-tooling", "data")),
    PersonSpec("Claire Dubois", "claire.dubois@demo.failwell.dev", Role.viewer, ("support-tooling",)),
    PersonSpec("Ravi Shankar", "ravi.shankar@demo.failwell.dev", Role.viewer, ()),
    PersonSpec("Emma Thompson", "emma.thompson@demo.failwell.dev", Role.viewer, ()),
    PersonSpec("Yusuf Kaya", "yusuf.kaya@demo.failwell.dev", Role.viewer, ("payments",)),
)

SERVICES: tuple[ServiceSpec, ...] = (
    ServiceSpec(
        "checkout-api",
        "Takes card and wallet payments for web and app checkouts, talks to the card acquirer and writes "
        "payment intents to the payments database.",
        "payments",
        Tier.tier1,
        (("Merchant partners", PARTNER), ("Web shoppers", CONSUMER), ("Mobile app users", CONSUMER)),
        3.0,
        (4, 2, 0),
        (
            "retry acquirer timeouts with the original idempotency key",
            "add Apple Pay merchant validation for the Nordic storefronts",
            "move 3-D Secure challenge rendering behind the new flag",
            "reduce payment-intent row size by dropping the legacy JSON blob",
            "tune the connection pool and statement timeout for checkout writes",
            "send declined-reason codes to merchants in the webhook payload",
            "upgrade the HTTP client library used for acquirer calls",
            "split the capture path from authorisation",
        ),
    ),
    ServiceSpec(
        "ledger",
        "Double-entry ledger of every money movement; source of truth for merchant balances and the daily "
        "reconciliation with bank statements.",
        "payments",
        Tier.tier1,
        (("Bank partners", PARTNER), ("Finance operations", INTERNAL)),
        1.5,
        (2, 7, 3),
        (
            "record FX conversions with the rate snapshot id",
            "speed up the daily reconciliation query with a covering index",
            "reject postings whose legs do not balance to the cent",
            "archive closed accounting periods to cold storage",
            "expose balance history to the reporting API",
            "rotate the bank SFTP client credentials",
        ),
    ),
    ServiceSpec(
        "payouts",
        "Batches merchant balances into payout instructions and sends them to partner banks twice a day.",
        "payments",
        Tier.tier2,
        (("Merchant partners", PARTNER), ("Bank partners", PARTNER)),
        1.2,
        (1, 9, 0),
        (
            "add SEPA Instant as a payout rail for eligible merchants",
            "make payout instruction submission idempotent per batch",
            "hold payouts for accounts under fraud review",
            "support weekly payout schedules",
            "include remittance references in bank files",
        ),
    ),
    ServiceSpec(
        "fraud-scoring",
        "Scores each payment attempt for fraud risk in under 50 ms; checkout declines or challenges above the "
        "threshold.",
        "payments",
        Tier.tier2,
        (("Checkout", INTERNAL), ("Risk operations", INTERNAL)),
        2.0,
        (3, 0, 5),
        (
            "ship a model retrained on the last quarter's chargebacks",
            "add device-fingerprint features to the scoring request",
            "cache merchant risk profiles for five minutes",
            "log feature values for declined payments to help appeals",
            "lower the challenge threshold for first-time cards",
        ),
    ),
    ServiceSpec(
        "auth-service",
        "Sign-in, sessions and token issuance for shoppers, merchants and partner API clients; publishes the "
        "signing keys other services verify tokens with.",
        "identity",
        Tier.tier1,
        (("Merchant partners", PARTNER), ("Web shoppers", CONSUMER), ("Mobile app users", CONSUMER)),
        2.0,
        (5, 4, 1),
        (
            "support passkeys for merchant dashboard sign-in",
            "shorten refresh-token lifetime for partner API clients",
            "add per-account rate limits to password sign-in",
            "cache the signing-key set in memory with a refresh timer",
            "migrate session storage to the new Redis cluster",
            "log sign-in risk signals for the security team",
        ),
    ),
    ServiceSpec(
        "sms-gateway",
        "Sends one-time passcodes and payment alerts by SMS through a third-party provider.",
        "identity",
        Tier.tier2,
        (("Mobile app users", CONSUMER), ("Web shoppers", CONSUMER)),
        1.0,
        (2, 1, 4),
        (
            "add a secondary SMS provider with automatic failover",
            "template passcode messages per country",
            "drop delivery receipts older than 30 days",
            "retry provider 5xx responses with backoff",
        ),
    ),
    ServiceSpec(
        "api-gateway",
        "The public edge for partner and app traffic: TLS termination, routing, authentication and rate "
        "limits.",
        "platform",
        Tier.tier1,
        (("Merchant partners", PARTNER), ("Bank partners", PARTNER), ("Mobile app users", CONSUMER)),
        1.5,
        (6, 3, 0),
        (
            "upgrade the proxy to the next minor release",
            "add per-partner rate-limit overrides",
            "enable HTTP/2 for partner traffic",
            "route /v2/payouts to the payouts service",
            "reject requests with oversized headers earlier",
        ),
    ),
    ServiceSpec(
        "flag-service",
        "Serves feature flags and remote configuration to every backend service and both apps.",
        "platform",
        Tier.tier2,
        (("Backend services", INTERNAL), ("Mobile app users", CONSUMER)),
        1.5,
        (1, 2, 0),
        (
            "validate flag definitions against a schema on publish",
            "add percentage rollouts by merchant id",
            "stream flag updates instead of polling",
            "keep an audit trail of flag changes",
        ),
    ),
    ServiceSpec(
        "event-bus",
        "Kafka-based event bus carrying order, payment and account events between services and into the "
        "warehouse.",
        "data",
        Tier.tier2,
        (("Backend services", INTERNAL), ("Data warehouse", INTERNAL)),
        1.0,
        (3, 5, 2),
        (
            "raise partition count for payment events",
            "enable compression on high-volume topics",
            "add a dead-letter topic for malformed events",
            "upgrade brokers to the next patch release",
        ),
    ),
    ServiceSpec(
        "warehouse-export",
        "Nightly and month-end exports from the event bus into the warehouse, and the settlement files "
        "merchants download.",
        "data",
        Tier.tier3,
        (("Merchant partners", PARTNER), ("Finance operations", INTERNAL)),
        1.0,
        (0, 14, 0),
        (
            "split the month-end export into per-merchant chunks",
            "write settlement files as CSV and Parquet",
            "add row-count checks between source and warehouse",
            "move the nightly schedule out of the backup window",
        ),
    ),
    ServiceSpec(
        "reporting-api",
        "Serves settlement and sales figures to merchant dashboards and to partners' accounting "
        "integrations.",
        "data",
        Tier.tier3,
        (("Merchant partners", PARTNER), ("Merchant dashboard users", CONSUMER)),
        1.5,
        (2, 0, 0),
        (
            "add daily sales by payment method",
            "paginate the settlement line endpoint",
            "serve figures in the merchant's time zone",
            "cache dashboard tiles for sixty seconds",
        ),
    ),
    ServiceSpec(
        "mobile-bff",
        "Backend-for-frontend for the iOS and Android apps: aggregates catalogue, cart, payment and account "
        "calls into app-shaped responses.",
        "mobile",
        Tier.tier1,
        (("Mobile app users", CONSUMER),),
        3.0,
        (7, 11, 2),
        (
            "aggregate the home screen into a single call",
            "add the saved-cards endpoint for the new wallet screen",
            "warm the catalogue cache before switching traffic",
            "return localized error messages",
            "drop the fields only app versions before 5.0 used",
            "move product images to the new CDN",
        ),
    ),
    ServiceSpec(
        "push-notifications",
        "Sends order, delivery and payment push notifications to the iOS and Android apps.",
        "mobile",
        Tier.tier3,
        (("Mobile app users", CONSUMER),),
        1.0,
        (1, 4, 0),
        (
            "batch notifications per device",
            "add quiet hours per user time zone",
            "migrate Android sends to the HTTP v1 API",
            "drop tokens for uninstalled apps",
        ),
    ),
    ServiceSpec(
        "support-console",
        "The console customer support agents use to find orders, see payment history and issue refunds.",
        "support-tooling",
        Tier.tier3,
        (("Support agents", INTERNAL),),
        2.0,
        (3, 3, 0),
        (
            "show payout status on the merchant page",
            "add partial refunds for multi-item orders",
            "speed up order search by e-mail",
            "require a second approver for refunds over 500 EUR",
        ),
    ),
    ServiceSpec(
        "ticket-sync",
        "Keeps helpdesk tickets in step with orders and refunds in both directions.",
        "support-tooling",
        Tier.tier4,
        (("Support agents", INTERNAL),),
        0.8,
        (0, 6, 1),
        (
            "deduplicate helpdesk webhooks by delivery id",
            "sync refund status back to the ticket",
            "upgrade the helpdesk SDK",
        ),
    ),
)

CHANGE_DESCRIPTION = (
    "Release {version} of {service}: {subject}. Rolled out to staging first, then to production behind a "
    "canary at 5% of traffic for fifteen minutes."
)
EMERGENCY_CHANGE_DESCRIPTION = (
    "Emergency change to {service} following a failed release: {subject}. Approved by the on-call practice "
    "manager; the normal review happens afterwards."
)

# Sentences a review's "what went well" may gain on top of the scenario's own.
WENT_WELL_EXTRAS: tuple[str, ...] = (
    "The incident channel was open within five minutes and an incident lead was named early.",
    "Status page updates went out every thirty minutes, which kept support ahead of partner questions.",
    "The runbook for this service was current and the first three steps applied as written.",
    "Handover between time zones was clean: the written summary in the channel was enough to pick up from.",
    "Dashboards showed the blast radius clearly, so nobody had to guess who was affected.",
)

WONT_DO_REASONS: tuple[str, ...] = (
    "Superseded by the move to the managed database, which makes this setting irrelevant.",
    "The cost outweighs the benefit: this path carries under 0.1% of traffic and has a working manual "
    "fallback.",
    "The vendor retired the API this was about; the replacement integration covers the risk.",
    "Covered by the broader action on the same service; tracking it twice only splits the work.",
    "The service is scheduled for decommissioning next quarter.",
)

TIMELINE_NOTES: tuple[str, ...] = (
    "Status page updated; partner success notified the largest affected accounts.",
    "Customer support given a holding reply for incoming contacts.",
    "Second responder joined to keep notes so the incident lead could focus.",
    "Decided not to roll back the unrelated release that went out an hour earlier: no correlation in "
    "the traces.",
    "Checked with the cloud provider status page: nothing reported for our region.",
)


# ---- failed deployments ---------------------------------------------------------

FAILED_DEPLOYMENTS: tuple[Scenario, ...] = (
    Scenario(
        key="fd-n-plus-one",
        kind=FailureKind.failed_deployment,
        services=("checkout-api", "mobile-bff", "reporting-api", "support-console", "ledger"),
        title="{service} {version} rolled back: new endpoint issued one query per line item",
        description=(
            "{service} {version} changed how line items are loaded: instead of one query per request it ran "
            "one per item. Fine with the three-item carts in staging data, but p99 latency went from 180 ms to "
            "2.4 s once large production requests arrived, and the database CPU reached 85%."
        ),
        severity=(2, 3),
        impact_partners="{partners} saw slow responses and some timeouts for about twenty minutes.",
        impact_consumers="{consumers} saw slow pages; roughly 3% of requests timed out.",
        tags=("latency", "database", "rollback"),
        detection="Canary latency guard fired at 5% traffic but the rollout was already promoted to 50%.",
        diagnosis="Query count per request jumped from 4 to over 60; traced to the new line-item loader.",
        mitigation="Rolled back to the previous version; latency back to baseline within four minutes.",
        resolution="Fix forward released with a single batched query and a test asserting the query count.",
        went_well="The rollback was one command and took under four minutes.",
        went_wrong=(
            "Staging data has no large requests, so the change looked fast. The canary guard compared "
            "averages, which hid the tail."
        ),
        lucky="It happened well away from the evening peak.",
        lessons=(
            "Realistic data volume in staging matters more than realistic data values. Canary checks "
            "should look at p99, not the mean."
        ),
        factors=(
            Factor("change_or_configuration", "The new loader fetched items one at a time."),
            Factor("detection_gap", "Staging data and the canary average both hid the tail latency."),
        ),
        actions=(
            _a(
                PREVENT,
                HIGH,
                "Assert query counts per request in integration tests",
                "Fail the build when a request issues more queries than its budget.",
            ),
            _a(
                DETECT,
                MEDIUM,
                "Compare p99 latency, not the mean, in canary analysis",
                "Change the canary guard to compare p99 latency against the stable version.",
                "platform",
            ),
            _a(
                PREVENT,
                MEDIUM,
                "Seed staging with production-sized requests",
                "Add anonymised large requests to the staging dataset.",
            ),
        ),
        outcome=DeploymentOutcome.rolled_back,
        detect_minutes=(2, 10),
    ),
    Scenario(
        key="fd-serialisation",
        kind=FailureKind.failed_deployment,
        services=("checkout-api", "payouts", "reporting-api", "ledger", "auth-service"),
        title="{service} {version} rolled back: library upgrade changed date serialisation",
        description=(
            "A routine upgrade of the JSON library in {service} {version} changed the default date format: "
            "timestamps went out without a UTC offset. Two downstream consumers parsed them as local time and "
            "one rejected them outright."
        ),
        severity=(2, 4),
        impact_partners="Integrations run by {partners} rejected or misread timestamps for about forty minutes.",
        impact_consumers="No direct impact on {consumers}; some receipts showed times off by one hour.",
        tags=("dependency-upgrade", "contract", "rollback"),
        detection="A partner's integration team reported parsing errors through the partner support line.",
        diagnosis="Diffed responses between versions: timestamps lost their trailing Z.",
        mitigation="Rolled back; responses carry the offset again.",
        resolution="Pinned the serialiser configuration explicitly and added a contract test on the format.",
        went_well="Response diffing between the two versions found the cause in minutes.",
        went_wrong=(
            "Nothing checked the wire format of our responses; the dependency update was reviewed as a "
            "routine bump with no behaviour change expected."
        ),
        lucky="The partner that noticed first reported it quickly instead of silently dropping records.",
        lessons="Wire formats are a contract. Library defaults are part of our API whether we chose them or not.",
        factors=(
            Factor("dependency", "The library changed a default between minor versions."),
            Factor("detection_gap", "No contract test covered date formats in responses."),
        ),
        actions=(
            _a(
                PREVENT,
                HIGH,
                "Contract tests for the public response format",
                "Snapshot-test representative responses, including timestamps, in CI.",
            ),
            _a(
                PREVENT,
                LOW,
                "Set serialiser options explicitly instead of relying on defaults",
                "Configure date, decimal and null handling explicitly in one shared module.",
            ),
        ),
        outcome=DeploymentOutcome.rolled_back,
        detect_minutes=(10, 40),
    ),
    Scenario(
        key="fd-mixed-versions",
        kind=FailureKind.failed_deployment,
        services=("ledger", "payouts", "auth-service", "support-console", "checkout-api"),
        title="{service} {version} rolled back: old pods could not read rows written by new pods",
        description=(
            "{service} {version} added a column and started writing a new enum value in the same release. "
            "During the rolling update old pods read rows written by new pods and failed on the unknown "
            "value, returning 500s for about a third of requests until the rollout was reversed."
        ),
        severity=(2, 3),
        impact_partners="{partners} saw intermittent errors during the rollout window.",
        impact_consumers="Around a third of requests from {consumers} failed for twelve minutes.",
        tags=("rolling-update", "database", "rollback"),
        detection="Error-rate alert on {service} fired three minutes into the rollout.",
        diagnosis="Errors came only from pods on the previous version, all on deserialising the new enum value.",
        mitigation="Rolled back, then cleaned up the rows with the new value so the old version could read them.",
        resolution="Re-released in two steps: read support first, writing the new value one release later.",
        went_well="Error logs named the failing field exactly, which shortened diagnosis.",
        went_wrong=(
            "The expand-and-contract pattern is known in the team but nothing in review or CI prompts for it "
            "when a change both adds and writes a new value."
        ),
        lucky="The new value was only written for a rare request type, so few rows needed fixing.",
        lessons="Every release must be readable by the release before it. Make that a checklist item, not memory.",
        factors=(
            Factor("change_or_configuration", "Schema change and new writes shipped in the same release."),
            Factor("process", "The review checklist has no step for mixed-version compatibility."),
        ),
        actions=(
            _a(
                PROCESS,
                MEDIUM,
                "Add a mixed-version compatibility item to the pull request template",
                "Ask explicitly whether the previous release can read what this one writes.",
            ),
            _a(
                PREVENT,
                MEDIUM,
                "Run the previous version's tests against the new schema in CI",
                "A CI job that runs the last release's test suite on the migrated database.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.rolled_back,
        detect_minutes=(2, 6),
    ),
    Scenario(
        key="fd-memory",
        kind=FailureKind.failed_deployment,
        services=(),
        title="{service} {version} rolled back: pods OOM-killed under normal load",
        description=(
            "{service} {version} brought in a new tracing library that buffers spans in memory. Under "
            "production traffic heap use grew past the container limit within ten minutes and pods were "
            "OOM-killed in a rolling wave."
        ),
        severity=(2, 4),
        impact_partners="Brief error bursts for {partners} while pods restarted.",
        impact_consumers="{consumers} saw intermittent errors over about fifteen minutes.",
        tags=("memory", "observability", "rollback"),
        detection="Pod restart alert fired after the third OOM kill in five minutes.",
        diagnosis="Heap profile showed the span buffer holding hundreds of thousands of unexported spans.",
        mitigation="Rolled back to the previous version.",
        resolution="Capped the span buffer and raised the memory limit by 25% after a soak test.",
        went_well="Restart alerts fired promptly and the rollback was uneventful.",
        went_wrong="Staging traffic is too low to fill the buffer, so memory growth never showed before production.",
        lucky="The restarts were staggered, so there was always spare capacity serving.",
        lessons="Memory behaviour needs a soak under production-like load before a library change ships.",
        factors=(
            Factor("capacity", "The container memory limit had little headroom."),
            Factor("detection_gap", "No soak test at production traffic levels."),
        ),
        actions=(
            _a(
                DETECT,
                MEDIUM,
                "Thirty-minute soak test with replayed traffic for library upgrades",
                "Replay sampled production traffic in staging before promoting dependency upgrades.",
                "platform",
            ),
            _a(
                MITIGATE,
                LOW,
                "Right-size memory limits from observed peaks",
                "Set limits to observed p99 peak plus 30%, reviewed quarterly.",
            ),
        ),
        outcome=DeploymentOutcome.rolled_back,
        detect_minutes=(5, 15),
    ),
    Scenario(
        key="fd-retry-storm",
        kind=FailureKind.failed_deployment,
        services=("checkout-api", "mobile-bff", "payouts", "support-console", "ticket-sync"),
        title="{service} {version} rolled back: retries without jitter amplified a slow dependency",
        description=(
            "{service} {version} replaced its HTTP client and the new one retried failed calls three times "
            "immediately. When a dependency slowed down, the retries tripled its load and turned a slowdown "
            "into an outage for both services."
        ),
        severity=(2, 3),
        impact_partners="{partners} saw timeouts for around twenty-five minutes.",
        impact_consumers="{consumers} saw errors and slow responses for around twenty-five minutes.",
        tags=("retries", "dependency", "rollback"),
        detection="The dependency's saturation alert fired; its owners saw request volume triple.",
        diagnosis="Traced the extra volume to immediate retries from the new release of {service}.",
        mitigation="Rolled back {service}; the dependency recovered within minutes.",
        resolution="Adopted the shared retry policy: exponential backoff, jitter and a retry budget.",
        went_well="The two teams worked the incident together in one channel from the start.",
        went_wrong="Each client library configures retries differently, and the default here was aggressive.",
        lucky="The dependency had autoscaling headroom, which kept it partly available.",
        lessons="Retries are load. Every client should share one retry policy with a budget.",
        factors=(
            Factor("change_or_configuration", "The new HTTP client retried immediately by default."),
            Factor("capacity", "Retries tripled load on an already slow dependency."),
        ),
        actions=(
            _a(
                PREVENT,
                HIGH,
                "Shared retry policy with backoff, jitter and a retry budget",
                "One library-level policy all services use; no per-call retry loops.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.rolled_back,
        detect_minutes=(4, 12),
    ),
    Scenario(
        key="fd-default-on",
        kind=FailureKind.failed_deployment,
        services=("mobile-bff", "checkout-api", "support-console", "auth-service", "push-notifications"),
        title="{service} {version} rolled back: unfinished feature shipped switched on",
        description=(
            "{service} {version} contained a half-built feature whose flag defaulted to on when the flag "
            "service had no entry for it. Production had no entry, so the unfinished path was live for every "
            "request."
        ),
        severity=(3, 4),
        impact_partners="None reported.",
        impact_consumers="{consumers} saw an incomplete screen and some failed actions for about half an hour.",
        tags=("feature-flags", "rollback"),
        detection="Support contacts about a screen that was not supposed to exist yet.",
        diagnosis="The flag lookup fell back to the code default, which was true.",
        mitigation="Rolled back, then created the flag explicitly switched off.",
        resolution="Flag defaults in code are now required to be off; a lint rule enforces it.",
        went_well="Support spotted the pattern across contacts and escalated within twenty minutes.",
        went_wrong="A missing flag silently meant on; nothing warned that production lacked the flag.",
        lucky="The unfinished path failed visibly rather than writing bad data.",
        lessons="A missing flag should mean the safe behaviour. Defaults in code are a production decision.",
        factors=(
            Factor("change_or_configuration", "The code default for the flag was on."),
            Factor("tooling", "The flag client does not warn when a flag is missing."),
        ),
        actions=(
            _a(
                PREVENT,
                MEDIUM,
                "Lint rule: feature flag defaults must be off",
                "Fail CI when a flag lookup has a default of true.",
                "platform",
            ),
            _a(
                DETECT,
                LOW,
                "Log a warning when a flag lookup falls back to its default",
                "Surface missing flags on the flag-service dashboard.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.rolled_back,
        detect_minutes=(15, 45),
    ),
    Scenario(
        key="fd-timeout-copy",
        kind=FailureKind.failed_deployment,
        services=("payouts", "ledger", "warehouse-export", "ticket-sync", "fraud-scoring"),
        title="{service} {version} rolled back: a copied config block cut a timeout from 10 s to 1 s",
        description=(
            "{service} {version} added a new outbound client, and its configuration block was copied from a "
            "latency-sensitive service. The copy also overrode the shared timeout to one second, which the "
            "slowest upstream calls exceed during busy periods."
        ),
        severity=(3, 4),
        impact_partners="Some requests from {partners} failed and were retried by their clients.",
        impact_consumers="Little direct impact; background work fell behind by about an hour.",
        tags=("configuration", "timeouts", "rollback"),
        detection="Timeout errors climbed steadily after the release; the error-budget alert fired.",
        diagnosis="Config diff between releases showed the timeout override in the copied block.",
        mitigation="Rolled back.",
        resolution="Removed the override and made timeouts per client explicit with comments on why.",
        went_well="The config diff in the deploy summary pointed straight at the change.",
        went_wrong="Config blocks are shared by copying; the copy carried an override nobody needed.",
        lucky="The backlog drained within an hour of the rollback.",
        lessons="Configuration copied is configuration changed. Diffs of effective config belong in review.",
        factors=(
            Factor("change_or_configuration", "A copied block overrode a shared timeout."),
            Factor("tooling", "Review showed the source diff, not the effective configuration diff."),
        ),
        actions=(
            _a(
                DETECT,
                MEDIUM,
                "Show effective configuration diffs in pull requests",
                "Render the merged configuration for each environment and diff it in CI.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.rolled_back,
        detect_minutes=(10, 30),
    ),
    Scenario(
        key="fd-migration-lock",
        kind=FailureKind.failed_deployment,
        services=("ledger", "checkout-api", "payouts", "support-console", "auth-service"),
        title="{service} {version} deploy failed: migration timed out waiting for a table lock",
        description=(
            "The {version} migration for {service} ran ALTER TABLE on a busy table. It queued behind a long "
            "reporting query, and every write queued behind the migration. The pipeline aborted after its "
            "ten-minute timeout, the migration was cancelled, and writes resumed."
        ),
        severity=(2, 3),
        impact_partners="Writes from {partners} stalled for up to ten minutes and some timed out.",
        impact_consumers="{consumers} saw slow or failed actions for about ten minutes.",
        tags=("database", "migration", "locks"),
        detection="The pipeline's migration step timed out; write-latency alert fired at the same time.",
        diagnosis="pg_locks showed the ALTER waiting on a reporting query and writes waiting on the ALTER.",
        mitigation="Pipeline cancelled the migration; the queue of waiting writes drained at once.",
        resolution="Migrations now set a short lock_timeout and retry; the change was released off-peak.",
        went_well="The pipeline timeout bounded the damage without anyone having to act.",
        went_wrong="Migrations waited for locks indefinitely by default, and writes queued behind them.",
        lucky="The reporting query happened to finish shortly after the cancel.",
        lessons="A migration that cannot get its lock quickly should give up and retry, not block everyone.",
        factors=(
            Factor("change_or_configuration", "The migration took an exclusive lock on a busy table."),
            Factor("tooling", "No lock timeout was set for migrations."),
        ),
        actions=(
            _a(
                PREVENT,
                HIGH,
                "Set lock_timeout for all migrations",
                "Migrations give up after three seconds waiting for a lock and retry with backoff.",
                "platform",
            ),
            _a(
                PROCESS,
                LOW,
                "Run schema migrations as a separate pipeline step",
                "Separate schema changes from application rollout so they can be scheduled off-peak.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.failed,
        detect_minutes=(8, 12),
        mitigate_minutes=(1, 5),
    ),
    Scenario(
        key="fd-missing-secret",
        kind=FailureKind.failed_deployment,
        services=(),
        title="{service} {version} deploy failed: pods crash-looped on a missing setting",
        description=(
            "{service} {version} made a new setting mandatory. It existed in staging, where it had been set "
            "by hand, but not in the production secret store. New pods crash-looped at start-up; the old "
            "version kept serving and the pipeline marked the deploy failed."
        ),
        severity=(4, 5),
        impact_partners="None: the previous version kept serving.",
        impact_consumers="None: the previous version kept serving.",
        tags=("configuration", "secrets"),
        detection="Pipeline reported the rollout as not progressing after five minutes.",
        diagnosis="Pod logs showed the start-up check failing on the missing setting.",
        mitigation="Pipeline aborted the rollout automatically; old pods were never replaced.",
        resolution="Added the setting to the production store and re-deployed.",
        went_well="Start-up validation failed fast and loudly, and the rollout never replaced healthy pods.",
        went_wrong="Staging was configured by hand, so it did not reveal that production lacked the setting.",
        lucky="Nothing customer-facing depended on this release being out that day.",
        lessons="Staging must be configured from the same source as production or it proves nothing.",
        factors=(
            Factor("process", "Staging configuration was edited by hand outside the normal path."),
            Factor("knowledge", "The new setting was documented only in the pull request description."),
        ),
        actions=(
            _a(
                PREVENT,
                MEDIUM,
                "Check required settings exist in the target environment before rollout",
                "A pipeline step that compares the service's declared settings with the secret store.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.failed,
        detect_minutes=(5, 10),
        mitigate_minutes=(0, 3),
        resolve_hours=(1, 6),
    ),
    Scenario(
        key="fd-image-arch",
        kind=FailureKind.failed_deployment,
        services=(),
        title="{service} {version} deploy failed: image built for arm64 only",
        description=(
            "The build for {service} {version} ran on one of the new arm64 CI runners and published a "
            "single-architecture image. Production nodes are amd64, so containers failed with 'exec format "
            "error' and the rollout stalled."
        ),
        severity=(4, 5),
        impact_partners="None.",
        impact_consumers="None: the previous version kept serving.",
        tags=("ci", "build"),
        detection="Rollout stalled; pipeline reported failed pods.",
        diagnosis="'exec format error' in container logs; image manifest listed arm64 only.",
        mitigation="Rollout aborted automatically.",
        resolution="Rebuilt as a multi-architecture image and re-deployed.",
        went_well="The failure was immediate and obvious, with no partial rollout.",
        went_wrong="The runner pool gained arm64 machines without the build templates being updated.",
        lucky="The mixed runner pool was spotted on a low-risk release.",
        lessons="Infrastructure changes to CI are changes to every service's build.",
        factors=(Factor("tooling", "Build templates assumed every runner was amd64."),),
        actions=(
            _a(
                DETECT,
                MEDIUM,
                "Verify image architectures before deploy",
                "Fail the pipeline when the manifest lacks the production architecture.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.failed,
        detect_minutes=(3, 8),
        mitigate_minutes=(0, 2),
        resolve_hours=(1, 4),
    ),
    Scenario(
        key="fd-readiness",
        kind=FailureKind.failed_deployment,
        services=(),
        title="{service} {version} deploy failed: readiness probe pointed at a removed endpoint",
        description=(
            "{service} {version} renamed its health endpoint. The deployment chart still probed the old "
            "path, so new pods never became ready and the rollout timed out. Staging uses a different chart "
            "values file with the new path, which is why it passed there."
        ),
        severity=(4, 5),
        impact_partners="None.",
        impact_consumers="None: the previous version kept serving.",
        tags=("kubernetes", "health-checks"),
        detection="Pipeline reported the rollout as not progressing.",
        diagnosis="Readiness probe returned 404 on the old health path.",
        mitigation="Rollout aborted automatically.",
        resolution="Chart values aligned across environments; the old path kept as an alias for one release.",
        went_well="The rollout safety net worked as designed.",
        went_wrong="Staging and production chart values had drifted apart.",
        lucky="Nothing.",
        lessons="Environment differences should be few and deliberate; every other difference is a trap.",
        factors=(
            Factor("change_or_configuration", "The health endpoint was renamed."),
            Factor("detection_gap", "Staging chart values differed from production."),
        ),
        actions=(
            _a(
                PREVENT,
                LOW,
                "Generate chart values for all environments from one template",
                "Keep only documented per-environment differences.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.failed,
        detect_minutes=(8, 12),
        mitigate_minutes=(0, 2),
        resolve_hours=(1, 8),
    ),
    Scenario(
        key="fd-registry-limit",
        kind=FailureKind.failed_deployment,
        services=(),
        title="{service} {version} deploy failed: image pulls rate-limited by the public registry",
        description=(
            "The {service} {version} image referenced a base image on a public registry. Several teams "
            "deployed at once, the cluster hit the registry's anonymous pull limit, and new pods stayed in "
            "ImagePullBackOff until the pipeline gave up."
        ),
        severity=(4, 5),
        impact_partners="None.",
        impact_consumers="None: the previous version kept serving.",
        tags=("ci", "dependency", "container-registry"),
        detection="Pipeline failure with ImagePullBackOff on new pods.",
        diagnosis="Registry responses showed HTTP 429 for anonymous pulls.",
        mitigation="Rollout aborted automatically.",
        resolution="Base images mirrored into our own registry; Dockerfiles updated.",
        went_well="The error message named the cause directly.",
        went_wrong="Base images came from a third party with limits we had not planned for.",
        lucky="It happened during a quiet deploy window rather than during an emergency fix.",
        lessons="Anything the deploy path pulls from outside is a dependency of every deploy.",
        factors=(
            Factor("dependency", "A public registry rate limit applied to our cluster."),
            Factor("capacity", "Many pulls at once exceeded the anonymous quota."),
        ),
        actions=(
            _a(
                PREVENT,
                MEDIUM,
                "Mirror base images into the internal registry",
                "Pull base images through the internal mirror only.",
                "platform",
            ),
        ),
        outcome=DeploymentOutcome.failed,
        detect_minutes=(6, 12),
        mitigate_minutes=(0, 2),
        resolve_hours=(1, 5),
    ),
)

# ---- incidents ----------------------------------------------------------------

INCIDENTS: tuple[Scenario, ...] = (
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
            _a(
                PREVENT,
                HIGH,
                "Require pod disruption budgets for tier 1 and tier 2 services",
                "Admission policy rejects deployments of tier 1 and 2 services without one.",
                "platform",
            ),
            _a(
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
            _a(
                DETECT,
                MEDIUM,
                "Alert on conntrack usage above 75%",
                "Node-level alert routed to platform on-call.",
                "platform",
            ),
            _a(
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
            _a(
                PREVENT,
                MEDIUM,
                "Auto-expire log-level overrides after four hours",
                "The logging config endpoint records an expiry and reverts on its own.",
                "platform",
            ),
            _a(DETECT, HIGH, "Alert on node disk usage above 80%", "Routed to platform on-call.", "platform"),
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
            _a(
                PROCESS,
                MEDIUM,
                "Subscribe to the acquirer's incident notices and add them to the runbook",
                "Route their status notices into the payments on-call channel.",
            ),
            _a(
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
            _a(
                PREVENT,
                CRITICAL,
                "Reuse the original file reference on payout retries",
                "The bank deduplicates on the reference; retries must keep it.",
            ),
            _a(
                DETECT,
                HIGH,
                "Intra-day check of outgoing totals against instructions",
                "Alert within an hour of a mismatch instead of the next morning.",
                "data",
            ),
            _a(
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
            _a(
                PREVENT,
                HIGH,
                "Single rounding function with property tests",
                "All FX conversions go through one tested function.",
            ),
            _a(
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
            _a(
                DETECT,
                HIGH,
                "Alert on feature distribution shifts",
                "Compare hourly feature distributions with the trailing week.",
            ),
            _a(
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
            _a(
                PREVENT,
                CRITICAL,
                "Two-phase key rotation with an overlap period",
                "Add the new key, wait out the token lifetime, then remove the old one.",
            ),
            _a(
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
        title="Partner API clients locked out by a {service} rate limit meant for password guessing",
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
            _a(
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
            _a(
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
            _a(MITIGATE, HIGH, "Increase partitions on high-volume topics", "Sized for three times peak."),
            _a(
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
        actions=(_a(DETECT, MEDIUM, "Alert on clock offset above 500 ms", "On every node.", "platform"),),
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
            _a(
                PROCESS,
                MEDIUM,
                "Register of third-party deprecation dates with owners",
                "Reviewed monthly in the operations review.",
                "platform",
            ),
            _a(DETECT, HIGH, "Alert on push delivery success rate below 95%", "Per platform."),
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
            _a(
                PREVENT,
                MEDIUM,
                "Contract tests against the three oldest supported app versions",
                "Run their parsers against BFF responses in CI.",
            ),
            _a(
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
            _a(DETECT, MEDIUM, "Latency SLO and alert for the support console", "p95 under two seconds."),
        ),
        detect_minutes=(15, 40),
        mitigate_minutes=(40, 100),
    ),
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
            _a(PREVENT, MEDIUM, "Deduplicate webhooks by delivery id", "Store processed ids for seven days."),
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
        actions=(_a(PREVENT, LOW, "Tests for daylight-saving boundaries in reporting", "Both transitions."),),
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
            _a(PROCESS, MEDIUM, "Quarterly zone evacuation drill", "Timed and written up.", "platform"),
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
            _a(PREVENT, HIGH, "Reconnect on read-only errors", "Recycle pooled connections on failover."),
            _a(PROCESS, MEDIUM, "Failover test in staging every quarter", "With application traffic."),
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
            _a(
                PREVENT,
                HIGH,
                "Risk-based challenge on sign-in",
                "Challenge on fingerprint and failure-ratio signals.",
                "identity",
            ),
            _a(DETECT, MEDIUM, "Alert on sign-in failure ratio", "Across the fleet, not per IP.", "identity"),
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
            _a(
                PREVENT,
                HIGH,
                "Local last-known-good cache in every flag client",
                "Persisted across restarts.",
            ),
            _a(
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
        actions=(_a(PREVENT, HIGH, "Run-date lock for batch jobs", "Second run exits if the lock is held."),),
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
        actions=(_a(PREVENT, MEDIUM, "Map roles by group id", "Replace name-based mapping."),),
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
        actions=(_a(DETECT, LOW, "Track query plans of the top twenty queries", "Alert on plan changes."),),
        detect_minutes=(10, 30),
        mitigate_minutes=(30, 80),
    ),
)

# ---- near misses ----------------------------------------------------------------

NEAR_MISSES: tuple[Scenario, ...] = (
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
            _a(DETECT, HIGH, "Page on backup job failure", "Routed to the owning team's on-call."),
            _a(
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
            _a(
                PREVENT,
                MEDIUM,
                "Expire production cluster contexts after an hour",
                "Reverts to staging.",
                "platform",
            ),
            _a(
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
        actions=(_a(DETECT, MEDIUM, "Alert at 70% of every cloud quota", "Per region.", "platform"),),
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
        actions=(_a(DETECT, HIGH, "External monitoring of domain expiry", "Alert at 45 days.", "platform"),),
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
            _a(
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
            _a(
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
            _a(PROCESS, MEDIUM, "Review runbooks as part of every tooling change", "Checklist item."),
            _a(PROCESS, LOW, "Supervised restore for everyone on the rota", "Once a year."),
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
            _a(
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
            _a(
                PREVENT,
                MEDIUM,
                "Block retiring schedules that still receive alerts",
                "In the paging tool.",
                "platform",
            ),
            _a(DETECT, LOW, "Weekly synthetic page to each team", "Acknowledged by the on-call.", "platform"),
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
            _a(
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

# ---- recurring failures ---------------------------------------------------------

_POOL_FACTORS = (
    Factor("capacity", "The checkout connection pool is small relative to peak concurrency."),
    Factor("dependency", "Slow acquirer calls hold database connections while they wait."),
)

RECURRING: tuple[Family, ...] = (
    Family(
        key="checkout-pool",
        days_ago=(640, 470, 300, 95),
        occurrences=(
            Scenario(
                key="pool-1",
                kind=FailureKind.incident,
                services=("checkout-api",),
                title="Checkout failing with 'connection pool exhausted' during the evening peak",
                description=(
                    "From 19:40 checkout-api returned 503s for about one in five payment attempts. Every "
                    "database connection in the pool was checked out, and new requests waited out their "
                    "timeout. The pool had 20 connections per pod; peak concurrency was higher than that for "
                    "the first time."
                ),
                severity=(1, 2),
                impact_partners="{partners} lost about 20% of checkout attempts for 35 minutes.",
                impact_consumers="Shoppers saw 'payment could not be completed' and many retried.",
                tags=("connection-pool", "database", "checkout"),
                detection="Checkout error-rate alert.",
                diagnosis="Pool metrics showed all connections checked out and a growing wait queue.",
                mitigation="Scaled checkout-api from 6 to 12 pods to add connections.",
                resolution="Raised the pool to 40 connections per pod after checking database headroom.",
                went_well="Scaling out was quick and the database had headroom.",
                went_wrong="Pool saturation was not alerted on, and the pool size was a default never revisited.",
                lucky="Database max_connections was high enough for the extra pods.",
                lessons="Pool size is capacity. It needs an alert and a number someone chose on purpose.",
                factors=_POOL_FACTORS[:1],
                actions=(
                    _a(
                        MITIGATE,
                        HIGH,
                        "Raise checkout-api pool size to 40 per pod",
                        "Within database connection headroom.",
                    ),
                    _a(
                        DETECT,
                        HIGH,
                        "Alert on connection pool saturation above 80%",
                        "Checkout-api pool checked-out ratio.",
                    ),
                ),
                detect_minutes=(3, 6),
                start_at=(19, 40),
                mitigate_minutes=(15, 35),
                resolve_hours=(20, 48),
            ),
            Scenario(
                key="pool-2",
                kind=FailureKind.incident,
                services=("checkout-api",),
                title="Checkout pool exhausted again: connections held during slow acquirer calls",
                description=(
                    "Checkout-api ran out of database connections again, this time at only half the previous "
                    "peak traffic. The saturation alert added last time fired within two minutes. The acquirer "
                    "was slow, and each payment held its database connection open across the acquirer call, "
                    "so slow responses tied up the whole pool."
                ),
                severity=(2, 2),
                impact_partners="{partners} lost around 12% of checkout attempts for 25 minutes.",
                impact_consumers="Shoppers saw slow or failed payments.",
                tags=("connection-pool", "database", "checkout", "acquirer"),
                detection="Pool saturation alert (added after the previous exhaustion).",
                diagnosis="Connection hold times matched acquirer latency: transactions spanned the external call.",
                mitigation="Scaled out and lowered the acquirer timeout to 6 seconds.",
                resolution="Payment flow split: commit before calling the acquirer, update after.",
                went_well="The new saturation alert fired early and pointed straight at the pool.",
                went_wrong=(
                    "The first review treated the pool as too small; the real issue was connections held "
                    "across a network call."
                ),
                lucky="The acquirer recovered on its own within half an hour.",
                lessons="Never hold a database transaction open across a call to another system.",
                factors=_POOL_FACTORS,
                actions=(
                    _a(
                        PREVENT,
                        CRITICAL,
                        "Release the connection before calling the acquirer",
                        "Split the payment transaction around the external call.",
                    ),
                    _a(
                        PREVENT,
                        MEDIUM,
                        "Lint for transactions spanning HTTP calls",
                        "Static check in checkout-api CI.",
                    ),
                ),
                detect_minutes=(1, 3),
                mitigate_minutes=(10, 25),
                resolve_hours=(48, 120),
            ),
            Scenario(
                key="pool-3",
                kind=FailureKind.incident,
                services=("checkout-api", "ledger"),
                title="Checkout connection pool saturated by the ledger reconciliation job",
                description=(
                    "Checkout-api's pool saturated again despite the transaction split. This time the "
                    "ledger's reconciliation job, newly moved to the same database cluster, held long "
                    "transactions that blocked checkout writes on row locks, so checkout connections "
                    "stayed busy while waiting."
                ),
                severity=(2, 3),
                impact_partners="{partners} saw slow payments and about 5% failures for 20 minutes.",
                impact_consumers="Shoppers saw slow payment confirmation.",
                tags=("connection-pool", "database", "checkout", "locks"),
                detection="Pool saturation alert.",
                diagnosis="Lock waits on payment rows; the blocker was the reconciliation job.",
                mitigation="Paused the reconciliation job.",
                resolution="Reconciliation reads from a replica and writes in small batches.",
                went_well="Lock monitoring found the blocker within ten minutes.",
                went_wrong="Moving the job onto the shared cluster was not treated as a change to checkout.",
                lucky="The job was at the start of its run, so pausing it lost no work.",
                lessons="Sharing a database means sharing incidents. Batch work belongs on replicas.",
                factors=(
                    Factor("capacity", "Checkout and batch work share one database cluster."),
                    Factor("change_or_configuration", "Reconciliation job moved onto the checkout cluster."),
                ),
                actions=(
                    _a(PREVENT, HIGH, "Move reconciliation reads to a replica", "Writes in batches of 500."),
                    _a(
                        PROCESS,
                        MEDIUM,
                        "Treat moving workloads between database clusters as a normal change",
                        "Reviewed by every team on the cluster.",
                        "platform",
                    ),
                ),
                detect_minutes=(1, 3),
                mitigate_minutes=(8, 20),
                resolve_hours=(72, 200),
            ),
            Scenario(
                key="pool-4",
                kind=FailureKind.incident,
                services=("checkout-api",),
                title="Checkout pool exhausted during a partner's flash sale",
                description=(
                    "A merchant partner ran an unannounced flash sale. Checkout traffic went to four times "
                    "the usual peak in ten minutes; autoscaling added pods, but each new pod opened 40 "
                    "connections and the database hit max_connections, so both new and old pods failed to "
                    "get connections."
                ),
                severity=(1, 2),
                impact_partners="{partners} lost roughly a third of checkout attempts for 15 minutes.",
                impact_consumers="Shoppers in the sale saw failed payments.",
                tags=("connection-pool", "database", "checkout", "capacity"),
                detection="Pool saturation alert and database connection-limit alert together.",
                diagnosis="Database at max_connections; the autoscaler had tripled the pod count.",
                mitigation="Capped replicas and put a connection pooler in front of the database.",
                resolution="A transaction-mode pooler is now the only path to the checkout database.",
                went_well="Both alerts fired within a minute, and the earlier fixes held under normal load.",
                went_wrong=(
                    "Per-pod pools multiplied by autoscaling can exceed the database limit; the earlier fix "
                    "raised pool size without accounting for the autoscaler."
                ),
                lucky="The sale was short.",
                lessons="Connection budgets must be set for the whole fleet, not per pod.",
                factors=(
                    Factor("capacity", "Autoscaling multiplied per-pod pools past the database limit."),
                    Factor("change_or_configuration", "The earlier pool increase ignored autoscaling."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        CRITICAL,
                        "Put a transaction-mode connection pooler in front of the checkout database",
                        "Fleet-wide connection budget.",
                        "platform",
                    ),
                    _a(
                        PROCESS,
                        MEDIUM,
                        "Ask merchant partners to announce large sales",
                        "Through partner success, with a form.",
                        "payments",
                    ),
                ),
                detect_minutes=(1, 2),
                mitigate_minutes=(10, 20),
                resolve_hours=(24, 96),
            ),
        ),
    ),
    Family(
        key="tls-expiry",
        days_ago=(600, 410, 230, 40),
        occurrences=(
            Scenario(
                key="tls-1",
                kind=FailureKind.incident,
                services=("api-gateway",),
                title="Partner API unreachable: TLS certificate on the partner endpoint expired",
                description=(
                    "The TLS certificate on the partner API endpoint expired at 00:00 UTC. Partner clients "
                    "refused to connect, so all partner API traffic failed until a new certificate was "
                    "issued and deployed. The certificate had been issued manually a year earlier."
                ),
                severity=(1, 1),
                impact_partners="Every API call from {partners} failed for 2 hours 10 minutes.",
                impact_consumers="Mobile app traffic on the same gateway was unaffected (separate certificate).",
                tags=("tls", "certificates", "expiry"),
                detection="Partner reports, then the synthetic check (which ran only hourly).",
                diagnosis="Certificate expiry date was midnight UTC.",
                mitigation="Issued and deployed a new certificate manually.",
                resolution="Partner certificates moved to automated issuance and renewal.",
                went_well="Once understood, issuing a new certificate took twenty minutes.",
                went_wrong="Manual certificates had no expiry monitoring and the renewal lived in one calendar.",
                lucky="It expired at night for most European partners.",
                lessons="Anything that expires must renew itself or be watched by something that never forgets.",
                factors=(
                    Factor("time", "Certificate expired."),
                    Factor("process", "Manual renewal relied on a personal calendar reminder."),
                    Factor("detection_gap", "No expiry monitoring; synthetic check hourly."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        CRITICAL,
                        "Automate certificate issuance and renewal for gateway endpoints",
                        "Renew at 30 days before expiry.",
                    ),
                    _a(
                        DETECT,
                        HIGH,
                        "Alert on any certificate expiring within 21 days",
                        "Scan all public endpoints daily.",
                    ),
                ),
                detect_minutes=(10, 25),
                start_at=(0, 0),
                mitigate_minutes=(60, 120),
                resolve_hours=(48, 200),
            ),
            Scenario(
                key="tls-2",
                kind=FailureKind.incident,
                services=("sms-gateway", "auth-service"),
                title="SMS delivery receipts rejected: mTLS client certificate expired",
                description=(
                    "The client certificate sms-gateway uses for mutual TLS with the SMS provider's receipt "
                    "callback expired. It was not a gateway certificate, so the new renewal automation did "
                    "not cover it, and the expiry scanner only checked public endpoints."
                ),
                severity=(3, 3),
                impact_partners="None.",
                impact_consumers="Passcodes were still sent, but delivery status was unknown for 5 hours.",
                tags=("tls", "certificates", "expiry", "sms"),
                detection="Delivery receipt dashboard dropped to zero.",
                diagnosis="Provider logs showed TLS handshake failures with an expired client certificate.",
                mitigation="Issued a new client certificate and shared it with the provider.",
                resolution="Client certificates added to the inventory the expiry scanner checks.",
                went_well="The receipt dashboard made the problem visible quickly.",
                went_wrong="The fix after the last certificate expiry covered gateway certificates only.",
                lucky="Passcodes themselves kept flowing.",
                lessons="Fix the class of problem, not the instance: inventory every certificate we depend on.",
                factors=(
                    Factor("time", "Client certificate expired."),
                    Factor("detection_gap", "Expiry scanner covered only public endpoints."),
                ),
                actions=(
                    _a(
                        DETECT,
                        HIGH,
                        "Inventory all client and internal certificates in the expiry scanner",
                        "Including certificates held by providers.",
                        "platform",
                    ),
                ),
                detect_minutes=(30, 90),
                mitigate_minutes=(60, 200),
                resolve_hours=(48, 200),
            ),
            Scenario(
                key="tls-3",
                kind=FailureKind.near_miss,
                services=("ledger",),
                title="Bank SFTP client certificate found five days from expiry",
                description=(
                    "The certificate inventory scan flagged the ledger's client certificate for the bank's "
                    "SFTP statement feed: five days to expiry. The bank needs ten working days to register a "
                    "new certificate, so the statement feed would have stopped."
                ),
                severity=(4, 4),
                impact_partners="None; bank statements would have stopped arriving.",
                impact_consumers="None.",
                tags=("tls", "certificates", "expiry", "bank", "near-miss"),
                detection="Certificate inventory scanner (added after the previous expiry).",
                diagnosis="The bank's registration lead time exceeds the 21-day alert window.",
                mitigation="Bank agreed to an expedited registration.",
                resolution="Alert thresholds now per certificate, from the counterparty's lead time.",
                went_well="The inventory scanner caught it.",
                went_wrong="The 21-day alert assumed we control renewal time; the bank's lead time is longer.",
                lucky="The bank's contact could expedite.",
                lessons="An expiry alert must leave more time than the slowest renewal path needs.",
                factors=(
                    Factor("time", "Renewal lead time longer than alert window."),
                    Factor("dependency", "Bank registration process takes ten working days."),
                ),
                actions=(
                    _a(
                        DETECT,
                        MEDIUM,
                        "Per-certificate alert thresholds from counterparty lead times",
                        "Stored in the inventory.",
                        "platform",
                    ),
                ),
                detect_minutes=(0, 10),
                mitigate_minutes=(120, 600),
                resolve_hours=(48, 200),
            ),
            Scenario(
                key="tls-4",
                kind=FailureKind.incident,
                services=("mobile-bff",),
                title="App image loads failing: CDN certificate expired after a DNS move",
                description=(
                    "Product images stopped loading in the apps. The image CDN hostname had moved to a new "
                    "provider, and the certificate for it was issued by the old provider's automation, which "
                    "stopped renewing after the move. The inventory scanner still checked the old endpoint."
                ),
                severity=(2, 3),
                impact_partners="None.",
                impact_consumers="Mobile app users saw blank product images for about 90 minutes.",
                tags=("tls", "certificates", "expiry", "cdn"),
                detection="App crash-free rate unchanged, but image error rate alert fired.",
                diagnosis="The scanner's target list still pointed at the old CDN endpoint.",
                mitigation="Issued a certificate through the new CDN's automation.",
                resolution="The certificate inventory is derived from DNS records instead of a hand-kept list.",
                went_well="The image error alert fired within minutes.",
                went_wrong="The hand-kept inventory did not follow the DNS change.",
                lucky="Images are not needed to complete a purchase.",
                lessons="An inventory maintained by hand will drift. Derive it from the source of truth.",
                factors=(
                    Factor("time", "Certificate expired."),
                    Factor("change_or_configuration", "DNS move left renewal with the old provider."),
                    Factor("tooling", "Certificate inventory maintained by hand."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        HIGH,
                        "Derive the certificate inventory from DNS records",
                        "Daily sync.",
                        "platform",
                    ),
                ),
                detect_minutes=(3, 10),
                mitigate_minutes=(40, 90),
                resolve_hours=(24, 120),
            ),
        ),
    ),
    Family(
        key="cache-stampede",
        days_ago=(560, 380, 190, 25),
        occurrences=(
            Scenario(
                key="stampede-1",
                kind=FailureKind.failed_deployment,
                services=("mobile-bff",),
                title="mobile-bff {version} rolled back: cold catalogue cache overloaded the catalogue database",
                description=(
                    "mobile-bff {version} changed the catalogue cache key format, so every key missed at once "
                    "after the deploy. Thousands of concurrent requests went to the catalogue database for the "
                    "same products and it saturated."
                ),
                severity=(2, 2),
                impact_partners="None.",
                impact_consumers="Mobile app users saw the home screen fail to load for about 15 minutes.",
                tags=("cache-stampede", "cache", "rollback"),
                detection="Home screen error-rate alert, five minutes after the deploy.",
                diagnosis="Cache hit ratio fell from 97% to 0% at deploy time.",
                mitigation="Rolled back; the old keys were still in the cache.",
                resolution="Re-released with a cache warm-up step before switching traffic.",
                went_well="The rollback restored the old keys' hit ratio immediately.",
                went_wrong="Nothing limited concurrent misses for the same key.",
                lucky="The deploy was in the morning, off-peak for the apps.",
                lessons="A change to cache keys is a cache flush. Plan it as one.",
                factors=(
                    Factor("change_or_configuration", "Cache key format changed."),
                    Factor("capacity", "The database cannot serve the uncached load."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        HIGH,
                        "Warm the cache before switching traffic on key changes",
                        "Deploy step.",
                    ),
                    _a(
                        PREVENT,
                        MEDIUM,
                        "Request coalescing for cache misses",
                        "One database request per missing key, others wait.",
                        done_before_recurrence=False,  # stampede-2 found it still open
                    ),
                ),
                outcome=DeploymentOutcome.rolled_back,
                detect_minutes=(3, 6),
            ),
            Scenario(
                key="stampede-2",
                kind=FailureKind.failed_deployment,
                services=("mobile-bff",),
                title="mobile-bff {version} rolled back: cache stampede after deploy despite warm-up",
                description=(
                    "mobile-bff {version} ran the warm-up step added after the last stampede, but the "
                    "warm-up only covered the top 1,000 products. A promotion sent traffic to products "
                    "outside that set, and their misses stampeded the catalogue database."
                ),
                severity=(2, 3),
                impact_partners="None.",
                impact_consumers="Product pages in the promotion failed for about 10 minutes.",
                tags=("cache-stampede", "cache", "rollback"),
                detection="Catalogue database CPU alert.",
                diagnosis="Misses concentrated on promoted products outside the warm-up set.",
                mitigation="Rolled back.",
                resolution="Request coalescing shipped (it was still in progress).",
                went_well="The database alert fired before the app error rate moved much.",
                went_wrong="The request coalescing action from last time was still open.",
                lucky="The promotion had started only minutes earlier.",
                lessons="Warm-up lists guess at traffic; coalescing does not need to.",
                factors=(
                    Factor("change_or_configuration", "Deploy invalidated the cache."),
                    Factor("capacity", "Database cannot serve concurrent misses."),
                ),
                actions=(
                    _a(PREVENT, HIGH, "Finish request coalescing in mobile-bff", "Top priority this sprint."),
                ),
                outcome=DeploymentOutcome.rolled_back,
                detect_minutes=(2, 5),
            ),
            Scenario(
                key="stampede-3",
                kind=FailureKind.incident,
                services=("auth-service",),
                title="Sign-in latency spike after auth-service deploy: session cache stampede",
                description=(
                    "An auth-service deploy restarted all pods at once and emptied their in-process session "
                    "caches. Every request re-validated its session against Redis simultaneously, which "
                    "saturated the Redis cluster and slowed sign-in across apps."
                ),
                severity=(2, 3),
                impact_partners="Partner token validation slowed for about 12 minutes.",
                impact_consumers="Sign-in and session checks slowed; some app requests timed out.",
                tags=("cache-stampede", "cache", "auth"),
                detection="Redis CPU alert and sign-in latency alert.",
                diagnosis="Cache hit ratio dropped to zero on all pods after the restart.",
                mitigation="Throttled validation with a circuit breaker.",
                resolution="Rolling restarts with a warm-up period; coalescing library adopted from mobile-bff.",
                went_well="The coalescing library from mobile-bff could be reused.",
                went_wrong="The lesson from mobile-bff's stampedes had not spread to other teams.",
                lucky="Redis recovered without failing over.",
                lessons="Share what one team learns: the same failure was waiting in another service.",
                factors=(
                    Factor("change_or_configuration", "All pods restarted at once."),
                    Factor("knowledge", "Stampede lessons stayed within one team."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        MEDIUM,
                        "Adopt the shared request-coalescing library",
                        "auth-service session cache.",
                    ),
                    _a(
                        PROCESS,
                        LOW,
                        "Monthly cross-team review of published post-incident reviews",
                        "So lessons spread.",
                        "platform",
                    ),
                ),
                detect_minutes=(2, 5),
                mitigate_minutes=(8, 15),
            ),
            Scenario(
                key="stampede-4",
                kind=FailureKind.failed_deployment,
                services=("mobile-bff",),
                title="mobile-bff {version} rolled back: CDN move emptied the image metadata cache",
                description=(
                    "mobile-bff {version} moved image metadata to a new cache namespace as part of the CDN "
                    "migration. Request coalescing held up for catalogue data, but the image metadata path "
                    "did not use it yet, and misses hit the media database all at once."
                ),
                severity=(3, 3),
                impact_partners="None.",
                impact_consumers="Slow screens and missing images for about 8 minutes.",
                tags=("cache-stampede", "cache", "rollback", "cdn"),
                detection="Media database latency alert.",
                diagnosis="Misses came only from the image metadata path, which bypassed coalescing.",
                mitigation="Rolled back.",
                resolution="All cache reads now go through the coalescing wrapper; a lint rule enforces it.",
                went_well="Coalescing protected the catalogue path, proving the earlier fix.",
                went_wrong="The fix was applied per call site, and one was missed.",
                lucky="Image loads fail soft in the app.",
                lessons="Protections applied call site by call site will miss one. Enforce them in one place.",
                factors=(
                    Factor("change_or_configuration", "New cache namespace for image metadata."),
                    Factor("tooling", "Direct cache access was still possible."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        MEDIUM,
                        "Lint rule: cache reads only through the coalescing wrapper",
                        "mobile-bff CI.",
                    ),
                ),
                outcome=DeploymentOutcome.rolled_back,
                detect_minutes=(2, 5),
            ),
        ),
    ),
    Family(
        key="flag-typo",
        days_ago=(520, 350, 170, 12),
        occurrences=(
            Scenario(
                key="flag-1",
                kind=FailureKind.failed_deployment,
                services=("checkout-api",),
                title="checkout-api {version} rolled back: misspelt flag key switched off 3-D Secure challenges",
                description=(
                    "checkout-api {version} read the flag 'enable_3ds_challange'; the flag in flag-service is "
                    "'enable_3ds_challenge'. The lookup found nothing, fell back to off, and card payments "
                    "skipped 3-D Secure challenges until the rollback."
                ),
                severity=(2, 2),
                impact_partners="{partners} carried higher fraud liability on about 2,100 payments.",
                impact_consumers="None visible; shoppers were not challenged.",
                tags=("flag-config", "feature-flags", "rollback", "security"),
                detection="Risk operations saw the challenge rate drop to zero.",
                diagnosis="The flag name in code did not match any flag in flag-service.",
                mitigation="Rolled back.",
                resolution="Fixed the key; flag names are now constants generated from flag-service.",
                went_well="Risk operations' dashboard caught it within the hour.",
                went_wrong="A misspelt key silently resolved to the default.",
                lucky="No fraudulent payments were found among the unchallenged ones.",
                lessons="Flag names should be checked by the compiler, not by eye.",
                factors=(
                    Factor("change_or_configuration", "Misspelt flag key."),
                    Factor("tooling", "Unknown flag keys resolve silently to the default."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        HIGH,
                        "Generate flag name constants from flag-service definitions",
                        "Code refers to constants, never string literals.",
                        "platform",
                    ),
                ),
                outcome=DeploymentOutcome.rolled_back,
                detect_minutes=(20, 50),
            ),
            Scenario(
                key="flag-2",
                kind=FailureKind.near_miss,
                services=("flag-service", "payouts"),
                title="Flag definition typo caught in staging: 'payouts_hold_enabeld'",
                description=(
                    "A new flag definition in flag-service was published as 'payouts_hold_enabeld'. Generated "
                    "constants caught it in payouts' CI, where the expected constant was missing, but the "
                    "definition itself had already been published to production flag-service."
                ),
                severity=(5, 5),
                impact_partners="None.",
                impact_consumers="None.",
                tags=("flag-config", "feature-flags", "near-miss"),
                detection="payouts CI failed on the missing generated constant.",
                diagnosis="The typo was in the flag definition, not the code.",
                mitigation="Renamed the flag before any code used it.",
                resolution="Flag definitions go through review with a spell-check and naming rules.",
                went_well="Generated constants caught it, as intended after the earlier flag incident.",
                went_wrong="Flag definitions themselves had no review.",
                lucky="Caught at build time.",
                lessons="Both sides of a contract need checking: the code and the definition.",
                factors=(
                    Factor("change_or_configuration", "Typo in a flag definition."),
                    Factor("process", "Flag definitions published without review."),
                ),
                actions=(
                    _a(
                        PROCESS,
                        MEDIUM,
                        "Review flag definitions before publishing",
                        "Two-person rule.",
                        "platform",
                    ),
                ),
                detect_minutes=(0, 20),
                mitigate_minutes=(10, 40),
                resolve_hours=(24, 120),
            ),
            Scenario(
                key="flag-3",
                kind=FailureKind.failed_deployment,
                services=("push-notifications",),
                title="push-notifications {version} rolled back: flag targeting rule used 'platfrom' attribute",
                description=(
                    "push-notifications {version} relied on a targeting rule meant to limit a new batching "
                    "mode to Android. The rule tested the attribute 'platfrom', which never exists, so it "
                    "matched no one and the fallback sent batching to everyone, including iOS clients that "
                    "could not handle it."
                ),
                severity=(3, 3),
                impact_partners="None.",
                impact_consumers="iOS users received garbled grouped notifications for about 40 minutes.",
                tags=("flag-config", "feature-flags", "rollback"),
                detection="Support contacts with screenshots.",
                diagnosis="Targeting rule evaluation log showed an unknown attribute.",
                mitigation="Rolled back and corrected the rule.",
                resolution="Targeting attributes validated against a declared schema on publish.",
                went_well="The evaluation log made the cause obvious.",
                went_wrong="Constants covered flag names but not targeting attribute names.",
                lucky="Notifications were grouped, not lost.",
                lessons="The typo class reaches every free-text identifier in config, not only flag names.",
                factors=(
                    Factor("change_or_configuration", "Typo in a targeting attribute."),
                    Factor("tooling", "Targeting attributes unvalidated."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        HIGH,
                        "Validate targeting attributes against a schema on publish",
                        "Reject unknown attributes.",
                        "platform",
                    ),
                ),
                outcome=DeploymentOutcome.rolled_back,
                detect_minutes=(15, 40),
            ),
            Scenario(
                key="flag-4",
                kind=FailureKind.incident,
                services=("flag-service", "mobile-bff"),
                title="Remote config key typo rolled the new checkout screen out to 100% of app users",
                description=(
                    "A remote configuration change set 'checkout_v2_rollout_pecent' to 100 instead of "
                    "'checkout_v2_rollout_percent' to 10. The schema validation added earlier covered flags "
                    "and targeting, not remote configuration values, so the app treated the unknown key's "
                    "absence as a full rollout."
                ),
                severity=(2, 3),
                impact_partners="None.",
                impact_consumers="All app users got the unfinished checkout screen; 3% of payments failed.",
                tags=("flag-config", "feature-flags", "mobile"),
                detection="Checkout conversion alert in the apps.",
                diagnosis="Remote config history showed the misspelt key.",
                mitigation="Corrected the key.",
                resolution="Remote config values now use the same schema validation as flags.",
                went_well="The change history made it easy to find and revert.",
                went_wrong="Validation covered flags but not remote configuration.",
                lucky="The app rollout was during a quiet period.",
                lessons="Validate every configuration path, including the one nobody thinks of as flags.",
                factors=(
                    Factor("change_or_configuration", "Typo in a remote configuration key."),
                    Factor("tooling", "Remote config values unvalidated."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        HIGH,
                        "Schema validation for remote configuration values",
                        "Same as flags.",
                        "platform",
                    ),
                ),
                detect_minutes=(10, 30),
                mitigate_minutes=(5, 20),
            ),
        ),
    ),
    Family(
        key="sms-provider",
        days_ago=(680, 500, 280, 60),
        occurrences=(
            Scenario(
                key="sms-1",
                kind=FailureKind.incident,
                services=("sms-gateway", "auth-service"),
                title="Sign-in passcodes not delivered: SMS provider outage",
                description=(
                    "Our only SMS provider had an outage for 2 hours 40 minutes. One-time passcodes for "
                    "sign-in and payment confirmation were not delivered, so users with SMS as their only "
                    "second factor could not sign in."
                ),
                severity=(2, 2),
                impact_partners="None.",
                impact_consumers="Users relying on SMS passcodes could not sign in or confirm payments.",
                tags=("sms-provider", "dependency", "mfa"),
                detection="Support contact volume, then the passcode delivery dashboard.",
                diagnosis="Provider status page confirmed an outage.",
                mitigation="Shown users an option to receive the passcode by e-mail.",
                resolution="Provider recovered.",
                went_well="The e-mail fallback existed and could be switched on quickly.",
                went_wrong="A single SMS provider was a single point of failure for sign-in.",
                lucky="The outage was outside the evening peak.",
                lessons="A second factor is only as available as the channel that delivers it.",
                factors=(
                    Factor("dependency", "Sole SMS provider outage."),
                    Factor("detection_gap", "No alert on passcode delivery rate."),
                ),
                actions=(
                    _a(
                        PREVENT,
                        HIGH,
                        "Add a secondary SMS provider with automatic failover",
                        "Fail over on delivery error rate.",
                    ),
                    _a(DETECT, HIGH, "Alert on passcode delivery success below 90%", "Five-minute window."),
                ),
                detect_minutes=(15, 40),
                mitigate_minutes=(20, 50),
                resolve_hours=(2, 4),
            ),
            Scenario(
                key="sms-2",
                kind=FailureKind.incident,
                services=("sms-gateway", "auth-service"),
                title="SMS failover did not trigger: primary provider accepted messages but never delivered them",
                description=(
                    "The primary SMS provider kept returning HTTP 200 while its downstream carrier links "
                    "were down, so the failover, which watched for errors, never switched providers. "
                    "Passcodes were accepted and silently dropped for 70 minutes."
                ),
                severity=(2, 2),
                impact_partners="None.",
                impact_consumers="Users could not complete SMS sign-in for about 70 minutes.",
                tags=("sms-provider", "dependency", "mfa", "failover"),
                detection="Passcode delivery alert (added after the previous outage).",
                diagnosis="Acceptance was 100% but delivery receipts were 0%.",
                mitigation="Switched to the secondary provider manually.",
                resolution="Failover now watches delivery receipts, not API responses.",
                went_well="The delivery alert fired within minutes and the secondary provider worked.",
                went_wrong="The failover signal measured acceptance, not delivery.",
                lucky="Someone on call knew how to switch providers by hand.",
                lessons="Fail over on the outcome that users care about, not the one that is easy to measure.",
                factors=(
                    Factor("dependency", "Provider accepted but did not deliver messages."),
                    Factor("detection_gap", "Failover keyed on API errors only."),
                ),
                actions=(
                    _a(PREVENT, HIGH, "Fail over on delivery receipt rate", "Over a five-minute window."),
                    _a(PROCESS, MEDIUM, "Document manual provider switch in the runbook", "With a drill."),
                ),
                detect_minutes=(4, 10),
                mitigate_minutes=(25, 60),
                resolve_hours=(2, 6),
            ),
            Scenario(
                key="sms-3",
                kind=FailureKind.incident,
                services=("sms-gateway",),
                title="Passcodes delayed in one country: both SMS providers share a carrier",
                description=(
                    "Passcodes to one country arrived 10 to 20 minutes late. Failover switched providers as "
                    "designed, but both providers route that country through the same carrier, which was "
                    "congested, so failover changed nothing."
                ),
                severity=(3, 3),
                impact_partners="None.",
                impact_consumers="Users in one country waited up to 20 minutes for passcodes for two hours.",
                tags=("sms-provider", "dependency", "mfa"),
                detection="Per-country delivery latency alert.",
                diagnosis="Both providers' receipts showed the same carrier delays.",
                mitigation="Offered e-mail and app-based passcodes for the affected country.",
                resolution="Added app-based passcodes as a default for users with the app.",
                went_well="Automatic failover worked exactly as built.",
                went_wrong="Redundant providers shared a single carrier.",
                lucky="Only one country was affected.",
                lessons="Redundancy needs independent paths all the way down.",
                factors=(
                    Factor("dependency", "Shared carrier behind both providers."),
                    Factor("knowledge", "Provider routing per country was not known."),
                ),
                actions=(
                    _a(
                        PREVENT, MEDIUM, "Offer app-based passcodes by default", "Where the app is installed."
                    ),
                ),
                detect_minutes=(5, 15),
                mitigate_minutes=(30, 90),
                resolve_hours=(2, 10),
            ),
            Scenario(
                key="sms-4",
                kind=FailureKind.incident,
                services=("sms-gateway", "auth-service"),
                title="SMS provider rate-limited our account during a sign-in surge",
                description=(
                    "A marketing campaign drove a sign-in surge. The primary SMS provider rate-limited our "
                    "account at its contracted throughput; failover treated HTTP 429 as a client error and "
                    "did not switch, so passcodes queued for up to 15 minutes."
                ),
                severity=(3, 3),
                impact_partners="None.",
                impact_consumers="Users signing in during the surge waited for passcodes; many gave up.",
                tags=("sms-provider", "dependency", "mfa", "rate-limiting"),
                detection="Passcode delivery latency alert.",
                diagnosis="Provider responses were 429s; failover ignores 4xx.",
                mitigation="Switched to the secondary provider by hand.",
                resolution="429 now counts towards failover; contracted throughput raised.",
                went_well="The delivery latency alert and the manual switch runbook worked.",
                went_wrong="Failover rules predated rate limiting and treated 429 as our fault.",
                lucky="The campaign's peak lasted under an hour.",
                lessons="Provider limits are capacity. Share campaign plans with the teams that carry the load.",
                factors=(
                    Factor("capacity", "Contracted SMS throughput below campaign demand."),
                    Factor("dependency", "Provider rate limit."),
                    Factor("process", "Campaign not shared with identity."),
                ),
                actions=(
                    _a(PREVENT, MEDIUM, "Count 429 responses towards SMS failover", "With backoff."),
                    _a(
                        PROCESS,
                        LOW,
                        "Marketing campaigns notify identity two weeks ahead",
                        "Calendar and form.",
                    ),
                ),
                detect_minutes=(3, 10),
                mitigate_minutes=(10, 30),
                resolve_hours=(4, 24),
            ),
        ),
    ),
    Family(
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
                    _a(MITIGATE, MEDIUM, "Scale the warehouse up for month-end", "Scheduled resize."),
                    _a(
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
                    _a(
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
                    _a(DETECT, HIGH, "Fail the export when any chunk fails", "And page data on-call."),
                    _a(PREVENT, MEDIUM, "Size chunks by row count, not merchant", "Caps memory per chunk."),
                ),
                detect_minutes=(540, 720),
                start_at=(22, 30),
                month_end=True,
                mitigate_minutes=(30, 60),
                resolve_hours=(4, 24),
            ),
        ),
    ),
)


# ---- problems (ITIL problem management) -------------------------------------------------


@dataclass(frozen=True)
class KnownErrorSpec:
    title: str
    symptoms: str
    workaround: str


@dataclass(frozen=True)
class ProblemSpec:
    """One problem grouping the occurrences of a recurring family, each later one linked as a
    recurrence of the one before."""

    family: str  # key of the family in RECURRING whose failures it explains
    title: str
    description: str
    root_cause: str
    owner_team: str
    known_error: KnownErrorSpec | None
    recorded_at: int = 1  # recorded when this occurrence (0-based) showed the failure was recurring
    # The last occurrence's fixes were all done and nothing came back: the problem is resolved.
    fix_holds: bool = False


PROBLEMS: tuple[ProblemSpec, ...] = (
    ProblemSpec(
        family="checkout-pool",
        title="Checkout exhausts its database connection pool under load",
        description=(
            "Checkout keeps running out of database connections at busy times: an evening peak, slow "
            "acquirer calls, the reconciliation job, a partner's flash sale. Each review fixed the trigger "
            "it found, and each time the pool ran dry again from another direction."
        ),
        root_cause=(
            "Nothing owns the connection budget of the checkout database as a whole. Pool sizes are set per "
            "pod, transactions were held across external calls, batch work shared the primary, and the "
            "autoscaler can add pods (and connections) faster than the database can accept them."
        ),
        owner_team="payments",
        known_error=KnownErrorSpec(
            title="Checkout returns 'connection pool exhausted' while the database is healthy",
            symptoms=(
                "Checkout errors and latency climb together; pool metrics show every connection checked out "
                "and a growing wait queue, while database CPU stays moderate."
            ),
            workaround=(
                "Pause the ledger reconciliation job if it is running, then cap checkout-api replicas at the "
                "fleet connection budget instead of scaling out. Lower the acquirer timeout to 6 seconds if "
                "acquirer latency is high."
            ),
        ),
    ),
    ProblemSpec(
        family="cache-stampede",
        title="Cold caches after a deploy or move stampede the backing store",
        description=(
            "Releases and infrastructure moves that empty a cache send every request to the database "
            "behind it at once. It rolled back mobile-bff three times and slowed sign-in once."
        ),
        root_cause=(
            "Cache misses are not coalesced everywhere: warm-up lists only guess at traffic, and call sites "
            "that bypass the coalescing wrapper let a cold cache fan out into one database query per request."
        ),
        owner_team="mobile",
        known_error=KnownErrorSpec(
            title="Hit ratio falls to zero right after a release; the backing database saturates",
            symptoms=(
                "Within minutes of a rollout the cache hit ratio drops towards 0%, database connections and "
                "latency spike, and app requests time out."
            ),
            workaround=(
                "Roll back while the old cache keys are still warm. Where a rollback is not possible, throttle "
                "cache refills with the circuit breaker and restart pods one at a time with a warm-up period."
            ),
        ),
    ),
    ProblemSpec(
        family="month-end-export",
        title="Month-end settlement export outgrows its window",
        description=(
            "The month-end settlement export ran late, collided with the nightly backup and once dropped a "
            "chunk silently, so merchant statements were late or incomplete."
        ),
        root_cause=(
            "The export grew with volume as one large job: more time and a bigger warehouse only moved the "
            "limit, and a partly failed run still reported success."
        ),
        owner_team="data",
        known_error=KnownErrorSpec(
            title="Month-end export still running when the nightly backup starts",
            symptoms="Export runtime near its timeout on the last day of the month; waits on the snapshot lock.",
            workaround="Postpone the nightly backup for the night and re-run failed chunks with more memory.",
        ),
        fix_holds=True,
    ),
)
