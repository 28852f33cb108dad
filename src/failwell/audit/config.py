"""Settings of the audit trail, from the environment (prefix FAILWELL_AUDIT_) or .env."""

from __future__ import annotations

from functools import lru_cache

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

# Shorter than a month would let a change disappear before anyone looked into it.
MIN_RETENTION_DAYS = 30


class AuditSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAILWELL_AUDIT_", env_file=".env", extra="ignore")

    # Entries older than this are removed by the delivery worker's hourly housekeeping.
    retention_days: int = Field(400, ge=MIN_RETENTION_DAYS, le=36_500)


@lru_cache(maxsize=1)
def get_audit_settings() -> AuditSettings:
    return AuditSettings()
