"""Classify error responses of the Login with Amazon (LWA) token endpoint."""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

# LWA names the rejected grant parameter in the description, for example
# "The request has an invalid grant parameter : refresh_token".
_GRANT_PARAMETER_RE = re.compile(r"invalid grant parameter\s*:\s*([a-z_]+)", re.I)


class RejectedGrant(StrEnum):
    """The grant that an ``invalid_grant`` error rejected."""

    # The grant parameter's name, not a credential.
    REFRESH_TOKEN = "refresh_token"  # noqa: S105
    """The seller revoked the consent or it expired, so ask for consent again."""
    AUTHORIZATION_CODE = "code"
    """The authorization code is wrong, already used or older than 5 minutes."""


class LwaError(Exception):
    """An error response from the LWA token endpoint.

    ``error`` is the OAuth 2.0 error code ("" when the body has none) and
    ``description`` Amazon's ``error_description``. Neither contains the token
    or code that was sent, so the message is safe to log.
    """

    def __init__(self, status: int, error: str, description: str | None) -> None:
        detail = f": {description}" if description else ""
        super().__init__(f"LWA token request failed: HTTP {status} {error!r}{detail}")
        self.status = status
        self.error = error
        self.description = description

    @property
    def is_invalid_grant(self) -> bool:
        """Whether LWA rejected the refresh token or authorization code."""
        return self.error == "invalid_grant"

    @property
    def rejected_grant(self) -> RejectedGrant | None:
        """The grant that ``invalid_grant`` rejected, read from the description."""
        if not self.is_invalid_grant or not self.description:
            return None
        match = _GRANT_PARAMETER_RE.search(self.description)
        if match is None:
            return None
        try:
            return RejectedGrant(match[1].lower())
        except ValueError:
            return None

    @property
    def needs_reauthorization(self) -> bool:
        """Whether the connection must be marked as needing the seller's consent again.

        True for ``invalid_grant`` unless the description names the authorization
        code, since a refresh that fails with ``invalid_grant`` means the consent was
        revoked or expired.
        """
        return (
            self.is_invalid_grant
            and self.rejected_grant is not RejectedGrant.AUTHORIZATION_CODE
        )

    @property
    def is_retryable(self) -> bool:
        """Whether the same request may succeed later (rate limit or server error)."""
        transient_codes = ("server_error", "temporarily_unavailable")
        return self.status == 429 or self.status >= 500 or self.error in transient_codes


def parse_lwa_error(status: int, body: Mapping[str, Any]) -> LwaError:
    """Build the LwaError for a failed token response's status and JSON body.

    A body without the OAuth fields gives ``error`` "" and ``description`` None.
    """
    error = body.get("error")
    description = body.get("error_description")
    return LwaError(
        status,
        error if isinstance(error, str) else "",
        description if isinstance(description, str) and description else None,
    )
