"""What the notification tests share besides fixtures: fast retry rules, the receiver's
secret, and reading the outbox (a plain module: a conftest is not imported by tests)."""

from __future__ import annotations

import time

from sqlalchemy import func, select

from missiondesk.notifications.deliver import DeliveryPolicy, deliver_pass
from missiondesk.store import tables as t
from missiondesk.store.database import Database

# Retries in tens of milliseconds, not minutes: the schedule's shape is what is tested.
FAST = DeliveryPolicy(first_delay=0.05, factor=2.0, max_delay=0.2, timeout=0.25, batch=50)
SECRET = "tsunade-keeps-the-key"


def pending(db: Database) -> int:
    with db.reading() as connection:
        return int(
            connection.execute(
                select(func.count()).select_from(t.outbox).where(t.outbox.c.status == "pending")
            ).scalar_one()
        )


def drain(db: Database, policy: DeliveryPolicy = FAST, *, seconds: float = 8.0) -> int:
    """Delivery passes, pausing for the retry delays, until nothing is pending (or time is
    up); returns how many rows were delivered."""
    delivered = 0
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        delivered += deliver_pass(db, policy=policy).delivered
        if pending(db) == 0:
            break
        time.sleep(policy.first_delay / 2)
    return delivered
