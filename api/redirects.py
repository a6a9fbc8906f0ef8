"""Redirect targets: only configured frontend paths, never a URL from the client."""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from api.errors import ValidationFailed
from core.settings import Settings


def checked_redirect_path(settings: Settings, value: str | None) -> str:
    """Return `value` when it is an allowed frontend path, else raise 422."""
    if not value:
        return "/"
    parts = urlsplit(value)
    allowed = settings.allowed_redirect_paths
    path_ok = value.startswith("/") and not value.startswith("//") and "\\" not in value
    plain = not (parts.scheme or parts.netloc or parts.query or parts.fragment)
    if not path_ok or not plain or "%" in value or parts.path not in allowed:
        raise ValidationFailed(
            "redirect must be one of the allowed frontend paths: "
            f"{', '.join(allowed)}.",
            details=[
                {
                    "field": "redirect",
                    "location": "query",
                    "message": "not an allowed frontend path",
                    "type": "value_error",
                }
            ],
        )
    return value


def frontend_url(settings: Settings, path: str = "/", **query: str) -> str:
    base = settings.frontend_url.rstrip("/")
    suffix = f"?{urlencode(query)}" if query else ""
    joiner = "&" if "?" in path and suffix else ""
    return f"{base}{path}{joiner + suffix[1:] if joiner else suffix}"
