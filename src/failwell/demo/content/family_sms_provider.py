"""The recurring family of SMS provider outages that stop sign-in passcodes."""

from __future__ import annotations

from failwell.demo.content.shapes import (
    DETECT,
    HIGH,
    LOW,
    MEDIUM,
    PREVENT,
    PROCESS,
    Factor,
    Family,
    Scenario,
    act,
)
from failwell.enums import FailureKind

SMS_PROVIDER = Family(
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
                act(
                    PREVENT,
                    HIGH,
                    "Add a secondary SMS provider with automatic failover",
                    "Fail over on delivery error rate.",
                ),
                act(DETECT, HIGH, "Alert on passcode delivery success below 90%", "Five-minute window."),
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
                act(PREVENT, HIGH, "Fail over on delivery receipt rate", "Over a five-minute window."),
                act(PROCESS, MEDIUM, "Document manual provider switch in the runbook", "With a drill."),
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
                act(PREVENT, MEDIUM, "Offer app-based passcodes by default", "Where the app is installed."),
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
                act(PREVENT, MEDIUM, "Count 429 responses towards SMS failover", "With backoff."),
                act(
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
)
