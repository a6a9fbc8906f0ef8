"""Everything one sandbox app keeps in memory, built once per app."""

from dataclasses import dataclass
from datetime import date
from typing import Any

from .clock import Clock
from .config import AmazonSandboxConfig
from .documents import DocumentLinks
from .faults import FaultInjector, FaultSettings
from .pending import PendingStore
from .ratelimit import RateLimiter
from .redirects import RedirectPolicy
from .report_jobs import ReportBook
from .sellers import SellerRegistry
from .tokens import TokenStore


@dataclass
class SandboxState:
    """The sandbox's stores, shared by its routers."""

    config: AmazonSandboxConfig
    clock: Clock
    anchor_date: date
    sellers: SellerRegistry
    tokens: TokenStore
    logins: PendingStore[dict[str, Any]]
    consents: PendingStore[dict[str, Any]]
    redirects: RedirectPolicy
    limiter: RateLimiter
    faults: FaultInjector
    reports: ReportBook
    links: DocumentLinks


def build_state(
    config: AmazonSandboxConfig,
    clock: Clock,
    anchor_date: date,
    sellers: SellerRegistry,
) -> SandboxState:
    """Create empty stores for a new app."""
    faults = FaultSettings(
        error_rate=config.error_rate,
        throttle_rate=config.throttle_rate,
        latency_seconds=config.latency_seconds,
    )
    return SandboxState(
        config=config,
        clock=clock,
        anchor_date=anchor_date,
        sellers=sellers,
        tokens=TokenStore(clock, config.state_file),
        logins=PendingStore(clock),
        consents=PendingStore(clock),
        redirects=RedirectPolicy(config.redirect_uris),
        limiter=RateLimiter(clock, config.rate_limit_scale),
        faults=FaultInjector(faults, config.seed),
        reports=ReportBook(clock, config.processing_delay_seconds),
        links=DocumentLinks(clock, config.base_url),
    )
