"""SPEC section 7's exit statuses for the requests a parser or the OS refuses, and the
rule that a refused request changes nothing."""

from __future__ import annotations

import json
import shlex
from collections.abc import Callable
from pathlib import Path

import pytest

from md_support import DEMO_VILLAGE, Result

Cli = Callable[..., Result]


@pytest.mark.parametrize(
    "args",
    [
        [],
        ["village"],
        ["no-such-command"],
        ["board", "--bogus"],
        ["roster", "extra"],
        ["approve"],
        ["report", "tani-scroll"],
        ["plan", "--time-limit", "abc"],
        ["village", "generate", "--shinobi", "0", "--missions", "1", "-o", "x.yaml"],
        ["overdue", "--at"],
        ["--db"],
    ],
)
def test_usage_errors_are_bad_input(cli: Cli, args: list[str]) -> None:
    result = cli(*args)
    assert result.code == 2, (args, result.stderr)
    assert "internal error" not in result.stderr


def test_a_file_that_is_not_a_database_is_bad_input(cli: Cli, tmp_path: Path) -> None:
    not_a_database = tmp_path / "notes.sqlite"
    not_a_database.write_text("these are notes\n" * 100, encoding="utf-8")
    result = cli("--db", not_a_database, "board")
    assert result.code == 2 and "cannot open the database" in result.stderr


def test_an_unknown_kind_of_database_url_is_bad_input(cli: Cli) -> None:
    result = cli("--db", "mysql://someone@127.0.0.1/village", "board")
    assert result.code == 2 and "cannot open the database" in result.stderr


def test_a_refused_pin_changes_nothing(cli: Cli, sqlite_url: str) -> None:
    assert cli("--db", sqlite_url, "village", "import", DEMO_VILLAGE).code == 0
    before = cli("--db", sqlite_url, "board", "--json").stdout
    result = cli("--db", sqlite_url, "plan", "--time-limit", "2", "--pin", "nobody=tani-scroll")
    assert result.code == 2 and "nobody" in result.stderr
    assert cli("--db", sqlite_url, "board", "--json").stdout == before
    assert {m["status"] for m in json.loads(before)} == {"intake"}


def test_demo_honours_db_before_the_command(cli: Cli, tmp_path: Path) -> None:
    target = tmp_path / "a folder" / "story.sqlite"
    target.parent.mkdir()
    told = cli("--db", target, "demo")
    assert told.code == 0
    assert target.exists()
    # It ends with one line to paste: the same database, quoted for the shell.
    last = told.stdout.splitlines()[-1].strip()
    assert last == f"missiondesk --db {shlex.quote(str(target))} board"
    pasted = shlex.split(last)
    assert pasted[0] == "missiondesk" and cli(*pasted[1:]).code == 0
    roster = json.loads(cli("--db", target, "roster", "--json").stdout)
    assert any(r["id"] == "nara-shikamaru" and r["status"] == "injured" for r in roster)
