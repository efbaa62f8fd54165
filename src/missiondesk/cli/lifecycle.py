"""`approve`, `dispatch`, `recall`, `checkin`, `report`, `timeline`: a mission after it is
planned."""

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import actor, console, emit_json, styled
from missiondesk.domain.words import plural
from missiondesk.errors import BadInput

if TYPE_CHECKING:
    from missiondesk.store.database import Database

MissionArgument = Annotated[str, typer.Argument(help="The mission's id.", show_default=False)]
AtOption = Annotated[
    str | None,
    typer.Option(
        "--at",
        help="When it happened, ISO 8601 (2026-11-24T06:00); default: the village clock.",
        show_default=False,
    ),
]


def parse_time(value: str | None, option: str = "--at") -> dt.datetime | None:
    """An ISO date or date-time from the command line, to the minute."""
    from missiondesk.domain.village import village_local

    if value is None:
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise BadInput(
            f"{option}: {value!r} is not a time (use ISO 8601, e.g. 2026-11-24T06:00)",
            field=option.lstrip("-"),
        ) from None
    try:
        parsed = village_local(parsed)  # the one rule for times (domain/village.py)
    except ValueError as refused:
        raise BadInput(f"{option}: {value!r} {refused}", field=option.lstrip("-")) from None
    return parsed.replace(second=0, microsecond=0)


@contextmanager
def acting(
    db: str | None, at: str | None, quiet: bool
) -> Iterator[tuple["Database", dt.datetime | None]]:
    """The database and the time of an act. An act dated past the clock first records
    what fell due on the way (services/clock.act_at); after it, a person is told what
    that was, as `clock advance` tells them. `quiet`: JSON output (stdout stays the act's
    one value), or an act that records nothing."""
    from missiondesk.services.clock import fell_due, read_clock

    database, when = open_db(db), parse_time(at)
    before = None
    if when is not None and not quiet:
        with suppress(BadInput):  # no village yet: the act itself will say so
            before = read_clock(database).now
    yield database, when
    if before is not None and when is not None and when > before:
        console.print(f"the clock is {when:%Y-%m-%d %H:%M} (was {before:%Y-%m-%d %H:%M})")
        for r in fell_due(database, before, when):
            console.print(f"  {r.at:%Y-%m-%d %H:%M}  {r.kind}  {r.subject}", markup=False)


def approve(
    mission: MissionArgument, at: AtOption = None, db: DbOption = None, json: JsonOption = False
) -> None:
    """Make the mission's planned squad binding (its members are committed to it)."""
    from missiondesk.services import lifecycle

    with acting(db, at, json) as (database, when):
        result = lifecycle.approve(database, mission, actor=actor(), at=when)
        if json:
            emit_json(result)
        else:
            console.print(f"approved {mission}: squad {', '.join(result.squad)}")


def dispatch(
    mission: MissionArgument, at: AtOption = None, db: DbOption = None, json: JsonOption = False
) -> None:
    """The squad leaves; a check-in is expected at each waypoint (road hours + grace)."""
    from missiondesk.services import lifecycle

    with acting(db, at, json) as (database, when):
        result = lifecycle.dispatch(database, mission, actor=actor(), at=when)
        if json:
            emit_json(result)
            return
        console.print(f"dispatched {mission} at {result.at:%Y-%m-%d %H:%M}")
        for c in result.checkins_due:
            console.print(f"  check in at {c['place']} by {c['due'].replace('T', ' ')}")


def recall(
    mission: MissionArgument,
    reason: Annotated[
        str, typer.Option("--reason", help="Why (kept in the log).", show_default=False)
    ],
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Take an approved squad back before it leaves: its members are free at once, and the
    mission goes back to the board (assessed) for the next plan to staff again."""
    from missiondesk.services import lifecycle

    with acting(db, at, json) as (database, when):
        result = lifecycle.recall(database, mission, reason, actor=actor(), at=when)
        if json:
            emit_json(result)
            return
        released = ", ".join(result.released) or "nobody (no squad was on record)"
        console.print(
            f"recalled {mission}: released {released}; it is {result.status} again "
            "(missiondesk plan staffs it)",
            markup=False,
        )


def checkin(
    mission: MissionArgument,
    at: AtOption = None,
    place: Annotated[
        str | None, typer.Option("--place", help="Where the squad is (a place id).")
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Record a squad's check-in (at a waypoint with --place, else the next one)."""
    from missiondesk.services import lifecycle

    with acting(db, at, json) as (database, when):
        result = lifecycle.checkin(database, mission, actor=actor(), at=when, place=place)
        if json:
            emit_json(result)
        else:
            where = f" at {place}" if place else ""
            console.print(f"{mission}: checked in{where}, {result.status}")


def report(
    mission: MissionArgument,
    path: Annotated[Path, typer.Argument(help="The report, YAML (see docs/operations.md).")],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Apply an after-action report atomically: roster, sightings, interests, history."""
    from missiondesk.services import reports as report_service

    result = report_service.apply_report_file(open_db(db), mission, path, actor=actor())
    if json:
        emit_json(result)
        return
    console.print(f"{mission} closed: {result.outcome}")
    for i in result.injured:
        back = f", back {i['available_from']}" if i["available_from"] else ""
        console.print(f"  {i['shinobi']}: {i['severity']} ({i['status']}{back})")
    if result.sightings_added:
        console.print(f"  {plural(result.sightings_added, 'encounter')} added to the bingo book")
    if result.interests_learned:
        console.print(f"  learned interests: {', '.join(result.interests_learned)}")


def timeline(mission: MissionArgument, db: DbOption = None, json: JsonOption = False) -> None:
    """A mission's story: every change, when, by whom, before and after."""
    from missiondesk.services.timeline import timeline as mission_timeline

    events = mission_timeline(open_db(db), mission)
    if json:
        emit_json(events)
        return
    for e in events:
        console.print(f"{e.at:%Y-%m-%d %H:%M}  {e.kind:<22} by {e.actor}", markup=False)
        if isinstance(e.after, dict) and "status" in e.after:
            before = e.before.get("status") if isinstance(e.before, dict) else None
            after = e.after["status"]
            change = (
                after
                if not before
                else f"still {after}"
                if before == after
                else f"{before} -> {after}"
            )
            console.print(f"    {change}", markup=False)
        if isinstance(e.after, dict):  # a cancellation's or a recall's why, and who it freed
            if e.after.get("reason"):
                console.print(f"    reason: {e.after['reason']}", markup=False)
            if e.after.get("released"):
                console.print(f"    released: {', '.join(e.after['released'])}", markup=False)


def overdue(at: AtOption = None, db: DbOption = None, json: JsonOption = False) -> None:
    """Squads past a check-in (due = expected arrival + the village's grace) at --at or the
    village clock, each with a proposed rescue squad (a medic required). Reading only:
    moving the clock records missed check-ins (`missiondesk clock advance`)."""
    from missiondesk.services.clock import read_clock
    from missiondesk.services.tracking import overdue as find_overdue

    database, when = open_db(db), parse_time(at)
    found = find_overdue(database, at=when)
    if json:
        emit_json(found)
        return
    if not found:
        console.print("no squad is overdue")
        return
    now = when or read_clock(database).now
    for o in found:
        console.print(
            styled(
                (f"{o.mission} is overdue", "bold red"),
                f": check-in was due {o.checkin_due:%Y-%m-%d %H:%M}; "
                f"last seen at {o.last_place} {o.last_seen:%Y-%m-%d %H:%M} ({', '.join(o.squad)})",
            )
        )
        if o.rescue.leader is None:
            console.print("  no rescue squad can be formed:")
        else:
            verb = "sent" if o.rescue.sent else "proposed"
            console.print(f"  rescue {o.rescue.mission} ({verb}) led by {o.rescue.leader}:")
            for m in o.rescue.members:
                roles = f" [{', '.join(m.roles)}]" if m.roles else ""
                console.print(f"    {m.shinobi}{roles}", markup=False)
        for reason in o.rescue.reasons:
            console.print(f"    - {reason}", markup=False)
        for broken in o.rescue.breaks:
            console.print(f"    breaks {broken.order}: {broken.text}", markup=False)
        for r in o.rescue.recall:
            console.print(f"    recall {r.shinobi} from {r.mission}", markup=False)
        for held in dict.fromkeys(r.mission for r in o.rescue.recall):
            console.print(f"    {recall_hint(held)}", markup=False)
        if o.rescue.leader is not None and not o.rescue.sent:
            if o.checkin_due < now:
                console.print(
                    f"    proposed when the check-in was missed ({o.checkin_due:%Y-%m-%d %H:%M}),"
                    " with what was known then; sent now, it is judged again",
                    markup=False,
                )
            force = " --force --reason TEXT" if o.rescue.breaks else ""
            console.print(f"    send it: missiondesk rescue {o.mission}{force}", markup=False)
        for b in o.rescue.briefing:
            console.print(f"    brief: {b.threat} / {b.ability}: {b.advice}", markup=False)


def recall_command(mission: str) -> str:
    """The command that recalls `mission`'s approved squad."""
    return f"missiondesk recall {mission} --reason TEXT"


def recall_hint(mission: str) -> str:
    """How to recall `mission`'s approved squad, where a rescue proposal names a recall."""
    return (
        f"to recall: {recall_command(mission)} "
        "(its whole squad is released and the mission goes back to the board)"
    )


def register(app: typer.Typer) -> None:
    app.command("approve")(approve)
    app.command("dispatch")(dispatch)
    app.command("recall")(recall)
    app.command("checkin")(checkin)
    app.command("report")(report)
    app.command("timeline")(timeline)
    app.command("overdue")(overdue)
