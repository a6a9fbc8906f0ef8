"""HTML pages of the sign-in and consent flows (all values HTML-escaped)."""

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from fastapi.responses import HTMLResponse

logger = logging.getLogger(__name__)

_STYLE = (
    "body{font-family:sans-serif;max-width:34em;margin:3em auto;color:#111}"
    "label{display:block;margin:.8em 0}input{width:100%;padding:.3em}"
    "button{margin:.8em .4em 0 0;padding:.4em 1em}.error{color:#b00}"
    ".seller{border:1px solid #ccc;padding:.6em 1em;margin:.8em 0}"
)


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    html = (
        "<!doctype html><html><head><meta charset='utf-8'>"
        f"<title>{escape(title)}</title><style>{_STYLE}</style></head>"
        f"<body><h1>{escape(title)}</h1>{body}</body></html>"
    )
    return HTMLResponse(html, status_code=status)


def error_page(title: str, message: str, status: int = 400) -> HTMLResponse:
    """Render an error page that does not redirect anywhere."""
    logger.info("%s: %s", title, message)
    return _page(title, f"<p class='error'>{escape(message)}</p>", status)


def sign_in_page(
    action: str,
    request_id: str,
    email: str,
    name: str,
    error: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    """Render the Login with Amazon sign-in form that posts to `action`."""
    notice = f"<p class='error'>{escape(error)}</p>" if error else ""
    body = (
        f"{notice}<p>Sandbox sign-in: no password is checked.</p>"
        f"<form method='post' action='{escape(action)}'>"
        f"<input type='hidden' name='request_id' value='{escape(request_id)}'>"
        "<label>Email <input name='email' type='email' "
        f"value='{escape(email)}'></label>"
        f"<label>Name <input name='name' value='{escape(name)}'></label>"
        "<button name='decision' value='allow'>Sign in and allow</button>"
        "<button name='decision' value='cancel'>Cancel</button>"
        "</form>"
    )
    return _page("Amazon Sign-In (sandbox)", body, status)


@dataclass(frozen=True)
class SellerChoice:
    """One seller the consent page offers."""

    selling_partner_id: str
    name: str
    marketplace_name: str


def consent_page(
    action: str, consent_id: str, application_id: str, sellers: Sequence[SellerChoice]
) -> HTMLResponse:
    """Render the Seller Central consent page with one Authorize form per seller."""
    forms = "".join(
        "<div class='seller'>"
        f"<p><b>{escape(seller.name)}</b> ({escape(seller.selling_partner_id)}, "
        f"{escape(seller.marketplace_name)})</p>"
        f"<form method='post' action='{escape(action)}'>"
        f"<input type='hidden' name='consent_id' value='{escape(consent_id)}'>"
        "<input type='hidden' name='selling_partner_id' "
        f"value='{escape(seller.selling_partner_id)}'>"
        "<button>Authorize</button></form></div>"
        for seller in sellers
    )
    body = (
        f"<p>Application {escape(application_id)} requests access to the "
        f"Selling Partner API for the seller you choose.</p>{forms}"
    )
    return _page("Seller Central: authorize application (sandbox)", body)
