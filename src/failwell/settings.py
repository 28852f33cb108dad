"""Configuration from the environment (prefix FAILWELL_) or a .env file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAILWELL_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{Path('var') / 'failwell.db'}",
        description="SQLAlchemy URL. SQLite by default; postgresql+psycopg://... for scale-out.",
    )
    host: str = "127.0.0.1"
    port: int = 8000
    # SQLite waits this long for a write lock before giving up (milliseconds).
    sqlite_busy_timeout_ms: int = 15_000
    # Requests larger than this are refused with 413 before any parsing.
    max_request_bytes: int = 2 * 1024 * 1024
    db_pool_size: int = 10
    log_level: str = "info"
    # How long a browser stays signed in.
    session_days: int = Field(default=14, ge=1, le=365)
    # Reverse proxies whose X-Forwarded-Proto and X-Forwarded-For are believed (comma-separated
    # IPs or networks, "*" for any, empty for none): behind them, HTTPS turns on HSTS and Secure
    # cookies, and sign-in throttling counts the real client address.
    trusted_proxies: str = "127.0.0.1"
    # Deployments to these environments are production ones in the delivery metrics
    # (JSON list in the environment: FAILWELL_PRODUCTION_ENVIRONMENTS='["production","live"]').
    production_environments: list[str] = Field(default_factory=lambda: ["production", "prod"])


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
