"""Stock sentences the loader draws on: change descriptions, review extras, won't-do reasons and
timeline notes."""

from __future__ import annotations

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
