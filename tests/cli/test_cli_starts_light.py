"""The reading commands and --help start without the heavy libraries (issue 10): a command
imports what it needs when it runs, so OR-Tools, pandas, NumPy, the web stack and the
rest load only for the commands that use them."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import typer
import typer.main
from sqlalchemy import select

from md_support import DEMO_VILLAGE
from missiondesk.cli.app import app, only_the_command_run
from missiondesk.services import village as village_service
from missiondesk.store import tables as t
from missiondesk.store.database import Database

# What `--help`, `board --json` and `roster --json` must not load. NumPy is on the list:
# the board and the roster read rows, and the road network (the one NumPy user a stored
# village needs) is built only when a whole village is loaded or a squad is sent out.
HEAVY = (
    "ortools", "pandas", "numpy", "scipy", "matplotlib", "fastapi", "starlette",
    "uvicorn", "alembic", "jinja2", "httpx", "yaml", "argon2",
)  # fmt: skip


def _imported(*args: str) -> set[str]:
    """Top-level packages a real `missiondesk ARGS` process imported (from -X importtime)."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from missiondesk.cli.app import main; main()",
         *args],
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "MISSIONDESK_ACTOR": "test"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    found = re.findall(r"^import time:\s+\d+ \|\s+\d+ \| +([\w.]+)$", done.stderr, re.M)
    assert "typer" in {name.split(".")[0] for name in found}  # the trace is really there
    return {name.split(".")[0] for name in found}


@pytest.fixture
def village_db(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'village.sqlite'}"
    village_service.import_village(Database(url), DEMO_VILLAGE, actor="test")
    return url


def test_help_loads_no_heavy_library() -> None:
    assert set(HEAVY) & _imported("--help") == set()


@pytest.mark.parametrize("command", ["board", "roster"])
def test_reading_commands_load_no_heavy_library(command: str, village_db: str) -> None:
    assert set(HEAVY) & _imported(command, "--json", "--db", village_db) == set()


def test_a_command_that_plans_does_load_the_solver(village_db: str) -> None:
    """The baseline that shows the check can fail: `plan` needs OR-Tools, and the trace
    sees it load."""
    assert "ortools" in _imported("plan", "--time-limit", "1", "--json", "--db", village_db)


def test_json_output_loads_no_console_nor_the_village_models(village_db: str) -> None:
    """Rich's console is made on first use: `board --json` prints JSON without it, and the
    table the same command prints for people does load it (the baseline). The board reads
    rows: the village file's models (a twentieth of a second to define) stay unloaded,
    while exporting the village loads them."""
    modules = _imported_modules("board", "--json", "--db", village_db)
    assert "rich.console" not in modules
    assert "missiondesk.domain.village" not in modules
    assert "rich.console" in _imported_modules("board", "--db", village_db)
    exported = _imported_modules("village", "export", "--db", village_db)
    assert "missiondesk.domain.village" in exported


def _imported_modules(*args: str) -> set[str]:
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", "from missiondesk.cli.app import main; main()",
         *args],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    return set(re.findall(r"^import time:\s+\d+ \|\s+\d+ \| +([\w.]+)$", done.stderr, re.M))


@pytest.mark.parametrize("command", ["board", "roster"])
def test_the_board_and_the_roster_load_no_pydantic_model(command: str, village_db: str) -> None:
    """Their rows are read from the database, never validated: neither command loads
    pydantic's models (Typer below 0.29 does not either), while an act that validates
    input does (the baseline: the check can fail)."""
    models = "pydantic._internal._model_construction"  # what defining a model loads
    assert models not in _imported_modules(command, "--json", "--db", village_db)
    assert models in _imported_modules("village", "export", "--db", village_db)


def _click_names(app: typer.Typer) -> set[str]:
    return set(typer.main.get_group(app).commands)


def test_a_call_builds_only_the_command_it_runs() -> None:
    """Typer builds every registered command on each call; the app narrowed to the command
    word has exactly that one, whatever root options come first, and help, an unknown word
    or none get the whole app (its list of commands and its suggestions)."""
    everything = _click_names(app)
    assert len(everything) > 20
    for name in everything:
        assert _click_names(only_the_command_run([name, "--help"])) == {name}
        assert _click_names(only_the_command_run(["--db", "x.sqlite", name])) == {name}
    for whole in (["--help"], [], ["bord"], ["--db", "board"]):
        assert only_the_command_run(whole) is app


@pytest.mark.parametrize(
    ("args", "usage"),
    [
        (["board", "--bogus"], "Usage: missiondesk board [OPTIONS]"),
        (["clock", "advance", "--bogus", "1d"], "Usage: missiondesk clock advance [OPTIONS]"),
        (["bord"], "Did you mean 'board'?"),
    ],
)
def test_usage_errors_still_name_the_command(args: list[str], usage: str, tmp_path: Path) -> None:
    """Narrowed, a usage error still names the command as typed, and an unknown one still
    gets a suggestion from the whole list."""
    done = subprocess.run(
        [sys.executable, "-c", "from missiondesk.cli.app import main; main()", *args],
        capture_output=True, text=True, timeout=120, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 2
    assert usage in done.stderr


def test_an_act_that_moves_the_clock_loads_no_solver_when_nobody_missed_a_checkin(
    village_db: str,
) -> None:
    """An act dated later than the clock records what fell due first (recoveries and closed
    windows here, no squad out): the rescue planner, and OR-Tools, load only for a missed
    check-in."""
    add = ("mission", "add", "--id", "errand", "--title", "An errand", "--rank", "D",
           "--route", "konoha,tanzaku-town,konoha", "--at", "2026-12-20T08:00")  # fmt: skip
    assert "ortools" not in _imported(*add, "--db", village_db)
    clock = Database(village_db)
    with clock.reading() as connection:
        kinds = set(connection.execute(select(t.event.c.kind)).scalars())
        now = connection.execute(select(t.village.c.now)).scalar_one()
    clock.dispose()
    assert {"shinobi.recovered", "mission.stale", "mission.added"} <= kinds  # it did record
    assert f"{now:%Y-%m-%dT%H:%M}" == "2026-12-20T08:00"
