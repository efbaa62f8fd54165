"""Edits without re-import (SPEC section 10), on SQLite and PostgreSQL: `village apply` and
`remove`, `mission add/edit/cancel`, `shinobi add/edit`, `sighting add`. Squads in progress
are never lost, and bad input changes nothing, byte for byte."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cli.edit_support import (
    DEPART,
    REPORT,
    SMALL_VILLAGE,
    Cli,
    office,
    snapshot,
    squad_in_the_field,
    write,
)

PATCH = """\
format: missiondesk/village/v1
places:
  - {id: suna, name: Sunagakure}
roads:
  - {from: suna, to: konoha, hours: 30}
missions:
  - id: suna-letter
    title: Carry a letter to Suna
    rank: D
    route: [konoha, suna, konoha]
    window: {earliest: 2026-11-28}
  - id: tani-scroll
    title: Bring the scroll home (the client called again)
    rank: C
    client: {name: Tanigakure village head, min_team_size: 3}
    objective: {tags: [scroll]}
    route: [konoha, tanigakure, konoha]
    window: {earliest: 2026-11-24, due: 2026-11-27}
    status: dispatched
shinobi:
  - {id: haruno-sakura, name: Haruno Sakura, rank: genin, skills: {medical: 3}, status: on_mission}
sightings:
  - {threat: uchiha-itachi, place: kusa, at: 2026-01-02T16:00, confidence: 0.2}
  - {threat: uchiha-itachi, place: suna, at: 2026-11-22T09:00, confidence: 0.5}
"""


def _json(result: object) -> object:
    assert result.code == 0, result.stderr  # type: ignore[attr-defined]
    return json.loads(result.stdout)  # type: ignore[attr-defined]


def test_apply_while_a_squad_is_out_keeps_it_and_its_report_still_works(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    squad = squad_in_the_field(cli, db_url, tmp_path)
    assert "haruno-sakura" in squad
    patch = write(tmp_path, "patch.yaml", PATCH)

    before = snapshot(db_url)
    dry = _json(cli("--db", db_url, "village", "apply", patch, "--dry-run"))
    assert snapshot(db_url) == before  # the dry run wrote nothing
    assert dry == {
        "added": [
            {"kind": "place", "id": "suna"},
            {"kind": "road", "id": "konoha/suna"},
            {"kind": "mission", "id": "suna-letter"},
            {"kind": "sighting", "id": "uchiha-itachi@suna@2026-11-22T09:00"},
        ],
        "changed": [
            {"kind": "shinobi", "id": "haruno-sakura", "fields": ["skills"]},
            {"kind": "mission", "id": "tani-scroll", "fields": ["title"]},
        ],
        "unchanged": 1,
    }
    assert _json(cli("--db", db_url, "village", "apply", patch, "--json")) == dry
    again = _json(cli("--db", db_url, "village", "apply", patch, "--json"))
    assert again == {"added": [], "changed": [], "unchanged": 7}

    board = {m["id"]: m for m in _json(cli("--db", db_url, "board", "--json"))}  # type: ignore[union-attr]
    assert board["tani-scroll"]["status"] == "dispatched"
    assert board["tani-scroll"]["title"] == "Bring the scroll home (the client called again)"
    assert board["suna-letter"]["status"] == "intake"
    roster = {r["id"]: r for r in _json(cli("--db", db_url, "roster", "--json"))}  # type: ignore[union-attr]
    assert all(roster[s]["status"] == "on_mission" for s in squad)
    shown = cli("--db", db_url, "timeline", "tani-scroll")
    assert "mission.edited" in shown.stdout

    reported = cli("--db", db_url, "report", "tani-scroll", write(tmp_path, "r.yaml", REPORT))
    assert reported.code == 0, reported.stderr
    roster = {r["id"]: r for r in _json(cli("--db", db_url, "roster", "--json"))}  # type: ignore[union-attr]
    assert all(roster[s]["status"] == "available" for s in squad)
    exported = cli("--db", db_url, "village", "export")
    assert "suna-letter" in exported.stdout and "medical: 3" in exported.stdout


BROKEN_PATCH = """\
format: missiondesk/village/v1
missions:
  - id: tani-scroll
    title: Bring the sacred scroll home from Tanigakure
    rank: C
    client: {name: Tanigakure village head, min_team_size: 3}
    objective: {tags: [scroll]}
    route: [konoha, kusa, konoha]
    window: {earliest: 2026-11-24, due: 2026-11-27}
    status: intake
  - id: new-one
    title: Straight into the field
    rank: D
    route: [konoha, atlantis]
    status: dispatched
shinobi:
  - {id: haruno-sakura, name: Haruno Sakura, rank: genin, skills: {medical: 2}, status: injured,
     available_from: 2026-12-01}
"""


def test_a_patch_that_would_break_what_is_in_progress_changes_nothing(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    squad_in_the_field(cli, db_url, tmp_path)
    before = snapshot(db_url)
    result = cli("--db", db_url, "village", "apply", write(tmp_path, "bad.yaml", BROKEN_PATCH))
    assert result.code == 2
    errors = [e.removeprefix(f"{tmp_path}/") for e in result.stderr.splitlines()]
    route = "bad.yaml:8: missions[0].route: "
    assert any(e.startswith(route) and "dispatched" in e for e in errors)
    assert any(e.startswith("bad.yaml:10: missions[0].status: ") for e in errors)
    assert any(e.startswith("bad.yaml:14: missions[1].route[1]: 'atlantis'") for e in errors)
    assert any(e.startswith("bad.yaml:15: missions[1].status: ") for e in errors)
    assert any(e.startswith("bad.yaml:17: shinobi[0].status: ") for e in errors), errors
    assert len(errors) == 5, errors
    assert snapshot(db_url) == before


ROSTER_CSV = """\
id,name,rank,team,status,available_from,medical,tactics
nara-shikamaru,Shikamaru,jonin,team-10,available,,,5
shizune,Shizune,special_jonin,,resting,2026-12-02,5,
"""


def test_a_csv_roster_adds_and_replaces_and_names_row_and_column(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    office(cli, db_url, tmp_path)
    bad = ROSTER_CSV + "rock-lee,Rock Lee,genin,,available,,x,1\nmight-guy,Might Guy,jounin,,,,,\n"
    before = snapshot(db_url)
    refused = cli("--db", db_url, "village", "apply", write(tmp_path, "roster.csv", bad))
    assert refused.code == 2
    assert "roster.csv:4: medical: a skill level is a whole number" in refused.stderr
    assert "roster.csv:5: rank: 'jounin' is not a rank" in refused.stderr
    assert "roster.csv:5: status" in refused.stderr
    assert snapshot(db_url) == before

    done = _json(
        cli("--db", db_url, "village", "apply", write(tmp_path, "ok.csv", ROSTER_CSV), "--json")
    )
    assert done == {
        "added": [{"kind": "shinobi", "id": "shizune"}],
        "changed": [{"kind": "shinobi", "id": "nara-shikamaru", "fields": ["rank", "team"]}],
        "unchanged": 0,
    }
    roster = {r["id"]: r for r in _json(cli("--db", db_url, "roster", "--json"))}  # type: ignore[union-attr]
    assert roster["shizune"]["available_from"] == "2026-12-02"
    assert roster["nara-shikamaru"]["rank"] == "jonin"


def test_remove_refuses_while_something_refers_to_the_record(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    squad_in_the_field(cli, db_url, tmp_path)
    before = snapshot(db_url)
    for args, fragment in [
        (["shinobi", "haruno-sakura"], "on the squad of mission 'tani-scroll'"),
        (["mission", "tani-scroll"], "dispatched with its squad"),
        (["place", "tanigakure"], "roads konoha/tanigakure"),
        (["threat", "uchiha-itachi"], "seen in 1 sighting"),
        (["role", "medic"], "required by orders medic-from-c"),
        (["organization", "akatsuki"], "threats uchiha-itachi"),
        (["shinobi", "hyuga-neji"], "history of missions old-errand"),
        (["place", "nowhere"], "no place 'nowhere'"),
        (["dragon", "x"], "is not a kind of record"),
    ]:
        result = cli("--db", db_url, "village", "remove", *args)
        assert result.code == 2, (args, result.stdout)
        assert fragment in result.stderr, (args, result.stderr)
    assert snapshot(db_url) == before

    for args in (
        ["sighting", "uchiha-itachi@kusa@2026-01-02T16:00"],
        ["countermeasure", "sharingan"],
        ["standing-order", "max-three"],
        ["road", "kusa/konoha"],
        ["threat", "uchiha-itachi"],
        ["organization", "akatsuki"],
    ):
        result = cli("--db", db_url, "village", "remove", *args)
        assert result.code == 0, (args, result.stderr)
    exported = cli("--db", db_url, "village", "export").stdout
    assert "uchiha-itachi" not in exported and "max-three" not in exported
    assert "{from: konoha, to: kusa" not in exported


def test_removing_a_planned_shinobi_sends_their_squads_back_to_the_board(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    office(cli, db_url, tmp_path)
    planned = _json(cli("--db", db_url, "plan", "--time-limit", "2", "--json"))
    on = sorted(
        s["mission"]
        for s in planned["squads"]  # type: ignore[index]
        if "haruno-sakura" in [s["leader"], *(m["shinobi"] for m in s["members"])]
    )
    assert on == ["tani-scroll"]  # the only medic, on the C-rank squad
    removed = _json(cli("--db", db_url, "village", "remove", "shinobi", "haruno-sakura", "--json"))
    assert removed["note"] == "back to the board without a squad: tani-scroll"  # type: ignore[index]
    board = {m["id"]: m for m in _json(cli("--db", db_url, "board", "--json"))}  # type: ignore[union-attr]
    assert board["tani-scroll"]["status"] == "intake"
    last = json.loads(cli("--db", db_url, "timeline", "tani-scroll", "--json").stdout)[-1]
    assert "haruno-sakura was removed from the roster" in last["after"]["back_to_board"]


def test_mission_add_edit_and_cancel(cli: Cli, db_url: str, tmp_path: Path) -> None:
    office(cli, db_url, tmp_path)
    assert cli("--db", db_url, "plan", "--time-limit", "2").code == 0
    assert cli("--db", db_url, "approve", "tani-scroll").code == 0
    board = {m["id"]: m for m in _json(cli("--db", db_url, "board", "--json"))}  # type: ignore[union-attr]
    assert board["kusa-patrol"]["status"] == "planned"

    edited = _json(
        cli(
            "--db",
            db_url,
            "mission",
            "edit",
            "kusa-patrol",
            "--set",
            "window.due=2026-11-30",
            "--set",
            "window.latest=2026-11-29",
            "--set",
            "objective.on_site_hours=6",
            "--set",
            "priority=3",
            "--json",
        )
    )
    # Named as the village file names them: window.latest is the window, not "latest".
    assert edited["changed"] == ["priority", "window", "objective"]  # type: ignore[index]
    assert edited["status"] == "intake"  # type: ignore[index]
    assert "dropped" in edited["note"]  # type: ignore[index]
    last = json.loads(cli("--db", db_url, "timeline", "kusa-patrol", "--json").stdout)[-1]
    assert last["kind"] == "mission.edited"
    assert "planned squad" in last["after"]["back_to_board"]
    board = {m["id"]: m for m in _json(cli("--db", db_url, "board", "--json"))}  # type: ignore[union-attr]
    assert board["kusa-patrol"]["status"] == "intake"

    added = cli(
        "--db",
        db_url,
        "mission",
        "add",
        "--title",
        "Guard the gate",
        "--rank",
        "C",
        "--route",
        "konoha",
        "--priority",
        "4",
        "--kind",
        "guard",
        "--client",
        "Gate chief",
        "--min-team-size",
        "2",
        "--tag",
        "gate",
        "--tag",
        "night",
        "--earliest",
        "2026-11-26",
        "--due",
        "2026-11-27",
        "--reward-ryo",
        "9000",
        "--json",
    )
    assert _json(added) == {
        "kind": "mission",
        "id": "guard-the-gate",
        "changed": [],
        "status": "intake",
        "note": None,
    }
    exported = cli("--db", db_url, "village", "export").stdout
    assert "client: {name: Gate chief, min_team_size: 2}" in exported
    assert "tags: [gate, night]" in exported
    assert "reward_ryo: 9000" in exported

    cancelled = cli(
        "--db", db_url, "mission", "cancel", "tani-scroll", "--reason", "the client withdrew"
    )
    assert cancelled.code == 0, cancelled.stderr
    assert "released" in cancelled.stdout
    last = json.loads(cli("--db", db_url, "timeline", "tani-scroll", "--json").stdout)[-1]
    assert last["kind"] == "mission.cancelled"
    assert last["after"]["reason"] == "the client withdrew"
    # The released people (the only medic among them) can be planned again at once.
    replanned = _json(cli("--db", db_url, "plan", "--time-limit", "2", "--json"))
    staffed = {s["mission"] for s in replanned["squads"]}  # type: ignore[index]
    assert "guard-the-gate" in staffed and "tani-scroll" not in staffed


def test_in_progress_missions_keep_route_and_people(cli: Cli, db_url: str, tmp_path: Path) -> None:
    squad = squad_in_the_field(cli, db_url, tmp_path)
    before = snapshot(db_url)
    route = cli("--db", db_url, "mission", "edit", "tani-scroll", "--set", "route=konoha,kusa")
    assert route.code == 2 and route.stderr.startswith("error: route: ")
    assert "file its report" in route.stderr
    status = cli("--db", db_url, "shinobi", "edit", squad[0], "--set", "status=missing")
    assert status.code == 2 and status.stderr.startswith("error: status: ")
    cancel = cli("--db", db_url, "mission", "cancel", "tani-scroll", "--reason", "x")
    assert cancel.code == 2 and "report" in cancel.stderr
    assert snapshot(db_url) == before
    # What is not the route or the squad may change.
    title = cli("--db", db_url, "mission", "edit", "tani-scroll", "--set", "title=The scroll")
    assert title.code == 0, title.stderr
    assert "now dispatched" in title.stdout


def test_shinobi_add_edit_and_an_approved_squad(cli: Cli, db_url: str, tmp_path: Path) -> None:
    office(cli, db_url, tmp_path)
    added = cli(
        "--db",
        db_url,
        "shinobi",
        "add",
        "--name",
        "Rock Lee",
        "--rank",
        "genin",
        "--skill",
        "taijutsu=5",
        "--technique",
        "primary-lotus",
        "--team",
        "team-gai",
    )
    assert added.code == 0, added.stderr
    edited = _json(
        cli(
            "--db",
            db_url,
            "shinobi",
            "edit",
            "rock-lee",
            "--set",
            "skills.medical=1",
            "--set",
            "rank=chunin",
            "--json",
        )
    )
    assert edited["changed"] == ["rank", "skills"]  # type: ignore[index]
    exported = cli("--db", db_url, "village", "export").stdout
    assert "skills: {taijutsu: 5, medical: 1}" in exported

    assert cli("--db", db_url, "plan", "--time-limit", "2").code == 0
    approved = _json(cli("--db", db_url, "approve", "tani-scroll", "--json"))
    member = approved["squad"][-1]  # type: ignore[index]
    before = snapshot(db_url)
    hurt = cli(
        "--db",
        db_url,
        "shinobi",
        "edit",
        member,
        "--set",
        "status=injured",
        "--set",
        "available_from=2026-12-20",
    )
    assert hurt.code == 2 and "approved squad of 'tani-scroll'" in hurt.stderr
    assert snapshot(db_url) == before
    # Resting until the day it leaves still lets them go.
    fine = cli(
        "--db",
        db_url,
        "shinobi",
        "edit",
        member,
        "--set",
        "status=resting",
        "--set",
        "available_from=2026-11-24",
    )
    assert fine.code == 0, fine.stderr
    assert cli("--db", db_url, "dispatch", "tani-scroll", "--at", DEPART).code == 0


def test_sighting_add(cli: Cli, db_url: str, tmp_path: Path) -> None:
    office(cli, db_url, tmp_path)
    added = cli(
        "--db",
        db_url,
        "sighting",
        "add",
        "--threat",
        "uchiha-itachi",
        "--place",
        "tanigakure",
        "--at",
        "2026-11-22T16:00",
        "--confidence",
        "0.6",
        "--json",
    )
    assert _json(added)["id"] == "uchiha-itachi@tanigakure@2026-11-22T16:00"  # type: ignore[index]
    assessed = _json(cli("--db", db_url, "assess", "tani-scroll", "--json"))
    assert assessed["threats"] and assessed["threats"][0]["threat"] == "uchiha-itachi"  # type: ignore[index]
    again = cli(
        "--db",
        db_url,
        "sighting",
        "add",
        "--threat",
        "uchiha-itachi",
        "--place",
        "tanigakure",
        "--at",
        "2026-11-22T16:00",
        "--confidence",
        "0.9",
    )
    assert again.code == 2 and "already" in again.stderr


BAD_COMMANDS: list[tuple[list[str], str]] = [
    (["mission", "add", "--title", "X", "--rank", "E", "--route", "konoha"], "rank: 'E'"),
    (["mission", "add", "--title", "X", "--rank", "C", "--route", "atlantis"], "route[0]"),
    (
        ["mission", "add", "--title", "X", "--rank", "C", "--route", "konoha", "--priority", "9"],
        "priority: must be at most 5",
    ),
    (
        ["mission", "add", "--title", "X", "--rank", "C", "--route", "konoha", "--due", "soon"],
        "window.due: must be a date",
    ),
    (
        [
            "mission",
            "add",
            "--title",
            "X",
            "--rank",
            "C",
            "--route",
            "konoha",
            "--min-team-size",
            "2",
        ],
        "client.name: is required",
    ),
    (
        [
            "mission",
            "add",
            "--id",
            "tani-scroll",
            "--title",
            "X",
            "--rank",
            "C",
            "--route",
            "konoha",
        ],
        "already a mission 'tani-scroll'",
    ),
    (["mission", "edit", "tani-scroll", "--set", "reward_ryo=lots"], "reward_ryo: must be a whole"),
    (["mission", "edit", "tani-scroll", "--set", "colour=red"], "colour: is not a field"),
    (["mission", "edit", "tani-scroll", "--set", "window.earliest=2026-12-30"], "due is before"),
    (["mission", "edit", "tani-scroll", "--set", "status=approved"], "status: a mission becomes"),
    (["mission", "edit", "nowhere", "--set", "title=x"], "no mission 'nowhere'"),
    (["mission", "edit", "tani-scroll", "--set", "squad=x"], "squad: a squad is chosen"),
    (["mission", "cancel", "tani-scroll", "--reason", "  "], "reason:"),
    (["shinobi", "add", "--name", "X", "--rank", "chuunin"], "rank: 'chuunin' is not a rank"),
    (["shinobi", "add", "--name", "X", "--rank", "genin", "--status", "injured"], "available_from"),
    (["shinobi", "add", "--name", "X", "--rank", "genin", "--skill", "chakra=2"], "skills.chakra"),
    (["shinobi", "edit", "hyuga-neji", "--set", "skills.taijutsu=7"], "skills.taijutsu: must be"),
    (["shinobi", "edit", "hyuga-neji", "--set", "available_from=someday"], "available_from:"),
    (
        ["sighting", "add", "--threat", "orochimaru", "--place", "kusa", "--confidence", "0.5"],
        "threat: 'orochimaru' is not a known threat",
    ),
    (
        ["sighting", "add", "--threat", "uchiha-itachi", "--place", "kusa", "--confidence", "2"],
        "confidence: must be at most 1",
    ),
]


def test_bad_input_names_the_field_and_changes_nothing(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    office(cli, db_url, tmp_path)
    before = snapshot(db_url)
    for args, fragment in BAD_COMMANDS:
        result = cli("--db", db_url, *args)
        assert result.code == 2, (args, result.stdout)
        assert fragment in result.stderr, (args, result.stderr)
        assert "Input should" not in result.stderr and "Traceback" not in result.stderr
    assert snapshot(db_url) == before


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("format: missiondesk/village/v1\nplaces:\n  - {id: konoha}\n", "p.yaml:3: places[0].name"),
        ("format: missiondesk/village/v7\n", "p.yaml:1: format"),
        ("places: []\n", "format: required field is missing"),
        ("format: missiondesk/village/v1\ndragons: []\n", "p.yaml:2: dragons"),
        (
            "format: missiondesk/village/v1\nroads:\n  - {from: konoha, to: kusa, hours: 1}\n"
            "  - {from: kusa, to: konoha, hours: 2}\n",
            "p.yaml:4: roads[1]: the same road as roads[0]",
        ),
    ],
)
def test_a_bad_partial_file_changes_nothing(
    cli: Cli, sqlite_url: str, tmp_path: Path, content: str, fragment: str
) -> None:
    office(cli, sqlite_url, tmp_path)
    before = snapshot(sqlite_url)
    result = cli("--db", sqlite_url, "village", "apply", write(tmp_path, "p.yaml", content))
    assert result.code == 2 and fragment in result.stderr, result.stderr
    assert snapshot(sqlite_url) == before


def test_the_applied_village_still_validates_whole(
    cli: Cli, sqlite_url: str, tmp_path: Path
) -> None:
    office(cli, sqlite_url, tmp_path)
    patch = PATCH.replace("status: dispatched", "status: intake").replace(
        "status: on_mission", "status: available"
    )
    assert cli("--db", sqlite_url, "village", "apply", write(tmp_path, "p.yaml", patch)).code == 0
    out = tmp_path / "out.yaml"
    assert cli("--db", sqlite_url, "village", "export", "-o", out).code == 0
    assert cli("village", "validate", out).code == 0
    assert SMALL_VILLAGE.count("id: ") < out.read_text().count("id: ")


EVERY_SECTION = """\
format: missiondesk/village/v1
village: {id: konoha, name: Konoha (renamed), today: 2026-11-23}
settings: {checkin_grace_hours: 4}
skills: [chakra-control]
roles:
  medic: {medical: 3}
standing_orders:
  - {id: max-three, rule: max_size, size: 4}
countermeasures:
  - {ability: sharingan, advice: "Look at the feet.", role: medic}
organizations:
  - {id: akatsuki, name: Akatsuki, interests: [sacred, scroll]}
history:
  - mission: {id: old-errand, title: An old errand, rank: D, route: [konoha, kusa, konoha]}
    squad: {leader: nara-shikamaru, members: [hyuga-neji, haruno-sakura]}
    departed: 2025-10-01T06:00
    returned: 2025-10-02T18:00
    report:
      outcome: partial
      injuries: [{shinobi: haruno-sakura, severity: minor, recovery_days: 2}]
  - mission: {id: new-errand, title: A newer errand, rank: D, route: [konoha]}
    squad: {leader: akimichi-choji}
    departed: 2025-11-01T06:00
    returned: 2025-11-01T18:00
    report: {outcome: success}
"""


def test_apply_reaches_every_section(cli: Cli, sqlite_url: str, tmp_path: Path) -> None:
    office(cli, sqlite_url, tmp_path)
    patch = write(tmp_path, "all.yaml", EVERY_SECTION)
    done = _json(cli("--db", sqlite_url, "village", "apply", patch, "--json"))
    assert done == {
        "added": [{"kind": "history", "id": "new-errand"}],
        "changed": [
            {"kind": "village", "id": "konoha", "fields": ["name", "settings", "skills"]},
            {"kind": "role", "id": "medic", "fields": ["skills"]},
            {"kind": "organization", "id": "akatsuki", "fields": ["interests"]},
            {"kind": "countermeasure", "id": "sharingan", "fields": ["advice", "role"]},
            {"kind": "standing_order", "id": "max-three", "fields": ["size"]},
            {"kind": "history", "id": "old-errand", "fields": ["report", "squad"]},
        ],
        "unchanged": 0,
    }
    exported = cli("--db", sqlite_url, "village", "export").stdout
    assert "checkin_grace_hours: 4.0" in exported and "sighting_weight: 0.8" in exported
    assert "members: [hyuga-neji, haruno-sakura]" in exported
    assert "id: new-errand" in exported
    again = _json(cli("--db", sqlite_url, "village", "apply", patch, "--json"))
    assert again == {"added": [], "changed": [], "unchanged": 6}


def test_the_timeline_says_an_edit_left_a_squad_out_where_it_was(
    cli: Cli, sqlite_url: str, tmp_path: Path
) -> None:
    """An edit of a mission whose squad is out keeps its status: the timeline says "still
    dispatched", where it read "dispatched -> dispatched"; steps still read "from -> to"."""
    squad_in_the_field(cli, sqlite_url, tmp_path)
    edited = cli("--db", sqlite_url, "mission", "edit", "tani-scroll", "--set", "priority=4")
    assert edited.code == 0, edited.stderr
    told = cli("--db", sqlite_url, "timeline", "tani-scroll").stdout
    assert "approved -> dispatched" in told
    assert "still dispatched" in told and "dispatched -> dispatched" not in told
