"""What the audit trail watches: one line per model (failwell.audit.registry.register).

The audit slice sits below most slices, so it cannot name their models; this module, beside
the composition root, does. A new slice that holds configuration, roles, secrets or anything a
practice owner would want to trace adds its line here (see docs/audit.md). Failure reports,
failure deletions and review publications are recorded from their domain events instead
(failwell.audit.capture.HANDLERS); refusals by the app (failwell.app).
"""

from __future__ import annotations

from failwell.audit.registry import register
from failwell.broadcast.models import Channel, FeedToken, Subscription
from failwell.catalogue.models import Service
from failwell.failures.models import SeverityLevel
from failwell.integrations.models import Integration, IntegrationRule
from failwell.people.models import ApiToken, OrgSetting, Person, Team
from failwell.recognition.models import Award, AwardCycle, AwardPanelMember
from failwell.reviews.models import FactorCategory
from failwell.sso.models import SsoClaimRule
from failwell.surveys.models import SurveyCampaign


def register_audited_models() -> None:
    # People, roles and sign-in: a password is recorded only as set or changed.
    register(Person, "person", secret=["password_hash"], collections=["teams"])
    register(Team, "team")
    # Tokens: never the hash; the prefix (shown in lists) identifies which token it was.
    register(ApiToken, "api_token", ignore=["token_hash"])
    register(FeedToken, "feed_token", label=None, ignore=["token_hash"])
    # Organisation settings (the review template, broadcast options) and the catalogue.
    register(OrgSetting, "org_setting", label="key")
    register(Service, "service")
    register(SeverityLevel, "severity_level")
    register(FactorCategory, "factor_category")
    # Integrations and their mapping rules: the shared secret is sealed, and only ever masked.
    register(Integration, "integration", secret=["secret_sealed"])
    register(IntegrationRule, "integration_rule", label="pattern")
    # Broadcasting: a channel's URL holds its webhook token or SMTP password.
    register(Channel, "channel", secret=["secret_url"])
    register(Subscription, "subscription", label=None)
    # Single sign-on: the rules that turn the provider's claims into roles and teams.
    register(SsoClaimRule, "sso_claim_rule", label="value")
    # Culture survey campaigns (their set-up and status). Never invitations or answers: a record
    # of who answered when would undo the survey's anonymity.
    register(SurveyCampaign, "survey_campaign", label="title")
    # Awards (what the organisation says it values), their cycles (dates, voters, status, and the
    # announcement) and their panels. Never kudos, nominations or votes: who voted for whom stays
    # between the voter and the tally.
    register(Award, "award")
    register(AwardCycle, "award_cycle", label="title")
    register(AwardPanelMember, "award_panel_member", label=None)
