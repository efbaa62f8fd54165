"""`--set FIELD=VALUE` and `--skill NAME=LEVEL` read through one parser and are refused
alike, naming the option (issue 10)."""

from __future__ import annotations

from typing import Any

import pytest
import yaml

from md_support import DEMO_VILLAGE


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["mission", "edit", "tani-scroll", "--set", "title"],
         "--set takes FIELD=VALUE, not 'title'"),
        (["shinobi", "edit", "hyuga-neji", "--set", "=3"], "--set takes FIELD=VALUE, not '=3'"),
        (["shinobi", "add", "--name", "Gai Maito", "--rank", "genin", "--skill", "medical"],
         "--skill takes NAME=LEVEL, not 'medical'"),
    ],
)  # fmt: skip
def test_a_pair_without_its_equals_sign_is_refused(
    cli: Any, sqlite_url: str, args: list[str], said: str
) -> None:
    assert cli("--db", sqlite_url, "village", "import", DEMO_VILLAGE).code == 0
    refused = cli("--db", sqlite_url, *args)
    assert refused.code == 2
    assert refused.stderr == f"error: {said}\n"


def test_skills_given_as_pairs_are_stored(cli: Any, sqlite_url: str) -> None:
    assert cli("--db", sqlite_url, "village", "import", DEMO_VILLAGE).code == 0
    added = cli("--db", sqlite_url, "shinobi", "add", "--name", "Gai Maito", "--rank", "genin",
                "--skill", "taijutsu=4", "--skill", "medical = 2", "--json")  # fmt: skip
    assert added.code == 0, added.stderr
    changed = cli("--db", sqlite_url, "shinobi", "edit", "gai-maito", "--set", "skills.medical=3")
    assert changed.code == 0, changed.stderr
    exported = yaml.safe_load(cli("--db", sqlite_url, "village", "export").stdout)
    gai = next(s for s in exported["shinobi"] if s["id"] == "gai-maito")
    assert gai["skills"] == {"taijutsu": 4, "medical": 3}
