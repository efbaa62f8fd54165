"""`assess MISSION --override RANK --reason TEXT`: the game master's rank, recorded with who
and why, shown beside the judged rank, used by the planner and approval, carried in the file."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from md_support import DEMO_VILLAGE, Result

Cli = Callable[..., Result]


@pytest.fixture
def demo(cli: Cli, db_url: str) -> str:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    return db_url


def _board(cli: Cli, db: str) -> dict[str, dict[str, object]]:
    return {m["id"]: m for m in json.loads(cli("--db", db, "board", "--json").stdout)}


def _events(cli: Cli, db: str, mission: str) -> list[dict[str, object]]:
    from missiondesk.services.timeline import timeline
    from missiondesk.store.database import Database

    database = Database(db)
    try:
        return [e.model_dump(mode="json") for e in timeline(database, mission)]
    finally:
        database.dispose()


def test_an_override_is_the_effective_rank_beside_the_judged_one(cli: Cli, demo: str) -> None:
    result = cli(
        "--db", demo, "assess", "tani-scroll", "--override", "S", "--reason", "Itachi wants it",
        "--json",
    )  # fmt: skip
    assert result.code == 0, result.stderr
    a = json.loads(result.stdout)
    assert a["effective_rank"] == "S" and a["judged_rank"] == "A"
    assert a["override"]["rank"] == "S" and a["override"]["reason"] == "Itachi wants it"
    assert a["override"]["by"] == "test" and a["override"]["at"]
    scroll = _board(cli, demo)["tani-scroll"]
    assert scroll["effective_rank"] == "S" and scroll["judged_rank"] == "A"
    assert scroll["override"]["by"] == "test"
    text = cli("--db", demo, "board").stdout
    row = next(line for line in text.splitlines() if "tani-scroll" in line)
    assert "│ A " in row and "overruled" in text  # judged A beside the overruled S
    shown = cli("--db", demo, "assess", "tani-scroll").stdout
    assert "overruled to S by test" in shown and "Itachi wants it" in shown
    events = _events(cli, demo, "tani-scroll")
    (event,) = [e for e in events if e["kind"] == "mission.rank_overridden"]
    assert event["actor"] == "test"
    assert event["after"]["override"]["reason"] == "Itachi wants it"
    assert event["after"]["judged_rank"] == "A"


def test_clearing_the_override_restores_the_judged_rank(cli: Cli, demo: str) -> None:
    args = ("--db", demo, "assess", "find-tora")
    assert cli(*args, "--override", "B", "--reason", "the cat bites").code == 0
    cleared = cli(*args, "--clear-override", "--json")
    assert cleared.code == 0, cleared.stderr
    a = json.loads(cleared.stdout)
    assert a["override"] is None and a["effective_rank"] == "D"
    assert _board(cli, demo)["find-tora"]["override"] is None
    kinds = [e["kind"] for e in _events(cli, demo, "find-tora")]
    assert kinds[-2:] == ["mission.rank_overridden", "mission.override_cleared"]


def test_the_planner_and_approval_use_the_override(cli: Cli, demo: str) -> None:
    plan = json.loads(cli("--db", demo, "plan", "--time-limit", "5", "--json").stdout)
    tora = next(s for s in plan["squads"] if s["mission"] == "find-tora")
    assert tora["effective_rank"] == "D" and tora["override"] is None
    # Overruled to A after planning: the D-rank squad no longer obeys the A-rank orders
    # (a jonin from A), so approval refuses it and nothing changes.
    overruled = cli(
        "--db", demo, "assess", "find-tora", "--override", "A", "--reason", "the daimyo's cat"
    )
    assert overruled.code == 0, overruled.stderr
    refused = cli("--db", demo, "approve", "find-tora")
    assert refused.code == 2, refused.stdout
    assert _board(cli, demo)["find-tora"]["status"] == "planned"
    plan = json.loads(cli("--db", demo, "plan", "--time-limit", "5", "--json").stdout)
    entries = {e["mission"]: e for e in [*plan["squads"], *plan["unstaffed"]]}
    tora = entries["find-tora"]
    assert tora["effective_rank"] == "A" and tora["judged_rank"] == "D"
    assert tora["override"]["reason"] == "the daimyo's cat"
    if tora in plan["squads"]:
        assert any("jonin" in r for r in tora["reasons"])
        assert cli("--db", demo, "approve", "find-tora").code == 0
    text = cli("--db", demo, "plan", "--time-limit", "5").stdout
    assert "find-tora" in text and "overruled by test; judged D" in text


def test_the_override_round_trips_through_the_village_file(
    cli: Cli, demo: str, tmp_path: Path
) -> None:
    other = f"sqlite:///{tmp_path / 'other.sqlite'}"
    args = ("--db", demo, "assess", "tani-scroll")
    assert cli(*args, "--override", "B", "--reason", "a treaty escort rides along").code == 0
    exported = tmp_path / "village.yaml"
    assert cli("--db", demo, "village", "export", "-o", exported).code == 0
    document = yaml.safe_load(exported.read_text())
    scroll = next(m for m in document["missions"] if m["id"] == "tani-scroll")
    assert scroll["override"]["rank"] == "B"
    assert scroll["override"]["reason"] == "a treaty escort rides along"
    assert all("override" not in m for m in document["missions"] if m["id"] != "tani-scroll")
    assert cli("--db", other, "village", "import", exported).code == 0
    again = tmp_path / "again.yaml"
    assert cli("--db", other, "village", "export", "-o", again).code == 0
    assert again.read_text() == exported.read_text()
    a = json.loads(cli("--db", other, "assess", "tani-scroll", "--json").stdout)
    assert a["effective_rank"] == "B" and a["judged_rank"] == "A"


@pytest.mark.parametrize(
    ("args", "field"),
    [
        (("tani-scroll", "--override", "Z", "--reason", "why not"), "rank"),
        (("tani-scroll", "--override", "B"), "reason"),
        (("tani-scroll", "--override", "B", "--reason", "   "), "reason"),
        (("no-such-mission", "--override", "B", "--reason", "why"), "no-such-mission"),
        (("tani-scroll", "--clear-override"), "no rank override"),
        (("tani-scroll", "--reason", "why"), "--override"),
    ],
)
def test_bad_override_input_exits_2_and_changes_nothing(
    cli: Cli, demo: str, args: tuple[str, ...], field: str
) -> None:
    before = _board(cli, demo)
    events = _events(cli, demo, "tani-scroll")
    result = cli("--db", demo, "assess", *args)
    assert result.code == 2, result.stdout
    assert field in result.stderr
    assert _board(cli, demo) == before
    assert _events(cli, demo, "tani-scroll") == events
