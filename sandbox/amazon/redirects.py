"""Redirect URI registration checks and redirect URL building."""

from collections.abc import Mapping, Sequence
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_LOOPBACK_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})
_CONSENT_CALLBACK_PREFIX = "/api/v1/integrations"
_CONSENT_CALLBACK_SUFFIX = "/amazon/callback"


class RedirectPolicy:
    """Rules for the redirect URIs of the sandbox's registered application.

    With registered URIs, only an exact match is accepted. With none, any http
    or https URI on a loopback host is accepted, for local development.
    """

    def __init__(self, registered: Sequence[str]) -> None:
        self._registered = list(registered)

    def is_allowed(self, uri: str) -> bool:
        """Return whether `uri` may receive codes."""
        if self._registered:
            return uri in self._registered
        parts = urlsplit(uri)
        return parts.scheme in {"http", "https"} and parts.hostname in _LOOPBACK_HOSTS

    def default_consent_uri(self) -> str | None:
        """Return the registered seller-consent callback, or None if none fits.

        That is the first registered URI whose path is under /api/v1/integrations
        and ends with /amazon/callback, as Seller Central uses the app's
        registered OAuth redirect URI when the consent URL names none.
        """
        for uri in self._registered:
            path = urlsplit(uri).path
            if path.startswith(_CONSENT_CALLBACK_PREFIX) and path.endswith(
                _CONSENT_CALLBACK_SUFFIX
            ):
                return uri
        return None


def with_query(uri: str, params: Mapping[str, str]) -> str:
    """Return `uri` with `params` added to its query string."""
    parts = urlsplit(uri)
    query = [*parse_qsl(parts.query, keep_blank_values=True), *params.items()]
    return urlunsplit(parts._replace(query=urlencode(query)))
