"""Nothing in progress is ever lost (SPEC section 10): an exported office imports whole,
`import --replace` refuses a file that would drop a squad, and v1 files still read."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, select
from sqlalchemy.engine import make_url

from md_support import DEMO_VILLAGE, Result
from missiondesk.store import tables as t

Cli = Callable[..., Result]


def database_contents(url: str) -> Any:
    """Everything the database holds: `iterdump` on SQLite, every table's rows on PG."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        with sqlite3.connect(str(parsed.database)) as connection:
            return list(connection.iterdump())
    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            return {
                name: sorted(map(repr, connection.execute(select(table)).all()))
                for name, table in sorted(t.metadata.tables.items())
            }
    finally:
        engine.dispose()


def office_in_the_field(cli: Cli, url: str) -> dict[str, Any]:
    """The demo village with one squad dispatched and checked in, and one approved."""
    db = ("--db", url)
    assert cli(*db, "village", "import", DEMO_VILLAGE).code == 0
    plan = json.loads(cli(*db, "plan", "--time-limit", "5", "--workers", "1", "--json").stdout)
    # The first to leave goes at its planned departure (its window is open then, and
    # the other's is still open an hour later, when it checks in).
    squads = sorted(plan["squads"], key=lambda s: (s["departs"], s["mission"]))
    assert len(squads) >= 2, plan
    sent, waiting = squads[0]["mission"], squads[1]["mission"]
    for mission in (sent, waiting):
        approved = cli(*db, "approve", mission)
        assert approved.code == 0, approved.stderr
    departs = dt.datetime.fromisoformat(squads[0]["departs"])
    dispatched = cli(*db, "dispatch", sent, "--at", f"{departs:%Y-%m-%dT%H:%M}")
    assert dispatched.code == 0, dispatched.stderr
    later = departs + dt.timedelta(hours=1)
    assert cli(*db, "checkin", sent, "--at", f"{later:%Y-%m-%dT%H:%M}").code == 0
    leaves = max(dt.datetime.fromisoformat(squads[1]["departs"]), later + dt.timedelta(hours=1))
    return {"sent": sent, "waiting": waiting, "leaves": leaves}


def answers(cli: Cli, url: str) -> list[Any]:
    db = ("--db", url)
    return [
        cli(*db, "village", "export").stdout,
        json.loads(cli(*db, "board", "--json").stdout),
        json.loads(cli(*db, "roster", "--json").stdout),
        json.loads(cli(*db, "wellbeing", "--json").stdout),
    ]


def test_an_office_in_the_field_round_trips_into_an_empty_database(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'source.sqlite'}"
    office = office_in_the_field(cli, sqlite_url)
    exported = tmp_path / "office.yaml"
    assert cli("--db", sqlite_url, "village", "export", "-o", exported).code == 0
    text = exported.read_text(encoding="utf-8")
    assert text.startswith("format: missiondesk/village/v2\n")
    assert "!!" not in text
    assert cli("--db", db_url, "village", "import", "--replace", exported).code == 0
    assert answers(cli, db_url) == answers(cli, sqlite_url)
    # The office carries on where it was: the approved one leaves (in its window), the
    # squad out reports.
    leaves = office["leaves"]
    report = tmp_path / "report.yaml"
    back = leaves + dt.timedelta(hours=1)
    report.write_text(f"returned: {back:%Y-%m-%dT%H:%M}\noutcome: success\n", encoding="utf-8")
    for url in (sqlite_url, db_url):
        left = cli("--db", url, "dispatch", office["waiting"], "--at", f"{leaves:%Y-%m-%dT%H:%M}")
        assert left.code == 0, left.stderr
        reported = cli("--db", url, "report", office["sent"], report)
        assert reported.code == 0, reported.stderr
    assert answers(cli, db_url) == answers(cli, sqlite_url)


def test_replace_refuses_a_file_that_drops_a_squad_in_the_field(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    office = office_in_the_field(cli, db_url)
    before = database_contents(db_url)
    refused = cli("--db", db_url, "village", "import", "--replace", DEMO_VILLAGE)
    assert refused.code == 2
    assert "would drop missions in progress" in refused.stderr
    for mission in (office["sent"], office["waiting"]):
        assert mission in refused.stderr
    assert database_contents(db_url) == before


def test_replace_refuses_a_file_that_gives_a_squad_in_the_field_other_people(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    office = office_in_the_field(cli, db_url)
    document = yaml.safe_load(cli("--db", db_url, "village", "export").stdout)
    sent = next(m for m in document["missions"] if m["id"] == office["sent"])
    squad = sent["squad"]
    sent["squad"] = {"leader": squad["leader"], "members": squad["members"][:-1]}
    edited = tmp_path / "edited.yaml"
    edited.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    before = database_contents(db_url)
    refused = cli("--db", db_url, "village", "import", "--replace", edited)
    assert refused.code == 2
    assert f"{office['sent']} (dispatched) has another squad in the file" in refused.stderr
    assert office["waiting"] not in refused.stderr
    assert database_contents(db_url) == before
    # The same file with the squad as recorded replaces the village.
    sent["squad"] = squad
    edited.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert cli("--db", db_url, "village", "import", "--replace", edited).code == 0


def test_a_v1_file_still_imports_with_today_as_now_at_midnight(cli: Cli, db_url: str) -> None:
    assert "\nformat: missiondesk/village/v1\n" in DEMO_VILLAGE.read_text(encoding="utf-8")
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    document = yaml.safe_load(cli("--db", db_url, "village", "export").stdout)
    assert document["format"] == "missiondesk/village/v2"
    assert document["village"]["now"] == "2026-11-23T00:00"
    assert document["village"]["clock"] == "story"


MISSING_SQUAD = """\
format: missiondesk/village/v2
village: {id: k, name: K, now: 2026-06-10T08:00}
places: [{id: k, name: K}, {id: f, name: F}]
roads: [{from: k, to: f, hours: 4}]
shinobi:
  - {id: c, name: C, rank: chunin, status: available}
  - {id: g, name: G, rank: genin, status: on_mission}
missions:
  - {id: fine, title: Fine, rank: D, route: [k, f, k], status: dispatched,
     squad: {leader: g}, departs: 2026-06-10T06:00, checkins: [{place: f, at: 2026-06-10T10:00}]}
  - id: lacking
    title: Lacking
    rank: D
    route: [k, f, k]
    status: approved
  - {id: unsent, title: Unsent, rank: D, route: [k], status: dispatched, squad: {leader: c}}
"""


def test_validate_says_which_mission_in_progress_lacks_its_squad(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "village.yaml"
    path.write_text(MISSING_SQUAD, encoding="utf-8")
    for command in (("village", "validate", path), ("--db", db_url, "village", "import", path)):
        result = cli(*command)
        assert result.code == 2
        assert result.stderr.splitlines() == [
            f"{path}:11: missions[1].squad: mission 'lacking' is approved but has no "
            "squad (write squad: {leader, members}, as `village export` does)",
            f"{path}:16: missions[2].departs: mission 'unsent' is dispatched but has no "
            "departs (when its squad left)",
        ], result.stderr
    assert cli("--db", db_url, "roster").code == 2  # nothing was imported


QUIET_SQUAD = """\
format: missiondesk/village/v2
village: {id: hidden, name: Hidden Leaf, now: 2026-03-01T08:00}
places:
  - {id: hidden, name: Hidden Leaf}
  - {id: ruins, name: The Ruins}
roads:
  - {from: hidden, to: ruins, hours: 10}
roles:
  medic: {medical: 2}
shinobi:
  - {id: aya, name: Aya, rank: jonin, skills: {tactics: 3}, status: available}
  - {id: bo, name: Bo, rank: chunin, skills: {medical: 3}, status: available}
  - {id: dan, name: Dan, rank: chunin, skills: {medical: 2}, status: available}
  - {id: eri, name: Eri, rank: genin, skills: {taijutsu: 2}, status: available}
  - {id: fu, name: Fu, rank: genin, skills: {taijutsu: 2}, status: available}
missions:
  - id: survey
    title: Survey the ruins
    rank: C
    route: [hidden, ruins, hidden]
    window: {earliest: 2026-03-01, due: 2026-03-09}
    status: dispatched
    squad: {leader: aya, members: [bo]}
    departs: 2026-03-01T08:00
"""


def test_the_rescue_proposed_when_a_check_in_was_missed_is_exported_with_it(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """The proposal is judged when the check-in is missed, with what was known then. After
    that, its leader is hurt; the exported office must still propose what was proposed
    (not judge afresh with what the import knows), in the file and on `overdue`."""
    source = f"sqlite:///{tmp_path / 'source.sqlite'}"
    world = tmp_path / "world.yaml"
    world.write_text(QUIET_SQUAD, encoding="utf-8")
    db = ("--db", source)
    assert cli(*db, "village", "import", world).code == 0
    assert cli(*db, "clock", "advance", "1d").code == 0  # the check-in at the ruins is missed
    proposed = json.loads(cli(*db, "overdue", "--json").stdout)
    leader = proposed[0]["rescue"]["leader"]
    hurt = cli(*db, "shinobi", "edit", leader, "--set", "status=injured",
               "--set", "available_from=2026-03-20")  # fmt: skip
    assert hurt.code == 0, hurt.stderr
    assert json.loads(cli(*db, "overdue", "--json").stdout) == proposed
    exported = tmp_path / "office.yaml"
    assert cli(*db, "village", "export", "-o", exported).code == 0
    survey = next(
        m
        for m in yaml.safe_load(exported.read_text(encoding="utf-8"))["missions"]
        if m["id"] == "survey"
    )
    assert survey["rescue_proposal"]["rescue"]["leader"] == leader
    assert cli("--db", db_url, "village", "import", "--replace", exported).code == 0
    assert json.loads(cli("--db", db_url, "overdue", "--json").stdout) == proposed
    # Heard from again, the squad owes a new check-in: the old proposal is not exported.
    assert cli("--db", db_url, "checkin", "survey", "--place", "ruins").code == 0
    assert "rescue_proposal" not in cli("--db", db_url, "village", "export").stdout
