"""The lifecycle through the command line: each legal step, each illegal one (exit 2,
nothing changed), check-ins and overdue around the grace period, and after-action reports."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from md_support import DEMO_VILLAGE, Result

Cli = Callable[..., Result]
SCROLL = "tani-scroll"
DEPART = "2026-11-24T06:00"
# Konoha to Tanigakure is 14 h in the demo village; the grace is the default 6 h.
FIRST_DUE = "2026-11-25T02:00"


@pytest.fixture
def planned(cli: Cli, db_url: str) -> str:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    result = cli("--db", db_url, "plan", "--time-limit", "5", "--json")
    assert result.code == 0, result.stderr
    assert SCROLL in {s["mission"] for s in json.loads(result.stdout)["squads"]}
    return db_url


def state(cli: Cli, db: str) -> tuple[str, str, str]:
    """Everything a refused step must leave as it was."""
    return (
        cli("--db", db, "village", "export").stdout,
        cli("--db", db, "board", "--json").stdout,
        cli("--db", db, "timeline", SCROLL, "--json").stdout,
    )


def squad_of(cli: Cli, db: str, mission: str) -> list[str]:
    events = json.loads(cli("--db", db, "timeline", mission, "--json").stdout)
    planned = [e for e in events if e["kind"] == "mission.planned"]
    return list(planned[-1]["after"]["squad"])


def status_of(cli: Cli, db: str, mission: str) -> str:
    board = json.loads(cli("--db", db, "board", "--json").stdout)
    return next(m["status"] for m in board if m["id"] == mission)


def test_plan_moves_staffed_missions_to_planned(cli: Cli, planned: str) -> None:
    assert status_of(cli, planned, SCROLL) == "planned"


def test_approve_is_dated_at_its_at(cli: Cli, planned: str) -> None:
    """SPEC section 8: every acting command is dated at --at when given."""
    assert cli("--db", planned, "approve", SCROLL, "--at", "2026-11-23T21:30").code == 0
    events = json.loads(cli("--db", planned, "timeline", SCROLL, "--json").stdout)
    approved = [e for e in events if e["kind"] == "mission.approved"]
    assert [e["at"][:16] for e in approved] == ["2026-11-23T21:30"]


def test_approve_then_dispatch_then_checkin(cli: Cli, planned: str) -> None:
    assert cli("--db", planned, "approve", SCROLL).code == 0
    assert status_of(cli, planned, SCROLL) == "approved"
    sent = cli("--db", planned, "dispatch", SCROLL, "--at", DEPART, "--json")
    assert sent.code == 0, sent.stderr
    due = json.loads(sent.stdout)["checkins_due"]
    assert [c["place"] for c in due] == ["tanigakure", "konoha"]
    assert due[0]["due"] == FIRST_DUE
    roster = {r["id"]: r for r in json.loads(cli("--db", planned, "roster", "--json").stdout)}
    assert all(roster[s]["status"] == "on_mission" for s in squad_of(cli, planned, SCROLL))
    checked = cli(
        "--db", planned, "checkin", SCROLL, "--at", "2026-11-24T19:00", "--place", "tanigakure"
    )
    assert checked.code == 0, checked.stderr
    kinds = [
        e["kind"] for e in json.loads(cli("--db", planned, "timeline", SCROLL, "--json").stdout)
    ]
    assert kinds[-4:] == [
        "mission.planned",
        "mission.approved",
        "mission.dispatched",
        "mission.checkin",
    ]


@pytest.mark.parametrize(
    ("steps", "refused", "message"),
    [
        ([], ["dispatch", SCROLL], "only an approved mission"),
        ([], ["checkin", SCROLL], "only a dispatched squad"),
        ([["approve", SCROLL]], ["approve", SCROLL], "is already approved"),
        ([], ["approve", "no-such-mission"], "no mission 'no-such-mission'"),
        ([["approve", SCROLL]], ["dispatch", SCROLL, "--at", "tomorrow"], "is not a time"),
        (
            [["approve", SCROLL], ["dispatch", SCROLL, "--at", DEPART]],
            ["checkin", SCROLL, "--place", "atlantis", "--at", "2026-11-24T10:00"],
            "no place 'atlantis'",
        ),
        (
            [["approve", SCROLL], ["dispatch", SCROLL, "--at", DEPART]],
            ["checkin", SCROLL, "--at", "2026-11-23T10:00"],
            "before the departure",
        ),
    ],
)
def test_illegal_step_is_refused_and_changes_nothing(
    cli: Cli, planned: str, steps: list[list[str]], refused: list[str], message: str
) -> None:
    for step in steps:
        assert cli("--db", planned, *step).code == 0
    before = state(cli, planned)
    result = cli("--db", planned, *refused)
    assert result.code == 2, result.stderr
    assert message in result.stderr
    assert state(cli, planned) == before


def test_approving_a_squad_whose_member_was_since_injured_is_refused(
    cli: Cli, planned: str
) -> None:
    member = squad_of(cli, planned, SCROLL)[1]
    engine = create_engine(
        planned.replace("postgresql://", "postgresql+psycopg://", 1)
        if planned.startswith("postgresql://")
        else planned
    )
    with engine.begin() as connection:  # a medic's word arrives after the plan
        connection.execute(
            text("UPDATE shinobi SET status='injured', available_from='2026-12-20' WHERE id=:id"),
            {"id": member},
        )
    engine.dispose()
    before = state(cli, planned)
    result = cli("--db", planned, "approve", SCROLL)
    assert result.code == 2
    assert f"{member} is injured until 2026-12-20" in result.stderr
    assert state(cli, planned) == before


def _injure(db_url: str, member: str, until: str) -> None:
    """A medic's word arrives after the plan (or the approval): `member` is injured."""
    engine = create_engine(
        db_url.replace("postgresql://", "postgresql+psycopg://", 1)
        if db_url.startswith("postgresql://")
        else db_url
    )
    with engine.begin() as connection:
        connection.execute(
            text("UPDATE shinobi SET status='injured', available_from=:until WHERE id=:id"),
            {"id": member, "until": until},
        )
    engine.dispose()


def test_dispatching_a_squad_whose_member_was_since_wounded_is_refused(
    cli: Cli, planned: str
) -> None:
    """Approved while fit, wounded before leaving: dispatch refuses, naming who and until
    when, and changes nothing; once the day of return comes (and the window, widened, is
    still open), the squad leaves."""
    assert cli("--db", planned, "approve", SCROLL).code == 0
    member = squad_of(cli, planned, SCROLL)[1]
    _injure(planned, member, "2026-11-26")
    before = state(cli, planned)
    result = cli("--db", planned, "dispatch", SCROLL, "--at", DEPART)
    assert result.code == 2, result.stderr
    assert f"{member} is injured until 2026-11-26" in result.stderr
    assert state(cli, planned) == before
    # Its window (the 24th only) closed before the 26th: the mission went stale on the
    # way there, so dispatch is refused, and the recording goes with the refusal.
    closed = cli("--db", planned, "dispatch", SCROLL, "--at", "2026-11-26T06:00")
    assert closed.code == 2, closed.stderr
    assert "is stale: its window closed on 2026-11-24" in closed.stderr
    assert state(cli, planned) == before
    widened = cli("--db", planned, "mission", "edit", SCROLL, "--set", "window.latest=2026-11-26")
    assert widened.code == 0, widened.stderr
    later = cli("--db", planned, "dispatch", SCROLL, "--at", "2026-11-26T06:00")
    assert later.code == 0, later.stderr


def _dispatched(cli: Cli, db: str) -> None:
    assert cli("--db", db, "approve", SCROLL).code == 0
    assert cli("--db", db, "dispatch", SCROLL, "--at", DEPART).code == 0


@pytest.mark.parametrize(
    ("at", "late"),
    [
        ("2026-11-24T20:00", False),
        ("2026-11-25T01:59", False),
        (FIRST_DUE, False),
        ("2026-11-25T02:01", True),
    ],
)
def test_overdue_only_strictly_after_the_grace(cli: Cli, planned: str, at: str, late: bool) -> None:
    _dispatched(cli, planned)
    result = cli("--db", planned, "overdue", "--at", at, "--json")
    assert result.code == 0, result.stderr
    found = json.loads(result.stdout)
    assert bool(found) is late
    assert status_of(cli, planned, SCROLL) == "dispatched"  # reading never writes
    assert cli("--db", planned, "clock", "set", at).code == 0  # time passing records it
    assert status_of(cli, planned, SCROLL) == ("overdue" if late else "dispatched")
    if late:
        (squad,) = found
        assert squad["mission"] == SCROLL
        assert squad["checkin_due"].startswith(FIRST_DUE)
        assert squad["last_place"] == "konoha"
        rescue = squad["rescue"]
        assert rescue["leader"]
        # SPEC section 4: the leader plus the others (members); the leader is not repeated.
        assert rescue["leader"] not in {m["shinobi"] for m in rescue["members"]}
        roles = [rescue["leader_roles"], *(m["roles"] for m in rescue["members"])]
        assert any("medic" in r for r in roles)
        assert 1 + len(rescue["members"]) >= 3
        away = set(squad_of(cli, planned, SCROLL))
        assert not away & {m["shinobi"] for m in rescue["members"]}


def test_a_checkin_resets_the_clock_and_clears_overdue(cli: Cli, planned: str) -> None:
    _dispatched(cli, planned)
    assert json.loads(cli("--db", planned, "overdue", "--at", "2026-11-25T03:00", "--json").stdout)
    assert cli("--db", planned, "clock", "set", "2026-11-25T03:00").code == 0
    assert status_of(cli, planned, SCROLL) == "overdue"
    assert (
        cli(
            "--db", planned, "checkin", SCROLL, "--at", "2026-11-25T03:30", "--place", "tanigakure"
        ).code
        == 0
    )
    assert status_of(cli, planned, SCROLL) == "dispatched"
    # Next: Konoha, 14 h after the check-in at Tanigakure, plus 6 h grace.
    assert not json.loads(
        cli("--db", planned, "overdue", "--at", "2026-11-25T23:30", "--json").stdout
    )
    late = json.loads(cli("--db", planned, "overdue", "--at", "2026-11-25T23:31", "--json").stdout)
    assert late and late[0]["last_place"] == "tanigakure"


def _report(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "report.yaml"
    path.write_text(body, encoding="utf-8")
    return path


def test_report_updates_roster_intelligence_and_history(
    cli: Cli, planned: str, tmp_path: Path
) -> None:
    _dispatched(cli, planned)
    squad = squad_of(cli, planned, SCROLL)
    hurt, dead = squad[1], squad[2]
    report = _report(
        tmp_path,
        f"""\
returned: 2026-11-26T10:00
outcome: failure
injuries:
  - {{shinobi: {hurt}, severity: serious, recovery_days: 21}}
  - {{shinobi: {dead}, severity: fatal}}
encounters:
  - {{threat: uchiha-itachi, place: tanigakure, at: 2026-11-25T15:00}}
objective_taken_by: uchiha-itachi
notes: The scroll was taken.
""",
    )
    result = cli("--db", planned, "report", SCROLL, report, "--json")
    assert result.code == 0, result.stderr
    roster = {r["id"]: r for r in json.loads(cli("--db", planned, "roster", "--json").stdout)}
    assert roster[hurt]["status"] == "injured" and roster[hurt]["available_from"] == "2026-12-17"
    assert roster[dead]["status"] == "deceased"
    assert roster[squad[0]]["status"] == "available"
    assert status_of(cli, planned, SCROLL) == "closed"
    exported = cli("--db", planned, "village", "export").stdout
    import yaml

    village = yaml.safe_load(exported)
    akatsuki = next(o for o in village["organizations"] if o["id"] == "akatsuki")
    assert "scroll" in akatsuki["interests"]
    assert any(
        s["threat"] == "uchiha-itachi" and s["confidence"] == 1.0 for s in village["sightings"]
    )
    last = village["history"][-1]
    assert last["mission"]["id"] == SCROLL and last["squad"]["leader"] == squad[0]
    assert last["report"]["outcome"] == "failure"


BAD_REPORTS = [
    (
        "unknown shinobi",
        "injuries:\n  - {shinobi: nobody-at-all, severity: minor, recovery_days: 1}\n",
        "nobody-at-all",
    ),
    (
        "not on the squad",
        "injuries:\n  - {shinobi: chiaki, severity: minor, recovery_days: 1}\n",
        "not on the squad",
    ),
    (
        "negative recovery",
        "injuries:\n  - {shinobi: SQUAD1, severity: minor, recovery_days: -4}\n",
        "recovery_days",
    ),
    (
        "unknown severity",
        "injuries:\n  - {shinobi: SQUAD1, severity: scratched, recovery_days: 1}\n",
        "severity",
    ),
    (
        "unknown threat",
        "encounters:\n  - {threat: orochimaru-x, place: konoha, at: 2026-11-25T10:00}\n",
        "orochimaru-x",
    ),
    ("unknown field", "mood: grim\n", "mood"),
]


@pytest.mark.parametrize(("case", "extra", "message"), BAD_REPORTS, ids=[b[0] for b in BAD_REPORTS])
def test_bad_report_changes_nothing(
    cli: Cli, planned: str, tmp_path: Path, case: str, extra: str, message: str
) -> None:
    _dispatched(cli, planned)
    member = squad_of(cli, planned, SCROLL)[1]
    body = "returned: 2026-11-26T10:00\noutcome: partial\n" + extra.replace("SQUAD1", member)
    before = state(cli, planned)
    result = cli("--db", planned, "report", SCROLL, _report(tmp_path, body))
    assert result.code == 2, (case, result.stdout)
    assert message in result.stderr, (case, result.stderr)
    assert state(cli, planned) == before


def test_report_for_a_mission_never_dispatched_is_refused(
    cli: Cli, planned: str, tmp_path: Path
) -> None:
    before = state(cli, planned)
    result = cli(
        "--db",
        planned,
        "report",
        SCROLL,
        _report(tmp_path, "returned: 2026-11-26T10:00\noutcome: success\n"),
    )
    assert result.code == 2 and "dispatched" in result.stderr
    assert state(cli, planned) == before


def test_a_second_report_is_refused(cli: Cli, planned: str, tmp_path: Path) -> None:
    _dispatched(cli, planned)
    report = _report(tmp_path, "returned: 2026-11-26T10:00\noutcome: success\n")
    assert cli("--db", planned, "report", SCROLL, report).code == 0
    before = state(cli, planned)
    again = cli("--db", planned, "report", SCROLL, report)
    assert again.code == 2 and "already has its report" in again.stderr
    assert state(cli, planned) == before


def test_report_file_errors_name_the_line(cli: Cli, planned: str, tmp_path: Path) -> None:
    _dispatched(cli, planned)
    body = (
        "returned: 2026-11-26T10:00\noutcome: success\ninjuries:\n  - {shinobi: x, severity: meh}\n"
    )
    result = cli("--db", planned, "report", SCROLL, _report(tmp_path, body))
    assert result.code == 2
    assert "report.yaml:4: injuries[0].severity" in result.stderr


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("returned: 2026-11-26T10:00:00+02:00\noutcome: success\n", "without a time zone"),
        ("returned: 9999-12-31T10:00\noutcome: success\n", "outside the years"),
        (
            "returned: 2026-11-26T10:00\noutcome: success\ninjuries:\n"
            "  - {shinobi: SQUAD1, severity: minor, recovery_days: 99999999}\n",
            "recovery_days",
        ),
    ],
)
def test_report_times_and_recoveries_stay_on_the_calendar(
    cli: Cli, planned: str, tmp_path: Path, body: str, message: str
) -> None:
    _dispatched(cli, planned)
    member = squad_of(cli, planned, SCROLL)[1]
    before = state(cli, planned)
    result = cli(
        "--db", planned, "report", SCROLL, _report(tmp_path, body.replace("SQUAD1", member))
    )
    assert result.code == 2 and message in result.stderr, result.stderr
    assert state(cli, planned) == before


def test_missions_in_the_field_per_the_file_need_their_squads_and_then_carry_on(
    cli: Cli, sqlite_url: str, tmp_path: Path
) -> None:
    """A village file can say a mission is approved or dispatched without Mission Desk
    having planned it: without a squad it is refused (naming the mission and its line);
    with one (format v2), the office carries on from there."""
    import yaml

    document = yaml.safe_load(DEMO_VILLAGE.read_text(encoding="utf-8"))
    by_id = {m["id"]: m for m in document["missions"]}
    by_id["find-tora"]["status"] = "approved"
    by_id["suna-treaty"]["status"] = "dispatched"
    path = tmp_path / "village.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    refused = cli("--db", sqlite_url, "village", "import", path)
    assert refused.code == 2
    lacks = r"village\.yaml:\d+: missions\[\d+\]\.squad: mission 'find-tora' is approved"
    assert re.search(lacks, refused.stderr)
    assert "mission 'suna-treaty' is dispatched but has no squad" in refused.stderr
    assert cli("--db", sqlite_url, "roster").code == 2  # nothing imported

    by_id["find-tora"]["squad"] = {"leader": "hyuga-neji", "members": ["tenten"]}
    by_id["suna-treaty"]["squad"] = {"leader": "sarutobi-asuma", "members": ["yamanaka-ino"]}
    by_id["suna-treaty"]["departs"] = "2026-11-26T06:00"
    path.write_text(yaml.safe_dump(document, sort_keys=False), encoding="utf-8")
    assert cli("--db", sqlite_url, "village", "import", path).code == 0
    assert cli("--db", sqlite_url, "dispatch", "find-tora", "--at", "2026-11-24T08:00").code == 0
    assert cli("--db", sqlite_url, "checkin", "suna-treaty", "--at", "2026-11-27T10:00").code == 0
    report = _report(tmp_path, "returned: 2026-11-30T10:00\noutcome: success\n")
    reported = cli("--db", sqlite_url, "report", "suna-treaty", report)
    assert reported.code == 0, reported.stderr


RANK_RISES = """\
format: missiondesk/village/v1
village: {id: k, name: K, today: 2026-06-10}
places: [{id: k, name: K}, {id: f, name: F}]
roads: [{from: k, to: f, hours: 4}]
shinobi:
  - {id: c, name: C, rank: chunin, status: available}
  - {id: g, name: G, rank: genin, status: available}
missions:
  - {id: first, title: First, rank: D, route: [k, f, k]}
  - {id: second, title: Second, rank: D, route: [k, f, k],
     window: {earliest: 2026-06-12, due: 2026-06-14}}
threats:
  - {id: t, name: T, rank: S, abilities: []}
standing_orders:
  - {id: no-genin-b, rule: forbid_rank, rank: genin, when: {min_rank: B}}
  - {id: rest, rule: min_rest, days: 3}
"""


def test_approval_rechecks_the_orders_at_the_rank_judged_now(
    cli: Cli, sqlite_url: str, tmp_path: Path
) -> None:
    """Intelligence that arrives after the plan (an S-rank threat met on the road) can
    raise a mission's rank; a squad planned for D must not be approved for S. (The rest
    order keeps c, back from `first`, off `second`: g goes.)"""
    village = tmp_path / "village.yaml"
    village.write_text(RANK_RISES, encoding="utf-8")
    db = ("--db", sqlite_url)
    assert cli(*db, "village", "import", village).code == 0
    assert cli(*db, "plan", "--time-limit", "2").code == 0
    assert cli(*db, "approve", "first").code == 0
    assert cli(*db, "dispatch", "first", "--at", "2026-06-10T08:00").code == 0
    report = _report(
        tmp_path,
        "returned: 2026-06-11T08:00\noutcome: success\nencounters:\n"
        "  - {threat: t, place: f, at: 2026-06-10T14:00}\n"
        "  - {threat: t, place: k, at: 2026-06-11T07:00}\n",
    )
    assert cli(*db, "report", "first", report).code == 0
    before = cli(*db, "board", "--json").stdout
    refused = cli(*db, "approve", "second")
    assert refused.code == 2
    assert "no longer obeys" in refused.stderr and "no-genin-b" in refused.stderr
    assert cli(*db, "board", "--json").stdout == before


EARLY_AND_ROADLESS = """\
format: missiondesk/village/v1
village: {id: k, name: K, today: 2026-06-10}
places: [{id: k, name: K}, {id: f, name: F}, {id: island, name: Island}]
roads: [{from: k, to: f, hours: 4}]
shinobi:
  - {id: j, name: J, rank: jonin, status: injured, available_from: 2026-06-20}
  - {id: c, name: C, rank: chunin, status: available}
missions:
  - {id: later, title: Later, rank: D, route: [k, f], priority: 5,
     window: {earliest: 2026-06-21, due: 2026-06-25}}
  - {id: cut, title: Cut off, rank: D, route: [k, island], priority: 1}
"""


def test_dispatch_waits_for_the_window_and_for_the_wounded(
    cli: Cli, sqlite_url: str, tmp_path: Path
) -> None:
    village = tmp_path / "village.yaml"
    village.write_text(EARLY_AND_ROADLESS, encoding="utf-8")
    db = ("--db", sqlite_url)
    assert cli(*db, "village", "import", village).code == 0
    assert cli(*db, "plan", "--time-limit", "2", "--pin", "j=later").code == 0
    assert cli(*db, "approve", "later").code == 0
    early = cli(*db, "dispatch", "later", "--at", "2026-06-10T08:00")
    assert early.code == 2 and "may not leave before 2026-06-21" in early.stderr
    assert cli(*db, "dispatch", "later", "--at", "2026-06-21T08:00").code == 0
    ancient = cli(*db, "checkin", "later", "--at", "1800-01-01T00:00")
    assert ancient.code == 2 and "outside the years" in ancient.stderr


def test_a_route_without_roads_is_dispatched_with_no_check_in_to_miss(
    cli: Cli, sqlite_url: str, tmp_path: Path
) -> None:
    village = tmp_path / "village.yaml"
    village.write_text(EARLY_AND_ROADLESS, encoding="utf-8")
    db = ("--db", sqlite_url)
    assert cli(*db, "village", "import", village).code == 0
    plan = json.loads(cli(*db, "plan", "--time-limit", "2", "--json").stdout)
    assert "cut" in {s["mission"] for s in plan["squads"]}
    assert cli(*db, "approve", "cut").code == 0
    sent = cli(*db, "dispatch", "cut", "--at", "2026-06-10T08:00", "--json")
    assert sent.code == 0, sent.stderr
    assert json.loads(sent.stdout)["checkins_due"] == []
    late = cli(*db, "overdue", "--at", "2027-01-01T00:00", "--json")
    assert json.loads(late.stdout) == []
