"""Error responses in Amazon's shapes: SP-API error lists and LWA OAuth errors."""

import logging

from fastapi import Request
from fastapi.responses import JSONResponse, Response

logger = logging.getLogger(__name__)

RATE_LIMIT_HEADER = "x-amzn-RateLimit-Limit"


class SpApiError(Exception):
    """An SP-API failure rendered as {"errors": [{code, message, details}]}.

    `rate_limit` is the x-amzn-RateLimit-Limit value to send with it, or None
    for responses that carry no such header (403, 429, 5xx).
    """

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: str = "",
        rate_limit: str | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.rate_limit = rate_limit


def invalid_input(message: str, rate_limit: str | None = None) -> SpApiError:
    """Build the 400 InvalidInput error that SP-API returns for a bad request."""
    return SpApiError(400, "InvalidInput", message, rate_limit=rate_limit)


def not_found(message: str, rate_limit: str | None = None) -> SpApiError:
    """Build the 404 NotFound error for a resource of another seller or none."""
    return SpApiError(404, "NotFound", message, rate_limit=rate_limit)


def unauthorized() -> SpApiError:
    """Build SP-API's 403 for a missing, expired or unknown access token."""
    return SpApiError(
        403,
        "Unauthorized",
        "Access to requested resource is denied.",
        "The access token you provided is revoked, malformed or invalid.",
    )


def quota_exceeded() -> SpApiError:
    """Build SP-API's 429 throttling error."""
    return SpApiError(
        429, "QuotaExceeded", "You exceeded your quota for the requested resource."
    )


async def render_spapi_error(request: Request, exc: Exception) -> Response:
    """Render a SpApiError as Amazon does."""
    assert isinstance(exc, SpApiError)
    logger.info(
        "SP-API %s %s rejected: %d %s",
        request.method,
        request.url.path,
        exc.status,
        exc.code,
    )
    body = {
        "errors": [{"code": exc.code, "message": exc.message, "details": exc.details}]
    }
    headers = {RATE_LIMIT_HEADER: exc.rate_limit} if exc.rate_limit else None
    return JSONResponse(body, status_code=exc.status, headers=headers)


class LwaError(Exception):
    """A Login with Amazon OAuth error: {"error_description", "error"}."""

    def __init__(
        self, status: int, error: str, description: str, challenge: str | None = None
    ) -> None:
        super().__init__(description)
        self.status = status
        self.error = error
        self.description = description
        self.challenge = challenge


def lwa_invalid_request(parameter: str) -> LwaError:
    """Build the 400 invalid_request error for a missing parameter."""
    return LwaError(
        400,
        "invalid_request",
        f"The request is missing a required parameter : {parameter}",
    )


def lwa_invalid_grant(parameter: str) -> LwaError:
    """Build LWA's 400 invalid_grant error naming the rejected grant parameter.

    For "refresh_token" the description is the one LWA sends for a revoked or
    unknown refresh token. For "code" it is the one for a bad, expired or used code.
    """
    description = f"The request has an invalid grant parameter : {parameter}"
    if parameter == "refresh_token":
        description += ". User may have revoked or didn't grant the permission."
    return LwaError(400, "invalid_grant", description)


async def render_lwa_error(request: Request, exc: Exception) -> Response:
    """Render an LwaError as LWA does, with no-store caching headers."""
    assert isinstance(exc, LwaError)
    logger.info(
        "LWA %s %s rejected: %d %s",
        request.method,
        request.url.path,
        exc.status,
        exc.error,
    )
    body = {"error_description": exc.description, "error": exc.error}
    headers = {"Cache-Control": "no-store", "Pragma": "no-cache"}
    if exc.challenge:
        headers["WWW-Authenticate"] = exc.challenge
    return JSONResponse(body, status_code=exc.status, headers=headers)
