"""`missiondesk --help` lists each command with the first paragraph of its help, filled
to the terminal's width: a summary never breaks where its docstring's source line did."""

from __future__ import annotations

import inspect
import re
from typing import Any

import pytest

from missiondesk.cli.app import app


def _panel_rows(text: str) -> dict[str, int]:
    """Lines per command in the help's "Commands" panel (a row starts with its name)."""
    panel = text.split("Commands")[1]
    rows: dict[str, int] = {}
    current = None
    for line in panel.splitlines():
        match = re.match(r"^│ (\S*)\s", line)
        if match is None:
            continue
        current = match.group(1) or current
        if current:
            rows[current] = rows.get(current, 0) + 1
    return rows


def test_each_summary_is_filled_to_the_width(cli: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    result = cli("--help")
    assert result.code == 0
    rows = _panel_rows(result.stdout)
    assert "demo" in rows and "board" in rows
    for command in app.registered_commands:
        assert command.callback is not None
        name = command.name or command.callback.__name__.replace("_", "-")
        summary = " ".join(
            inspect.cleandoc(command.callback.__doc__ or "").split("\n\n")[0].split()
        )
        # The description column is 64 characters wide at 80 columns: a filled summary
        # needs one line per 64 characters, and a word that does not fit one more.
        assert rows[name] <= len(summary) // 56 + 1, f"{name}: {rows[name]} lines for {summary!r}"
