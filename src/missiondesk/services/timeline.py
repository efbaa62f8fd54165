"""A mission's story from the append-only event log."""

from __future__ import annotations

from sqlalchemy import select

from missiondesk.services.events import Event, events_for
from missiondesk.services.missions import mission_row
from missiondesk.store import tables as t
from missiondesk.store.database import Database


def timeline(db: Database, mission_id: str) -> list[Event]:
    """Every recorded change to the mission, oldest first; a lost squad's story includes
    the rescues sent for it (their dispatch, check-ins and report)."""
    with db.reading() as connection:
        mission_row(connection, mission_id)  # a clear error for an unknown mission
        rescues = connection.execute(
            select(t.mission.c.id).where(t.mission.c.rescue_of == mission_id)
        ).scalars()
        events = [e for subject in [mission_id, *rescues] for e in events_for(connection, subject)]
    return sorted(events, key=lambda e: e.id)
