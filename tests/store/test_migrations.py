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


def test_the_records_of_a_village_held_before_0013_are_counted(db_url: str) -> None:
    """Migration 0013 counts the history already held into `shinobi_record`: leaders and
    members alike, by the mission's rank, successes apart."""
    import sqlalchemy as sa

    old = Database(db_url, migrate=False)
    with old.engine.begin() as connection:
        command.upgrade(alembic_config(connection), "0012")
        history = sa.table(
            "history",
            *(sa.column(c) for c in ("position", "mission_id", "title", "rank", "leader",
                                     "outcome", "departed", "returned")),
            sa.column("route", sa.JSON), sa.column("tags", sa.JSON),
        )  # fmt: skip
        member = sa.table(
            "history_member", *(sa.column(c) for c in ("history", "position", "shinobi"))
        )
        for n, (rank, leader, outcome, members) in enumerate(
            [("C", "ao", "success", ["bo", "cy"]), ("B", "bo", "failure", ["ao"])]
        ):
            connection.execute(
                sa.insert(history).values(
                    position=n, mission_id=f"m{n}", title="t", rank=rank, leader=leader,
                    outcome=outcome, departed="2026-01-01 08:00:00",
                    returned="2026-01-02 08:00:00", route=["home"], tags=[],
                )
            )  # fmt: skip
            for k, who in enumerate(members):
                connection.execute(sa.insert(member).values(history=n, position=k, shinobi=who))
    old.dispose()
    db = Database(db_url)
    with db.engine.connect() as connection:
        rows = connection.execute(
            sa.text("SELECT shinobi_id, rank_c, rank_b, rank_d, successes FROM shinobi_record")
        ).all()
    db.dispose()
    assert sorted(tuple(r) for r in rows) == [
        ("ao", 1, 1, 0, 1), ("bo", 1, 1, 0, 1), ("cy", 1, 0, 0, 1),
    ]  # fmt: skip
