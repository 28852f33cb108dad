"""The recurring family of checkout exhausting its database connection pool under load."""

from __future__ import annotations

from failwell.demo.content.shapes import (
    CRITICAL,
    DETECT,
    HIGH,
    MEDIUM,
    MITIGATE,
    PREVENT,
    PROCESS,
    Factor,
    Family,
    Scenario,
    act,
)
from failwell.enums import FailureKind

_POOL_FACTORS = (
    Factor("capacity", "The checkout connection pool is small relative to peak concurrency."),
    Factor("dependency", "Slow acquirer calls hold database connections while they wait."),
)

CHECKOUT_POOL = Family(
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
                act(
                    MITIGATE,
                    HIGH,
                    "Raise checkout-api pool size to 40 per pod",
                    "Within database connection headroom.",
                ),
                act(
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
                act(
                    PREVENT,
                    CRITICAL,
                    "Release the connection before calling the acquirer",
                    "Split the payment transaction around the external call.",
                ),
                act(
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
                act(PREVENT, HIGH, "Move reconciliation reads to a replica", "Writes in batches of 500."),
                act(
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
                act(
                    PREVENT,
                    CRITICAL,
                    "Put a transaction-mode connection pooler in front of the checkout database",
                    "Fleet-wide connection budget.",
                    "platform",
                ),
                act(
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
)
