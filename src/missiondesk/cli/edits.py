"""Edits without re-import: `village apply/remove`, `mission add/edit/cancel`, `shinobi
add/edit`, `sighting add`. Each parses its options and calls one service function; each
is dated at `--at` if given, else at the village clock (for `sighting add`, `--at` is when
the threat was seen, and the act is dated then)."""

import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from missiondesk.cli.context import DbOption, JsonOption
from missiondesk.cli.lifecycle import AtOption, acting, parse_time
from missiondesk.cli.output import actor, console, emit_json
from missiondesk.cli.village import village_app
from missiondesk.domain.ranks import REMOVABLE
from missiondesk.errors import BadInput

if TYPE_CHECKING:
    from missiondesk.services.apply import ApplySummary
    from missiondesk.services.edits import EditResult

mission_app = typer.Typer(help="Add, edit and cancel missions.", no_args_is_help=True)
shinobi_app = typer.Typer(help="Add and edit shinobi on the roster.", no_args_is_help=True)
sighting_app = typer.Typer(help="Record where threats were seen.", no_args_is_help=True)

Text = Annotated[str | None, typer.Option(show_default=False)]
SetOption = Annotated[
    list[str],
    typer.Option(
        "--set",
        help="FIELD=VALUE, repeatable (lists comma-separated; empty VALUE clears an optional "
        "field; nested fields with dots: window.due, client.min_team_size, skills.medical).",
        show_default=False,
    ),
]


@village_app.command("apply")
def apply(
    path: Annotated[
        Path,
        typer.Argument(
            help="A partial village file (YAML or JSON), or a CSV roster of shinobi.",
            show_default=False,
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Say what would change; write nothing.")
    ] = False,
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Add or replace records of the stored village from a partial file: nothing else
    changes, missions in progress keep their squads, and a file with any problem (checked
    against the village it produces) changes nothing."""
    from missiondesk.services import edits

    # A dry run records nothing, so there is nothing to tell of its way.
    with acting(db, at, quiet=json or dry_run) as (database, when):
        summary = edits.apply_village_path(database, path, dry_run=dry_run, actor=actor(), at=when)
        if json or dry_run:
            emit_json(summary)
            return
        _say_summary(summary)


def _say_summary(summary: "ApplySummary") -> None:
    for ref in summary.added:
        console.print(f"added {ref.kind} {ref.id}")
    for changed in summary.changed:
        console.print(f"changed {changed.kind} {changed.id}: {', '.join(changed.fields)}")
    console.print(
        f"{len(summary.added)} added, {len(summary.changed)} changed, {summary.unchanged} unchanged"
    )


@village_app.command("remove")
def remove(
    kind: Annotated[
        str, typer.Argument(help=f"One of: {', '.join(REMOVABLE)}.", show_default=False)
    ],
    ident: Annotated[
        str,
        typer.Argument(
            metavar="ID",
            help="Its id; a road FROM/TO, a sighting THREAT@PLACE@TIME, a countermeasure "
            "its ability.",
            show_default=False,
        ),
    ],
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Remove one record; refused (naming what refers to it) while a mission in progress or
    another record needs it."""
    from missiondesk.services import edits

    with acting(db, at, json) as (database, when):
        _say(edits.remove_record(database, kind, ident, actor=actor(), at=when), json, "removed")


def _say(result: "EditResult", json: bool, verb: str) -> None:
    if json:
        emit_json(result)
        return
    text = f"{verb} {result.kind} {result.id}"
    if result.changed and verb == "changed":
        text += f": {', '.join(result.changed)}"
    if result.status:
        text += f" (now {result.status})"
    if result.note:
        text += f"; {result.note}"
    console.print(text)


def _pairs(values: list[str], *, option: str, shape: str, field: str) -> dict[str, str]:
    """`NAME=VALUE` options, in order, as a mapping; `option` and `shape` spell the refusal."""
    found: dict[str, str] = {}
    for item in values:
        name, equals, value = item.partition("=")
        if not equals or not name.strip():
            raise BadInput(f"{option} takes {shape}, not {item!r}", field=field)
        found[name.strip()] = value
    return found


def _sets(values: list[str]) -> dict[str, str]:
    found = _pairs(values, option="--set", shape="FIELD=VALUE", field="set")
    if not found:
        raise BadInput("say what to change with --set FIELD=VALUE", field="set")
    return found


@mission_app.command("add")
def mission_add(
    title: Annotated[str, typer.Option(help="What the mission is.", show_default=False)],
    rank: Annotated[str, typer.Option(help="Declared rank: D, C, B, A or S.", show_default=False)],
    route: Annotated[str, typer.Option(help="Places, comma-separated: konoha,tanigakure,konoha.")],
    mission_id: Annotated[
        str | None, typer.Option("--id", help="Default: made from the title.", show_default=False)
    ] = None,
    priority: Text = None,
    kind: Text = None,
    client: Annotated[
        str | None, typer.Option(help="The client's name.", show_default=False)
    ] = None,
    min_team_size: Text = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", help="An objective tag (repeatable).")
    ] = None,
    earliest: Annotated[str | None, typer.Option(help="Window opens (date).")] = None,
    latest: Annotated[
        str | None, typer.Option(help="Last day to leave (date; default: --earliest).")
    ] = None,
    due: Annotated[str | None, typer.Option(help="Due (date).")] = None,
    on_site_hours: Annotated[
        float | None, typer.Option(help="Hours spent at the objective (default 0).")
    ] = None,
    reward_ryo: Text = None,
    status: Annotated[str | None, typer.Option(help="Default intake.")] = None,
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Add a mission to the board (every field of the village file's mission)."""
    from missiondesk.services import edits

    when = parse_time(at)
    document: dict[str, Any] = {
        "id": mission_id,
        "title": title,
        "rank": rank,
        "priority": priority,
        "kind": kind,
        "client": {"name": client, "min_team_size": min_team_size},
        "objective": {"tags": list(tag or []), "on_site_hours": on_site_hours or 0},
        "route": [p.strip() for p in route.split(",") if p.strip()],
        "window": {"earliest": earliest, "latest": latest, "due": due},
        "reward_ryo": reward_ryo,
        "status": status,
    }
    with acting(db, at, json) as (database, _):
        _say(edits.add_mission(database, document, actor=actor(), at=when), json, "added")


@mission_app.command("edit")
def mission_edit(
    mission: Annotated[str, typer.Argument(help="The mission's id.", show_default=False)],
    set_: SetOption,
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Change a mission's fields. A planned mission that changes goes back to the board; a
    mission in progress keeps its route and squad."""
    from missiondesk.services import edits

    with acting(db, at, json) as (database, when):
        result = edits.edit_mission(database, mission, _sets(set_), actor=actor(), at=when)
        _say(result, json, "changed" if result.changed else "unchanged")


@mission_app.command("cancel")
def mission_cancel(
    mission: Annotated[str, typer.Argument(help="The mission's id.", show_default=False)],
    reason: Annotated[str, typer.Option(help="Why (kept in the log).", show_default=False)],
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Call a mission off; a planned or approved squad is released."""
    from missiondesk.services import edits

    with acting(db, at, json) as (database, when):
        result = edits.cancel_mission(database, mission, reason, actor=actor(), at=when)
        _say(result, json, "cancelled")


@shinobi_app.command("add")
def shinobi_add(
    name: Annotated[str, typer.Option(help="Full name.", show_default=False)],
    rank: Annotated[str, typer.Option(help="academy, genin, chunin, ...", show_default=False)],
    shinobi_id: Annotated[
        str | None, typer.Option("--id", help="Default: made from the name.", show_default=False)
    ] = None,
    skill: Annotated[
        list[str] | None, typer.Option("--skill", help="NAME=LEVEL (repeatable).")
    ] = None,
    technique: Annotated[list[str] | None, typer.Option("--technique")] = None,
    team: Text = None,
    status: Annotated[str, typer.Option(help="Default available.")] = "available",
    available_from: Annotated[
        str | None, typer.Option(help="Date; needed when injured or resting.")
    ] = None,
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Add a shinobi to the roster."""
    from missiondesk.services import edits

    when = parse_time(at)
    levels = _pairs(skill or [], option="--skill", shape="NAME=LEVEL", field="skills")
    skills: dict[str, Any] = {
        name_: int(level) if re.fullmatch(r"-?\d+", level.strip()) else level.strip()
        for name_, level in levels.items()
    }
    document = {
        "id": shinobi_id,
        "name": name,
        "rank": rank,
        "skills": skills,
        "techniques": list(technique or []),
        "team": team,
        "status": status,
        "available_from": available_from,
    }
    with acting(db, at, json) as (database, _):
        _say(edits.add_shinobi(database, document, actor=actor(), at=when), json, "added")


@shinobi_app.command("edit")
def shinobi_edit(
    shinobi: Annotated[str, typer.Argument(help="The shinobi's id.", show_default=False)],
    set_: SetOption,
    at: AtOption = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Change a shinobi's fields; someone on a squad in progress may not be made unfit."""
    from missiondesk.services import edits

    with acting(db, at, json) as (database, when):
        result = edits.edit_shinobi(database, shinobi, _sets(set_), actor=actor(), at=when)
        _say(result, json, "changed" if result.changed else "unchanged")


@sighting_app.command("add")
def sighting_add(
    threat: Annotated[str, typer.Option(help="The threat's id.", show_default=False)],
    place: Annotated[str, typer.Option(help="The place's id.", show_default=False)],
    confidence: Annotated[str, typer.Option(help="From 0 to 1.", show_default=False)],
    at: Annotated[
        str | None,
        typer.Option(
            help="When it was seen, ISO 8601; the act is dated then (default: the village clock)."
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Record a sighting of a threat."""
    from missiondesk.services import edits

    with acting(db, at, json) as (database, _):
        result = edits.add_sighting(
            database, threat=threat, place=place, confidence=confidence, at=at, actor=actor()
        )
        _say(result, json, "added")


def register(app: typer.Typer) -> None:
    """`village apply/remove` join the village commands (registered with them); the rest
    are new groups."""
    app.add_typer(mission_app, name="mission")
    app.add_typer(shinobi_app, name="shinobi")
    app.add_typer(sighting_app, name="sighting")
