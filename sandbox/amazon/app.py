"""The Amazon sandbox ASGI app: LWA, Seller Central consent and SP-API."""

import logging
from datetime import timedelta
from pathlib import Path

from fastapi import FastAPI

from .clock import Clock, system_clock
from .config import AmazonSandboxConfig
from .consent import consent_router
from .control import control_router
from .demo import DemoSeller, generate_demo
from .errors import LwaError, SpApiError, render_lwa_error, render_spapi_error
from .faults import fault_router
from .folder import load_folder_seller
from .inbound import inbound_router
from .lwa import lwa_router
from .report_jobs import ReportRequest
from .reports import reports_router
from .requestid import RequestIdMiddleware
from .sellers import Seller, SellerRegistry
from .sellers_api import sellers_router
from .state import SandboxState, build_state

logger = logging.getLogger(__name__)


def create_app(config: AmazonSandboxConfig, *, clock: Clock = system_clock) -> FastAPI:
    """Build a sandbox app with fresh in-memory state.

    `clock` returns the current aware UTC time. Tests pass a fake one to expire
    codes, tokens and download links and to move reports through their states.
    Raises ValueError for an unreadable seller folder or duplicate seller ids,
    and KeyError for an unknown demo marketplace id.
    """
    anchor = config.today or clock().date()
    demo = generate_demo(anchor, config.seed, config.demo_marketplace_id)
    sellers: list[Seller] = [DemoSeller(demo)]
    sellers.extend(load_folder_seller(Path(folder)) for folder in config.seller_dirs)
    state = build_state(config, clock, anchor, SellerRegistry(sellers))
    _list_settlement_reports(state)

    app = FastAPI(
        title="Amazon sandbox",
        summary="Local stand-in for Login with Amazon, Seller Central consent "
        "and SP-API Sellers, Reports and Fulfillment Inbound.",
        version="1.0",
    )
    app.state.sandbox = state
    app.add_middleware(RequestIdMiddleware)
    app.add_exception_handler(SpApiError, render_spapi_error)
    app.add_exception_handler(LwaError, render_lwa_error)
    app.include_router(lwa_router(state))
    app.include_router(consent_router(state))
    app.include_router(sellers_router(state))
    app.include_router(reports_router(state))
    app.include_router(inbound_router(state))
    app.include_router(state.links.router())
    app.include_router(fault_router(state.faults))
    app.include_router(control_router(state))
    logger.info(
        "Amazon sandbox ready at %s with sellers %s",
        config.base_url,
        [seller.selling_partner_id for seller in state.sellers],
    )
    return app


def _list_settlement_reports(state: SandboxState) -> None:
    """Record each generated report as DONE at its own creation time.

    Settlement reports are the main case: Amazon creates one per settlement
    period, and sellers only list and download them.
    """
    for seller in state.sellers:
        for listed in seller.listed_reports():
            request = ReportRequest(
                listed.report_type,
                [seller.marketplace.id],
                listed.data_start,
                listed.data_end,
            )
            state.reports.create(
                seller.selling_partner_id,
                request,
                listed.content,
                seller.marketplace.region,
                delay=timedelta(0),
                created=listed.created,
            )
