"""Settings of the broadcast slice, from the environment (prefix FAILWELL_BROADCAST_) or .env.

Kept apart from failwell.settings so the worker, the CLI and the tests can tune delivery
without touching the app's own settings."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class BroadcastSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAILWELL_BROADCAST_", env_file=".env", extra="ignore")

    # Comma-separated Fernet keys (`failwell broadcast new-key` prints one). The first encrypts,
    # all decrypt, so a key can be rotated. Without one, channel URLs are stored as given.
    secret_keys: str = ""
    # Where links in messages point.
    public_url: str = "http://127.0.0.1:8000"
    # Delivery: attempts before a delivery is parked as failed, and the backoff between them.
    max_attempts: int = Field(8, ge=1, le=100)
    backoff_base_s: float = Field(10.0, gt=0)
    backoff_max_s: float = Field(3600.0, gt=0)
    # A claimed delivery whose worker has not answered in this long is claimed again.
    lease_s: float = Field(60.0, gt=0)
    # Per-request timeout towards a receiver; must stay well under the lease.
    send_timeout_s: float = Field(10.0, gt=0)
    batch_size: int = Field(20, ge=1, le=500)
    send_threads: int = Field(8, ge=1, le=64)
    poll_s: float = Field(0.5, gt=0)
    # Background jobs (embedding failures reported by webhooks) run this often.
    background_every_s: float = Field(2.0, gt=0)
    # Reminders and digests are checked this often by every worker (dedupe keys make that safe).
    schedule_every_s: float = Field(300.0, gt=0)
    # Reminders: an action due within this many days is "nearing due"; a review still
    # unpublished this many days after its failure was resolved reminds practice managers.
    action_due_soon_days: int = Field(3, ge=0, le=60)
    review_unpublished_days: int = Field(5, ge=1, le=365)
    # Reminders of each kind (actions, reviews) queued per tick at most, oldest first; the rest
    # come on the next ticks. A large backlog (tens of thousands of unreviewed failures) must not
    # hold the worker, and the app it runs in, for a minute of rendering.
    reminders_per_tick: int = Field(500, ge=1, le=100_000)
    # Run a worker thread inside `failwell serve` (the embedded default). Turn off when
    # separate `failwell worker` processes do the delivering.
    in_app_worker: bool = True


@lru_cache(maxsize=1)
def get_broadcast_settings() -> BroadcastSettings:
    return BroadcastSettings()
