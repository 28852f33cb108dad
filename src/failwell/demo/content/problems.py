"""The problems (ITIL problem management) that group the recurring families, with their known errors."""

from __future__ import annotations

from dataclasses import dataclass


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
