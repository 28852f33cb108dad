"""Periodic housekeeping: the jobs other slices registered with ports.add_housekeeping, run by
the delivery worker at most once an hour.

Every job runs in its own unit of work, so one that fails is rolled back and logged while the
others still commit; the next hour tries it again. Jobs must be safe to run from several
workers at once (purges by age are).
"""

from __future__ import annotations

import logging

from failwell.broadcast.ports import housekeeping_jobs
from failwell.db import Database

log = logging.getLogger("failwell.broadcast")

HOUSEKEEPING_EVERY_S = 3600.0


def run_housekeeping(db: Database) -> dict[str, object]:
    """Runs every registered job once; answers what each that succeeded returned."""
    done: dict[str, object] = {}
    for name, job in housekeeping_jobs():
        try:
            with db.session() as session:
                done[name] = job(session)
        except Exception:  # one job's failure never stops the others, nor deliveries
            log.exception("housekeeping job '%s' failed; it runs again within the hour", name)
            continue
        log.info("housekeeping job '%s' done: %s", name, done[name])
    return done
