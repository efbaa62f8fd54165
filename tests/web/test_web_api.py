"""Every API endpoint against the demo village: the story's scroll mission from the board to
its report, and the errors a client gets for bad input (4xx with `detail` and `field`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

DEMO_VILLAGE = Path(__file__).parents[2] / "src" / "missiondesk" / "data" / "konoha.yaml"

DEPART = "2026-11-24T06:00"


def plan_board(client: TestClient, as_role: Any, **body: Any) -> dict[str, Any]:
    answer = client.post("/api/plan", json={"time_limit": 2, **body}, headers=as_role("hokage"))
    assert answer.status_code == 200, answer.text
    plan: dict[str, Any] = answer.json()
    return plan


def squad_of(plan: dict[str, Any], mission: str) -> dict[str, Any]:
    return next(s for s in plan["squads"] if s["mission"] == mission)


def test_health_answers_without_an_account(client: TestClient) -> None:
    answer = client.get("/health")
    assert answer.status_code == 200
    assert answer.json()["status"] == "ok"


def test_board_and_roster_follow_the_cli_shapes(client: TestClient, as_role: Any) -> None:
    board = client.get("/api/board", headers=as_role("viewer")).json()
    assert {"id", "title", "rank", "effective_rank", "priority", "status"} <= set(board[0])
    assert {"judged_rank", "override"} <= set(board[0])
    assert "volunteers" in board[0]  # SPEC section 13
    assert "tani-scroll" in {row["id"] for row in board}
    roster = client.get("/api/roster", headers=as_role("viewer")).json()
    assert list(roster[0])[:5] == ["id", "name", "rank", "status", "available_from"]
    assert {"mission", "due_back", "missions_done", "ryo", "promotion"} <= set(roster[0])


def test_village_export_is_the_village_file(client: TestClient, as_role: Any) -> None:
    exported = client.get("/api/village", headers=as_role("viewer"))
    assert exported.status_code == 200
    assert exported.json()["format"] == "missiondesk/village/v2"
    assert exported.json()["roads"][0].keys() >= {"from", "to", "hours"}
    as_yaml = client.get("/api/village?format=yaml", headers=as_role("viewer"))
    assert as_yaml.headers["content-type"].startswith("application/yaml")
    assert as_yaml.text.startswith("format: missiondesk/village/v2")


def test_village_import_needs_replace_and_reports_lines(client: TestClient, as_role: Any) -> None:
    body = DEMO_VILLAGE.read_bytes()
    headers = {**as_role("commander"), "Content-Type": "application/yaml"}
    refused = client.post("/api/village", content=body, headers=headers)
    assert refused.status_code == 400
    assert "replace" in refused.json()["detail"]
    replaced = client.post("/api/village?replace=true", content=body, headers=headers)
    assert replaced.status_code == 200, replaced.text
    assert replaced.json()["replaced"] is True
    broken = body.replace(b"rank: chunin", b"rank: chuunin", 1)
    bad = client.post("/api/village?replace=true", content=broken, headers=headers)
    assert bad.status_code == 422
    problem = bad.json()["problems"][0]
    assert problem["line"] and problem["field"].endswith(".rank")
    assert bad.json()["field"] == problem["field"]


def test_village_import_takes_json(client: TestClient, as_role: Any) -> None:
    exported = client.get("/api/village", headers=as_role("viewer")).json()
    answer = client.post("/api/village?replace=true", json=exported, headers=as_role("hokage"))
    assert answer.status_code == 200, answer.text
    assert answer.json()["shinobi"] == len(exported["shinobi"])


def test_assessment_of_the_scroll_mission_is_raised(client: TestClient, as_role: Any) -> None:
    answer = client.get("/api/missions/tani-scroll/assessment", headers=as_role("viewer"))
    assert answer.status_code == 200
    assessment = answer.json()
    assert assessment["declared_rank"] == "C"
    assert assessment["understated"] is True
    assert any(t["threat"] == "uchiha-itachi" for t in assessment["threats"])
    assert assessment["briefing"]


def test_assess_all_marks_the_board_assessed(client: TestClient, as_role: Any) -> None:
    answer = client.post("/api/assess", headers=as_role("commander"))
    assert answer.status_code == 200
    assert "tani-scroll" in {a["mission"] for a in answer.json()}
    board = client.get("/api/board", headers=as_role("viewer")).json()
    scroll = next(row for row in board if row["id"] == "tani-scroll")
    assert scroll["status"] == "assessed" and scroll["effective_rank"] != "C"


def test_plan_puts_a_medic_on_the_scroll_squad(client: TestClient, as_role: Any) -> None:
    plan = plan_board(client, as_role)
    assert {"status", "objective", "bound", "squads", "unstaffed"} <= set(plan)
    squad = squad_of(plan, "tani-scroll")
    assert any("medic" in m["roles"] for m in squad["members"] if m["shinobi"] != squad["leader"])
    assert (
        client.get("/api/plan", headers=as_role("viewer")).json()["objective"] == plan["objective"]
    )
    detail = client.get("/api/missions/tani-scroll", headers=as_role("viewer")).json()
    assert detail["mission"]["status"] == "planned"
    assert [m["shinobi"] for m in detail["squad"] if m["leader"]] == [squad["leader"]]


def test_plan_with_a_forbid_keeps_the_person_off(client: TestClient, as_role: Any) -> None:
    first = squad_of(plan_board(client, as_role), "tani-scroll")
    medic = next(m["shinobi"] for m in first["members"] if "medic" in m["roles"])
    again = plan_board(client, as_role, forbids=[{"shinobi": medic, "mission": "tani-scroll"}])
    members = {m["shinobi"] for s in again["squads"] if s["mission"] == "tani-scroll"
               for m in s["members"]}  # fmt: skip
    assert medic not in members


def test_pins_and_forbids_are_for_the_hokage(client: TestClient, as_role: Any) -> None:
    body = {"time_limit": 1, "forbids": [{"shinobi": "nara-shikamaru"}]}
    answer = client.post("/api/plan", json=body, headers=as_role("commander"))
    assert answer.status_code == 403
    plain = client.post("/api/plan", json={"time_limit": 1}, headers=as_role("commander"))
    assert plain.status_code == 200


def test_the_scroll_mission_from_approval_to_report(client: TestClient, as_role: Any) -> None:
    squad = squad_of(plan_board(client, as_role), "tani-scroll")
    approved = client.post("/api/missions/tani-scroll/approve", headers=as_role("hokage"))
    assert approved.status_code == 200, approved.text
    assert approved.json()["status"] == "approved"
    dispatched = client.post(
        "/api/missions/tani-scroll/dispatch", json={"at": DEPART}, headers=as_role("commander")
    )
    assert dispatched.status_code == 200, dispatched.text
    assert dispatched.json()["checkins_due"]

    late = client.get("/api/overdue?at=2026-11-26T12:00", headers=as_role("viewer")).json()
    assert [o["mission"] for o in late] == ["tani-scroll"]
    rescue = late[0]["rescue"]
    assert rescue["leader"] and rescue["reasons"]
    # A viewer's look changed nothing; time passing records the missed check-in.
    moved = client.post(
        "/api/clock/set", json={"time": "2026-11-26T12:00"}, headers=as_role("commander")
    )
    assert moved.status_code == 200, moved.text
    assert "checkin.missed" in [r["kind"] for r in moved.json()["recorded"]]

    checked = client.post(
        "/api/missions/tani-scroll/checkin",
        json={"at": "2026-11-26T13:00", "place": "tanigakure"},
        headers=as_role("commander"),
    )
    assert checked.status_code == 200, checked.text
    assert checked.json()["status"] == "dispatched"

    report = {
        "outcome": "partial",
        "returned": "2026-11-27T18:00",
        "injuries": [{"shinobi": squad["leader"], "severity": "serious", "recovery_days": 21}],
        "encounters": [
            {"threat": "uchiha-itachi", "place": "tanigakure", "at": "2026-11-26T20:00"}
        ],
        "objective_taken_by": "uchiha-itachi",
        "notes": "The genin escaped; the scroll did not.",
    }
    filed = client.post("/api/missions/tani-scroll/report", json=report, headers=as_role("medic"))
    assert filed.status_code == 200, filed.text
    assert filed.json()["outcome"] == "partial"
    assert filed.json()["sightings_added"] == 1

    kinds = [
        e["kind"]
        for e in client.get("/api/missions/tani-scroll/timeline", headers=as_role("viewer")).json()
    ]
    for kind in ("mission.approved", "mission.dispatched", "checkin.missed", "mission.reported"):
        assert kind in kinds
    again = client.post("/api/missions/tani-scroll/report", json=report, headers=as_role("medic"))
    assert again.status_code == 409


def test_a_shinobi_checks_in_only_on_their_own_mission(
    client: TestClient, as_role: Any, db: Any
) -> None:
    from missiondesk.services import accounts

    squad = squad_of(plan_board(client, as_role), "tani-scroll")
    client.post("/api/missions/tani-scroll/approve", headers=as_role("hokage"))
    client.post(
        "/api/missions/tani-scroll/dispatch", json={"at": DEPART}, headers=as_role("hokage")
    )
    member = squad["members"][-1]["shinobi"]
    created = client.post(
        "/api/accounts",
        json={"name": "member", "role": "shinobi", "shinobi": member},
        headers=as_role("hokage"),
    )
    assert created.status_code == 201, created.text
    assert created.json()["password"]
    token = accounts.issue_token(db, "member", "api")
    own = client.post(
        "/api/missions/tani-scroll/checkin",
        json={"at": "2026-11-24T19:00"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert own.status_code == 200, own.text
    if "nara-shikamaru" not in {m["shinobi"] for m in squad["members"]}:
        other = client.post(
            "/api/missions/tani-scroll/checkin",
            json={"at": "2026-11-24T20:00"},
            headers=as_role("shinobi"),
        )
        assert other.status_code == 403


def test_wellbeing_flags_and_a_medic_clears_one(client: TestClient, as_role: Any) -> None:
    flagged = client.get("/api/wellbeing?flagged=true", headers=as_role("medic")).json()
    shikamaru = next(w for w in flagged if w["shinobi"] == "nara-shikamaru")
    assert "shield" in {f["kind"] for f in shikamaru["flags"]}
    body = {"shinobi": "nara-shikamaru", "kind": "shield"}
    cleared = client.post("/api/wellbeing/clear", json=body, headers=as_role("medic"))
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["by"] == "medic"
    twice = client.post("/api/wellbeing/clear", json=body, headers=as_role("medic"))
    assert twice.status_code == 400
    assert twice.json()["field"] == "kind"


def test_bingo_book_endpoints(client: TestClient, as_role: Any) -> None:
    book = client.get("/api/bingo-book", headers=as_role("viewer")).json()
    for part in ("threats", "sightings", "places", "roads"):
        answer = client.get(f"/api/bingo-book/{part}", headers=as_role("viewer"))
        assert answer.status_code == 200
        assert answer.json() == book[part]
    assert "uchiha-itachi" in {t["id"] for t in book["threats"]}


def test_accounts_listed_and_created_by_the_hokage(client: TestClient, as_role: Any) -> None:
    names = {a["name"] for a in client.get("/api/accounts", headers=as_role("hokage")).json()}
    assert names == {"hokage", "commander", "medic", "shinobi", "viewer"}
    body = {"name": "asuma", "role": "commander", "password": "a long password"}
    made = client.post("/api/accounts", json=body, headers=as_role("hokage"))
    assert made.status_code == 201
    assert made.json()["password"] is None
    assert client.post("/api/accounts", json=body, headers=as_role("hokage")).status_code == 409
    me = client.get("/api/me", headers=as_role("shinobi")).json()
    assert me == {**me, "name": "shinobi", "role": "shinobi", "shinobi": "nara-shikamaru"}


def test_errors_are_json_with_the_field(client: TestClient, as_role: Any) -> None:
    missing = client.get("/api/missions/no-such/assessment", headers=as_role("viewer"))
    assert missing.status_code == 404
    assert missing.json() == {"detail": missing.json()["detail"], "field": "mission"}
    early = client.post("/api/missions/tani-scroll/approve", headers=as_role("hokage"))
    assert early.status_code == 409
    bad_time = client.post(
        "/api/missions/tani-scroll/dispatch", json={"at": "soon"}, headers=as_role("hokage")
    )
    assert bad_time.status_code == 422
    assert bad_time.json()["field"] == "at"
    far = client.post(
        "/api/missions/tani-scroll/dispatch", json={"at": "9999-12-31T23:59"},
        headers=as_role("hokage"),
    )  # fmt: skip
    assert far.status_code == 422
    no_token = client.get("/api/board")
    assert no_token.status_code == 401
    assert no_token.headers["www-authenticate"] == "Bearer"
    wrong = client.get("/api/board", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401


def test_openapi_schema_documents_the_answers(client: TestClient, as_role: Any) -> None:
    schema = client.get("/api/openapi.json", headers=as_role("viewer")).json()
    board = schema["paths"]["/api/board"]["get"]["responses"]["200"]
    assert "BoardRow" in str(board)
    assert "Plan" in str(schema["paths"]["/api/plan"]["post"]["responses"]["200"])
    assert client.get("/api/openapi.json").status_code == 401
