"""Alembic environment: runs on the connection Database.migrate hands it, or on a URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from missiondesk.store.tables import metadata

config = context.config
connection = config.attributes.get("connection")


def run(conn) -> None:
    context.configure(connection=conn, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if connection is not None:
    run(connection)
else:
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        run(conn)
