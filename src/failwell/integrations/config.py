"""Settings of the integrations slice, from the environment (prefix FAILWELL_INTEGRATIONS_) or .env."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class IntegrationSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAILWELL_INTEGRATIONS_", env_file=".env", extra="ignore")

    # A production deployment of an affected service this long before a failure started is
    # suggested as a link (never counted until a person confirms it).
    suggestion_window_hours: float = Field(24.0, gt=0, le=24 * 90)
    # Of those, only the latest few (per failure) are suggested: a busy service deploys many
    # times a day, and a list of thirty to confirm or reject helps nobody.
    suggestion_limit: int = Field(5, ge=1, le=100)
    # Deliveries are kept raw this long, then purged by the delivery worker's hourly housekeeping.
    retention_days: int = Field(30, ge=1, le=3650)
    # Larger webhook bodies are refused with 413 and not stored.
    max_body_bytes: int = Field(1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    # A batch from CI holds at most this many deployments.
    max_batch: int = Field(5000, ge=1, le=100_000)


@lru_cache(maxsize=1)
def get_integration_settings() -> IntegrationSettings:
    return IntegrationSettings()
