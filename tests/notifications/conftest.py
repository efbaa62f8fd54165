"""The notification tests' fixtures: a real receiver on 127.0.0.1, and the test database
opened (what the tests import, such as the fast retry rules, is in delivery_support.py)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from missiondesk.store.database import Database
from notify_receiver import Receiver


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
