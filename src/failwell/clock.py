"""Times of what happened already (a failure, its timeline, a deployment): only a small clock
skew ahead of ours is allowed."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta

from failwell.db import utcnow
from failwell.errors import InvalidInput

# Reporters' and monitors' clocks run a little ahead of ours at times; beyond this a time
# in the future is a typo (a wrong year, a.m. for p.m.), not a clock.
CLOCK_SKEW = timedelta(minutes=10)


def refuse_future(times: Mapping[str, datetime | None], now: datetime | None = None) -> None:
    """Raises InvalidInput naming the first time later than now plus CLOCK_SKEW."""
    limit = (now or utcnow()) + CLOCK_SKEW
    for name, value in times.items():
        if value is not None and value > limit:
            minutes = int(CLOCK_SKEW.total_seconds() // 60)
            raise InvalidInput.on(name, f"is in the future (more than {minutes} minutes from now)")
