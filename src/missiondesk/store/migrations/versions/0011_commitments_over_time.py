"""Commitments over time: a shinobi may be committed to several approved squads whose
spans do not overlap (SPEC section 9), so a commitment is keyed by (shinobi, mission).

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-29
"""

from __future__ import annotations

from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("commitment") as batch:
        batch.drop_constraint("pk_commitment", type_="primary")
        batch.create_primary_key("pk_commitment", ["shinobi_id", "mission_id"])
        batch.create_index("ix_commitment_mission", ["mission_id"])


def downgrade() -> None:
    # One commitment per shinobi again: the smallest mission id of each keeps it.
    op.execute(
        "DELETE FROM commitment WHERE mission_id > "
        "(SELECT MIN(c.mission_id) FROM commitment c WHERE c.shinobi_id = commitment.shinobi_id)"
    )
    with op.batch_alter_table("commitment") as batch:
        batch.drop_index("ix_commitment_mission")
        batch.drop_constraint("pk_commitment", type_="primary")
        batch.create_primary_key("pk_commitment", ["shinobi_id"])
