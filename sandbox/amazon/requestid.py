"""ASGI middleware that gives every response an x-amzn-RequestId header."""

import uuid

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

REQUEST_ID_HEADER = "x-amzn-RequestId"


def request_id_of(scope: Scope) -> str:
    """Return the id the middleware gave this request ("" outside it)."""
    state = scope.get("state") or {}
    return str(state.get("amzn_request_id", ""))


class RequestIdMiddleware:
    """Store a fresh request id in the scope state and send it as a header."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["amzn_request_id"] = request_id

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
            await send(message)

        await self.app(scope, receive, send_with_id)
