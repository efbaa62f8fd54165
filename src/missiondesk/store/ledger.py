"""The reward ledger's rows (SPEC section 13): append-only, in books.

The database refuses to update or delete a ledger row (migration 0010), so replacing the
village cannot clear it. Instead each import opens a new book (`village.ledger_book`) and
writes the file's ledger into it; a report's payment goes into the current book, and every
reader counts only that book's rows. A replaced village's rows stay on record, unread.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, Connection, and_, insert, select

from missiondesk.store import tables as t

if TYPE_CHECKING:  # the village's models load only where a village is read or written
    from missiondesk.domain.village import LedgerEntry, Village


def new_book() -> str:
    """A fresh book's name: unique across imports, so no replaced village's rows match it."""
    return uuid.uuid4().hex


def current_book(connection: Connection) -> tuple[str, str | None]:
    """The village's id and its ledger book (None for a village imported before books)."""
    row = connection.execute(select(t.village.c.id, t.village.c.ledger_book)).one()
    return row.id, row.ledger_book


def in_book(village_id: str, book: str | None) -> ColumnElement[bool]:
    """The ledger rows of this village's current book."""
    return and_(t.ledger.c.village == village_id, t.ledger.c.book.is_not_distinct_from(book))


def entry_row(entry: LedgerEntry, village_id: str, book: str | None) -> dict[str, Any]:
    return {
        "at": entry.at,
        "village": village_id,
        "book": book,
        "mission": entry.mission,
        "outcome": entry.outcome.value,
        "shinobi": entry.shinobi,
        "share": entry.share,
        "ryo": entry.ryo,
    }


def append_file_ledger(connection: Connection, village: Village, book: str) -> None:
    """Write the village file's ledger into `book` (an import's new book)."""
    rows = [entry_row(e, village.village.id, book) for e in village.ledger]
    if rows:
        connection.execute(insert(t.ledger), rows)


def ledger_documents(connection: Connection) -> list[dict[str, Any]]:
    """The current book as the village file's `ledger` (oldest first, as written)."""
    village_id, book = current_book(connection)
    rows = connection.execute(
        select(
            t.ledger.c.at,
            t.ledger.c.mission,
            t.ledger.c.outcome,
            t.ledger.c.shinobi,
            t.ledger.c.share,
            t.ledger.c.ryo,
        )
        .where(in_book(village_id, book))
        .order_by(t.ledger.c.id)
    ).mappings()
    return [dict(r) for r in rows]
