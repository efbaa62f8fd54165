"""`missiondesk village ...`: validate, import, export and generate village files."""

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from missiondesk.cli.context import DbOption, open_db
from missiondesk.cli.output import actor, console, emit_json
from missiondesk.domain.words import plural

if TYPE_CHECKING:
    from missiondesk.domain.village import Village

village_app = typer.Typer(
    help="Village files (missiondesk/village/v2, or v1; YAML or JSON): check, import, export.",
    no_args_is_help=True,
)

FileArgument = Annotated[
    Path,
    typer.Argument(help="A village file, YAML or JSON (by its .json ending).", show_default=False),
]


@village_app.command("validate")
def validate(path: FileArgument, json: Annotated[bool, typer.Option("--json")] = False) -> None:
    """Check a village file without touching any database.

    Every problem is named as FILE:LINE: FIELD: what is wrong (exit 2).
    """
    from missiondesk.services import village as village_service

    village = village_service.validate_file(path)
    summary = {
        "file": str(path),
        "village": village.village.id,
        "shinobi": len(village.shinobi),
        "missions": len(village.missions),
        "history": len(village.history),
        "valid": True,
    }
    if json:
        emit_json(summary)
    else:
        console.print(f"{path}: valid village {village.village.id!r}: {_counts(village)}")


@village_app.command("import")
def import_(
    path: FileArgument,
    replace: Annotated[
        bool,
        typer.Option("--replace", help="Swap out the database's village in one transaction."),
    ] = False,
    db: DbOption = None,
    json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Import a village file atomically: a file with any error imports nothing.

    A database holds one village; importing into one that has a village is an error
    unless --replace.
    """
    from missiondesk.services import village as village_service

    summary = village_service.import_village(open_db(db), path, replace=replace, actor=actor())
    if json:
        emit_json(summary.__dict__)
    else:
        verb = "replaced the village with" if summary.replaced else "imported"
        console.print(
            f"{verb} {summary.village!r}: "
            + _counts_of(summary.shinobi, summary.missions, summary.history)
        )


@village_app.command("export")
def export(
    output: Annotated[
        Path | None,
        typer.Option("-o", "--output", help="Write here (.json for JSON); default: stdout, YAML."),
    ] = None,
    db: DbOption = None,
) -> None:
    """Write the database's village as a village file (import then export is lossless)."""
    from missiondesk.services import village as village_service
    from missiondesk.villagefile.write import dump_village, write_village

    village = village_service.export_village(open_db(db))
    if output is None:
        typer.echo(dump_village(village), nl=False)
    else:
        write_village(village, output)
        console.print(f"wrote {output}")


@village_app.command("generate")
def generate(
    shinobi: Annotated[int, typer.Option("--shinobi", min=1, help="How many shinobi.")],
    missions: Annotated[int, typer.Option("--missions", min=0, help="How many open missions.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Where to write it.")],
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same file.")] = 0,
    history: Annotated[
        int | None,
        typer.Option("--history", min=0, help="History entries (default 2.5 per shinobi)."),
    ] = None,
) -> None:
    """Write a valid synthetic village of any size, for tests and benchmarks."""
    from missiondesk.villagefile.generate import generate_village
    from missiondesk.villagefile.write import write_village

    village = generate_village(shinobi=shinobi, missions=missions, seed=seed, history=history)
    write_village(village, output)
    console.print(f"wrote {output}: {_counts(village)} (seed {seed})")


def _counts_of(shinobi: int, missions: int, history: int) -> str:
    return (
        f"{plural(shinobi, 'shinobi')}, {plural(missions, 'mission')}, "
        f"{plural(history, 'history entry', 'history entries')}"
    )


def _counts(village: "Village") -> str:
    return _counts_of(len(village.shinobi), len(village.missions), len(village.history))


def register(app: typer.Typer) -> None:
    app.add_typer(village_app, name="village")
