"""The composition root: wires the slices' event handlers and ports once, at start-up.

The app (`create_app`), the delivery worker and the CLI all call `bootstrap()` before any
service runs, so the lower floors never import the floors above them: `failwell.events`
names no consumer, and the handlers live with the slices that own them.
"""

from __future__ import annotations

from failwell import authz, events, identity
from failwell.audit import capture as audit_capture
from failwell.audit.service import purge as purge_audit_entries
from failwell.audited import register_audited_models
from failwell.broadcast import ports as broadcast_ports
from failwell.broadcast.handlers import BULK_FORMS as BROADCAST_BULK_FORMS
from failwell.broadcast.handlers import HANDLERS as BROADCAST_HANDLERS
from failwell.ideas.handlers import HANDLERS as IDEA_HANDLERS
from failwell.insights.digest import build_digest
from failwell.insights.failure_rollup import HANDLERS as FAILURE_ROLLUP_HANDLERS
from failwell.insights.rollup_upkeep import BULK_FORMS as ROLLUP_BULK_FORMS
from failwell.insights.rollup_upkeep import HANDLERS as ROLLUP_HANDLERS
from failwell.integrations import cache as integration_cache
from failwell.integrations.links import BULK_FORMS as INTEGRATION_BULK_FORMS
from failwell.integrations.links import HANDLERS as INTEGRATION_HANDLERS
from failwell.integrations.service import purge_deliveries
from failwell.people.sign_in import IDENTITY
from failwell.recognition.handlers import HANDLERS as RECOGNITION_HANDLERS
from failwell.recurrence.backlog import embed_backlog
from failwell.recurrence.handlers import BULK_FORMS as RECURRENCE_BULK_FORMS
from failwell.recurrence.handlers import HANDLERS as RECURRENCE_HANDLERS
from failwell.surveys.service import send_reminders

_done = False


def bootstrap() -> None:
    """Idempotent: a second call (another app in the same process, a test) changes nothing."""
    global _done
    if _done:
        return
    # The audit trail watches configuration, roles, tokens, integrations, channels and
    # subscriptions on every flush, and records reports, deletions and publications.
    register_audited_models()
    audit_capture.install()
    events.wire(audit_capture.HANDLERS)
    # Each process keeps its integrations and their rules; an edit moves their stamp, in its
    # own transaction, so every process reads them again at its next delivery.
    integration_cache.install()
    authz.record_refusals_with(audit_capture.record_refusal)
    # The search index first: the outbox renders messages that may read it.
    events.wire(RECURRENCE_HANDLERS)
    events.wire(BROADCAST_HANDLERS)
    # Commit-SHA links, suggested deployments and rework follow every change to a failure.
    events.wire(INTEGRATION_HANDLERS)
    # The deployment rollup recounts what a change touched, after the links above are made.
    events.wire(ROLLUP_HANDLERS)
    # The failure rollup recounts the days a failure's change touched, its links made too.
    events.wire(FAILURE_ROLLUP_HANDLERS)
    # Many failures reported at once (a CI batch): indexed, audited, told, linked and rolled up
    # together (the failure rollup adds them one by one).
    events.wire_bulk_forms(audit_capture.BULK_FORMS)
    events.wire_bulk_forms(RECURRENCE_BULK_FORMS)
    events.wire_bulk_forms(BROADCAST_BULK_FORMS)
    events.wire_bulk_forms(INTEGRATION_BULK_FORMS)
    events.wire_bulk_forms(ROLLUP_BULK_FORMS)
    # Ideas proposed and accepted are told to their subscribers through the outbox.
    events.wire(IDEA_HANDLERS)
    # Award winners are announced to their subscribers through the outbox.
    events.wire(RECOGNITION_HANDLERS)
    # The weekly digest's queries read across slices, from the read side above broadcast.
    broadcast_ports.use_digest_builder(build_digest)
    # Stored webhook deliveries past their retention go within the hour, by the delivery worker.
    broadcast_ports.add_housekeeping("purge integration deliveries", purge_deliveries)
    # Audit entries past their retention (FAILWELL_AUDIT_RETENTION_DAYS) go the same way.
    broadcast_ports.add_housekeeping("purge audit entries", purge_audit_entries)
    # One reminder to those who have not answered a culture survey, a few days before it closes.
    broadcast_ports.add_housekeeping("remind survey invitees", send_reminders)
    # Failures reported by webhooks are embedded by the worker within seconds, off the request.
    broadcast_ports.add_background_job("embed failures reported by webhooks", embed_backlog)
    # Token and session look-ups for deps.py and web/auth.py, which sit below the people slice.
    identity.use(IDENTITY)
    _done = True
