"""The story of SPEC section 1, end to end through the command line on a fresh database."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from md_support import DEMO_VILLAGE, Result

Cli = Callable[..., Result]
SCROLL = "tani-scroll"
SHIKAMARU = "nara-shikamaru"


def test_the_scroll_mission_from_intake_to_report(cli: Cli, db_url: str, tmp_path: Path) -> None:
    def md(*args: object) -> Result:
        result = cli("--db", db_url, *args)
        assert result.code == 0, (args, result.stderr)
        return result

    def md_json(*args: object) -> object:
        return json.loads(md(*args, "--json").stdout)

    md("village", "import", DEMO_VILLAGE)

    # The Hokage's first choice breaks the standing orders once the risk is judged.
    first = md_json("check", SCROLL, "--squad", f"{SHIKAMARU},chiaki,mihoko")
    assert isinstance(first, dict)
    assert any("medic" in v["message"] for v in first["violations"])

    # When the mission looks too easy, it most likely is.
    a = md_json("assess", SCROLL)
    assert isinstance(a, dict)
    assert a["understated"] and a["declared_rank"] == "C" and a["effective_rank"] in ("A", "S")
    texts = " ".join(f["text"] for f in a["factors"])
    assert "Akatsuki" in texts and "Itachi" in texts
    assert any(b["ability"] == "sharingan" and "eyes" in b["advice"] for b in a["briefing"])

    # The planner's squad: a medic, at least three, a chunin or better leading.
    plan = md_json("plan", "--time-limit", "5", "--pin", f"{SHIKAMARU}={SCROLL}")
    assert isinstance(plan, dict)
    assert plan["objective"] <= plan["bound"]
    squad = next(s for s in plan["squads"] if s["mission"] == SCROLL)
    members = {m["shinobi"]: m for m in squad["members"]}  # the others (SPEC section 4)
    assert squad["leader"] not in members
    assert SHIKAMARU in members  # shield: he joins, he does not lead
    roles = [squad["leader_roles"], *(m["roles"] for m in squad["members"])]
    assert any("medic" in r for r in roles) and 1 + len(members) >= 3
    roster = {r["id"]: r for r in md_json("roster")}  # type: ignore[union-attr]
    assert roster[squad["leader"]]["rank"] in ("chunin", "special_jonin", "jonin", "kage")

    md("approve", SCROLL)
    md("dispatch", SCROLL, "--at", "2026-11-24T06:00")
    md("checkin", SCROLL, "--at", "2026-11-24T20:00", "--place", "tanigakure")
    overdue = md_json("overdue", "--at", "2026-11-25T18:00")
    assert isinstance(overdue, list) and overdue[0]["last_place"] == "tanigakure"
    rescue = overdue[0]["rescue"]
    assert any(
        "medic" in r for r in [rescue["leader_roles"], *(m["roles"] for m in rescue["members"])]
    )
    # Friends go out to find him: the proposal, sent.
    sent = md_json("rescue", SCROLL, "--at", "2026-11-25T18:00")
    assert isinstance(sent, dict) and sent["rescue_of"] == SCROLL
    assert (sent["leader"], sent["members"]) == (rescue["leader"], rescue["members"])
    found = tmp_path / "found.yaml"
    found.write_text(
        "returned: 2026-11-26T10:00\noutcome: success\nnotes: Found him; Sakura healed him.\n",
        encoding="utf-8",
    )
    md("report", sent["mission"], found)

    report = tmp_path / "report.yaml"
    report.write_text(
        f"""\
returned: 2026-11-26T10:00
outcome: failure
injuries:
  - {{shinobi: {SHIKAMARU}, severity: serious, recovery_days: 21}}
encounters:
  - {{threat: uchiha-itachi, place: tanigakure, at: 2026-11-25T15:00}}
objective_taken_by: uchiha-itachi
notes: Shikamaru held Itachi with his shadow; the others got away; the scroll was taken.
""",
        encoding="utf-8",
    )
    md("report", SCROLL, report)

    roster = {r["id"]: r for r in md_json("roster")}  # type: ignore[union-attr]
    assert roster[SHIKAMARU]["status"] == "injured"
    assert roster[SHIKAMARU]["available_from"] == "2026-12-17"
    watch = {w["shinobi"]: w for w in md_json("wellbeing")}  # type: ignore[union-attr]
    shield = next(f for f in watch[SHIKAMARU]["flags"] if f["kind"] == "shield")
    assert len(shield["evidence"]["missions"]) >= 3
    again = md_json("assess", SCROLL)
    assert isinstance(again, dict)
    assert next(t for t in again["threats"] if t["threat"] == "uchiha-itachi")["probability"] > 0.63
    kinds = [e["kind"] for e in md_json("timeline", SCROLL)]  # type: ignore[union-attr]
    for step in ("mission.planned", "mission.approved", "mission.dispatched", "checkin.missed"):
        assert step in kinds
    assert kinds[-1] == "mission.reported"


def test_demo_tells_the_whole_story(cli: Cli, sqlite_url: str) -> None:
    result = cli("--db", sqlite_url, "demo")
    assert result.code == 0, result.stderr
    out = result.stdout
    for beat in (
        "first choice",
        "judged A",
        "planner's squad",
        "medic",
        "overdue",
        "rescue",
        "The Hokage sends it: rescue-tani-scroll",
        "after-action report",
        "nara-shikamaru: serious injury",
        "shield",
    ):
        assert beat in out, beat
    # The demo reads true (issue 13): the cat stays D, the scroll turns A.
    board = {m["id"]: m for m in json.loads(cli("--db", sqlite_url, "board", "--json").stdout)}
    assert board["find-tora"]["effective_rank"] == "D"
    assert board["find-tora"]["judged_rank"] == "D"
    assert board["tani-scroll"]["judged_rank"] == "A"
