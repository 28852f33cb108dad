"""Failed-deployment scenarios whose production rollout misbehaved and was rolled back."""

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
from failwell.enums import DeploymentOutcome, FailureKind

ROLLED_BACK_DEPLOYMENTS: tuple[Scenario, ...] = (
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
            act(
                PREVENT,
                HIGH,
                "Assert query counts per request in integration tests",
                "Fail the build when a request issues more queries than its budget.",
            ),
            act(
                DETECT,
                MEDIUM,
                "Compare p99 latency, not the mean, in canary analysis",
                "Change the canary guard to compare p99 latency against the stable version.",
                "platform",
            ),
            act(
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
            act(
                PREVENT,
                HIGH,
                "Contract tests for the public response format",
                "Snapshot-test representative responses, including timestamps, in CI.",
            ),
            act(
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
            act(
                PROCESS,
                MEDIUM,
                "Add a mixed-version compatibility item to the pull request template",
                "Ask explicitly whether the previous release can read what this one writes.",
            ),
            act(
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
            act(
                DETECT,
                MEDIUM,
                "Thirty-minute soak test with replayed traffic for library upgrades",
                "Replay sampled production traffic in staging before promoting dependency upgrades.",
                "platform",
            ),
            act(
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
            act(
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
            act(
                PREVENT,
                MEDIUM,
                "Lint rule: feature flag defaults must be off",
                "Fail CI when a flag lookup has a default of true.",
                "platform",
            ),
            act(
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
            act(
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
)
