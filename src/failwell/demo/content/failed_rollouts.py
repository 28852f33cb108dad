"""Failed-deployment scenarios whose production rollout failed outright; the old version kept
serving."""

from __future__ import annotations

from failwell.demo.content.shapes import DETECT, HIGH, LOW, MEDIUM, PREVENT, PROCESS, Factor, Scenario, act
from failwell.enums import DeploymentOutcome, FailureKind

FAILED_ROLLOUTS: tuple[Scenario, ...] = (
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
            act(
                PREVENT,
                HIGH,
                "Set lock_timeout for all migrations",
                "Migrations give up after three seconds waiting for a lock and retry with backoff.",
                "platform",
            ),
            act(
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
            act(
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
            act(
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
            act(
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
            act(
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
