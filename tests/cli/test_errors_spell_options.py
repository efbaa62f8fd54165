"""Services name fields; the command line spells them as its options (issue 10): the
same refusal the API words with `pins` reads `--pin` here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from md_support import DEMO_VILLAGE
from missiondesk.errors import BadInput, named


def test_a_field_in_a_message_is_spelled_by_each_front_end() -> None:
    error = BadInput(f"plan again with a longer {named('time_limit')}", field="time_limit")
    assert str(error) == "plan again with a longer time_limit"
    assert error.spelled({"time_limit": "--time-limit"}) == "plan again with a longer --time-limit"


def test_an_unknown_pinned_shinobi_is_refused_naming_the_option(cli: Any, db_url: str) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    refused = cli("--db", db_url, "plan", "--pin", "nobody=tani-scroll", "--time-limit", "1")
    assert refused.code == 2
    assert refused.stderr == "error: --pin: no shinobi 'nobody' on the roster\n"  # one line
    again = cli("--db", db_url, "village", "import", DEMO_VILLAGE)
    assert again.code == 2
    assert "use --replace to swap it" in again.stderr


def test_a_village_file_out_of_range_is_refused_in_plain_words(cli: Any, tmp_path: Path) -> None:
    text = DEMO_VILLAGE.read_text(encoding="utf-8")
    assert "    priority: 3\n" in text
    bad = tmp_path / "village.yaml"
    bad.write_text(text.replace("    priority: 3\n", "    priority: 9\n", 1), encoding="utf-8")
    refused = cli("village", "validate", bad)
    assert refused.code == 2
    assert refused.stderr.endswith(".priority: must be at most 5, not 9\n")
    assert "Input should" not in refused.stderr
