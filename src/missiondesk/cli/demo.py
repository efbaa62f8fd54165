"""`missiondesk demo`: a fresh database with the demo village, and the story told."""

import os
import shlex
from pathlib import Path

import typer
from platformdirs import user_data_dir

from missiondesk.cli.context import DbOption, open_db, root_db
from missiondesk.cli.output import console
from missiondesk.store.database import ENV_VAR


def demo(db: DbOption = None) -> None:
    """Tell the story of the scroll mission, from intake to the after-action report, on a
    fresh database (--db, else demo.sqlite in your data folder; any village in it is
    replaced)."""
    from rich.panel import Panel

    from missiondesk.demo import tell

    db = db or root_db()
    if not db and not os.environ.get(ENV_VAR):
        path = Path(user_data_dir("missiondesk", appauthor=False)) / "demo.sqlite"
        for leftover in path.parent.glob(path.name + "*"):
            leftover.unlink()
        db = str(path)
    database = open_db(db)
    for n, chapter in enumerate(tell(database), start=1):
        console.print(
            Panel("\n".join(chapter.lines), title=f"{n}. {chapter.title}", title_align="left"),
            markup=False,
        )
    # The last line is a command to paste as it is: the same database, quoted for the shell.
    # With MISSIONDESK_DATABASE_URL in force (no --db), that variable names it already.
    again = f"missiondesk --db {shlex.quote(db)} board" if db else "missiondesk board"
    console.print("Keep exploring the demo village (every command takes the same --db):")
    console.print(f"  {again}", soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)
