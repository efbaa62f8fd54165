"""A mission carries the game master's rank override and its hours on site (and so does a
past mission, its hours on site).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # mission.on_site_hours came with migration 0003 (the village clock and windows).
    with op.batch_alter_table("mission") as batch:
        batch.add_column(sa.Column("override", sa.JSON(), nullable=True))
    with op.batch_alter_table("history") as batch:
        batch.add_column(sa.Column("on_site_hours", sa.Float(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("history") as batch:
        batch.drop_column("on_site_hours")
    with op.batch_alter_table("mission") as batch:
        batch.drop_column("override")
