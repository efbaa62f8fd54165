"""The notification tests' fixtures: a real receiver on 127.0.0.1, and fast retry rules."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import func, select

from missiondesk.notifications.deliver import DeliveryPolicy, deliver_pass
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from notify_receiver import Receiver

# Retries in tens of milliseconds, not minutes: the schedule's shape is what is tested.
FAST = DeliveryPolicy(first_delay=0.05, factor=2.0, max_delay=0.2, timeout=0.25, batch=50)
SECRET = "tsunade-keeps-the-key"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    served = Receiver(stall_seconds=0.5).start()
    yield served
    served.stop()


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    yield database
    database.dispose()


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
