"""Each shinobi's record (missions done by rank, successes), counted from the history.

The roster counted every leader and member of the history on each read; the counts now
live in `shinobi_record`, rewritten whole by every write of the history
(store/records.py). This revision creates the table and counts the history already held.

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

RANKS = ("D", "C", "B", "A", "S")


def upgrade() -> None:
    op.create_table(
        "shinobi_record",
        sa.Column("shinobi_id", sa.String(length=200), primary_key=True),
        *(sa.Column(f"rank_{r.lower()}", sa.Integer(), nullable=False) for r in RANKS),
        sa.Column("successes", sa.Integer(), nullable=False),
    )
    counts = ", ".join(f"SUM(CASE WHEN rank = '{r}' THEN 1 ELSE 0 END)" for r in RANKS)
    op.execute(
        "INSERT INTO shinobi_record (shinobi_id, rank_d, rank_c, rank_b, rank_a, rank_s, "
        f"successes) SELECT shinobi, {counts}, "
        "SUM(CASE WHEN outcome = 'success' THEN 1 ELSE 0 END) FROM ("
        "SELECT leader AS shinobi, rank, outcome FROM history UNION ALL "
        "SELECT m.shinobi, h.rank, h.outcome FROM history_member m "
        "JOIN history h ON h.position = m.history) AS squad GROUP BY shinobi"
    )


def downgrade() -> None:
    op.drop_table("shinobi_record")
