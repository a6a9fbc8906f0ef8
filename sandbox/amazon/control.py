"""Sandbox control routes under /_sandbox (not part of Amazon's APIs)."""

import logging
from datetime import datetime
from decimal import Decimal
from typing import Annotated, Any

from fastapi import APIRouter, Body, HTTPException
from pydantic import BaseModel, ConfigDict, Field, model_validator

from .demo import DemoSeller
from .report_files import ReimbursementRow
from .state import SandboxState

logger = logging.getLogger(__name__)


class RevokeRequest(BaseModel):
    """Revoke a seller's refresh tokens, or one refresh token."""

    model_config = ConfigDict(extra="forbid")

    selling_partner_id: str | None = None
    refresh_token: str | None = None

    @model_validator(mode="after")
    def _one_target(self) -> "RevokeRequest":
        if (self.selling_partner_id is None) == (self.refresh_token is None):
            raise ValueError("give exactly one of selling_partner_id or refresh_token")
        return self


class NewReimbursement(BaseModel):
    """A reimbursement row to add to the demo seller's report."""

    model_config = ConfigDict(extra="forbid")

    fnsku: str
    reason: str = "Lost_Warehouse"
    quantity_cash: int = 0
    quantity_inventory: int = 0
    amount_per_unit: Decimal | None = Field(
        None, description="Defaults to the product's unit value."
    )
    case_id: str = ""
    amazon_order_id: str = ""
    approval_date: datetime | None = Field(
        None, description="Aware ISO 8601 time, by default now."
    )
    original_reimbursement_id: str = ""
    original_reimbursement_type: str = ""


def control_router(state: SandboxState) -> APIRouter:
    """Build the /_sandbox routes: revoke, sellers, planted cases, reimbursements."""
    router = APIRouter(prefix="/_sandbox", tags=["sandbox control"])

    @router.post("/revoke")
    async def revoke(body: Annotated[RevokeRequest, Body()]) -> dict[str, int]:
        """Revoke refresh tokens (and their access tokens): {"revoked": count}."""
        if body.selling_partner_id is not None:
            count = state.tokens.revoke_seller(body.selling_partner_id)
        else:
            count = state.tokens.revoke_refresh_token(body.refresh_token or "")
        logger.info("revoked %d refresh tokens", count)
        return {"revoked": count}

    @router.get("/sellers")
    async def sellers() -> list[dict[str, Any]]:
        """List the sellers: id, name, marketplace, source and report types."""
        return [
            {
                "selling_partner_id": seller.selling_partner_id,
                "name": seller.name,
                "marketplace_id": seller.marketplace.id,
                "source": "demo" if isinstance(seller, DemoSeller) else "folder",
                "report_types": sorted(seller.report_types()),
            }
            for seller in state.sellers
        ]

    @router.get("/sellers/{seller_id}/planted")
    async def planted(seller_id: str) -> dict[str, Any]:
        """Return the seller's planted cases, or 404 for a seller without a manifest.

        `unit_costs` lists the unit costs the seller has set, which a test
        gives the product before detection runs.
        """
        seller = state.sellers.get(seller_id)
        cases = seller.planted_cases() if seller is not None else None
        if seller is None or cases is None:
            raise HTTPException(404, f"no planted cases for seller {seller_id}")
        unit_costs = []
        if isinstance(seller, DemoSeller):
            unit_costs = seller.dataset.unit_costs()
        return {
            "selling_partner_id": seller.selling_partner_id,
            "marketplace_id": seller.marketplace.id,
            "anchor_date": state.anchor_date.isoformat(),
            "currency": seller.marketplace.currency,
            "unit_costs": unit_costs,
            "cases": cases,
        }

    @router.post("/sellers/{seller_id}/reimbursements", status_code=201)
    async def add_reimbursement(
        seller_id: str, body: Annotated[NewReimbursement, Body()]
    ) -> dict[str, str]:
        """Add a row to the demo seller's reimbursements report."""
        seller = state.sellers.get(seller_id)
        if not isinstance(seller, DemoSeller):
            raise HTTPException(
                404,
                f"seller {seller_id} is not a generated seller, and folder files "
                "are served unchanged",
            )
        row = _reimbursement_row(state, seller, body)
        seller.add_reimbursement(row)
        logger.info("added reimbursement %s for %s", row.reimbursement_id, row.fnsku)
        return {"reimbursement_id": row.reimbursement_id}

    return router


def _reimbursement_row(
    state: SandboxState, seller: DemoSeller, body: NewReimbursement
) -> ReimbursementRow:
    product = seller.product(body.fnsku)
    if product is None:
        raise HTTPException(422, f"unknown fnsku {body.fnsku}")
    approval = body.approval_date or state.clock()
    if approval.tzinfo is None:
        raise HTTPException(422, "approval_date needs a UTC offset")
    return ReimbursementRow(
        approval_date=approval,
        reimbursement_id=seller.next_reimbursement_id(),
        reason=body.reason,
        sku=product.msku,
        fnsku=product.fnsku,
        asin=product.asin,
        product_name=product.title,
        currency=seller.marketplace.currency,
        amount_per_unit=body.amount_per_unit or product.unit_cost,
        quantity_cash=body.quantity_cash,
        quantity_inventory=body.quantity_inventory,
        case_id=body.case_id,
        amazon_order_id=body.amazon_order_id,
        original_reimbursement_id=body.original_reimbursement_id,
        original_reimbursement_type=body.original_reimbursement_type,
    )
