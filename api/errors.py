"""Error classes and the handlers that render every error in the response envelope.

Each class carries its HTTP status, a stable `code` and a message that is safe to show.
Anything else becomes a generic 500 with the request id; its traceback goes to the log.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from core.logging import request_id_var

logger = logging.getLogger(__name__)


class ApiError(Exception):
    """An error with a status, a machine code and a message a person can act on."""

    status_code = 400
    code = "bad_request"
    default_message = "The request is invalid."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.details = details
        self.headers = headers or {}
        super().__init__(self.message)


class Unauthenticated(ApiError):
    status_code = 401
    code = "unauthenticated"
    default_message = "Sign in to continue: the session is missing, invalid or expired."


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"
    default_message = "This session does not have the right to do that."


class NotFound(ApiError):
    status_code = 404
    code = "not_found"
    default_message = "Nothing was found at this address."


class Conflict(ApiError):
    status_code = 409
    code = "conflict"
    default_message = "The request conflicts with the current state."


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"
    default_message = "The request body is too large; send less."


class ValidationFailed(ApiError):
    status_code = 422
    code = "validation_error"
    default_message = "Some fields are invalid; see details for each one."


class RateLimited(ApiError):
    status_code = 429
    code = "rate_limited"
    default_message = "Too many requests; wait a moment and try again."


class UpstreamUnavailable(ApiError):
    status_code = 503
    code = "upstream_unavailable"
    default_message = (
        "A service this request depends on is unavailable; try again soon."
    )


def error_body(
    code: str, message: str, details: Any = None, request_id: str | None = None
) -> dict[str, Any]:
    return {
        "ok": False,
        "error": {
            "code": code,
            "message": message,
            "details": details,
            "request_id": request_id or request_id_var.get(),
        },
    }


def _field_errors(error: RequestValidationError) -> list[dict[str, Any]]:
    fields = []
    for item in error.errors():
        location = [str(part) for part in item.get("loc", ())]
        if item.get("type") == "json_invalid":
            # The second part of the location is a character offset, not a field.
            fields.append(
                {
                    "field": "body",
                    "location": "body",
                    "message": "the body is not valid JSON "
                    f"({item.get('ctx', {}).get('error', 'JSON decode error')}); "
                    "send a JSON object",
                    "type": "json_invalid",
                }
            )
            continue
        fields.append(
            {
                "field": ".".join(location[1:]) or ".".join(location),
                "location": location[0] if location else "body",
                "message": item.get("msg", "invalid value"),
                "type": item.get("type", "value_error"),
            }
        )
    return fields


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthenticated",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
}
_STATUS_MESSAGES = {
    404: "Nothing was found at this address; check the path against /docs.",
    405: "This method is not allowed on this path; check /docs for the allowed ones.",
}


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn every error into the envelope."""

    @app.exception_handler(ApiError)
    async def on_api_error(_request: Request, error: ApiError) -> JSONResponse:
        return JSONResponse(
            error_body(error.code, error.message, error.details),
            status_code=error.status_code,
            headers=error.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def on_validation_error(
        _request: Request, error: RequestValidationError
    ) -> JSONResponse:
        fields = _field_errors(error)
        names = ", ".join(sorted({f["field"] for f in fields})) or "the request"
        if len(fields) == 1:
            message = (
                f"Invalid value for {names}: {fields[0]['message']}; fix it and "
                "send again."
            )
        else:
            message = (
                f"Invalid value for {names}; fix the listed fields and send again."
            )
        return JSONResponse(
            error_body("validation_error", message, fields), status_code=422
        )

    @app.exception_handler(StarletteHTTPException)
    async def on_http_error(
        _request: Request, error: StarletteHTTPException
    ) -> JSONResponse:
        code = _STATUS_CODES.get(error.status_code, "http_error")
        message = _STATUS_MESSAGES.get(error.status_code) or str(error.detail)
        return JSONResponse(
            error_body(code, message),
            status_code=error.status_code,
            headers=getattr(error, "headers", None),
        )

    @app.exception_handler(Exception)
    async def on_unexpected(request: Request, error: Exception) -> JSONResponse:
        # This runs outside the request middleware, so the id comes from the scope.
        request_id = str(request.scope.get("state", {}).get("request_id", ""))
        logger.error(
            "unhandled error on %s %s",
            request.method,
            request.url.path,
            exc_info=error,
            extra={"request_id": request_id},
        )
        return JSONResponse(
            error_body(
                "internal_error",
                "Something went wrong on our side; quote the request id if it "
                "persists.",
                request_id=request_id,
            ),
            status_code=500,
            headers={"X-Request-ID": request_id} if request_id else None,
        )
