"""Signing in: Bearer API tokens for /api, session cookies with CSRF tokens for the pages.

Both paths end in the same check: the account's role against `policy.POLICY`. A route says
which permission it needs by depending on `ApiAllowed(permission)` or
`PageAllowed(permission)`; the role-by-endpoint tests read that permission back.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from urllib.parse import quote

from fastapi import Depends, HTTPException, Request, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.concurrency import run_in_threadpool

from missiondesk.errors import NotFound
from missiondesk.services import accounts as account_service
from missiondesk.services.accounts import Account, TokenKind
from missiondesk.services.missions import squad_rows
from missiondesk.store.database import Database
from missiondesk.web.policy import Permission, allows, only_own_missions

SESSION_COOKIE = "md_session"
LOGIN_CSRF_COOKIE = "md_login_csrf"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

bearer = HTTPBearer(
    auto_error=False,
    description="An API token from `missiondesk user token NAME`.",
)


def database(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


class LoginRequired(Exception):
    """A page was asked for without a session; the answer is the login page."""

    def __init__(self, next_url: str) -> None:
        super().__init__(next_url)
        self.next_url = next_url


def csrf_for(session_token: str) -> str:
    """The CSRF token bound to a session: only a page that can read the session's own
    responses learns it, so a form posted from another site cannot carry it."""
    return hmac.new(b"missiondesk-csrf", session_token.encode(), hashlib.sha256).hexdigest()


def new_login_csrf() -> str:
    return secrets.token_urlsafe(24)


def set_cookie(
    response: Response, request: Request, name: str, value: str, *, max_age: int
) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
        path="/",
    )


def _forbidden(account: Account, permission: Permission) -> HTTPException:
    return HTTPException(
        status_code=403,
        detail=f"the {account.role.value} role may not do this ({permission.value})",
    )


def check_mission_scope(
    db: Database, account: Account, permission: Permission, mission_id: str
) -> None:
    """For roles limited to their own missions: the account's shinobi must be on the squad."""
    if not only_own_missions(account.role, permission):
        return
    with db.reading() as connection:
        try:
            squad = {row["shinobi_id"] for row in squad_rows(connection, mission_id)}
        except NotFound:
            squad = set()
    if account.shinobi is None or account.shinobi not in squad:
        raise HTTPException(
            status_code=403,
            detail=f"a {account.role.value} account may {permission.value} only on a mission "
            "whose squad holds its own shinobi",
        )


class ApiAllowed:
    """Dependency: the Bearer token's account, if its role holds `permission` (else 401/403)."""

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    def __call__(
        self,
        request: Request,
        credentials: HTTPAuthorizationCredentials | None = Depends(bearer),
    ) -> Account:
        if credentials is None:
            raise HTTPException(
                status_code=401,
                detail="sign in: send `Authorization: Bearer TOKEN` "
                "(a token from `missiondesk user token NAME`)",
                headers={"WWW-Authenticate": "Bearer"},
            )
        account = account_service.account_for_token(
            database(request), credentials.credentials, kind=TokenKind.API
        )
        if account is None:
            raise HTTPException(
                status_code=401,
                detail="unknown or expired API token",
                headers={"WWW-Authenticate": "Bearer"},
            )
        if not allows(account.role, self.permission):
            raise _forbidden(account, self.permission)
        request.state.account = account
        return account


class PageAllowed:
    """Dependency: the session's account, if its role holds `permission`.

    Without a session the visitor is sent to the login page; a POST must also carry the
    session's CSRF token (form field `csrf_token` or header X-CSRF-Token).
    """

    def __init__(self, permission: Permission) -> None:
        self.permission = permission

    async def __call__(self, request: Request) -> Account:
        raw = request.cookies.get(SESSION_COOKIE, "")
        account = (  # a database read: in the threadpool, never on the event loop
            await run_in_threadpool(
                account_service.account_for_token, database(request), raw, TokenKind.SESSION
            )
            if raw
            else None
        )
        if account is None:
            target = request.url.path
            if request.url.query:
                target += "?" + request.url.query
            raise LoginRequired(target if request.method in SAFE_METHODS else "/")
        if request.method not in SAFE_METHODS:
            sent = request.headers.get(CSRF_HEADER)
            if sent is None:
                form = await request.form()
                value = form.get(CSRF_FIELD)
                sent = value if isinstance(value, str) else None
            if not sent or not hmac.compare_digest(sent, csrf_for(raw)):
                raise HTTPException(
                    status_code=403, detail="missing or wrong CSRF token; reload the page"
                )
        if not allows(account.role, self.permission):
            raise _forbidden(account, self.permission)
        request.state.account = account
        request.state.csrf = csrf_for(raw)
        return account


def login_url(next_url: str) -> str:
    return "/login?next=" + quote(next_url, safe="/")


def safe_next(next_url: str | None) -> str:
    """Only a path on this site: never `//elsewhere` or `https://elsewhere`."""
    if not next_url or not next_url.startswith("/") or next_url.startswith("//"):
        return "/"
    if "\\" in next_url:
        return "/"
    return next_url
