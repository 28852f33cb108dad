"""The recurring family of TLS certificates expiring unnoticed."""

from __future__ import annotations

from failwell.demo.content.shapes import (
    CRITICAL,
    DETECT,
    HIGH,
    MEDIUM,
    PREVENT,
    Factor,
    Family,
    Scenario,
    act,
)
from failwell.enums import FailureKind

TLS_EXPIRY = Family(
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
                act(
                    PREVENT,
                    CRITICAL,
                    "Automate certificate issuance and renewal for gateway endpoints",
                    "Renew at 30 days before expiry.",
                ),
                act(
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
                act(
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
                act(
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
                act(
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
)
