"""The gate every request with a body passes before anything reads that body.

Two rules, enforced as ASGI middleware so they hold for every route, before FastAPI parses
JSON or a form: a body larger than its path allows is refused (413), as soon as its
declared length says so or, for a chunked body, as soon as the bytes read pass the limit;
and a body sent without a credential is refused (401 for the API, the login page for the
pages) without reading a byte of it. An unauthenticated 52 MB upload therefore costs the
server its headers, not 52 MB.
"""

from __future__ import annotations

import json

from anyio import to_thread
from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from missiondesk.services import accounts as account_service
from missiondesk.services.accounts import TokenKind
from missiondesk.store.database import Database

KIB = 1024
MIB = 1024 * KIB

MAX_VILLAGE_BYTES = 64 * MIB  # a village file uploaded to POST /api/village
MAX_LOGIN_BYTES = 16 * KIB  # a name, a password and two tokens
MAX_BODY_BYTES = 1 * MIB  # every other request: a JSON body or a page's form

OPEN_PATHS = frozenset({"/login", "/health"})  # bodies accepted without a credential


def body_limit(method: str, path: str) -> int:
    """The largest body `method path` accepts, in bytes."""
    if path == "/api/village" and method == "POST":
        return MAX_VILLAGE_BYTES
    if path == "/login":
        return MAX_LOGIN_BYTES
    return MAX_BODY_BYTES


class RequestGate:
    """ASGI middleware: body size limits and authentication before the body is read."""

    def __init__(self, app: ASGIApp, db: Database) -> None:
        self.app = app
        self.db = db

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        declared = headers.get("content-length")
        chunked = "transfer-encoding" in headers
        if declared is None and not chunked:
            await self.app(scope, receive, send)  # no body to guard
            return
        path: str = scope["path"]
        limit = body_limit(scope["method"], path)
        if declared is not None:
            if not declared.isdigit():
                await _answer(scope, send, 400, "Content-Length is not a number of bytes")
                return
            if int(declared) == 0 and not chunked:
                await self.app(scope, receive, send)
                return
        # Who is asking comes first: a stranger learns nothing, not even the limits.
        if path not in OPEN_PATHS and not await self._signed_in(path, headers):
            await _unauthenticated(scope, send, path)
            return
        if declared is not None and int(declared) > limit:
            await _too_large(scope, send, limit)
            return
        await self._limited(scope, receive, send, limit)

    async def _signed_in(self, path: str, headers: Headers) -> bool:
        """Whether the request carries a live credential of the kind its path takes; the
        route still checks the role (this gate only keeps strangers from sending bodies)."""
        if path.startswith("/api/"):
            scheme, _, raw = headers.get("authorization", "").partition(" ")
            kind = TokenKind.API
            if scheme.lower() != "bearer":
                return False
        else:
            raw = _cookie(headers, "md_session")
            kind = TokenKind.SESSION
        if not raw:
            return False
        account = await to_thread.run_sync(
            lambda: account_service.account_for_token(self.db, raw.strip(), kind=kind)
        )
        return account is not None

    async def _limited(self, scope: Scope, receive: Receive, send: Send, limit: int) -> None:
        """Run the app, refusing the body with 413 once more than `limit` bytes arrive."""
        received = 0
        refused = False
        started = False

        async def counting_receive() -> Message:
            nonlocal received, refused
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    refused = True
                    if not started:
                        await _too_large(scope, send, limit)
                    # The app sees the client go away, and stops.
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Message) -> None:
            nonlocal started
            if refused:
                return  # the 413 has been sent; the app's own answer is dropped
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        await self.app(scope, counting_receive, guarded_send)


def _cookie(headers: Headers, name: str) -> str:
    for part in headers.get("cookie", "").split(";"):
        key, _, value = part.strip().partition("=")
        if key == name:
            return value
    return ""


async def _too_large(scope: Scope, send: Send, limit: int) -> None:
    await _answer(scope, send, 413, f"the request body is larger than {_size(limit)}", field="body")


async def _unauthenticated(scope: Scope, send: Send, path: str) -> None:
    if path.startswith("/api/"):
        await _answer(
            scope,
            send,
            401,
            "sign in: send `Authorization: Bearer TOKEN` (a token from `missiondesk user token "
            "NAME`)",
            extra=[(b"www-authenticate", b"Bearer")],
        )
        return
    # A page's form without a session: the same answer PageAllowed gives, the login page.
    await send(
        {
            "type": "http.response.start",
            "status": 303,
            "headers": [(b"location", b"/login?next=/"), (b"content-length", b"0")],
        }
    )
    await send({"type": "http.response.body", "body": b""})


async def _answer(
    scope: Scope,
    send: Send,
    status: int,
    detail: str,
    *,
    field: str | None = None,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    body = json.dumps({"detail": detail, "field": field}).encode()
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        # The body was not read: the connection cannot carry another request.
        (b"connection", b"close"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def _size(limit: int) -> str:
    return f"{limit // MIB} MiB" if limit >= MIB else f"{limit // KIB} KiB"
