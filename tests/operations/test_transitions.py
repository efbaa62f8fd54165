"""The lifecycle table and the one `transition()` that follows it: a move the table does
not allow is refused and changes nothing; an allowed one changes the status and logs the
step's event in the same breath."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from md_support import DEMO_VILLAGE
from missiondesk.domain.ranks import MissionStatus
from missiondesk.errors import Conflict
from missiondesk.operations.transitions import MOVES, Step, allows
from missiondesk.services.missions import mission_row, transition
from missiondesk.services.village import import_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url

MISSION = "tani-scroll"


def test_every_step_has_somewhere_to_start_and_leaves_for_another_status() -> None:
    for step, move in MOVES.items():
        assert move.source, step
        assert allows(step, next(iter(move.source)))
    assert not allows(Step.DISPATCH, MissionStatus.PLANNED)  # approval comes first
    assert MOVES[Step.CHECK_IN].to == MissionStatus.DISPATCHED


def _events(db: Database) -> int:
    with db.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(t.event)).scalar_one())


def test_a_move_the_table_refuses_changes_nothing_and_an_allowed_one_is_logged(
    db_url: str,
) -> None:
    db = Database(resolve_url(db_url))
    try:
        import_village(db, DEMO_VILLAGE, actor="test")
        before = _events(db)
        refused = pytest.raises(Conflict, match="is intake; it cannot approve")
        with refused, db.transaction() as connection:
            transition(connection, mission_row(connection, MISSION), Step.APPROVE, actor="t")
        with db.reading() as connection:
            assert mission_row(connection, MISSION)["status"] == MissionStatus.INTAKE
        assert _events(db) == before
        with db.transaction() as connection:
            row = mission_row(connection, MISSION)
            moved = transition(connection, row, Step.ASSESS, actor="t", after={"why": "test"})
        assert moved == MissionStatus.ASSESSED
        with db.reading() as connection:
            now = mission_row(connection, MISSION)
            event = connection.execute(
                select(t.event.c.kind, t.event.c.before, t.event.c.after)
                .order_by(t.event.c.id.desc())
                .limit(1)
            ).one()
        assert now["status"] == MissionStatus.ASSESSED and now["version"] == row["version"] + 1
        assert event.kind == "mission.assessed"
        assert event.before == {"status": "intake"}
        assert event.after == {"status": "assessed", "why": "test"}
    finally:
        db.dispose()
