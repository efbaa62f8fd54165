"""The event log keeps every change and refuses to be rewritten, on both databases."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DatabaseError

from md_support import DEMO_VILLAGE, Result
from missiondesk.store.database import Database, resolve_url

Cli = Callable[..., Result]


def test_events_cannot_be_changed_or_deleted(cli: Cli, db_url: str) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    db = Database(resolve_url(db_url))
    for statement in ("UPDATE event SET actor = 'someone else'", "DELETE FROM event"):
        with pytest.raises(DatabaseError, match="append-only"), db.transaction() as connection:
            connection.execute(text(statement))
    with db.reading() as connection:
        assert connection.execute(text("SELECT count(*) FROM event")).scalar() == 1
    db.dispose()


def test_replacing_the_village_keeps_the_log(cli: Cli, db_url: str) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    assert cli("--db", db_url, "assess", "--all").code == 0
    assert cli("--db", db_url, "village", "import", "--replace", DEMO_VILLAGE).code == 0
    kinds = [
        e["kind"]
        for e in json.loads(cli("--db", db_url, "timeline", "tani-scroll", "--json").stdout)
    ]
    assert kinds == ["mission.assessed"]  # from before the replace, still on record
