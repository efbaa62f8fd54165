"""Counts read as words (issue 10): "1 squad", "2 encounters", "1 day of rest", no "(s)"."""

from __future__ import annotations

import re
from pathlib import Path

from missiondesk.domain.words import plural

SRC = Path(__file__).parents[1] / "src" / "missiondesk"


def test_one_is_singular_and_more_is_plural() -> None:
    assert plural(1, "squad") == "1 squad"
    assert plural(0, "squad") == "0 squads"
    assert plural(2, "encounter") == "2 encounters"
    assert f"{plural(1, 'day')} of rest" == "1 day of rest"
    assert plural(3, "shinobi") == "3 shinobi"
    assert plural(2, "clean success") == "2 clean successes"
    assert plural(2, "medic (medical >= 2)") == "2 medics (medical >= 2)"
    assert plural(2, "history entry", "history entries") == "2 history entries"


def test_no_message_counts_with_an_s_in_brackets() -> None:
    """A string literal in src/ with `word(s)` in it is a count that did not choose."""
    hedged = re.compile(r"[\"'][^\"'\n]*\b[a-z]+\(s\)")
    found = [
        f"{path.relative_to(SRC)}:{n}: {line.strip()}"
        for path in sorted(SRC.rglob("*"))
        if path.suffix in (".py", ".html")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if hedged.search(line) and "never" not in line
    ]
    assert found == []
