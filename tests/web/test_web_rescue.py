"""The rescue over HTTP: the API route answers SPEC section 12's shape, the lost mission's
detail lists the rescue and its report, a second rescue is a conflict (409), and the
mission page's form sends a rule-breaking rescue only with a reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from test_web_api import DEPART, plan_board
from test_web_roles import sign_in

from missiondesk.services import accounts as account_service
from missiondesk.services import clock, lifecycle
from missiondesk.services.village import import_village
from missiondesk.store.database import Database
from missiondesk.web import create_app
from operations.rescue_support import LOST, LOST_SQUAD, VILLAGE, plant_squad

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


def test_a_forced_rescue_from_the_mission_page_logs_the_reason(
    tmp_path: Path, password: str
) -> None:
    """The small rescue village with its only free medic approved onto the patrol: the
    page shows what the least-broken squad breaks and whom a recall frees, and its form
    sends it anyway with the reason given."""
    db = Database(f"sqlite:///{tmp_path / 'village.sqlite'}")
    path = tmp_path / "village.yaml"
    path.write_text(VILLAGE, encoding="utf-8")
    import_village(db, path, actor="test")
    account_service.add_user(db, "hokage", "hokage", password, actor="test")
    plant_squad(db.url, LOST, LOST_SQUAD)
    lifecycle.approve(db, LOST, actor="test")
    departed = clock.read_clock(db).now + dt.timedelta(hours=6)
    lifecycle.dispatch(db, LOST, actor="test", at=departed)
    plant_squad(db.url, "patrol", ("ino", "choji"))
    lifecycle.approve(db, "patrol", actor="test")
    clock.set_clock(db, departed + dt.timedelta(days=2), actor="test")  # the squad went quiet
    with TestClient(create_app(db, max_plan_seconds=1)) as client:
        csrf = sign_in(client, "hokage", password)
        page = client.get(f"/missions/{LOST}").text
        assert "rescue-medic" in page and "rescue-three-strong" in page
        assert "ino from" in page and "Reason to break the orders" in page
        refused = client.post(
            f"/missions/{LOST}/rescue", data={"csrf_token": csrf}, follow_redirects=False
        )
        assert refused.status_code == 409 and "rescue-medic" in refused.text
        sent = client.post(
            f"/missions/{LOST}/rescue",
            data={"csrf_token": csrf, "force": "1", "reason": "the patrol can wait"},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        page = client.get(f"/missions/{LOST}").text
        assert "Sent against the standing orders: the patrol can wait" in page
    db.dispose()
