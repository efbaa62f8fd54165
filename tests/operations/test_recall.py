"""`missiondesk recall`: an approved squad taken back before it leaves, on SQLite and
PostgreSQL. The game master's story (the leader hurt on another mission the day before),
the released people free at once, every other status refused with nothing changed, the
event and its `before`, a recall dated past the clock, and the recall a rescue proposes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from rescue_support import LATE, LOST, committed, lost_squad, patrol_takes_the_medic

from cli.edit_support import snapshot, write
from md_support import Result

Cli = Callable[..., Result]

# Onoki (the only kage) leads river-ferry, a B-rank errand on the 2nd, and is pinned to
# pass-watch on the 3rd: their spans do not overlap, so one plan gives him both.
IWA = """\
format: missiondesk/village/v1
village: {{id: iwa, name: Iwagakure, today: 2026-06-01}}
places:
  - {{id: iwa, name: Iwagakure}}
  - {{id: pass, name: The mountain pass}}
  - {{id: river, name: The river}}
roads:
  - {{from: iwa, to: pass, hours: 6}}
  - {{from: iwa, to: river, hours: 4}}
shinobi:
  - {{id: onoki, name: Onoki, rank: kage, skills: {{ninjutsu: 5}}, status: available}}
  - {{id: kurotsuchi, name: Kurotsuchi, rank: jonin, skills: {{ninjutsu: 4}}, status: available}}
  - {{id: akatsuchi, name: Akatsuchi, rank: jonin, skills: {{taijutsu: 4}}, status: available}}
missions:
  - id: pass-watch
    title: Watch the mountain pass
    rank: D
    route: [iwa, pass, iwa]
    window: {{earliest: 2026-06-03{pass_latest}}}
  - id: {other}
    title: Guard the river ferry
    rank: B
    route: [iwa, river, iwa]
    window: {{earliest: {other_day}}}
standing_orders:
  - {{id: kage-leads-b, rule: leader_min_rank, rank: kage, when: {{min_rank: B}}}}
  - {{id: one-alone, rule: max_size, size: 1}}
"""

STORY = IWA.format(pass_latest=", latest: 2026-06-05", other="river-ferry", other_day="2026-06-02")
# The B-rank mission leaves the same day as pass-watch: Onoki cannot serve on both.
SAME_DAY = IWA.format(pass_latest="", other="river-ferry", other_day="2026-06-03")

INJURED = """\
outcome: success
returned: 2026-06-02T16:00
injuries:
  - {shinobi: onoki, severity: serious, recovery_days: 10}
"""


def _ok(result: Result) -> Result:
    assert result.code == 0, result.stderr
    return result


def _json(result: Result) -> object:
    return json.loads(_ok(result).stdout)


def _village(cli: Cli, db_url: str, tmp_path: Path, text: str) -> tuple[str, str]:
    _ok(cli("--db", db_url, "village", "import", write(tmp_path, "iwa.yaml", text)))
    return ("--db", db_url)


def _squads(plan: object) -> dict[str, list[str]]:
    assert isinstance(plan, dict)
    return {  # leader first
        s["mission"]: [s["leader"], *(m["shinobi"] for m in s["members"])] for s in plan["squads"]
    }


def _status(cli: Cli, db: tuple[str, str], mission: str) -> str:
    board = _json(cli(*db, "board", "--json"))
    assert isinstance(board, list)
    return str(next(m["status"] for m in board if m["id"] == mission))


def _whereabouts(cli: Cli, db: tuple[str, str]) -> dict[str, str | None]:
    roster = _json(cli(*db, "roster", "--json"))
    assert isinstance(roster, list)
    return {r["id"]: r["mission"] for r in roster}


def _events(cli: Cli, db: tuple[str, str], mission: str) -> list[dict[str, object]]:
    events = _json(cli(*db, "timeline", mission, "--json"))
    assert isinstance(events, list)
    return events


def test_a_leader_hurt_the_day_before_is_recalled_and_the_mission_restaffed(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    db = _village(cli, db_url, tmp_path, STORY)
    plan = _json(cli(*db, "plan", "--time-limit", "2", "--pin", "onoki=pass-watch", "--json"))
    assert _squads(plan) == {"pass-watch": ["onoki"], "river-ferry": ["onoki"]}
    _ok(cli(*db, "approve", "pass-watch"))
    _ok(cli(*db, "approve", "river-ferry"))
    _ok(cli(*db, "dispatch", "river-ferry", "--at", "2026-06-02T08:00"))
    _ok(cli(*db, "report", "river-ferry", write(tmp_path, "hurt.yaml", INJURED)))
    assert _whereabouts(cli, db)["onoki"] == "pass-watch"  # still committed, and hurt

    refused = cli(*db, "dispatch", "pass-watch", "--at", "2026-06-03T08:00")
    assert refused.code == 2
    assert "onoki is injured until 2026-06-12" in refused.stderr
    assert "missiondesk recall pass-watch --reason TEXT" in refused.stderr
    edit = cli(*db, "mission", "edit", "pass-watch", "--set", "status=assessed")
    assert edit.code == 2
    assert "is approved, so its status cannot change" in edit.stderr
    assert "missiondesk recall pass-watch --reason TEXT" in edit.stderr
    assert "add a new mission" not in edit.stderr

    recalled = _json(cli(*db, "recall", "pass-watch", "--reason", "onoki was hurt", "--json"))
    assert recalled == {"mission": "pass-watch", "status": "assessed", "released": ["onoki"]}
    assert _status(cli, db, "pass-watch") == "assessed"
    assert _whereabouts(cli, db)["onoki"] is None
    event = _events(cli, db, "pass-watch")[-1]
    assert event["kind"] == "mission.recalled"
    assert event["actor"] == "test"
    assert event["at"] == "2026-06-02T16:00:00"  # the village clock, where the report left it
    assert event["before"] == {"status": "approved", "squad": ["onoki"]}
    assert event["after"] == {
        "status": "assessed",
        "reason": "onoki was hurt",
        "released": ["onoki"],
    }
    told = _ok(cli(*db, "timeline", "pass-watch")).stdout
    assert "approved -> assessed" in told
    assert "reason: onoki was hurt" in told and "released: onoki" in told

    again = _json(cli(*db, "plan", "--time-limit", "2", "--json"))
    squads = _squads(again)
    assert list(squads) == ["pass-watch"] and squads["pass-watch"][0] in (
        "kurotsuchi",
        "akatsuchi",
    )
    _ok(cli(*db, "approve", "pass-watch"))
    sent = _json(cli(*db, "dispatch", "pass-watch", "--at", "2026-06-03T08:00", "--json"))
    assert isinstance(sent, dict) and sent["status"] == "dispatched"
    assert [e["kind"] for e in _events(cli, db, "pass-watch")][-4:] == [
        "mission.recalled",
        "mission.planned",
        "mission.approved",
        "mission.dispatched",
    ]


def test_the_released_people_are_free_for_other_squads_at_once(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    db = _village(cli, db_url, tmp_path, SAME_DAY)
    first = _json(cli(*db, "plan", "--time-limit", "2", "--pin", "onoki=pass-watch", "--json"))
    assert _squads(first) == {"pass-watch": ["onoki"]}  # river-ferry needs the only kage
    _ok(cli(*db, "approve", "pass-watch"))
    held = _json(cli(*db, "plan", "--time-limit", "2", "--json"))
    assert _squads(held) == {}  # onoki is committed for the same day
    assert _whereabouts(cli, db)["onoki"] == "pass-watch"

    _ok(cli(*db, "recall", "pass-watch", "--reason", "the ferry matters more"))
    assert _whereabouts(cli, db)["onoki"] is None
    freed = _squads(_json(cli(*db, "plan", "--time-limit", "2", "--json")))
    assert freed["river-ferry"] == ["onoki"]
    assert freed["pass-watch"][0] in ("kurotsuchi", "akatsuchi")
    _ok(cli(*db, "approve", "river-ferry"))
    _ok(cli(*db, "approve", "pass-watch"))
    assert _whereabouts(cli, db)["onoki"] == "river-ferry"


def test_only_an_approved_mission_is_recalled_and_a_refusal_changes_nothing(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    db = _village(cli, db_url, tmp_path, STORY)

    def refused(mission: str, *words: str, reason: str = "because") -> None:
        before = snapshot(db_url)
        result = cli(*db, "recall", mission, "--reason", reason)
        assert result.code == 2, result.stdout
        for said in words:
            assert said in result.stderr
        assert snapshot(db_url) == before

    refused("pass-watch", "is intake", "no squad to recall", "plan the board")
    refused("nowhere", "no mission 'nowhere'")
    _ok(cli(*db, "plan", "--time-limit", "2", "--pin", "onoki=pass-watch"))
    refused("pass-watch", "is planned", "not committed", "plan the board again")
    _ok(cli(*db, "approve", "pass-watch"))
    refused("pass-watch", "reason: say why", reason="  ")
    _ok(cli(*db, "approve", "river-ferry"))
    _ok(cli(*db, "dispatch", "river-ferry", "--at", "2026-06-02T08:00"))
    refused("river-ferry", "is dispatched", "in the field", "through its report")
    _ok(cli(*db, "clock", "set", "2026-06-02T23:00"))  # past both check-ins and the grace
    assert _status(cli, db, "river-ferry") == "overdue"
    refused("river-ferry", "is overdue", "send a rescue")
    _ok(cli(*db, "report", "river-ferry", write(tmp_path, "hurt.yaml", INJURED)))
    refused("river-ferry", "is closed", "it is over")
    _ok(
        cli(*db, "mission", "add", "--id", "tea", "--title", "Tea", "--rank", "D", "--route", "iwa")
    )
    _ok(cli(*db, "mission", "cancel", "tea", "--reason", "no tea"))
    refused("tea", "is cancelled", "called off")
    # The approved mission's window closes: it goes stale (its squad released then).
    _ok(cli(*db, "clock", "set", "2026-06-06T01:00"))
    assert _status(cli, db, "pass-watch") == "stale"
    refused("pass-watch", "is stale", "its window closed on 2026-06-05")


def test_a_recall_dated_past_the_clock_records_what_fell_due_first(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    db = _village(cli, db_url, tmp_path, STORY)
    plan = _json(cli(*db, "plan", "--time-limit", "2", "--pin", "onoki=pass-watch", "--json"))
    assert "pass-watch" in _squads(plan)
    _ok(cli(*db, "approve", "pass-watch"))  # river-ferry stays planned, leaving on the 2nd
    _ok(cli(*db, "recall", "pass-watch", "--reason", "a storm", "--at", "2026-06-04T09:30"))

    clock = _json(cli(*db, "clock", "--json"))
    assert isinstance(clock, dict) and clock["now"] == "2026-06-04T09:30:00"
    ferry = _events(cli, db, "river-ferry")[-1]
    assert ferry["kind"] == "mission.stale"  # its window closed on the way to the recall
    assert ferry["at"] == "2026-06-03T00:00:00"
    assert _status(cli, db, "river-ferry") == "stale"
    recall = _events(cli, db, "pass-watch")[-1]
    assert recall["kind"] == "mission.recalled" and recall["at"] == "2026-06-04T09:30:00"
    assert _status(cli, db, "pass-watch") == "assessed"


def test_the_recall_a_rescue_proposes_is_spelled_out_and_frees_the_rescue(
    cli: Cli, db_url: str, tmp_path: Path
) -> None:
    """SPEC section 12's `recall` (ino, on the approved patrol) becomes a command the game
    master can run; after it, the rescue obeys every order and goes without force."""
    lost = lost_squad(cli, db_url, tmp_path)
    patrol_takes_the_medic(cli, lost)
    told = _ok(cli("--db", lost, "overdue", "--at", LATE)).stdout
    assert "recall ino from patrol" in told
    assert "to recall: missiondesk recall patrol --reason TEXT" in told
    (squad,) = _json(cli("--db", lost, "overdue", "--at", LATE, "--json"))  # type: ignore[misc]
    assert squad["rescue"]["recall"] == [{"shinobi": "ino", "mission": "patrol"}]  # SPEC shape

    refused = cli("--db", lost, "rescue", LOST, "--at", LATE)
    assert refused.code == 2
    assert "missiondesk recall patrol --reason TEXT" in refused.stderr
    assert "missiondesk rescue lost --force --reason TEXT" in refused.stderr

    freed = _json(
        cli("--db", lost, "recall", "patrol", "--reason", "the lost squad first", "--json")
    )
    assert freed == {"mission": "patrol", "status": "assessed", "released": ["ino", "choji"]}
    assert "ino" not in committed(lost)
    sent = _json(cli("--db", lost, "rescue", LOST, "--at", LATE, "--json"))
    assert isinstance(sent, dict) and sent["forced"] is False and sent["breaks"] == []
    assert "ino" in [sent["leader"], *(m["shinobi"] for m in sent["members"])]
