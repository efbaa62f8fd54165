"""Accounts, passwords and tokens: who may use the web interface and the HTTP API.

Passwords are hashed with argon2; API and session tokens are random, so a plain SHA-256 of
the token is enough to store them (a leaked table gives nobody a usable token). Roles are
defined here once; what each role may do is the web layer's policy table. An account has
a lifecycle: it can be re-roled, renamed, given a new password, disabled (it then can
neither sign in nor use its tokens) and signed out everywhere (every token revoked).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
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
API_TOKEN_LIFETIME = dt.timedelta(days=90)  # the command line's default; `--expires` says otherwise
MIN_PASSWORD_LENGTH = 8
NAME_PATTERN = re.compile(r"^[a-z0-9][a-z0-9._-]{0,63}$")
TOKEN_ID_LENGTH = 12  # a token's public id: the start of its SHA-256, safe to show and log

# argon2id at OWASP's recommended cost (19 MiB, 2 passes, 1 lane) rather than the library's
# 64 MiB default, computed on MAX_CONCURRENT_HASHES threads of their own: twelve logins at
# the same instant wait their turn instead of taking 12 x 64 MiB together. Their own
# threads, not a semaphore in whichever thread asks, because the C allocator keeps each
# thread's freed 19 MiB in that thread's arena: forty request threads would keep 40 x 19.
ARGON2_MEMORY_KIB = 19_456
ARGON2_TIME_COST = 2
ARGON2_PARALLELISM = 1
MAX_CONCURRENT_HASHES = 2

_hasher = PasswordHasher(
    time_cost=ARGON2_TIME_COST, memory_cost=ARGON2_MEMORY_KIB, parallelism=ARGON2_PARALLELISM
)
_hashing = ThreadPoolExecutor(max_workers=MAX_CONCURRENT_HASHES, thread_name_prefix="argon2")


def hash_password(password: str) -> str:
    return _hashing.submit(_hasher.hash, password).result()


def password_matches(stored: str, password: str) -> bool:
    return _hashing.submit(_verify, stored, password).result()


def _verify(stored: str, password: str) -> bool:
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False


# Verifying against this when the account does not exist keeps a wrong name as slow as a
# wrong password, so timing does not tell which names exist.
_UNKNOWN_ACCOUNT_HASH = _hasher.hash(secrets.token_urlsafe(16))


class Account(BaseModel):
    name: str
    role: AccountRole
    shinobi: str | None = None
    created_at: dt.datetime
    disabled: bool = False


class TokenInfo(BaseModel):
    """A token as it may be shown: its public id, never the token itself."""

    id: str
    account: str
    kind: TokenKind
    created_at: dt.datetime
    expires_at: dt.datetime | None


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
    secret = _checked_password(password)
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
                    password_hash=hash_password(secret),
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
    """The account when the password is right, else None (for a wrong name as well).

    A disabled account is returned as it is (`disabled` true) so the caller can say so;
    only someone who knows its password learns that it is disabled.
    """
    with db.reading() as connection:
        row = _account_row(connection, name)
    stored = row["password_hash"] if row is not None else _UNKNOWN_ACCOUNT_HASH
    if not password_matches(stored, password) or row is None:
        return None
    if _hasher.check_needs_rehash(stored):  # hashed at an older cost: bring it to today's
        with db.transaction() as connection:
            connection.execute(
                update(t.account)
                .where(t.account.c.name == name, t.account.c.password_hash == stored)
                .values(password_hash=hash_password(password))
            )
    return _account(row)


def issue_token(
    db: Database,
    name: str,
    kind: str = TokenKind.API,
    *,
    lifetime: dt.timedelta | None = None,
    actor: str | None = None,
) -> str:
    """A new random token for the account; only its hash is stored, so show it now or never.

    Session tokens expire after SESSION_LIFETIME unless `lifetime` says otherwise; API
    tokens do not expire unless given a lifetime (the command line gives one by default).
    A new API token is logged (by its id) when `actor` says who asked for it.
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
        row = _account_row(connection, name)
        if row is None:
            raise NotFound(f"no account {name!r}", field="name")
        if row["disabled"]:
            raise Conflict(f"the account {name!r} is disabled", field="name")
        connection.execute(
            insert(t.api_token).values(
                token_hash=token_hash(raw),
                account=name,
                created_at=now,
                kind=token_kind.value,
                expires_at=now + lifetime if lifetime is not None else None,
            )
        )
        if actor is not None:
            record_event(
                connection,
                actor=actor,
                kind="token.issued",
                subject=f"account:{name}",
                after={
                    "token": token_id(raw),
                    "kind": token_kind.value,
                    "expires_at": now + lifetime if lifetime is not None else None,
                },
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
    if found["disabled"]:
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


def token_id(raw: str) -> str:
    """The public id of a token, for listing and revoking it."""
    return token_hash(raw)[:TOKEN_ID_LENGTH]


def tokens(db: Database, name: str) -> list[TokenInfo]:
    """The account's live tokens (API tokens and sessions), oldest first."""
    now = dt.datetime.now()
    with db.reading() as connection:
        _existing(connection, name)
        rows = connection.execute(
            select(t.api_token)
            .where(t.api_token.c.account == name)
            .order_by(t.api_token.c.created_at, t.api_token.c.token_hash)
        ).mappings()
        return [
            TokenInfo(
                id=r["token_hash"][:TOKEN_ID_LENGTH],
                account=name,
                kind=TokenKind(r["kind"]),
                created_at=r["created_at"],
                expires_at=r["expires_at"],
            )
            for r in rows
            if r["expires_at"] is None or r["expires_at"] > now
        ]


def revoke_token_id(db: Database, name: str, token: str, *, actor: str) -> TokenInfo:
    """Revoke one of the account's tokens by its public id (from `tokens`)."""
    if not re.fullmatch(rf"[0-9a-f]{{{TOKEN_ID_LENGTH}}}", token):
        raise BadInput(
            f"{token!r} is not a token id ({TOKEN_ID_LENGTH} hex digits, "
            "as `user token NAME --list` shows)",
            field="token",
        )
    with db.transaction() as connection:
        _existing(connection, name)
        row = (
            connection.execute(
                select(t.api_token).where(
                    t.api_token.c.account == name, t.api_token.c.token_hash.startswith(token)
                )
            )
            .mappings()
            .first()
        )
        if row is None:
            raise NotFound(f"the account {name!r} has no token {token}", field="token")
        connection.execute(delete(t.api_token).where(t.api_token.c.token_hash == row["token_hash"]))
        record_event(
            connection,
            actor=actor,
            kind="token.revoked",
            subject=f"account:{name}",
            before={"token": token, "kind": row["kind"]},
        )
    return TokenInfo(
        id=token,
        account=name,
        kind=TokenKind(row["kind"]),
        created_at=row["created_at"],
        expires_at=row["expires_at"],
    )


class SignedOut(BaseModel):
    account: str
    revoked: int


def sign_out_everywhere(db: Database, name: str, *, actor: str) -> SignedOut:
    """Revoke every session and API token of the account, wherever it is signed in."""
    with db.transaction() as connection:
        _existing(connection, name)
        revoked = connection.execute(delete(t.api_token).where(t.api_token.c.account == name))
        record_event(
            connection,
            actor=actor,
            kind="account.signed_out",
            subject=f"account:{name}",
            after={"revoked": revoked.rowcount},
        )
    return SignedOut(account=name, revoked=revoked.rowcount)


def set_disabled(db: Database, name: str, disabled: bool, *, actor: str) -> Account:
    """Disable (or enable again) an account. A disabled account cannot sign in and its
    tokens are refused; enabling it makes its unexpired API tokens work again."""
    with db.transaction() as connection:
        row = _existing(connection, name)
        if disabled and not row["disabled"]:
            _keep_a_hokage(connection, row)
        if bool(row["disabled"]) == disabled:
            return _account(row)
        connection.execute(
            update(t.account).where(t.account.c.name == name).values(disabled=disabled)
        )
        record_event(
            connection,
            actor=actor,
            kind="account.disabled" if disabled else "account.enabled",
            subject=f"account:{name}",
            before={"disabled": bool(row["disabled"])},
            after={"disabled": disabled},
        )
        return _account(row | {"disabled": disabled})


def set_role(
    db: Database, name: str, role: str, *, shinobi: str | None = None, actor: str
) -> Account:
    """Give the account another role (and, for a shinobi account, its roster entry)."""
    checked = parse_role(role)
    with db.transaction() as connection:
        row = _existing(connection, name)
        if shinobi is not None:
            _check_shinobi(connection, shinobi)
        if checked != AccountRole.HOKAGE:
            _keep_a_hokage(connection, row)
        linked = shinobi if shinobi is not None else row["shinobi_id"]
        connection.execute(
            update(t.account)
            .where(t.account.c.name == name)
            .values(role=checked.value, shinobi_id=linked)
        )
        record_event(
            connection,
            actor=actor,
            kind="account.role_changed",
            subject=f"account:{name}",
            before={"role": row["role"], "shinobi": row["shinobi_id"]},
            after={"role": checked.value, "shinobi": linked},
        )
        return _account(row | {"role": checked.value, "shinobi_id": linked})


def rename(db: Database, name: str, new_name: str, *, actor: str) -> Account:
    """Rename an account; its tokens and sessions follow it (the log keeps the old name in
    what it already recorded)."""
    _check_name(new_name)
    with db.transaction() as connection:
        row = _existing(connection, name)
        if new_name == name:
            return _account(row)
        if _account_row(connection, new_name) is not None:
            raise Conflict(f"there is already an account {new_name!r}", field="name")
        # The name is the key tokens refer to: add the new row, move the tokens, drop the old.
        connection.execute(insert(t.account).values(**(row | {"name": new_name})))
        connection.execute(
            update(t.api_token).where(t.api_token.c.account == name).values(account=new_name)
        )
        connection.execute(delete(t.account).where(t.account.c.name == name))
        record_event(
            connection,
            actor=actor,
            kind="account.renamed",
            subject=f"account:{new_name}",
            before={"name": name},
            after={"name": new_name},
        )
        return _account(row | {"name": new_name})


class NewPassword(BaseModel):
    account: Account
    password: str
    generated: bool
    revoked_sessions: int


def set_password(
    db: Database, name: str, password: str | None = None, *, actor: str
) -> NewPassword:
    """A new password (generated and returned once when none is given). Every session of
    the account ends with it; its API tokens stay (`sign_out_everywhere` ends those)."""
    secret = _checked_password(password)
    hashed = hash_password(secret)
    with db.transaction() as connection:
        row = _existing(connection, name)
        connection.execute(
            update(t.account).where(t.account.c.name == name).values(password_hash=hashed)
        )
        ended = connection.execute(
            delete(t.api_token).where(
                t.api_token.c.account == name, t.api_token.c.kind == TokenKind.SESSION.value
            )
        )
        record_event(
            connection,
            actor=actor,
            kind="account.password_changed",
            subject=f"account:{name}",
            after={"sessions_ended": ended.rowcount},
        )
    return NewPassword(
        account=_account(row),
        password=secret,
        generated=password is None,
        revoked_sessions=ended.rowcount,
    )


def _checked_password(password: str | None) -> str:
    secret = password if password is not None else secrets.token_urlsafe(12)
    if len(secret) < MIN_PASSWORD_LENGTH:
        raise BadInput(
            f"the password is too short ({len(secret)} characters; at least {MIN_PASSWORD_LENGTH})",
            field="password",
        )
    return secret


def _existing(connection: Connection, name: str) -> dict[str, Any]:
    row = _account_row(connection, name)
    if row is None:
        raise NotFound(f"no account {name!r}", field="name")
    return row


def _keep_a_hokage(connection: Connection, row: Mapping[str, Any]) -> None:
    """Refuse to disable or demote the last enabled hokage: nobody could manage accounts
    from the web any more."""
    if row["role"] != AccountRole.HOKAGE.value or row["disabled"]:
        return
    others = connection.execute(
        select(t.account.c.name).where(
            t.account.c.role == AccountRole.HOKAGE.value,
            t.account.c.disabled.is_(False),
            t.account.c.name != row["name"],
        )
    ).first()
    if others is None:
        raise Conflict(
            f"{row['name']!r} is the last enabled hokage account; make another hokage first",
            field="name",
        )


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
        disabled=bool(row.get("disabled", False)),
    )
