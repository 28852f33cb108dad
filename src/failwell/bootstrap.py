"""The composition root: wires the slices' event handlers and ports once, at start-up.

The app (`create_app`), the delivery worker and the CLI all call `bootstrap()` before any
service runs, so the lower floors never import the floors above them: `failwell.events`
names no consumer, and the handlers live with the slices that own them.
"""

from __future__ import annotations

from failwell import events, identity
from failwell.broadcast import ports as broadcast_ports
from failwell.broadcast.handlers import HANDLERS as BROADCAST_HANDLERS
from failwell.ideas.handlers import HANDLERS as IDEA_HANDLERS
from failwell.insights.digest import build_digest
from failwell.insights.rollup import HANDLERS as ROLLUP_HANDLERS
from failwell.integrations.links import HANDLERS as INTEGRATION_HANDLERS
from failwell.integrations.service import purge_deliveries
from failwell.people.service import IDENTITY
from failwell.recurrence.handlers import HANDLERS as RECURRENCE_HANDLERS

_done = False


def bootstrap() -> None:
    """Idempotent: a second call (another app in the same process, a test) changes nothing."""
    global _done
    if _done:
        return
    # The search index first: the outbox renders messages that may read it.
    events.wire(RECURRENCE_HANDLERS)
    events.wire(BROADCAST_HANDLERS)
    # Commit-SHA links, suggested deployments and rework follow every change to a failure.
    events.wire(INTEGRATION_HANDLERS)
    # The deployment rollup recounts what a change touched, after the links above are made.
    events.wire(ROLLUP_HANDLERS)
    # Ideas proposed and accepted are told to their subscribers through the outbox.
    events.wire(IDEA_HANDLERS)
    # The weekly digest's queries read across slices, from the read side above broadcast.
    broadcast_ports.use_digest_builder(build_digest)
    # Stored webhook deliveries past their retention go within the hour, by the delivery worker.
    broadcast_ports.add_housekeeping("purge integration deliveries", purge_deliveries)
    # Token and session look-ups for deps.py and web/auth.py, which sit below the people slice.
    identity.use(IDENTITY)
    _done = True
