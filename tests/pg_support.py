"""The PostgreSQL server the tests share (started by scripts/test): a fresh database per use.
A plain module, not a conftest, so any test folder imports it by one name."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

POSTGRES_ADMIN_URL = os.environ.get("MISSIONDESK_TEST_POSTGRES_URL")


def fresh_postgres_database() -> Iterator[str]:
    """Create an empty database, yield its URL, drop it afterwards; skips without a server
    (which scripts/test counts as a failure)."""
    if not POSTGRES_ADMIN_URL:
        pytest.skip("no PostgreSQL server (scripts/test starts one)")
    admin = create_engine(
        make_url(POSTGRES_ADMIN_URL).set(drivername="postgresql+psycopg"),
        isolation_level="AUTOCOMMIT",
    )
    name = f"md_{uuid.uuid4().hex[:16]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield (
            make_url(POSTGRES_ADMIN_URL)
            .set(drivername="postgresql+psycopg", database=name)
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
