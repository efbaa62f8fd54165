"""Recall over HTTP: `POST /api/missions/{id}/recall` and the mission page's form, through
the same service as `missiondesk recall`, for the roles that may approve."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

from missiondesk.services import lifecycle, planning
from missiondesk.store.database import Database

MISSION = "tani-scroll"


def _approved(db: Database) -> list[str]:
    planning.plan(db, actor="test", time_limit=2)
    return lifecycle.approve(db, MISSION, actor="test").squad


def _roster_missions(client: TestClient, as_role: Any) -> dict[str, str | None]:
    roster = client.get("/api/roster", headers=as_role("viewer")).json()
    return {r["id"]: r["mission"] for r in roster}


def test_the_api_recalls_an_approved_squad_for_the_hokage_only(
    client: TestClient, as_role: Any, db: Database
) -> None:
    squad = _approved(db)
    path = f"/api/missions/{MISSION}/recall"
    denied = client.post(path, json={"reason": "hurt"}, headers=as_role("commander"))
    assert denied.status_code == 403
    empty = client.post(path, json={"reason": " "}, headers=as_role("hokage"))
    assert empty.status_code == 400 and empty.json()["field"] == "reason"
    assert all(_roster_missions(client, as_role)[s] == MISSION for s in squad)

    recalled = client.post(
        path,
        json={"reason": "the leader is hurt", "at": "2026-11-23T10:00"},
        headers=as_role("hokage"),
    )
    assert recalled.status_code == 200, recalled.text
    assert recalled.json() == {"mission": MISSION, "status": "assessed", "released": squad}
    assert all(_roster_missions(client, as_role)[s] is None for s in squad)
    events = client.get(f"/api/missions/{MISSION}/timeline", headers=as_role("viewer")).json()
    assert events[-1]["kind"] == "mission.recalled"
    assert events[-1]["at"] == "2026-11-23T10:00:00"
    assert events[-1]["before"] == {"status": "approved", "squad": squad}
    again = client.post(path, json={"reason": "twice"}, headers=as_role("hokage"))
    assert again.status_code == 409 and "is assessed" in again.json()["detail"]


def _sign_in(client: TestClient, name: str, password: str) -> str:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token.group(1), "next": "/"},
    )
    csrf = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/").text)
    assert csrf is not None
    return csrf.group(1)


def test_the_mission_page_recall_form(client: TestClient, db: Database, password: str) -> None:
    squad = _approved(db)
    csrf = _sign_in(client, "commander", password)
    assert 'id="recall-form"' not in client.get(f"/missions/{MISSION}").text  # may not approve
    csrf = _sign_in(client, "hokage", password)
    page = client.get(f"/missions/{MISSION}").text
    assert 'id="recall-form"' in page
    assert f'action="/missions/{MISSION}/recall"' in page

    sent = client.post(
        f"/missions/{MISSION}/recall",
        data={"csrf_token": csrf, "reason": "the leader is hurt"},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    assert sent.headers["location"] == f"/missions/{MISSION}"
    page = client.get(f"/missions/{MISSION}").text
    assert 'id="recall-form"' not in page  # assessed now: nothing to recall
    assert "status-assessed" in page
    assert "“the leader is hurt” (released " + ", ".join(squad) + ")" in page
