"""The village clock replaces its calendar day; windows gain `latest`, objectives their
time on site (format v2, SPEC sections 8 and 10).

`village.today` (a date) becomes `village.now` at 00:00 of that day, with `clock` `story`.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("village") as batch:
        batch.add_column(sa.Column("now", sa.DateTime(), nullable=True))
        batch.add_column(
            sa.Column("clock", sa.String(length=10), nullable=False, server_default="story")
        )
    village = sa.table(
        "village", sa.column("id", sa.String), sa.column("today", sa.Date),
        sa.column("now", sa.DateTime),
    )  # fmt: skip
    connection = op.get_bind()
    for ident, today in connection.execute(sa.select(village.c.id, village.c.today)).all():
        if isinstance(today, str):  # SQLite hands back what it stored, as text
            today = dt.date.fromisoformat(today)
        connection.execute(
            sa.update(village)
            .where(village.c.id == ident)
            .values(now=dt.datetime.combine(today, dt.time()))
        )
    with op.batch_alter_table("village") as batch:
        batch.alter_column("now", existing_type=sa.DateTime(), nullable=False)
        batch.drop_column("today")
    with op.batch_alter_table("mission") as batch:
        batch.add_column(sa.Column("latest", sa.Date(), nullable=True))
        batch.add_column(sa.Column("on_site_hours", sa.Float(), nullable=False, server_default="0"))


def downgrade() -> None:
    with op.batch_alter_table("mission") as batch:
        batch.drop_column("on_site_hours")
        batch.drop_column("latest")
    with op.batch_alter_table("village") as batch:
        batch.add_column(sa.Column("today", sa.Date(), nullable=True))
    village = sa.table(
        "village", sa.column("id", sa.String), sa.column("today", sa.Date),
        sa.column("now", sa.DateTime),
    )  # fmt: skip
    connection = op.get_bind()
    for ident, now in connection.execute(sa.select(village.c.id, village.c.now)).all():
        connection.execute(sa.update(village).where(village.c.id == ident).values(today=now.date()))
    with op.batch_alter_table("village") as batch:
        batch.alter_column("today", existing_type=sa.Date(), nullable=False)
        batch.drop_column("clock")
        batch.drop_column("now")
