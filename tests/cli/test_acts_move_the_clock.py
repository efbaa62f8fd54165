"""Every act is dated at its `--at` (SPEC section 8), the edits included; an act dated later
than the clock first records, in time order and dated when it happened, what fell due up
to it (a missed check-in, a recovery, a window closed), then applies, and the clock moves
to it. A refused act leaves the database as it was, the recording included."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
from edit_support import snapshot, write
from sqlalchemy import create_engine, select

from md_support import Result
from missiondesk.store import tables as t
from missiondesk.store.database import resolve_url

Cli = Callable[..., Result]

# The clock reads 1 March 08:00. Survey's squad owes the ruins a check-in by 2 March 00:00
# (10 h of road, 6 h of grace); Chi is back on the 2nd; escort (approved) may leave on the
# 3rd only; fetch-herbs may leave until the 3rd.
WORLD = """\
format: missiondesk/village/v2
village: {id: hidden, name: Hidden Leaf, now: 2026-03-01T08:00}
places:
  - {id: hidden, name: Hidden Leaf}
  - {id: ruins, name: The Ruins}
roads:
  - {from: hidden, to: ruins, hours: 10}
shinobi:
  - {id: aya, name: Aya, rank: jonin, skills: {tactics: 3}, status: available}
  - {id: bo, name: Bo, rank: chunin, skills: {medical: 3}, status: available}
  - {id: chi, name: Chi, rank: genin, status: injured, available_from: 2026-03-02}
  - {id: dan, name: Dan, rank: chunin, skills: {tactics: 2}, status: available}
  - {id: eri, name: Eri, rank: genin, skills: {taijutsu: 2}, status: available}
threats:
  - {id: bandits, name: Ruin bandits, rank: C}
missions:
  - id: survey
    title: Survey the ruins
    rank: C
    route: [hidden, ruins, hidden]
    window: {earliest: 2026-03-01, due: 2026-03-09}
    status: dispatched
    squad: {leader: aya, members: [bo]}
    departs: 2026-03-01T08:00
  - id: escort
    title: Escort the herbalist
    rank: D
    route: [hidden, ruins, hidden]
    window: {earliest: 2026-03-03, due: 2026-03-06}
    status: approved
    squad: {leader: dan, members: [eri]}
    departs: 2026-03-03T08:00
  - id: fetch-herbs
    title: Fetch herbs from the ruins
    rank: D
    route: [hidden, ruins, hidden]
    window: {earliest: 2026-03-02, latest: 2026-03-03, due: 2026-03-05}
"""

PASSING = ("checkin.missed", "shinobi.recovered", "mission.stale")


@pytest.fixture
def world(cli: Cli, db_url: str, tmp_path: Path) -> str:
    result = cli("--db", db_url, "village", "import", write(tmp_path, "world.yaml", WORLD))
    assert result.code == 0, result.stderr
    return db_url


def events(db_url: str, first: int = 0) -> list[tuple[str, str, str | None]]:
    """(at, kind, subject) of every event after the first `first`, in the order logged."""
    engine = create_engine(resolve_url(db_url))
    with engine.connect() as connection:
        rows = connection.execute(
            select(t.event.c.at, t.event.c.kind, t.event.c.subject).order_by(t.event.c.id)
        ).all()
    engine.dispose()
    return [(f"{r.at:%Y-%m-%dT%H:%M}", r.kind, r.subject) for r in rows][first:]


def logged(db_url: str) -> int:
    return len(events(db_url))


def clock_now(cli: Cli, db_url: str) -> str:
    return str(json.loads(cli("--db", db_url, "clock", "--json").stdout)["now"])[:16]


def statuses(cli: Cli, db_url: str) -> dict[str, str]:
    board = json.loads(cli("--db", db_url, "board", "--json").stdout)
    return {m["id"]: m["status"] for m in board}


def ok(result: Result) -> Result:
    assert result.code == 0, result.stderr
    return result


def test_every_edit_is_dated_at_its_at_and_a_later_one_moves_the_clock(
    cli: Cli, world: str, tmp_path: Path
) -> None:
    start = logged(world)
    db = ("--db", world)
    ok(cli(*db, "mission", "add", "--id", "scout", "--title", "Scout", "--rank", "D",
           "--route", "hidden,ruins,hidden", "--earliest", "2026-03-05",
           "--at", "2026-03-01T09:00"))  # fmt: skip
    ok(cli(*db, "mission", "edit", "scout", "--set", "priority=2", "--at", "2026-03-01T10:00"))
    ok(cli(*db, "shinobi", "add", "--id", "fu", "--name", "Fu", "--rank", "genin",
           "--at", "2026-03-01T11:00"))  # fmt: skip
    ok(cli(*db, "shinobi", "edit", "fu", "--set", "name=Fu of the Ruins",
           "--at", "2026-03-01T12:00"))  # fmt: skip
    cave = write(tmp_path, "cave.yaml", "format: missiondesk/village/v2\n"
                 "places:\n  - {id: cave, name: The Cave}\n")  # fmt: skip
    ok(cli(*db, "village", "apply", cave, "--at", "2026-03-01T13:00"))
    ok(cli(*db, "village", "remove", "place", "cave", "--at", "2026-03-01T14:00"))
    ok(cli(*db, "mission", "cancel", "scout", "--reason", "no need", "--at", "2026-03-01T15:00"))
    assert clock_now(cli, world) == "2026-03-01T15:00"
    # Dated before the clock: dated then, and the clock stays.
    ok(cli(*db, "shinobi", "edit", "fu", "--set", "name=Fu", "--at", "2026-03-01T08:30"))
    assert clock_now(cli, world) == "2026-03-01T15:00"
    assert events(world, start) == [
        ("2026-03-01T09:00", "mission.added", "scout"),
        ("2026-03-01T10:00", "mission.edited", "scout"),
        ("2026-03-01T11:00", "shinobi.added", "fu"),
        ("2026-03-01T12:00", "shinobi.edited", "fu"),
        ("2026-03-01T13:00", "village.applied", "hidden"),
        ("2026-03-01T14:00", "village.removed", "cave"),
        ("2026-03-01T15:00", "mission.cancelled", "scout"),
        ("2026-03-01T08:30", "shinobi.edited", "fu"),
    ]


def test_a_sighting_is_dated_when_it_was_seen(cli: Cli, world: str) -> None:
    start = logged(world)
    seen = ("sighting", "add", "--threat", "bandits", "--place", "ruins", "--confidence", "0.5")
    ok(cli("--db", world, *seen))  # now
    ok(cli("--db", world, *seen, "--at", "2026-03-01T20:00"))
    assert clock_now(cli, world) == "2026-03-01T20:00"
    ok(cli("--db", world, *seen, "--at", "2026-02-27T06:00"))  # long ago: the clock stays
    assert clock_now(cli, world) == "2026-03-01T20:00"
    assert [(at, kind) for at, kind, _ in events(world, start)] == [
        ("2026-03-01T08:00", "sighting.added"),
        ("2026-03-01T20:00", "sighting.added"),
        ("2026-02-27T06:00", "sighting.added"),
    ]


def test_an_edit_too_far_ahead_or_not_a_time_is_refused_and_changes_nothing(
    cli: Cli, world: str, tmp_path: Path
) -> None:
    cave = write(tmp_path, "cave.yaml", "format: missiondesk/village/v2\n"
                 "places:\n  - {id: cave, name: The Cave}\n")  # fmt: skip
    edits = [
        ("mission", "add", "--id", "scout", "--title", "Scout", "--rank", "D",
         "--route", "hidden,ruins,hidden"),
        ("mission", "edit", "fetch-herbs", "--set", "priority=2"),
        ("mission", "cancel", "fetch-herbs", "--reason", "no need"),
        ("shinobi", "add", "--id", "fu", "--name", "Fu", "--rank", "genin"),
        ("shinobi", "edit", "chi", "--set", "name=Chi"),
        ("sighting", "add", "--threat", "bandits", "--place", "ruins", "--confidence", "0.5"),
        ("village", "apply", str(cave)),
        ("village", "remove", "mission", "fetch-herbs"),
    ]  # fmt: skip
    before = snapshot(world)
    for edit in edits:
        far = cli("--db", world, *edit, "--at", "2026-06-01T00:00")
        assert far.code == 2, (edit, far.stdout)
        assert "is more than 60 days after the village clock (2026-03-01T08:00)" in far.stderr
        if edit[0] != "sighting":  # a sighting's --at is read as the sighting's time
            typo = cli("--db", world, *edit, "--at", "tomorrow")
            assert typo.code == 2, (edit, typo.stdout)
            assert "--at: 'tomorrow' is not a time" in typo.stderr
        assert snapshot(world) == before, edit


def test_an_act_dated_later_records_what_fell_due_first_in_time_order(cli: Cli, world: str) -> None:
    start = logged(world)
    ok(cli("--db", world, "dispatch", "escort", "--at", "2026-03-03T08:00"))
    assert events(world, start) == [
        ("2026-03-02T00:00", "checkin.missed", "survey"),
        ("2026-03-02T00:00", "shinobi.recovered", "chi"),
        ("2026-03-03T08:00", "mission.dispatched", "escort"),
    ]
    assert statuses(cli, world)["survey"] == "overdue"
    assert clock_now(cli, world) == "2026-03-03T08:00"
    roster = {
        r["id"]: r["status"] for r in json.loads(cli("--db", world, "roster", "--json").stdout)
    }
    assert roster["chi"] == "available"
    # An edit moves the clock too: fetch-herbs' window closed at midnight, before it.
    middle = logged(world)
    swift = ("shinobi", "edit", "chi", "--set", "name=Chi the Swift")
    ok(cli("--db", world, *swift, "--at", "2026-03-04T09:00"))
    # Escort's squad owed the ruins a check-in by midnight too; a miss comes first.
    assert events(world, middle) == [
        ("2026-03-04T00:00", "checkin.missed", "escort"),
        ("2026-03-04T00:00", "mission.stale", "fetch-herbs"),
        ("2026-03-04T09:00", "shinobi.edited", "chi"),
    ]
    # An act dated before the clock records nothing new.
    middle = logged(world)
    ok(cli("--db", world, "checkin", "survey", "--at", "2026-03-03T09:00", "--place", "ruins"))
    assert [e for e in events(world, middle) if e[1] in PASSING] == []
    assert clock_now(cli, world) == "2026-03-04T09:00"
    assert [e[1] for e in events(world, middle)] == ["mission.checkin"]


def test_a_checkin_after_its_due_records_the_squad_overdue_then_back(cli: Cli, world: str) -> None:
    start = logged(world)
    ok(cli("--db", world, "checkin", "survey", "--at", "2026-03-02T05:00", "--place", "ruins"))
    logged_ = events(world, start)
    assert logged_ == [
        ("2026-03-02T00:00", "checkin.missed", "survey"),
        ("2026-03-02T00:00", "shinobi.recovered", "chi"),
        ("2026-03-02T05:00", "mission.checkin", "survey"),
    ]
    assert statuses(cli, world)["survey"] == "dispatched"


def test_a_report_dated_later_records_what_fell_due_before_the_return(
    cli: Cli, world: str, tmp_path: Path
) -> None:
    start = logged(world)
    report = write(tmp_path, "report.yaml", "outcome: success\nreturned: 2026-03-04T12:00\n")
    ok(cli("--db", world, "report", "survey", report))
    assert events(world, start) == [
        ("2026-03-02T00:00", "checkin.missed", "survey"),
        ("2026-03-02T00:00", "shinobi.recovered", "chi"),
        ("2026-03-04T00:00", "mission.stale", "escort"),
        ("2026-03-04T00:00", "mission.stale", "fetch-herbs"),
        ("2026-03-04T12:00", "mission.reported", "survey"),
    ]
    assert clock_now(cli, world) == "2026-03-04T12:00"


def test_a_refused_act_leaves_the_recording_undone(cli: Cli, world: str) -> None:
    before = snapshot(world)
    # Escort's one day was the 3rd: on the way to the 5th it went stale, so it cannot leave.
    late = cli("--db", world, "dispatch", "escort", "--at", "2026-03-05T08:00")
    assert late.code == 2
    assert "mission 'escort' is stale: its window closed on 2026-03-03" in late.stderr
    assert snapshot(world) == before
    # An edit refused once time has passed: survey is out (overdue by then); its route stays.
    moved = cli("--db", world, "mission", "edit", "survey", "--set", "route=hidden,ruins",
                "--at", "2026-03-04T00:00")  # fmt: skip
    assert moved.code == 2
    assert "mission 'survey' is overdue, so its route cannot change" in moved.stderr
    assert snapshot(world) == before
    # The same dispatch in its window goes.
    ok(cli("--db", world, "dispatch", "escort", "--at", "2026-03-03T09:00"))


def test_a_plan_dated_later_is_made_after_what_fell_due(cli: Cli, world: str) -> None:
    before = snapshot(world)
    refused = cli("--db", world, "plan", "--time-limit", "2", "--pin", "nobody=fetch-herbs",
                  "--at", "2026-03-02T10:00")  # fmt: skip
    assert refused.code == 2
    assert snapshot(world) == before  # the rehearsal of what fell due left nothing behind
    start = logged(world)
    ok(cli("--db", world, "plan", "--time-limit", "2", "--json",
           "--at", "2026-03-02T10:00"))  # fmt: skip
    logged_ = events(world, start)
    assert logged_[:2] == [
        ("2026-03-02T00:00", "checkin.missed", "survey"),
        ("2026-03-02T00:00", "shinobi.recovered", "chi"),
    ]
    assert logged_[2:] and {at for at, _, _ in logged_[2:]} == {"2026-03-02T10:00"}
    assert clock_now(cli, world) == "2026-03-02T10:00"


@pytest.mark.parametrize(
    "act",
    [
        ("dispatch", "escort"),
        ("mission", "edit", "fetch-herbs", "--set", "priority=4"),
        ("shinobi", "edit", "dan", "--set", "name=Dan the Elder"),
        ("sighting", "add", "--threat", "bandits", "--place", "ruins", "--confidence", "0.4"),
        ("rescue", "survey", "--force", "--reason", "all we have"),
    ],
)
def test_an_act_past_the_clock_tells_what_fell_due_on_the_way(
    cli: Cli, world: str, act: tuple[str, ...]
) -> None:
    """Dated the 3rd, each act first records survey's missed check-in and Chi's recovery,
    and says so after its own lines, as `clock advance` does; in JSON, stdout stays the
    act's one value."""
    told = ok(cli("--db", world, *act, "--at", "2026-03-03T08:00")).stdout
    assert "the clock is 2026-03-03 08:00 (was 2026-03-01 08:00)" in told
    missed = told.index("2026-03-02 00:00  checkin.missed  survey")
    assert missed < told.index("2026-03-02 00:00  shinobi.recovered  chi")
    assert told.index("the clock is") < missed


def test_an_act_past_the_clock_in_json_is_one_value(cli: Cli, world: str) -> None:
    out = ok(cli("--db", world, "dispatch", "escort", "--at", "2026-03-03T08:00", "--json"))
    assert json.loads(out.stdout)["mission"] == "escort"


def test_an_act_at_or_before_the_clock_tells_nothing_of_it(cli: Cli, world: str) -> None:
    told = ok(cli("--db", world, "mission", "edit", "fetch-herbs", "--set", "priority=4",
                  "--at", "2026-03-01T08:00")).stdout  # fmt: skip
    assert "the clock is" not in told
