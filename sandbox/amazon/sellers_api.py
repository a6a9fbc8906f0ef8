"""Sellers API v1: the seller's marketplace participations."""

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import JSONResponse

from .spapi import SpApiCall, spapi_operation
from .state import SandboxState


def sellers_router(state: SandboxState) -> APIRouter:
    """Build GET /sellers/v1/marketplaceParticipations."""
    router = APIRouter(prefix="/sellers/v1", tags=["Sellers v1"])
    participations_call = Annotated[
        SpApiCall, Depends(spapi_operation(state, "getMarketplaceParticipations"))
    ]

    @router.get("/marketplaceParticipations")
    async def marketplace_participations(call: participations_call) -> JSONResponse:
        """Return {"payload": [{marketplace, participation, storeName}]}."""
        market = call.seller.marketplace
        entry = {
            "marketplace": {
                "id": market.id,
                "name": market.name,
                "countryCode": market.country_code,
                "defaultCurrencyCode": market.currency,
                "defaultLanguageCode": market.language,
                "domainName": market.domain,
            },
            "participation": {"isParticipating": True, "hasSuspendedListings": False},
            "storeName": call.seller.name,
        }
        return call.json({"payload": [entry]})

    return router
