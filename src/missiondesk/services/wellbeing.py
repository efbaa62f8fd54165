"""The watch over people: flags from the history, and clearances by a person."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection, insert, select

from missiondesk.domain.village import Village
from missiondesk.errors import BadInput, NotFound, named
from missiondesk.services.events import record_event
from missiondesk.services.village import current_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from missiondesk.wellbeing.ahead import FlagCalendar
from missiondesk.wellbeing.assess import active_flags, assess_wellbeing
from missiondesk.wellbeing.models import FlagKind, ShinobiWellbeing


def clearances(connection: Connection) -> dict[tuple[str, str], dt.date]:
    """The latest manual clearance of each (shinobi, flag kind)."""
    out: dict[tuple[str, str], dt.date] = {}
    rows = connection.execute(
        select(
            t.wellbeing_clearance.c.shinobi_id,
            t.wellbeing_clearance.c.kind,
            t.wellbeing_clearance.c.cleared_on,
        )
    )
    for shinobi_id, kind, cleared_on in rows:
        key = (shinobi_id, kind)
        if key not in out or cleared_on > out[key]:
            out[key] = cleared_on
    return out


def flags_in_force(connection: Connection, village: Village) -> dict[str, set[str]]:
    """Active flags per shinobi on the village's today, for the `wellbeing_limit` order."""
    return active_flags(village, village.village.today, clearances(connection))


def flags_ahead(connection: Connection, village: Village) -> FlagCalendar:
    """Active flags per shinobi on each day from the village's today on, for the
    `wellbeing_limit` order judged at each squad's departure (SPEC section 9)."""
    return FlagCalendar.from_history(village, clearances(connection))


def record_flags_raised(
    connection: Connection, before: dict[str, set[str]], *, actor: str, at: dt.datetime
) -> None:
    """Log each flag in force now that was not in `before` (`wellbeing.flagged`, which is
    also a notification), with its evidence and suggested response."""
    village = current_village(connection)
    for person in assess_wellbeing(village, village.village.today, clearances(connection)):
        raised = [f for f in person.flags if f.kind.value not in before.get(person.shinobi, set())]
        if raised:
            record_event(
                connection,
                actor=actor,
                kind="wellbeing.flagged",
                subject=person.shinobi,
                before={"flags": sorted(before.get(person.shinobi, set()))},
                after={"flags": raised},
                at=at,
            )


def wellbeing(db: Database, *, flagged_only: bool = False) -> list[ShinobiWellbeing]:
    """Everyone's measures and flags as of the village's today, sorted by shinobi id."""
    with db.reading() as connection:
        village = current_village(connection)
        result = assess_wellbeing(village, village.village.today, clearances(connection))
    return [w for w in result if w.flags] if flagged_only else result


def clear(db: Database, shinobi_id: str, kind: str, *, by: str, on: dt.date | None = None) -> None:
    """A person (a medic, the Hokage) clears a flag; it returns only with a new trigger."""
    kinds = [k.value for k in FlagKind]
    if kind not in kinds:
        raise BadInput(f"{kind!r} is not a wellbeing flag ({', '.join(kinds)})", field="kind")
    if not by.strip():
        raise BadInput(f"{named('by')}: name who clears the flag", field="by")
    with db.transaction() as connection:
        village = current_village(connection)
        if shinobi_id not in {s.id for s in village.shinobi}:
            raise NotFound(f"no shinobi {shinobi_id!r} on the roster", field="shinobi")
        day = on or village.village.today
        before = flags_in_force(connection, village).get(shinobi_id, set())
        if kind not in before:
            raise BadInput(f"{shinobi_id} has no active {kind} flag to clear", field="kind")
        connection.execute(
            insert(t.wellbeing_clearance).values(
                shinobi_id=shinobi_id, kind=kind, cleared_on=day, by=by
            )
        )
        record_event(
            connection,
            actor=by,
            kind="wellbeing.cleared",
            subject=shinobi_id,
            before={"flags": sorted(before)},
            after={"flags": sorted(before - {kind}), "cleared": kind, "on": day},
        )
