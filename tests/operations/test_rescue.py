"""`missiondesk rescue`: the proposal for an overdue squad sent in one transaction; the
squad that breaks the fewest orders when none obeys them all, and the recall that would
free one; refusals that change nothing; the rescue's report on the lost mission."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rescue_support import (
    DUE,
    LATE,
    LOST,
    LOST_SQUAD,
    Cli,
    committed,
    lost_squad,
    patrol_takes_the_medic,
    state,
)


@pytest.fixture
def lost(cli: Cli, db_url: str, tmp_path: Path) -> str:
    return lost_squad(cli, db_url, tmp_path)


def rescue(cli: Cli, db: str, *args: str):  # type: ignore[no-untyped-def]
    return cli("--db", db, "rescue", LOST, "--at", LATE, *args)


def roster(cli: Cli, db: str) -> dict[str, dict[str, object]]:
    return {r["id"]: r for r in json.loads(cli("--db", db, "roster", "--json").stdout)}


def test_the_rescue_is_created_committed_and_dispatched_at_once(cli: Cli, lost: str) -> None:
    result = rescue(cli, lost, "--json")
    assert result.code == 0, result.stderr
    sent = json.loads(result.stdout)
    assert sent["mission"] == "rescue-lost" and sent["rescue_of"] == LOST
    everyone = [sent["leader"], *(m["shinobi"] for m in sent["members"])]
    assert sent["leader"] in {"asuma", "ino"}  # the free shinobi of at least chunin rank
    assert "ino" in everyone  # the only free medic
    assert len(everyone) == 3 and not set(everyone) & set(LOST_SQUAD)
    assert sent["departs"].startswith(LATE)
    # Home to the forest (the waypoint the lost squad never reported from) and back.
    assert [c["place"] for c in sent["checkins"]] == ["forest", "konoha"]
    assert sent["checkins"][0]["due"].startswith("2026-06-11T05:00")  # 19:00 + 4 h + 6 h
    assert sent["breaks"] == [] and sent["forced"] is False

    people = roster(cli, lost)
    assert all(people[s]["status"] == "on_mission" for s in everyone)
    assert {s: m for s, m in committed(lost).items() if m == "rescue-lost"} == dict.fromkeys(
        everyone, "rescue-lost"
    )
    board = {m["id"]: m for m in json.loads(cli("--db", lost, "board", "--json").stdout)}
    assert board["rescue-lost"]["status"] == "dispatched"
    assert board["rescue-lost"]["priority"] == 5
    assert board[LOST]["status"] == "overdue"
    # The lost mission's story: the missed check-in, then the rescue leaving.
    kinds = [e["kind"] for e in json.loads(cli("--db", lost, "timeline", LOST, "--json").stdout)]
    assert kinds[-2:] == ["checkin.missed", "rescue.dispatched"]


def test_overdue_proposes_the_squad_rescue_sends(cli: Cli, lost: str) -> None:
    found = json.loads(cli("--db", lost, "overdue", "--at", LATE, "--json").stdout)
    (squad,) = found
    proposed = squad["rescue"]
    assert proposed["mission"] == "rescue-lost" and proposed["sent"] is False
    assert proposed["breaks"] == [] and proposed["recall"] == []
    _leaves_at_once(proposed["reasons"])
    sent = json.loads(rescue(cli, lost, "--json").stdout)
    assert (sent["leader"], sent["members"]) == (proposed["leader"], proposed["members"])
    again = json.loads(cli("--db", lost, "overdue", "--at", LATE, "--json").stdout)
    assert again[0]["rescue"]["sent"] is True
    assert again[0]["rescue"]["leader"] == sent["leader"]


def test_a_pinned_shinobi_goes(cli: Cli, lost: str) -> None:
    sent = json.loads(rescue(cli, lost, "--pin", "shino", "--json").stdout)
    assert "shino" in [sent["leader"], *(m["shinobi"] for m in sent["members"])]


def test_when_no_squad_obeys_the_orders_the_least_broken_is_proposed_with_a_recall(
    cli: Cli, lost: str
) -> None:
    patrol_takes_the_medic(cli, lost)
    (squad,) = json.loads(cli("--db", lost, "overdue", "--at", LATE, "--json").stdout)
    proposed = squad["rescue"]
    # Only asuma and shino are free: two, and no medic.
    assert {proposed["leader"], *(m["shinobi"] for m in proposed["members"])} == {
        "asuma",
        "shino",
    }
    breaks = {b["order"]: b["text"] for b in proposed["breaks"]}
    assert set(breaks) == {"rescue-medic", "rescue-three-strong"}
    assert "needs 1 medic (medical >= 2); the squad has 0" in breaks["rescue-medic"]
    assert "needs at least 3 shinobi; it has 2" in breaks["rescue-three-strong"]
    assert proposed["recall"] == [{"shinobi": "ino", "mission": "patrol"}]
    _leaves_at_once(proposed["reasons"])


def _leaves_at_once(reasons: list[str]) -> None:
    """A rescue leaves when the check-in is missed (or later), not at a planned squad's
    08:00 on the lost mission's day, and it has no window to name."""
    (leaves,) = [r for r in reasons if r.startswith("leaves")]
    when = leaves.removeprefix("leaves at once, ").split(";")[0]
    assert when.replace(" ", "T") >= DUE, leaves
    assert "window" not in leaves


def test_a_rule_breaking_rescue_is_refused_unless_forced_with_a_reason(cli: Cli, lost: str) -> None:
    patrol_takes_the_medic(cli, lost)
    before = state(cli, lost)
    refused = rescue(cli, lost)
    assert refused.code == 2
    assert "rescue-medic" in refused.stderr and "rescue-three-strong" in refused.stderr
    assert "recalling ino (from patrol)" in refused.stderr
    assert "--force --reason TEXT" in refused.stderr
    assert state(cli, lost) == before

    no_reason = rescue(cli, lost, "--force")
    assert no_reason.code == 2 and "--reason" in no_reason.stderr
    assert state(cli, lost) == before

    forced = rescue(cli, lost, "--force", "--reason", "the patrol leaves in two days", "--json")
    assert forced.code == 0, forced.stderr
    sent = json.loads(forced.stdout)
    assert sent["forced"] is True and sent["reason"] == "the patrol leaves in two days"
    assert {b["order"] for b in sent["breaks"]} == {"rescue-medic", "rescue-three-strong"}
    logged = json.loads(cli("--db", lost, "timeline", "rescue-lost", "--json").stdout)
    (event,) = [e for e in logged if e["kind"] == "rescue.dispatched"]
    assert event["after"]["forced"] is True
    assert event["after"]["reason"] == "the patrol leaves in two days"
    assert {b["order"] for b in event["after"]["breaks"]} == {"rescue-medic", "rescue-three-strong"}
    assert committed(lost)["ino"] == "patrol"  # a forced rescue recalls nobody


BAD = [
    (["rescue", LOST, "--at", DUE], "is not overdue at 2026-06-10 18:00"),
    (["rescue", "patrol", "--at", LATE], "only an overdue squad is rescued"),
    (["rescue", "nowhere", "--at", LATE], "no mission 'nowhere'"),
    (["rescue", LOST, "--at", LATE, "--pin", "neji"], "neji is injured until 2026-07-01"),
    (["rescue", LOST, "--at", LATE, "--pin", "kakashi"], "kakashi is committed to mission"),
    (["rescue", LOST, "--at", LATE, "--pin", "gaara"], "no shinobi 'gaara'"),
    (["rescue", LOST, "--at", LATE, "--pin", "asuma", "--pin", "asuma"], "pinned twice"),
    (["rescue", LOST, "--at", LATE, "--force"], "--force needs --reason"),
    (["rescue", LOST, "--at", "soon"], "is not a time"),
]


def test_bad_rescues_are_refused_by_name_and_change_nothing(cli: Cli, lost: str) -> None:
    before = state(cli, lost)
    for args, message in BAD:
        result = cli("--db", lost, *args)
        assert result.code == 2, (args, result.stdout)
        assert message in result.stderr and "Traceback" not in result.stderr, (args, result.stderr)
    assert state(cli, lost) == before


def test_a_second_rescue_while_the_first_is_out_is_refused(cli: Cli, lost: str) -> None:
    assert rescue(cli, lost).code == 0
    before = state(cli, lost)
    again = cli("--db", lost, "rescue", LOST, "--at", "2026-06-10T20:00")
    assert again.code == 2 and "'rescue-lost' of 'lost' is already on its way" in again.stderr
    assert state(cli, lost) == before


def test_the_rescue_report_shows_on_the_lost_mission(cli: Cli, lost: str, tmp_path: Path) -> None:
    sent = json.loads(rescue(cli, lost, "--json").stdout)
    hurt = next(m["shinobi"] for m in sent["members"] if m["shinobi"] != "ino")
    report = tmp_path / "rescue.yaml"
    report.write_text(
        "returned: 2026-06-11T09:00\noutcome: success\n"
        f"injuries:\n  - {{shinobi: {hurt}, severity: minor, recovery_days: 2}}\n"
        "notes: Found them at the forest's edge; Naruto injured, all alive.\n",
        encoding="utf-8",
    )
    filed = cli("--db", lost, "report", "rescue-lost", report)
    assert filed.code == 0, filed.stderr
    people = roster(cli, lost)
    assert people[hurt]["status"] == "injured"
    assert not {m for m in committed(lost).values() if m == "rescue-lost"}
    story = json.loads(cli("--db", lost, "timeline", LOST, "--json").stdout)
    reported = [e for e in story if e["kind"] == "mission.reported"]
    assert reported and reported[-1]["subject"] == "rescue-lost"
    assert reported[-1]["after"]["report"]["notes"].startswith("Found them")
    # With the first rescue back, another may go (a second one: rescue-lost-2).
    again = cli("--db", lost, "rescue", LOST, "--at", "2026-06-11T10:00", "--json")
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["mission"] == "rescue-lost-2"
