"""The root of the `missiondesk` command and the exit-status contract (SPEC section 7).

0: done. 2: bad input (a message on stderr, nothing changed). 1: an internal error.
"""

import copy
import inspect
import os
import sys
import traceback
from collections.abc import Sequence

import typer
from typer.exceptions import TyperException
from typer.main import get_command_name, solve_typer_info_defaults
from typer.models import CommandInfo, TyperInfo

from missiondesk.cli import assessment as assessment_commands
from missiondesk.cli import board as board_commands
from missiondesk.cli import clock as clock_commands
from missiondesk.cli import demo as demo_commands
from missiondesk.cli import edits as edit_commands
from missiondesk.cli import lifecycle as lifecycle_commands
from missiondesk.cli import notify as notify_commands
from missiondesk.cli import planning as planning_commands
from missiondesk.cli import players as player_commands
from missiondesk.cli import rescue as rescue_commands
from missiondesk.cli import serve as serve_commands
from missiondesk.cli import users as user_commands
from missiondesk.cli import village as village_commands
from missiondesk.cli import wellbeing as wellbeing_commands
from missiondesk.cli.context import OPTION_FOR_FIELD, DbOption, remember_root_db
from missiondesk.cli.output import clean, errors
from missiondesk.errors import BadInput
from missiondesk.villagefile.errors import VillageFileError

app = typer.Typer(
    name="missiondesk",
    help="The mission office of a shinobi village: missions in, risk judged, squads under "
    "standing orders, tracked, rescued, and learned from.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
    epilog="Start with [bold]missiondesk demo[/]. Then: village import FILE, assess --all, "
    "plan, approve MISSION, dispatch MISSION, checkin MISSION, overdue, report MISSION FILE, "
    "wellbeing. Exit status: 0 done, 2 bad input (nothing changed), 1 internal error.",
)


@app.callback()
def root(db: DbOption = None) -> None:
    """Every command takes --db too; `missiondesk --db FILE COMMAND` sets it for one call."""
    remember_root_db(db)


demo_commands.register(app)
village_commands.register(app)
board_commands.register(app)
assessment_commands.register(app)
lifecycle_commands.register(app)
clock_commands.register(app)
rescue_commands.register(app)
planning_commands.register(app)
wellbeing_commands.register(app)
serve_commands.register(app)
user_commands.register(app)
edit_commands.register(app)
notify_commands.register(app)
player_commands.register(app)


def _summaries_on_one_line(commands: typer.Typer) -> None:
    """In a list of commands each shows the first paragraph of its help. In Rich markup
    mode Typer keeps that paragraph's line breaks, so every summary broke mid-sentence
    (at the docstring's width, not the terminal's); it is given once as one line here."""
    for command in commands.registered_commands:
        text = command.help or (command.callback.__doc__ if command.callback else None)
        if command.short_help is None and text:
            command.short_help = " ".join(inspect.cleandoc(text).split("\n\n")[0].split())
    for group in commands.registered_groups:
        if group.typer_instance is not None:
            _summaries_on_one_line(group.typer_instance)


_summaries_on_one_line(app)


def _name_of(entry: CommandInfo | TyperInfo) -> str | None:
    """The name a registered command or group is typed as (Typer's own rules)."""
    if isinstance(entry, CommandInfo):
        return entry.name or get_command_name(entry.callback.__name__)  # type: ignore[union-attr]
    return solve_typer_info_defaults(entry).name


def _command_named(args: Sequence[str]) -> str | None:
    """The command word of a command line: the first word that is not a root option."""
    words = iter(args)
    for word in words:
        if word == "--db":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def only_the_command_run(args: Sequence[str]) -> typer.Typer:
    """The app with only the command (or group) `args` names registered.

    Typer builds a click command from every registered function on each call: a tenth of a
    second for fifty of them, most of `board --json`'s own time. The one named is all a
    call runs. Help, no command and an unknown name get the whole app, so the list of
    commands and the suggestions stay whole.
    """
    wanted = _command_named(args)
    narrowed = copy.copy(app)
    narrowed.registered_commands = [c for c in app.registered_commands if _name_of(c) == wanted]
    narrowed.registered_groups = [g for g in app.registered_groups if _name_of(g) == wanted]
    if not narrowed.registered_commands and not narrowed.registered_groups:
        return app
    return narrowed


def _say(message: str) -> None:
    """Errors go to stderr whole, never wrapped: each names its file, line and field."""
    sys.stderr.write(clean(message).rstrip("\n") + "\n")
    sys.stderr.flush()


def main(argv: list[str] | None = None) -> None:
    """Run the command line and turn every outcome into SPEC section 7's exit status."""
    args = sys.argv[1:] if argv is None else argv
    try:
        only_the_command_run(args)(args=args, prog_name="missiondesk", standalone_mode=False)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        errors.print("aborted")
        sys.exit(1)
    except TyperException as usage:
        # A usage error (unknown command or option, missing or malformed argument): the
        # request is bad input, whatever code the parser would have chosen.
        show = getattr(usage, "show", None)
        if callable(show):
            show()
        else:
            _say(f"error: {usage}")
        sys.exit(2)
    except VillageFileError as bad:
        _say(str(bad))
        sys.exit(2)
    except BadInput as bad:
        _say(f"error: {bad.spelled(OPTION_FOR_FIELD)}")
        sys.exit(2)
    except OSError as unreadable:
        # A file or folder named on the command line that cannot be read or written.
        _say(f"error: {unreadable}")
        sys.exit(2)
    except KeyboardInterrupt:
        errors.print("interrupted")
        sys.exit(130)
    except Exception as bug:
        _say(f"internal error: {type(bug).__name__}: {bug}")
        if os.environ.get("MISSIONDESK_DEBUG"):
            traceback.print_exc()
        sys.exit(1)
    sys.exit(0)
