"""Overruling the judged rank over HTTP: the API and the form on the mission page."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from test_web_roles import sign_in

from missiondesk.web import create_app


def test_a_commander_overrules_and_clears_the_rank_through_the_api(
    client: TestClient, as_role: Any
) -> None:
    answer = client.post(
        "/api/missions/find-tora/override",
        json={"rank": "C", "reason": "the cat scratches"},
        headers=as_role("commander"),
    )
    assert answer.status_code == 200, answer.text
    assessment = answer.json()
    assert assessment["effective_rank"] == "C" and assessment["judged_rank"] == "D"
    assert assessment["override"]["by"] == "commander"
    board = client.get("/api/board", headers=as_role("viewer")).json()
    tora = next(row for row in board if row["id"] == "find-tora")
    assert tora["effective_rank"] == "C" and tora["override"]["reason"] == "the cat scratches"
    timeline = client.get("/api/missions/find-tora/timeline", headers=as_role("viewer")).json()
    assert timeline[-1]["kind"] == "mission.rank_overridden"
    assert timeline[-1]["actor"] == "commander"
    cleared = client.delete("/api/missions/find-tora/override", headers=as_role("hokage"))
    assert cleared.status_code == 200 and cleared.json()["override"] is None


def test_bad_override_requests_name_the_field_and_change_nothing(
    client: TestClient, as_role: Any
) -> None:
    before = client.get("/api/board", headers=as_role("viewer")).json()
    for body, field in (
        ({"rank": "SS", "reason": "why"}, "rank"),
        ({"rank": "B", "reason": " "}, "reason"),
        ({"rank": "B"}, "reason"),
    ):
        answer = client.post(
            "/api/missions/find-tora/override", json=body, headers=as_role("hokage")
        )
        assert answer.status_code in (400, 422), answer.text
        assert answer.json()["field"] == field
    unknown = client.post(
        "/api/missions/no-such/override", json={"rank": "B", "reason": "why"},
        headers=as_role("hokage"),
    )  # fmt: skip
    assert unknown.status_code == 404 and unknown.json()["field"] == "mission"
    assert client.get("/api/board", headers=as_role("viewer")).json() == before


def test_the_mission_page_offers_the_form_to_staff_only(db: Any, password: str) -> None:
    with TestClient(create_app(db, max_plan_seconds=1)) as client:
        csrf = sign_in(client, "commander", password)
        page = client.get("/missions/tani-scroll").text
        assert 'action="/missions/tani-scroll/override"' in page
        assert "sighting: uchiha-itachi at Tanigakure, 1 day old" in page
        answer = client.post(
            "/missions/tani-scroll/override",
            data={"rank": "S", "reason": "Akatsuki is moving", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert answer.status_code == 303, answer.text
        page = client.get("/missions/tani-scroll").text
        assert "overruled to S" in page and "Akatsuki is moving" in page
        assert "judged A" in page
        board = client.get("/").text
        assert "overruled" in board and "judged A" in board
    with TestClient(create_app(db, max_plan_seconds=1)) as client:
        sign_in(client, "viewer", password)
        page = client.get("/missions/tani-scroll").text
        assert 'action="/missions/tani-scroll/override"' not in page
        assert "overruled to S" in page
