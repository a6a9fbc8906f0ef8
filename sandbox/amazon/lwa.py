"""Login with Amazon: the authorize page, the token endpoint and the profile."""

import base64
import binascii
import logging
import re
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response

from .errors import LwaError, lwa_invalid_request
from .pages import error_page, sign_in_page
from .redirects import with_query
from .state import SandboxState
from .tokens import LoginUser, SellerGrant, TokenGrant, login_user_id

logger = logging.getLogger(__name__)

DEMO_EMAIL = "demo.seller@example.com"
DEMO_NAME = "Demo Seller"
KNOWN_SCOPES = frozenset({"profile", "profile:user_id", "postal_code"})
GRANT_TYPES = frozenset({"authorization_code", "refresh_token"})
_CHALLENGE = re.compile(r"^[A-Za-z0-9_-]{43}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}

OptionalQuery = Annotated[str | None, Query()]


class _AuthorizeRejected(Exception):
    def __init__(self, error: str, description: str) -> None:
        super().__init__(description)
        self.error = error
        self.description = description


def _check_authorize_params(
    response_type: str | None,
    scope: str | None,
    state: str | None,
    code_challenge: str | None,
    code_challenge_method: str | None,
) -> None:
    if not response_type:
        raise _AuthorizeRejected("invalid_request", "response_type is required")
    if response_type != "code":
        raise _AuthorizeRejected(
            "unsupported_response_type", "response_type must be code"
        )
    if not scope:
        raise _AuthorizeRejected("invalid_request", "scope is required")
    scopes = set(scope.split())
    if "profile" not in scopes or not scopes <= KNOWN_SCOPES:
        raise _AuthorizeRejected(
            "invalid_scope", "scope must include profile and only known scopes"
        )
    if not state:
        raise _AuthorizeRejected("invalid_request", "state is required")
    if not code_challenge:
        raise _AuthorizeRejected("invalid_request", "code_challenge is required")
    if code_challenge_method != "S256":
        raise _AuthorizeRejected(
            "invalid_request", "code_challenge_method must be S256"
        )
    if not _CHALLENGE.match(code_challenge):
        raise _AuthorizeRejected(
            "invalid_request",
            "code_challenge must be the 43-character base64url SHA-256 of the verifier",
        )


def lwa_router(state: SandboxState) -> APIRouter:
    """Build the routes /ap/oa, /ap/oa/approve, /auth/o2/token and /user/profile."""
    router = APIRouter(tags=["Login with Amazon"])
    config = state.config

    @router.get("/ap/oa", response_model=None)
    async def authorize(
        client_id: OptionalQuery = None,
        scope: OptionalQuery = None,
        response_type: OptionalQuery = None,
        redirect_uri: OptionalQuery = None,
        state_: Annotated[str | None, Query(alias="state")] = None,
        code_challenge: OptionalQuery = None,
        code_challenge_method: OptionalQuery = None,
    ) -> Response:
        """Show the sign-in page, or reject the authorization request."""
        if client_id != config.client_id:
            return error_page("Sign-in failed", "Unknown client_id.")
        if not redirect_uri or not state.redirects.is_allowed(redirect_uri):
            return error_page(
                "Sign-in failed",
                "The redirect_uri is not registered for this application.",
            )
        try:
            _check_authorize_params(
                response_type, scope, state_, code_challenge, code_challenge_method
            )
        except _AuthorizeRejected as rejected:
            params = {
                "error": rejected.error,
                "error_description": rejected.description,
            }
            if state_:
                params["state"] = state_
            return RedirectResponse(with_query(redirect_uri, params), status_code=302)
        request_id = state.logins.put(
            {
                "redirect_uri": redirect_uri,
                "state": state_,
                "scope": scope,
                "code_challenge": code_challenge,
            }
        )
        return sign_in_page(
            f"{config.base_url}/ap/oa/approve", request_id, DEMO_EMAIL, DEMO_NAME
        )

    @router.post("/ap/oa/approve", response_model=None)
    async def approve(
        request_id: Annotated[str, Form()],
        email: Annotated[str, Form()] = "",
        name: Annotated[str, Form()] = "",
        decision: Annotated[str, Form()] = "allow",
    ) -> Response:
        """Redirect back with a code (allow) or error=access_denied (cancel)."""
        pending = state.logins.get(request_id)
        if pending is None:
            return error_page(
                "Sign-in failed",
                "This sign-in request expired or was already used. "
                "Start again from the application.",
            )

        problem = _profile_problem(email, name)
        if decision == "allow" and problem:
            return sign_in_page(
                f"{config.base_url}/ap/oa/approve",
                request_id,
                email,
                name,
                error=problem,
                status=400,
            )

        state.logins.take(request_id)
        if decision != "allow":
            params = {
                "error": "access_denied",
                "error_description": "The user denied the request.",
                "state": pending["state"],
            }
            return RedirectResponse(
                with_query(pending["redirect_uri"], params), status_code=302
            )

        user = LoginUser(login_user_id(email), name.strip(), email.strip())
        code = state.tokens.issue_code(
            config.client_id, pending["redirect_uri"], user, pending["code_challenge"]
        )
        logger.info("login approved for %s", user.user_id)
        params = {"code": code, "scope": pending["scope"], "state": pending["state"]}
        return RedirectResponse(
            with_query(pending["redirect_uri"], params), status_code=302
        )

    @router.post("/auth/o2/token")
    async def token(request: Request) -> JSONResponse:
        """Exchange a code or a refresh token for tokens (form-encoded only)."""
        form = await _read_form(request)
        grant = _grant_tokens(state, form, request.headers.get("authorization"))
        return JSONResponse(_token_body(grant), headers=_NO_STORE)

    @router.get("/user/profile")
    async def profile(request: Request) -> JSONResponse:
        """Return the signed-in user's profile for a login access token."""
        scheme, _, value = request.headers.get("authorization", "").partition(" ")
        token = value.strip() if scheme.lower() == "bearer" else None
        access = state.tokens.lookup_access(token)
        if access is None:
            raise LwaError(
                401,
                "invalid_token",
                "The access token provided is expired, revoked, malformed, "
                "or invalid for other reasons.",
                challenge='Bearer error="invalid_token"',
            )
        if not isinstance(access.subject, LoginUser):
            raise LwaError(
                403,
                "insufficient_scope",
                "The access token was not granted the profile scope.",
            )
        user = access.subject
        return JSONResponse(
            {"user_id": user.user_id, "name": user.name, "email": user.email}
        )

    return router


def _profile_problem(email: str, name: str) -> str | None:
    if not _EMAIL.match(email.strip()):
        return "Enter a valid email address."
    if not name.strip():
        return "Enter your name."
    return None


async def _read_form(request: Request) -> dict[str, str]:
    content_type = request.headers.get("content-type", "")
    if (
        content_type.split(";")[0].strip().lower()
        != "application/x-www-form-urlencoded"
    ):
        raise LwaError(
            400,
            "invalid_request",
            "The request must be form-encoded (application/x-www-form-urlencoded).",
        )
    form = await request.form()
    return {key: value for key, value in form.items() if isinstance(value, str)}


def _client_credentials(
    form: dict[str, str], authorization: str | None
) -> tuple[str | None, str | None]:
    """Read client_id and client_secret from the form or an HTTP Basic header."""
    client_id, client_secret = form.get("client_id"), form.get("client_secret")
    scheme, _, encoded = (authorization or "").partition(" ")
    if scheme.lower() == "basic" and not client_secret:
        try:
            decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return client_id, None
        basic_id, _, client_secret = decoded.partition(":")
        client_id = client_id or basic_id
    return client_id, client_secret


def _grant_tokens(
    state: SandboxState, form: dict[str, str], authorization: str | None
) -> TokenGrant:
    grant_type = form.get("grant_type")
    if not grant_type:
        raise lwa_invalid_request("grant_type")
    if grant_type not in GRANT_TYPES:
        raise LwaError(
            400,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server",
        )
    client_id, client_secret = _client_credentials(form, authorization)
    if not client_id:
        raise lwa_invalid_request("client_id")
    if not client_secret:
        raise lwa_invalid_request("client_secret")
    if (client_id, client_secret) != (
        state.config.client_id,
        state.config.client_secret,
    ):
        raise LwaError(401, "invalid_client", "Client authentication failed")
    if grant_type == "refresh_token":
        return state.tokens.refresh(_required(form, "refresh_token"), client_id)
    return state.tokens.redeem_code(
        _required(form, "code"),
        client_id,
        _required(form, "redirect_uri"),
        form.get("code_verifier"),
    )


def _required(form: dict[str, str], name: str) -> str:
    value = form.get(name)
    if not value:
        raise lwa_invalid_request(name)
    return value


def _token_body(grant: TokenGrant) -> dict[str, Any]:
    body: dict[str, Any] = {"access_token": grant.access_token.token}
    if grant.refresh_token is not None:
        body["refresh_token"] = grant.refresh_token.token
    body["token_type"] = "bearer"  # noqa: S105 - the OAuth token type, not a secret
    body["expires_in"] = 3600
    subject = grant.access_token.subject
    if isinstance(subject, SellerGrant):
        logger.info("issued SP-API token for %s", subject.selling_partner_id)
    return body
