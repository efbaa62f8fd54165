"""Players over HTTP: a shinobi account volunteers as its own shinobi and withdraws;
as anyone else it is refused (403) and nothing changes; staff volunteer for anyone."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

OWN = "nara-shikamaru"  # the shinobi account's linked shinobi (tests/web/conftest.py)
URL = "/api/missions/tani-scroll/volunteer"


def _volunteers(client: TestClient, headers: dict[str, str]) -> list[str]:
    board = client.get("/api/board", headers=headers).json()
    return next(m["volunteers"] for m in board if m["id"] == "tani-scroll")


def test_a_player_volunteers_only_as_their_own_shinobi(client: TestClient, as_role: Any) -> None:
    player = as_role("shinobi")
    answer = client.post(URL, json={"shinobi": OWN}, headers=player)
    assert answer.status_code == 200, answer.text
    assert answer.json()["volunteers"] == [OWN]
    refused = client.post(URL, json={"shinobi": "rock-lee"}, headers=player)
    assert refused.status_code == 403
    assert "only as its own shinobi" in refused.json()["detail"]
    assert _volunteers(client, player) == [OWN]
    assert client.post(URL, json={"shinobi": "rock-lee"}, headers=as_role("commander")).is_success
    assert _volunteers(client, player) == [OWN, "rock-lee"]
    withdrawn = client.post(URL, json={"shinobi": OWN, "withdraw": True}, headers=player)
    assert withdrawn.json()["volunteers"] == ["rock-lee"]
    again = client.post(URL, json={"shinobi": OWN, "withdraw": True}, headers=player)
    assert again.status_code == 409
    assert "has not volunteered" in again.text


def test_viewers_may_not_volunteer(client: TestClient, as_role: Any) -> None:
    answer = client.post(URL, json={"shinobi": OWN}, headers=as_role("viewer"))
    assert answer.status_code == 403


def test_my_missions_page_and_the_volunteer_button(db: Any, password: str, as_role: Any) -> None:
    from test_web_roles import sign_in

    from missiondesk.web import create_app

    with TestClient(create_app(db, max_plan_seconds=1)) as client:
        csrf = sign_in(client, "shinobi", password)
        page = client.get("/missions/tani-scroll")
        assert f"Volunteer as {OWN}" in page.text
        sent = client.post(
            "/missions/tani-scroll/volunteer",
            data={"shinobi": OWN, "csrf_token": csrf},
            follow_redirects=False,
        )
        assert sent.status_code == 303, sent.text
        assert f"Withdraw {OWN}" in client.get("/missions/tani-scroll").text
        someone = client.post(
            "/missions/tani-scroll/volunteer",
            data={"shinobi": "rock-lee", "csrf_token": csrf},
            follow_redirects=False,
        )
        assert someone.status_code == 403
        mine = client.get("/me/missions")
        assert mine.status_code == 200
        assert "My missions" in mine.text and OWN in mine.text
        assert 'href="/missions/tani-scroll"' in mine.text  # volunteered for it
        assert client.get("/wellbeing").status_code == 403
