"""Seller Central website authorization: the consent page and its confirmation."""

import logging
from typing import Annotated

from fastapi import APIRouter, Form, Query
from fastapi.responses import RedirectResponse, Response

from .pages import SellerChoice, consent_page, error_page
from .redirects import with_query
from .state import SandboxState
from .tokens import SellerGrant

logger = logging.getLogger(__name__)

_TITLE = "Authorization failed"


def consent_router(state: SandboxState) -> APIRouter:
    """Build /apps/authorize/consent and /apps/authorize/confirm."""
    router = APIRouter(tags=["Seller Central"])
    config = state.config

    @router.get("/apps/authorize/consent", response_model=None)
    async def consent(
        application_id: Annotated[str | None, Query()] = None,
        state_: Annotated[str | None, Query(alias="state")] = None,
        version: Annotated[str | None, Query()] = None,
        redirect_uri: Annotated[str | None, Query()] = None,
    ) -> Response:
        """Show the sellers the application may be authorized for."""
        if application_id != config.application_id:
            return error_page(_TITLE, "Unknown application_id.")
        if version not in (None, "beta"):
            return error_page(_TITLE, "version must be beta when given.")
        if not state_:
            return error_page(_TITLE, "The state parameter is required.")
        target = redirect_uri or state.redirects.default_consent_uri()
        if target is None:
            return error_page(
                _TITLE,
                "No redirect_uri was given and the application has no registered "
                "redirect URI ending with /amazon/callback.",
            )
        if not state.redirects.is_allowed(target):
            return error_page(
                _TITLE, "The redirect_uri is not registered for this application."
            )
        consent_id = state.consents.put({"redirect_uri": target, "state": state_})
        choices = [
            SellerChoice(
                seller.selling_partner_id, seller.name, seller.marketplace.name
            )
            for seller in state.sellers
        ]
        return consent_page(
            f"{config.base_url}/apps/authorize/confirm",
            consent_id,
            config.application_id,
            choices,
        )

    @router.post("/apps/authorize/confirm", response_model=None)
    async def confirm(
        consent_id: Annotated[str, Form()],
        selling_partner_id: Annotated[str, Form()],
    ) -> Response:
        """Redirect to the app with state, selling_partner_id and spapi_oauth_code."""
        pending = state.consents.get(consent_id)
        if pending is None:
            return error_page(
                _TITLE, "This consent page expired or was already used. Start again."
            )
        if state.sellers.get(selling_partner_id) is None:
            return error_page(_TITLE, "Unknown selling_partner_id.")
        state.consents.take(consent_id)
        grant = SellerGrant(selling_partner_id, config.application_id)
        code = state.tokens.issue_code(
            config.client_id, pending["redirect_uri"], grant, code_challenge=None
        )
        logger.info("seller %s authorized the application", selling_partner_id)
        params = {
            "state": pending["state"],
            "selling_partner_id": selling_partner_id,
            "spapi_oauth_code": code,
        }
        return RedirectResponse(
            with_query(pending["redirect_uri"], params), status_code=302
        )

    return router
