"""The recurring family of cold caches after a deploy or move stampeding the backing store."""

from __future__ import annotations

from failwell.demo.content.shapes import HIGH, LOW, MEDIUM, PREVENT, PROCESS, Factor, Family, Scenario, act
from failwell.enums import DeploymentOutcome, FailureKind

CACHE_STAMPEDE = Family(
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
                act(
                    PREVENT,
                    HIGH,
                    "Warm the cache before switching traffic on key changes",
                    "Deploy step.",
                ),
                act(
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
                act(PREVENT, HIGH, "Finish request coalescing in mobile-bff", "Top priority this sprint."),
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
                act(
                    PREVENT,
                    MEDIUM,
                    "Adopt the shared request-coalescing library",
                    "auth-service session cache.",
                ),
                act(
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
                act(
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
)
