"""Settings of the Amazon sandbox."""

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

DEFAULT_BASE_URL = "http://127.0.0.1:8300"
DEMO_SEED = 20241104


@dataclass
class AmazonSandboxConfig:
    """Settings of one sandbox app.

    `redirect_uris` are the registered redirect URIs: authorize and consent
    requests must use one of them exactly. An empty list is a developer
    convenience that accepts any http or https URI on 127.0.0.1, localhost or
    [::1] instead.

    `processing_delay_seconds` is how long a report stays IN_QUEUE and then
    IN_PROGRESS (half each) before it is DONE. `rate_limit_scale` multiplies
    Amazon's default rates and bursts. `error_rate`, `throttle_rate` and
    `latency_seconds` are the initial fault injection on SP-API calls (fractions
    of calls from 0 to 1, and seconds). `today` anchors the demo seller's data;
    None means the current UTC date when the app is created.
    `demo_marketplace_id` is the demo seller's one marketplace, which sets its
    currency, time zone, charset and the EU or US report layouts.
    """

    base_url: str = DEFAULT_BASE_URL
    client_id: str = "amzn1.application-oa2-client.clariosandbox"
    client_secret: str = "clario-sandbox-secret"  # noqa: S105 - public sandbox value
    application_id: str = "amzn1.sp.solution.clariosandbox"
    redirect_uris: list[str] = field(default_factory=list)
    processing_delay_seconds: float = 3.0
    rate_limit_scale: float = 1.0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    latency_seconds: float = 0.0
    seed: int = DEMO_SEED
    today: date | None = None
    demo_marketplace_id: str = "ATVPDKIKX0DER"
    seller_dirs: list[str] = field(default_factory=list)
    # JSON file that keeps refresh tokens across restarts, as Amazon does; None keeps
    # them in memory only.
    state_file: str | None = None

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        _check_fraction("error_rate", self.error_rate)
        _check_fraction("throttle_rate", self.throttle_rate)
        _check_non_negative("latency_seconds", self.latency_seconds)
        _check_non_negative("processing_delay_seconds", self.processing_delay_seconds)
        if self.rate_limit_scale <= 0:
            raise ValueError(
                f"rate_limit_scale must be positive, got {self.rate_limit_scale}"
            )


def _check_fraction(name: str, value: float) -> None:
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"{name} must be between 0 and 1, got {value}")


def _check_non_negative(name: str, value: float) -> None:
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def config_from_env(environ: Mapping[str, str] | None = None) -> dict[str, Any]:
    """Read sandbox settings from environment variables.

    Returns keyword arguments for AmazonSandboxConfig, only for the variables
    that are set: SANDBOX_BASE_URL, SANDBOX_AMAZON_REDIRECT_URIS (comma
    separated), SANDBOX_SELLER_DIRS (os.pathsep separated),
    SANDBOX_PROCESSING_DELAY (seconds), SANDBOX_RATE_LIMIT_SCALE and
    SANDBOX_STATE_FILE.
    Raises ValueError for a number that does not parse.
    """
    env = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    if env.get("SANDBOX_BASE_URL"):
        values["base_url"] = env["SANDBOX_BASE_URL"]
    if env.get("SANDBOX_AMAZON_REDIRECT_URIS"):
        values["redirect_uris"] = _split(env["SANDBOX_AMAZON_REDIRECT_URIS"], ",")
    if env.get("SANDBOX_SELLER_DIRS"):
        values["seller_dirs"] = _split(env["SANDBOX_SELLER_DIRS"], os.pathsep)
    if env.get("SANDBOX_PROCESSING_DELAY"):
        values["processing_delay_seconds"] = _number(env, "SANDBOX_PROCESSING_DELAY")
    if env.get("SANDBOX_STATE_FILE"):
        values["state_file"] = env["SANDBOX_STATE_FILE"]
    if env.get("SANDBOX_RATE_LIMIT_SCALE"):
        values["rate_limit_scale"] = _number(env, "SANDBOX_RATE_LIMIT_SCALE")
    return values


def _split(raw: str, separator: str) -> list[str]:
    return [part.strip() for part in raw.split(separator) if part.strip()]


def _number(env: Mapping[str, str], name: str) -> float:
    try:
        return float(env[name])
    except ValueError:
        raise ValueError(f"{name} must be a number, got {env[name]!r}") from None
