"""Configuration from the environment (prefix FAILWELL_) or a .env file."""

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from failwell.enums import Role


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FAILWELL_", env_file=".env", extra="ignore")

    database_url: str = Field(
        default=f"sqlite:///{Path('var') / 'failwell.db'}",
        description="SQLAlchemy URL. SQLite by default; postgresql+psycopg://... for scale-out.",
    )
    host: str = "127.0.0.1"
    port: int = Field(8000, ge=1, le=65535)
    # SQLite waits this long for a write lock before giving up (milliseconds).
    sqlite_busy_timeout_ms: int = 15_000
    # Requests larger than this are refused with 413 before any parsing.
    max_request_bytes: int = 2 * 1024 * 1024
    db_pool_size: int = 10
    log_level: str = "info"
    # FastAPI's own OpenTelemetry spans, metrics and logs, through the global providers an SDK
    # sets up (opentelemetry-instrument, say). Off by default: FastAPI otherwise asks for the
    # providers on every request, a few per cent of a webhook delivery's cost.
    opentelemetry: bool = False
    # How long a browser stays signed in.
    session_days: int = Field(default=14, ge=1, le=365)
    # Sign-in throttling: failed sign-ins allowed per account and per client address within
    # the window before sign-in is refused until the window ends (429 with Retry-After).
    sign_in_attempts_per_account: int = Field(default=5, ge=1)
    sign_in_attempts_per_address: int = Field(default=50, ge=1)
    sign_in_window_minutes: int = Field(default=15, ge=1, le=24 * 60)
    # Reverse proxies whose X-Forwarded-Proto and X-Forwarded-For are believed (comma-separated
    # IPs or networks, "*" for any, empty for none): behind them, HTTPS turns on HSTS and Secure
    # cookies, and sign-in throttling counts the real client address.
    trusted_proxies: str = "127.0.0.1"
    # Deployments to these environments are production ones in the delivery metrics
    # (JSON list in the environment: FAILWELL_PRODUCTION_ENVIRONMENTS='["production","live"]').
    production_environments: list[str] = Field(default_factory=lambda: ["production", "prod"])
    # Similar-failure ranking: a bonus for earlier failures that started recently, decaying with
    # recurrence_recency_days. Off by default: the ranking is measured without it. A day's time
    # constant (a burst: the same failure again within a day or two) measured best on both
    # labelled sets; months hurt on histories spread over years (docs/recurrence.md).
    recurrence_recency: float = Field(default=0.0, ge=0.0, le=1.0)
    recurrence_recency_days: float = Field(default=1.0, gt=0.0)
    # Culture surveys: results of a group with fewer respondents than this are withheld
    # (docs/culture-surveys.md). Never below 3: a group of 1 or 2 has no anonymity at all.
    survey_min_respondents: int = Field(default=5, ge=3, le=1000)
    # Single sign-on with OpenID Connect (docs/sso.md). Off while oidc_issuer is empty.
    oidc_issuer: str = ""
    oidc_client_id: str = ""
    oidc_client_secret: str = ""
    oidc_scopes: str = "openid email profile"
    # The words on the sign-in button: "Sign in with <name>".
    oidc_provider_name: str = "single sign-on"
    # The claim the mapping rules usually read (a list of group names).
    oidc_groups_claim: str = "groups"
    # The role of an account made at its first sign-in when no rule gives one.
    oidc_default_role: Role = Role.viewer
    # Link a first sign-in to an existing account of the same e-mail even when the provider does
    # not say the address is verified (email_verified). Only for providers that never let people
    # choose their own address.
    oidc_trust_unverified_email: bool = False
    # Password sign-in on the web pages. Off: only the break-glass e-mails below may still sign in
    # with a password, and only while they are active practice owners.
    password_sign_in: bool = True
    break_glass_emails: str = ""

    @property
    def sso_enabled(self) -> bool:
        return bool(self.oidc_issuer and self.oidc_client_id)

    def is_break_glass(self, email: str) -> bool:
        wanted = email.strip().lower()
        return any(wanted == e.strip().lower() for e in self.break_glass_emails.split(",") if e.strip())


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
