"""A rescue mission names the mission whose squad it went to find.

Revision ID: 0008
Revises: 0006
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.add_column(sa.Column("rescue_of", sa.String(length=200), nullable=True))
        batch_op.create_index("ix_mission_rescue_of", ["rescue_of"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("mission", schema=None) as batch_op:
        batch_op.drop_index("ix_mission_rescue_of")
        batch_op.drop_column("rescue_of")
