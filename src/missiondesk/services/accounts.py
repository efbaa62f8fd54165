"""Accounts, passwords and tokens: who may use the web interface and the HTTP API.

Passwords are hashed with argon2; API and session tokens are random, so a plain SHA-256 of
the token is enough to store them (a leaked table gives nobody a usable token). Roles are
defined here once; what each role may do is the web layer's policy table.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel
from sqlalchemy import Connection, RowMapping, delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from missiondesk.errors import BadInput, Conflict, NotFound
from missiondesk.services.events import record_event
from missiondesk.store import tables as t
from missiondesk.store.database import Database


class AccountRole(StrEnum):
    """What an account is for, from the most to the least trusted."""

    HOKAGE = "hokage"
    COMMANDER = "commander"
    MEDIC = "medic"
    SHINOBI = "shinobi"
    VIEWER = "viewer"


class TokenKind(StrEnum):
    API = "api"
    SESSION = "session"


SESSION_LIFETIME = dt.timedelta(hours=12)
MIN_PASSWORD_LENGTH = 8
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")

_hasher = PasswordHasher()
# Verifying against this when the account does not exist keeps a wrong name as slow as a
# wrong password, so timing does not tell which names exist.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Account(BaseModel):
    name: str
    role: AccountRole
    shinobi: str | None = None
    created_at: dt.datetime


class NewAccount(BaseModel):
    account: Account
    password: str
    generated: bool


def add_user(
    db: Database,
    name: str,
    role: str,
    password: str | None = None,
    *,
    shinobi: str | None = None,
    actor: str = "cli",
) -> NewAccount:
    """Create an account. Without a password one is generated and returned (shown once)."""
    checked_role = parse_role(role)
    _check_name(name)
    generated = password is None
    secret = password if password is not None else secrets.token_urlsafe(12)
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            f"the password is too short ({len(secret)} characters; at least {MIN_PASSWORD_LENGTH})",
            field="password",
        )
    created = dt.datetime.now().replace(microsecond=0)
    with db.transaction() as connection:
        if shinobi is not None:
            _check_shinobi(connection, shinobi)
        if _account_row(connection, name) is not None:
            raise Conflict(f"there is already an account {name!r}", field="name")
        try:
            connection.execute(
                insert(t.account).values(
                    name=name,
                    role=checked_role.value,
                    password_hash=_hasher.hash(secret),
                    shinobi_id=shinobi,
                    created_at=created,
                )
            )
        except IntegrityError as taken:
            raise Conflict(f"there is already an account {name!r}", field="name") from taken
        record_event(
            connection,
            actor=actor,
            kind="account.created",
            subject=f"account:{name}",
            after={"role": checked_role.value, "shinobi": shinobi},
        )
    account = Account(name=name, role=checked_role, shinobi=shinobi, created_at=created)
    return NewAccount(account=account, password=secret, generated=generated)


def parse_role(role: str) -> AccountRole:
    try:
        return AccountRole(role)
    except ValueError:
        known = ", ".join(r.value for r in AccountRole)
        raise BadInput(f"{role!r} is not a role ({known})", field="role") from None


def authenticate(db: Database, name: str, password: str) -> Account | None:
    """The account when the password is right, else None (for a wrong name as well)."""
    with db.reading() as connection:
        row = _account_row(connection, name)
    stored = row["password_hash"] if row is not None else _UNKNOWN_ACCOUNT_HASH
    try:
        _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return None
    if row is None:
        return None
    if _hasher.check_needs_rehash(stored):
        with db.transaction() as connection:
            connection.execute(
                update(t.account)
                .where(t.account.c.name == name)
                .values(password_hash=_hasher.hash(password))
            )
    return _account(row)


def issue_token(
    db: Database, name: str, kind: str = TokenKind.API, *, lifetime: dt.timedelta | None = None
) -> str:
    """A new random token for the account; only its hash is stored, so show it now or never.

    Session tokens expire after SESSION_LIFETIME unless `lifetime` says otherwise; API
    tokens do not expire unless given a lifetime.
    """
    try:
        token_kind = TokenKind(kind)
    except ValueError:
        raise BadInput(f"{kind!r} is not a token kind (api, session)", field="kind") from None
    now = dt.datetime.now().replace(microsecond=0)
    if lifetime is None and token_kind == TokenKind.SESSION:
        lifetime = SESSION_LIFETIME
    raw = secrets.token_urlsafe(32)
    with db.transaction() as connection:
        if _account_row(connection, name) is None:
            raise NotFound(f"no account {name!r}", field="name")
        connection.execute(
            insert(t.api_token).values(
                token_hash=token_hash(raw),
                account=name,
                created_at=now,
                kind=token_kind.value,
                expires_at=now + lifetime if lifetime is not None else None,
            )
        )
    return raw


def account_for_token(db: Database, raw: str, kind: str | None = None) -> Account | None:
    """The account a token belongs to, or None for an unknown, expired or other-kind token."""
    if not raw:
        return None
    now = dt.datetime.now()
    with db.reading() as connection:
        found = (
            connection.execute(
                select(t.account, t.api_token.c.kind, t.api_token.c.expires_at)
                .join(t.api_token, t.api_token.c.account == t.account.c.name)
                .where(t.api_token.c.token_hash == token_hash(raw))
            )
            .mappings()
            .one_or_none()
        )
    if found is None:
        return None
    if kind is not None and found["kind"] != kind:
        return None
    if found["expires_at"] is not None and found["expires_at"] <= now:
        return None
    return _account(found)


def revoke_token(db: Database, raw: str) -> None:
    """Forget a token (a session at logout); unknown tokens are ignored."""
    with db.transaction() as connection:
        connection.execute(delete(t.api_token).where(t.api_token.c.token_hash == token_hash(raw)))


def accounts(db: Database) -> list[Account]:
    """Every account, by name."""
    with db.reading() as connection:
        rows = connection.execute(select(t.account).order_by(t.account.c.name)).mappings()
        return [_account(r) for r in rows]


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def _check_name(name: str) -> None:
    if not NAME_PATTERN.match(name):
        raise BadInput(
            f"{name!r} is not an account name (1 to 64 of a-z, 0-9, '.', '_', '-'; "
            "starting with a letter or digit)",
            field="name",
        )


def _check_shinobi(connection: Connection, shinobi: str) -> None:
    known = connection.execute(select(t.shinobi.c.id).where(t.shinobi.c.id == shinobi)).first()
    if known is None:
        raise NotFound(f"no shinobi {shinobi!r} on the roster", field="shinobi")


def _account_row(connection: Connection, name: str) -> dict[str, Any] | None:
    row = connection.execute(select(t.account).where(t.account.c.name == name)).mappings()
    found = row.one_or_none()
    return dict(found) if found is not None else None


def _account(row: Mapping[str, Any] | RowMapping) -> Account:
    return Account(
        name=row["name"],
        role=AccountRole(row["role"]),
        shinobi=row["shinobi_id"],
        created_at=row["created_at"],
    )
