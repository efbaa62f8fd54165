"""The rescue proposed for an overdue squad, kept with its mission.

It lived only in the `checkin.missed` event, which an export does not carry: an office
imported from its own export proposed afresh, judged with what was known at import, and
so answered `overdue` differently. The mission now keeps it (`rescue_proposal`, exported
with the overdue mission). Proposals already in the log are copied onto the missions
still overdue.

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("mission", sa.Column("rescue_proposal", sa.JSON(), nullable=True))
    mission = sa.table(
        "mission",
        sa.column("id", sa.String()),
        sa.column("status", sa.String()),
        sa.column("rescue_proposal", sa.JSON()),
    )
    event = sa.table(
        "event",
        sa.column("id", sa.Integer()),
        sa.column("kind", sa.String()),
        sa.column("subject", sa.String()),
        sa.column("after", sa.JSON()),
    )
    connection = op.get_bind()
    overdue = connection.execute(
        sa.select(mission.c.id).where(mission.c.status == "overdue")
    ).scalars()
    for mission_id in list(overdue):
        after = connection.execute(
            sa.select(event.c.after)
            .where(event.c.kind == "checkin.missed", event.c.subject == mission_id)
            .order_by(event.c.id.desc())
            .limit(1)
        ).scalar_one_or_none()
        if isinstance(after, dict) and isinstance(after.get("rescue"), dict):
            kept = {k: after.get(k) for k in ("checkin_due", "last_place", "rescue")}
            connection.execute(
                sa.update(mission).where(mission.c.id == mission_id).values(rescue_proposal=kept)
            )


def downgrade() -> None:
    op.drop_column("mission", "rescue_proposal")
