"""Presigned-style download links for report documents, served like S3."""

import logging
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from xml.sax.saxutils import escape

from fastapi import APIRouter, Request
from fastapi.responses import Response

from .clock import Clock
from .requestid import request_id_of
from .sellers import ReportContent

logger = logging.getLogger(__name__)

LINK_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class _Link:
    content: ReportContent
    expires_at: datetime
    content_encoding_gzip: bool


class DocumentLinks:
    """Download links that expire five minutes after they are issued."""

    def __init__(self, clock: Clock, base_url: str) -> None:
        self._clock = clock
        self._base_url = base_url
        self._links: dict[str, _Link] = {}

    def issue(self, content: ReportContent, *, content_encoding_gzip: bool) -> str:
        """Return a new download URL for `content`.

        With `content_encoding_gzip` a compressed document is sent with
        Content-Encoding: gzip, as enableContentEncodingUrlHeader=true requests.
        """
        token = secrets.token_urlsafe(24)
        self._links[token] = _Link(
            content, self._clock() + LINK_LIFETIME, content_encoding_gzip
        )
        return f"{self._base_url}/_documents/{token}?X-Amz-Expires=300"

    def router(self) -> APIRouter:
        """Build the route that serves the bytes behind the links."""
        router = APIRouter(tags=["report documents"])

        @router.get("/_documents/{token}")
        async def download(token: str, request: Request) -> Response:
            """Serve a document's bytes, or S3's 403 AccessDenied when expired."""
            return self._serve(token, request_id_of(request.scope))

        return router

    def _serve(self, token: str, request_id: str) -> Response:
        link = self._links.get(token)
        now = self._clock()
        if link is None:
            return _access_denied("Access Denied", request_id, None, now)
        if now >= link.expires_at:
            return _access_denied("Request has expired", request_id, link, now)
        headers = {}
        if link.content.gzip and link.content_encoding_gzip:
            headers["Content-Encoding"] = "gzip"
        content_type = "text/tab-separated-values"
        if link.content.charset is not None:
            content_type += f"; charset={link.content.charset}"
        # Passed as a header, so Starlette does not append its own charset.
        headers["Content-Type"] = content_type
        return Response(link.content.body, headers=headers)


def _access_denied(
    message: str, request_id: str, link: _Link | None, now: datetime
) -> Response:
    expiry = ""
    if link is not None:
        expiry = (
            "<X-Amz-Expires>300</X-Amz-Expires>"
            f"<Expires>{_s3_time(link.expires_at)}</Expires>"
            f"<ServerTime>{_s3_time(now)}</ServerTime>"
        )
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>AccessDenied</Code><Message>{escape(message)}</Message>"
        f"{expiry}<RequestId>{escape(request_id)}</RequestId></Error>"
    )
    return Response(body, status_code=403, media_type="application/xml")


def _s3_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
