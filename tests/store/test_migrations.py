"""A new database, or one from an older version, is migrated on first use."""

from __future__ import annotations

from alembic import command
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, inspect

from missiondesk.store.database import SCHEMA_HEAD, Database, alembic_config


def _revision(url: str) -> str | None:
    engine = create_engine(url)
    with engine.connect() as connection:
        revision = MigrationContext.configure(connection).get_current_revision()
    engine.dispose()
    return revision


def test_a_new_database_gets_every_table(db_url: str) -> None:
    db = Database(db_url)
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert _revision(db.url) == head
    assert {"village", "shinobi", "mission", "event", "commitment"} <= set(
        inspect(db.engine).get_table_names()
    )
    db.dispose()


def test_a_database_from_an_older_version_is_brought_up_to_date(db_url: str) -> None:
    old = Database(db_url, migrate=False)
    with old.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0001")
    assert _revision(old.url) == "0001"
    old.dispose()
    Database(db_url).dispose()  # first use by this version
    assert _revision(db_url) == (ScriptDirectory.from_config(alembic_config()).get_current_head())


def test_the_schema_head_the_code_expects_is_the_newest_migration() -> None:
    """Opening a database compares its revision with SCHEMA_HEAD without loading alembic;
    a migration added without moving SCHEMA_HEAD would never be applied."""
    assert ScriptDirectory.from_config(alembic_config()).get_current_head() == SCHEMA_HEAD


def test_a_village_day_becomes_its_clock_at_midnight(db_url: str) -> None:
    """Migration 0003: `village.today` (a date) becomes `now` at 00:00, clock `story`."""
    import datetime as dt

    import sqlalchemy as sa

    old = Database(db_url, migrate=False)
    with old.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0002")
        village = sa.table(
            "village",
            *(sa.column(c) for c in ("id", "name", "settings", "skills")),
            sa.column("today", sa.Date),
        )
        connection.execute(
            sa.insert(village).values(
                id="konoha", name="Konohagakure", today=dt.date(2026, 11, 23),
                settings="{}", skills="[]",
            )
        )  # fmt: skip
    old.dispose()
    db = Database(db_url)
    with db.engine.connect() as connection:
        row = connection.execute(sa.text("SELECT now, clock FROM village")).one()
    assert row.clock == "story"
    assert str(row.now).startswith("2026-11-23 00:00:00")
    assert "today" not in {c["name"] for c in inspect(db.engine).get_columns("village")}
    db.dispose()
