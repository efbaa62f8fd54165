"""Signing in with a password, throttled per account and per address.

Every failed attempt is counted twice: against the account name tried and against the
address it came from. After a few free failures each further one makes the next attempt
wait longer (doubling), and past a limit the key is locked out for a while. While a key
must wait, attempts are refused before any password is hashed, so a guesser gets nothing
and costs the server nothing. Failures and lockouts are in the event log; the counts live
in the database (table `login_throttle`), so every worker and host sees the same ones.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass

from sqlalchemy import Connection, delete, insert, select, update

from missiondesk.domain.words import plural
from missiondesk.errors import BadInput
from missiondesk.services import accounts as account_service
from missiondesk.services.accounts import Account
from missiondesk.services.events import record_event
from missiondesk.store import tables as t
from missiondesk.store.database import Database


@dataclass(frozen=True)
class Limits:
    """How many failures a key may have before it waits, and before it is locked out."""

    free: int
    lockout_after: int


ACCOUNT_LIMITS = Limits(free=3, lockout_after=10)
# One address may be many people (an office, a guild hall behind one router): more slack.
ADDRESS_LIMITS = Limits(free=10, lockout_after=30)
MAX_DELAY = dt.timedelta(minutes=5)
LOCKOUT = dt.timedelta(minutes=15)
FORGET_AFTER = dt.timedelta(hours=1)  # a key with no failure for this long starts afresh


class SignInRefused(BadInput):
    """Too many failed attempts: the next one is accepted only after `retry_after` seconds."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message, field="name")
        self.retry_after = retry_after


class SignInFailed(BadInput):
    """A wrong name or password, or a disabled account (said only to who knows the password)."""


def delay_after(failures: int, limits: Limits) -> dt.timedelta:
    """How long a key waits after its `failures`-th failure in a row."""
    if failures >= limits.lockout_after:
        return LOCKOUT
    if failures <= limits.free:
        return dt.timedelta(0)
    return min(dt.timedelta(seconds=2 ** (failures - limits.free - 1)), MAX_DELAY)


def sign_in(
    db: Database, name: str, password: str, *, address: str, now: dt.datetime | None = None
) -> Account:
    """The account, when the name and password are right and neither the account nor the
    address must wait; else SignInRefused (wait) or SignInFailed (wrong)."""
    now = now or dt.datetime.now()
    keys = {_account_key(name): ACCOUNT_LIMITS, _address_key(address): ADDRESS_LIMITS}
    with db.reading() as connection:
        waits = [
            row.wait_until
            for row in connection.execute(
                select(t.login_throttle.c.wait_until).where(t.login_throttle.c.key.in_(keys))
            )
            if row.wait_until is not None and row.wait_until > now
        ]
    if waits:
        seconds = math.ceil((max(waits) - now).total_seconds())
        raise SignInRefused(
            f"too many failed sign-ins; try again in {plural(seconds, 'second')}",
            retry_after=seconds,
        )
    account = account_service.authenticate(db, name, password)
    if account is None:
        _count_failure(db, keys, name=name, address=address, now=now)
        raise SignInFailed("wrong name or password", field="password")
    if account.disabled:
        with db.transaction() as connection:
            record_event(
                connection,
                actor=f"sign-in from {address}",
                kind="login.refused",
                subject=f"account:{name}",
                after={"address": address, "reason": "disabled"},
            )
        raise SignInFailed(f"the account {name!r} is disabled", field="name")
    with db.transaction() as connection:
        connection.execute(
            delete(t.login_throttle).where(t.login_throttle.c.key == _account_key(name))
        )
    return account


def _count_failure(
    db: Database, keys: dict[str, Limits], *, name: str, address: str, now: dt.datetime
) -> None:
    with db.transaction() as connection:
        counts = {key: _add_failure(connection, key, limits, now) for key, limits in keys.items()}
        locked = [key for key, failures in counts.items() if failures >= keys[key].lockout_after]
        record_event(
            connection,
            actor=f"sign-in from {address}",
            kind="login.locked" if locked else "login.failed",
            subject=f"account:{name}",
            after={
                "address": address,
                "account_failures": counts[_account_key(name)],
                "address_failures": counts[_address_key(address)],
                "locked": locked,
            },
        )


def _add_failure(connection: Connection, key: str, limits: Limits, now: dt.datetime) -> int:
    """Count one more failure for `key`; returns the count in the current run."""
    row = connection.execute(
        select(t.login_throttle).where(t.login_throttle.c.key == key)
    ).one_or_none()
    fresh = row is None or now - row.last_failure > FORGET_AFTER
    failures = 1 if fresh or row is None else row.failures + 1
    delay = delay_after(failures, limits)
    values = {
        "failures": failures,
        "last_failure": now,
        "wait_until": now + delay if delay else None,
    }
    if row is None:
        connection.execute(insert(t.login_throttle).values(key=key, **values))
    else:
        connection.execute(
            update(t.login_throttle).where(t.login_throttle.c.key == key).values(**values)
        )
    return failures


def _account_key(name: str) -> str:
    return "account:" + name[:250]


def _address_key(address: str) -> str:
    return "address:" + address[:250]
