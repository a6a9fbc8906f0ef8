"""Configuration from environment variables and an optional `.env` file.

Every variable is prefixed with `CLARIO_`; `.env.example` documents each one. With no
variables at all the stack runs locally against SQLite, the Temporal dev server and the
Amazon sandbox.
"""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "staging", "production"]

DEFAULT_SESSION_SECRET = "dev-session-secret-change-me-0123456789abcdef"  # noqa: S105 - development default, rejected elsewhere
DEFAULT_ENCRYPTION_KEY = "dev-encryption-key-change-me-0123456789abcdef"
SANDBOX_CLIENT_ID = "amzn1.application-oa2-client.clariosandbox"
SANDBOX_CLIENT_SECRET = "clario-sandbox-secret"  # noqa: S105 - the sandbox's public test secret
SANDBOX_APPLICATION_ID = "amzn1.sp.solution.clariosandbox"
SANDBOX_URL = "http://127.0.0.1:8300"


class Settings(BaseSettings):
    """All settings of the gateway and the worker."""

    model_config = SettingsConfigDict(
        env_prefix="CLARIO_", env_file=".env", extra="ignore", frozen=True
    )

    environment: Environment = "development"
    service_name: str = "clario-orchestrator"
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"

    # Gateway
    public_url: str = "http://127.0.0.1:8000"
    frontend_url: str = "http://localhost:5173"
    cors_origins: list[str] = Field(
        default_factory=lambda: [
            "https://app.clario.ai",
            "http://localhost:5173",
            "http://127.0.0.1:5173",
            "http://localhost:3000",
        ]
    )
    allowed_redirect_paths: list[str] = Field(
        default_factory=lambda: ["/", "/dashboard", "/recoveries", "/integrations"]
    )

    # Largest request body accepted, in bytes.
    max_request_body_bytes: int = Field(default=1_048_576, gt=0)
    # Sign-in and consent requests allowed per client address and minute.
    login_rate_limit_per_minute: int = Field(default=30, gt=0)

    # Database and storage
    database_url: str = "sqlite+aiosqlite:///var/clario.db"
    database_echo: bool = False
    data_dir: Path = Path("var/data")

    # Sessions and secrets at rest
    session_secret: SecretStr = SecretStr(DEFAULT_SESSION_SECRET)
    session_previous_secrets: list[SecretStr] = Field(default_factory=list)
    session_key_id: str = "k1"
    session_algorithms: list[str] = Field(default_factory=lambda: ["HS256"])
    session_ttl_seconds: int = Field(default=7 * 24 * 3600, gt=0)
    session_cookie_name: str = "clario_session"
    session_cookie_secure: bool = False
    session_issuer: str = "clario-orchestrator"
    session_audience: str = "clario-app"
    encryption_key: SecretStr = SecretStr(DEFAULT_ENCRYPTION_KEY)
    encryption_previous_keys: list[SecretStr] = Field(default_factory=list)

    # Temporal
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_api_key: SecretStr | None = None
    temporal_tls: bool = False
    temporal_ui_url: str = "http://127.0.0.1:8233"
    task_queue_sync: str = "sync"
    task_queue_detection: str = "detection"
    task_queue_claims: str = "claims"
    task_queue_billing: str = "billing"

    # Amazon (defaults point at the local sandbox)
    amazon_client_id: str = SANDBOX_CLIENT_ID
    amazon_client_secret: SecretStr = SecretStr(SANDBOX_CLIENT_SECRET)
    amazon_application_id: str = SANDBOX_APPLICATION_ID
    amazon_app_is_draft: bool = False
    amazon_lwa_authorize_url: str = f"{SANDBOX_URL}/ap/oa"
    amazon_lwa_token_url: str = f"{SANDBOX_URL}/auth/o2/token"
    amazon_profile_url: str = f"{SANDBOX_URL}/user/profile"
    amazon_seller_central_url: str = SANDBOX_URL
    amazon_spapi_endpoint: str = SANDBOX_URL
    amazon_region: Literal["NA", "EU", "FE"] = "NA"
    amazon_user_agent: str = "ClarioOrchestrator/0.1 (Language=Python)"
    amazon_http_timeout_seconds: float = Field(default=30.0, gt=0)
    amazon_throttle_max_delay_seconds: float = Field(default=60.0, ge=1)

    # Sync
    sync_history_days: int = Field(default=540, gt=0, le=550)
    report_poll_interval_seconds: float = Field(default=15.0, gt=0)
    report_heartbeat_timeout_seconds: float = Field(default=60.0, ge=2)
    report_fatal_retries: int = Field(default=2, ge=0)
    report_fatal_retry_delay_seconds: float = Field(default=1800.0, ge=0)

    # Recurring sync (a Temporal Schedule per connected seller)
    sync_schedule_enabled: bool = True
    sync_schedule_interval_hours: float = Field(default=6.0, gt=0)
    sync_schedule_jitter_minutes: float = Field(default=30.0, ge=0)

    # Detection
    min_claim_value: Decimal = Decimal("1.00")

    @model_validator(mode="after")
    def _reject_default_secrets(self) -> Settings:
        if self.environment in ("development", "test"):
            return self
        defaults = {
            "CLARIO_SESSION_SECRET": (self.session_secret, DEFAULT_SESSION_SECRET),
            "CLARIO_ENCRYPTION_KEY": (self.encryption_key, DEFAULT_ENCRYPTION_KEY),
            "CLARIO_AMAZON_CLIENT_SECRET": (
                self.amazon_client_secret,
                SANDBOX_CLIENT_SECRET,
            ),
        }
        unsafe = [
            name
            for name, (value, default) in defaults.items()
            if value.get_secret_value() == default
        ]
        if unsafe:
            raise ValueError(
                f"{', '.join(unsafe)} still have their development defaults; set real "
                f"secrets before running with CLARIO_ENVIRONMENT={self.environment}"
            )
        return self

    @property
    def uses_amazon_sandbox(self) -> bool:
        """Whether the Amazon endpoints are the local sandbox's."""
        return self.amazon_client_id == SANDBOX_CLIENT_ID

    @property
    def docs_url(self) -> str:
        return f"{self.public_url.rstrip('/')}/docs"

    @property
    def task_queues(self) -> dict[str, str]:
        """Map each service to its task queue name."""
        return {
            "sync": self.task_queue_sync,
            "detection": self.task_queue_detection,
            "claims": self.task_queue_claims,
            "billing": self.task_queue_billing,
        }


def load_settings(**overrides: object) -> Settings:
    """Build the settings from the environment, with explicit overrides on top."""
    return Settings(**overrides)  # type: ignore[arg-type]
