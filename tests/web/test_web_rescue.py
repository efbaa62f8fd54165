"""The rescue over HTTP: the API route answers SPEC section 12's shape, the lost mission's
detail lists the rescue and its report, and a second rescue is a conflict (409)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from test_web_api import DEPART, plan_board

LATE = "2026-11-25T03:00"  # the first check-in at Tanigakure was due by 02:00


def dispatched(client: TestClient, as_role: Any) -> None:
    plan_board(client, as_role)
    assert client.post("/api/missions/tani-scroll/approve", headers=as_role("hokage")).is_success
    assert client.post(
        "/api/missions/tani-scroll/dispatch", json={"at": DEPART}, headers=as_role("commander")
    ).is_success


def test_a_commander_sends_the_rescue_and_the_lost_mission_shows_it(
    client: TestClient, as_role: Any
) -> None:
    dispatched(client, as_role)
    answer = client.post(
        "/api/missions/tani-scroll/rescue", json={"at": LATE}, headers=as_role("commander")
    )
    assert answer.status_code == 200, answer.text
    sent = answer.json()
    assert {"mission", "rescue_of", "leader", "members", "departs", "checkins"} <= set(sent)
    assert sent["mission"] == "rescue-tani-scroll" and sent["rescue_of"] == "tani-scroll"
    assert [c["place"] for c in sent["checkins"]] == ["tanigakure", "konoha"]

    report = {
        "outcome": "success",
        "returned": "2026-11-26T09:00",
        "notes": "Found Shikaku's squad in the hills; all alive.",
    }
    filed = client.post(
        "/api/missions/rescue-tani-scroll/report", json=report, headers=as_role("medic")
    )
    assert filed.status_code == 200, filed.text
    detail = client.get("/api/missions/tani-scroll", headers=as_role("viewer")).json()
    (rescue,) = detail["rescues"]
    assert rescue["mission"] == "rescue-tani-scroll" and rescue["status"] == "closed"
    assert rescue["leader"] == sent["leader"]
    assert rescue["outcome"] == "success" and rescue["notes"].startswith("Found")
    rescuer = client.get("/api/missions/rescue-tani-scroll", headers=as_role("viewer")).json()
    assert rescuer["rescue_of"] == "tani-scroll"
    assert rescuer["mission"]["kind"] == "rescue"


def test_a_second_rescue_is_a_conflict_and_bad_input_is_named(
    client: TestClient, as_role: Any
) -> None:
    dispatched(client, as_role)
    early = client.post(
        "/api/missions/tani-scroll/rescue",
        json={"at": "2026-11-24T12:00"},
        headers=as_role("hokage"),
    )
    assert early.status_code == 409 and "is not overdue" in early.json()["detail"]
    forced = client.post(
        "/api/missions/tani-scroll/rescue",
        json={"at": LATE, "force": True},
        headers=as_role("hokage"),
    )
    assert forced.status_code == 400 and forced.json()["field"] == "reason"
    first = client.post(
        "/api/missions/tani-scroll/rescue", json={"at": LATE}, headers=as_role("hokage")
    )
    assert first.status_code == 200, first.text
    second = client.post(
        "/api/missions/tani-scroll/rescue", json={"at": LATE}, headers=as_role("hokage")
    )
    assert second.status_code == 409 and "already on its way" in second.json()["detail"]
