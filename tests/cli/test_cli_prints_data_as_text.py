"""The command line prints village data as text: never read as Rich markup, and without
the control characters that would let a title clear the screen or plant a link."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from md_support import Result
from missiondesk.cli.output import clean
from villagefile.village_texts import STORY_VILLAGE

Cli = Callable[..., Result]

# Short enough not to be wrapped in a table cell at 80 columns.
TITLE = "[link=x]go[/link]"
NAME = "[blink]Nara[/]"


def hostile_village(tmp_path: Path) -> Path:
    text = STORY_VILLAGE.replace(
        "title: Bring the sacred scroll home from Tanigakure",
        f'title: "{TITLE}\\e[2J\\e]8;;https://evil.example\\a"',
    ).replace("name: Nara Shikamaru", f'name: "{NAME}\\e[31m"')
    assert text != STORY_VILLAGE
    path = tmp_path / "hostile.yaml"
    path.write_text(text)
    return path


def test_board_and_roster_print_titles_and_names_literally(
    cli: Cli, tmp_path: Path, sqlite_url: str
) -> None:
    assert cli("village", "import", hostile_village(tmp_path), "--db", sqlite_url).code == 0
    board = cli("board", "--db", sqlite_url)
    assert board.code == 0
    assert TITLE in board.stdout
    assert "\x1b" not in board.stdout and "\x07" not in board.stdout
    roster = cli("roster", "--db", sqlite_url)
    assert NAME in roster.stdout
    assert "\x1b" not in roster.stdout


def test_json_keeps_the_data_exactly(cli: Cli, tmp_path: Path, sqlite_url: str) -> None:
    cli("village", "import", hostile_village(tmp_path), "--db", sqlite_url)
    board = cli("board", "--json", "--db", sqlite_url)
    assert TITLE + "\x1b[2J" in board.stdout.encode().decode("unicode_escape")


def test_clean_strips_control_characters_but_keeps_lines_and_tabs() -> None:
    assert clean("a\x1b[2Jb\x07c\x9bd\x00e\r") == "a[2Jbcde"
    assert clean("one\ntwo\tthree") == "one\ntwo\tthree"
