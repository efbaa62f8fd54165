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


def _with_ledger(db: Any) -> None:
    """The demo village again, with a reward on its ledger: rock-lee led, OWN was a member."""
    from missiondesk.domain.village import LedgerEntry
    from missiondesk.services import village as village_service

    village = village_service.export_village(db)
    paid = [
        ("village", None, 1200),
        ("leader", "rock-lee", 2400),
        ("member", OWN, 2400),
    ]
    ledger = [
        LedgerEntry.model_validate(
            {"at": "2026-11-20T10:00", "mission": "sasuke-retrieval", "outcome": "success",
             "share": share, "shinobi": who, "ryo": ryo}
        )
        for share, who, ryo in paid
    ]  # fmt: skip
    village = village.model_copy(update={"ledger": ledger})
    village_service.import_village_value(db, village, replace=True, actor="test", source="test")


def test_the_ledger_api_shows_staff_everyone_and_a_player_their_own(
    db: Any, client: TestClient, as_role: Any
) -> None:
    _with_ledger(db)
    staff = client.get("/api/ledger", headers=as_role("medic")).json()
    assert {r["shinobi"]: r["ryo"] for r in staff if r["ryo"]} == {"rock-lee": 2400, OWN: 2400}
    player = as_role("shinobi")
    mine = client.get("/api/ledger", headers=player)
    assert [r["shinobi"] for r in mine.json()] == [OWN] and mine.json()[0]["ryo"] == 2400
    assert client.get(f"/api/ledger?shinobi={OWN}", headers=player).json() == mine.json()
    other = client.get("/api/ledger?shinobi=rock-lee", headers=player)
    assert other.status_code == 403 and "only its own" in other.json()["detail"]
    everything = client.get("/api/ledger/payments", headers=as_role("viewer")).json()
    assert [(p["share"], p["shinobi"], p["ryo"]) for p in everything] == [
        ("village", None, 1200),
        ("leader", "rock-lee", 2400),
        ("member", OWN, 2400),
    ]
    own = client.get("/api/ledger/payments", headers=player).json()
    assert [(p["shinobi"], p["ryo"]) for p in own] == [(OWN, 2400)]
    assert client.get("/api/ledger/payments?shinobi=rock-lee", headers=player).status_code == 403


def test_the_ledger_page_for_staff_and_for_a_player(db: Any, password: str) -> None:
    from test_web_roles import sign_in

    from missiondesk.web import create_app

    _with_ledger(db)
    with TestClient(create_app(db, max_plan_seconds=1)) as client:
        sign_in(client, "commander", password)
        page = client.get("/ledger")
        assert page.status_code == 200
        assert "the village's takings 1,200 ryo" in page.text
        assert 'data-shinobi="rock-lee"' in page.text and "2,400" in page.text
        assert client.get("/ledger?shinobi=rock-lee").status_code == 200
    with TestClient(create_app(db, max_plan_seconds=1)) as client:
        sign_in(client, "shinobi", password)
        page = client.get("/ledger")
        assert page.status_code == 200
        assert f'data-shinobi="{OWN}"' in page.text
        assert 'data-shinobi="rock-lee"' not in page.text and "takings" not in page.text
        assert "the village" not in page.text.split('id="ledger-payments"')[1]
        assert client.get("/ledger?shinobi=rock-lee").status_code == 403
