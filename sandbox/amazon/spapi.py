"""The checks every SP-API call passes: latency, token, quota, injected faults."""

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse

from .errors import RATE_LIMIT_HEADER, quota_exceeded, unauthorized
from .sellers import Seller
from .state import SandboxState
from .tokens import SellerGrant


@dataclass(frozen=True)
class SpApiCall:
    """An authorized, admitted SP-API call: whose it is and its rate limit."""

    seller: Seller
    rate_limit: str

    def json(self, body: Mapping[str, Any], status_code: int = 200) -> JSONResponse:
        """Return a JSON response with the x-amzn-RateLimit-Limit header."""
        return JSONResponse(
            dict(body),
            status_code=status_code,
            headers={RATE_LIMIT_HEADER: self.rate_limit},
        )


def spapi_operation(
    state: SandboxState, operation: str
) -> Callable[[Request], Awaitable[SpApiCall]]:
    """Build the FastAPI dependency that admits calls to one SP-API operation.

    The dependency first waits for the injected latency. It raises SpApiError 403
    for a missing, expired or unknown x-amz-access-token or a login token, and
    429 when the seller's bucket for the operation is empty. Last, it raises any
    injected 429, 500 or 503.
    """

    async def admit(request: Request) -> SpApiCall:
        await state.faults.delay()
        access = state.tokens.lookup_access(request.headers.get("x-amz-access-token"))
        if access is None or not isinstance(access.subject, SellerGrant):
            raise unauthorized()
        seller = state.sellers.get(access.subject.selling_partner_id)
        if seller is None:
            raise unauthorized()
        if not state.limiter.try_acquire(seller.selling_partner_id, operation):
            raise quota_exceeded()
        state.faults.raise_injected()
        return SpApiCall(seller, state.limiter.header_value(operation))

    return admit
