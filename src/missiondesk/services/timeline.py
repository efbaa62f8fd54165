"""A mission's story from the append-only event log."""

from __future__ import annotations

from missiondesk.services.events import Event, events_for
from missiondesk.services.missions import mission_row
from missiondesk.store.database import Database


def timeline(db: Database, mission_id: str) -> list[Event]:
    """Every recorded change to the mission, oldest first."""
    with db.reading() as connection:
        mission_row(connection, mission_id)  # a clear error for an unknown mission
        return events_for(connection, mission_id)
