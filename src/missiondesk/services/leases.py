"""Leases: work that must run once across every server worker and host.

The clock's scheduled pass and notification delivery must not run twice at once when
`missiondesk serve --workers N` (or several hosts) share one database. Whoever holds the
named lease does the work and renews it on each pass; a worker that dies stops renewing,
and another takes the lease once it expires. The decision is one write transaction, so
the database's write lock (store/database.py) makes it atomic on SQLite and PostgreSQL.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import uuid

from sqlalchemy import delete, insert, select, update

from missiondesk.store import tables as t
from missiondesk.store.database import Database


def worker_name() -> str:
    """This process, recognisably: host, process id and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def hold(
    db: Database, name: str, holder: str, *, seconds: float, now: dt.datetime | None = None
) -> bool:
    """Take or renew lease `name` for `holder` for `seconds`; whether `holder` has it."""
    now = now or dt.datetime.now()
    until = now + dt.timedelta(seconds=seconds)
    with db.transaction() as connection:
        row = connection.execute(select(t.lease).where(t.lease.c.name == name)).first()
        if row is None:
            connection.execute(insert(t.lease).values(name=name, holder=holder, expires_at=until))
            return True
        if row.holder != holder and row.expires_at > now:
            return False
        connection.execute(
            update(t.lease).where(t.lease.c.name == name).values(holder=holder, expires_at=until)
        )
        return True


def release(db: Database, name: str, holder: str) -> None:
    """Give the lease up at once (a worker shutting down cleanly)."""
    with db.transaction() as connection:
        connection.execute(
            delete(t.lease).where(t.lease.c.name == name, t.lease.c.holder == holder)
        )
