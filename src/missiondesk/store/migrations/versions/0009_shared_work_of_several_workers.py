"""What several server workers (or hosts) share: planner runs and leases.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "plan_run",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("owner", sa.String(200), nullable=False),
        sa.Column("time_limit", sa.Float, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime, nullable=False),
        sa.Column("started_at", sa.DateTime),
        sa.Column("finished_at", sa.DateTime),
        sa.Column("heartbeat_at", sa.DateTime, nullable=False),
        sa.Column("worker", sa.String(200), nullable=False),
        sa.Column("progress", sa.JSON),
        sa.Column("error", sa.Text),
    )
    op.create_index("ix_plan_run_status", "plan_run", ["status"])
    op.create_table(
        "lease",
        sa.Column("name", sa.String(100), primary_key=True),
        sa.Column("holder", sa.String(200), nullable=False),
        sa.Column("expires_at", sa.DateTime, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("lease")
    op.drop_index("ix_plan_run_status", table_name="plan_run")
    op.drop_table("plan_run")
