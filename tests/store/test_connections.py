"""PostgreSQL connections: reads without a transaction around them, and a pooled connection
the server closed is replaced before anyone uses it (docs/performance.md, "Several
workers")."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text

from missiondesk.store import database as database_module
from missiondesk.store.database import Database


def test_a_read_runs_without_a_transaction_and_a_write_within_one(postgres_url: str) -> None:
    """now() is the start of the transaction: after a pause it still equals the statement's
    own start only when each statement is a transaction of its own (no BEGIN was sent)."""
    db = Database(postgres_url)
    same_start = text("SELECT now() = statement_timestamp()")
    try:
        with db.reading() as connection:
            connection.execute(text("SELECT pg_sleep(0.02)"))
            assert connection.execute(same_start).scalar_one() is True
        with db.transaction() as connection:
            connection.execute(text("SELECT pg_sleep(0.02)"))
            assert connection.execute(same_start).scalar_one() is False
    finally:
        db.dispose()


def test_a_connection_closed_by_the_server_is_replaced(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(database_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    db = Database(postgres_url)
    killer = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    try:
        with db.reading() as connection:
            first = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with killer.connect() as admin:
            admin.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
        # The pooled connection is dead; the checkout's ping finds it and the pool opens
        # another, so the reader never sees the error.
        with db.reading() as connection:
            second = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        assert second != first
    finally:
        killer.dispose()
        db.dispose()
