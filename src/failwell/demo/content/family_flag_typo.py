"""The recurring family of misspelt feature-flag keys switching behaviour off."""

from __future__ import annotations

from failwell.demo.content.shapes import HIGH, MEDIUM, PREVENT, PROCESS, Factor, Family, Scenario, act
from failwell.enums import DeploymentOutcome, FailureKind

FLAG_TYPO = Family(
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
                act(
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
                act(
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
                act(
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
                act(
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
)
