"""The ledger's books: the rows of the village now held, apart from those of villages replaced.

The ledger is append-only, so a village replaced (`import --replace`) leaves its rows in
place; each import opens a new book (`village.ledger_book`), writes the file's ledger rows
into it, and every reader counts only the rows of the current book. Rows written before
this revision, and villages imported before it, have no book (NULL), so they still match.

Columns are added with ALTER TABLE, not a batch rebuild: rebuilding `ledger` on SQLite
would copy it into a new table and lose its append-only triggers (migration 0010).

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("village", sa.Column("ledger_book", sa.String(length=64), nullable=True))
    op.add_column("ledger", sa.Column("book", sa.String(length=64), nullable=True))
    op.create_index("ix_ledger_book", "ledger", ["book"])


def downgrade() -> None:
    op.drop_index("ix_ledger_book", table_name="ledger")
    # ALTER TABLE ... DROP COLUMN (SQLite 3.35 and later) keeps the ledger's triggers.
    op.drop_column("ledger", "book")
    op.drop_column("village", "ledger_book")
