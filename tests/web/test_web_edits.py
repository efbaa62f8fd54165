"""Edits over the API and through the pages' forms, against the demo village: the same
service functions as the command line, answering 4xx with the field named on bad input."""

from __future__ import annotations

import re
from typing import Any

from fastapi.testclient import TestClient

MISSION = {
    "id": "tea-escort",
    "title": "Escort the tea merchant",
    "rank": "C",
    "client": {"name": "The tea merchant", "min_team_size": 2},
    "objective": {"tags": ["escort"]},
    "route": ["konoha", "tanzaku-town", "konoha"],
    "window": {"earliest": "2026-11-30"},
}


def board_status(client: TestClient, as_role: Any, mission: str) -> str:
    rows = client.get("/api/board", headers=as_role("viewer")).json()
    return str(next(r["status"] for r in rows if r["id"] == mission))


def test_missions_are_added_edited_and_cancelled(client: TestClient, as_role: Any) -> None:
    staff = as_role("commander")
    added = client.post("/api/missions", json=MISSION, headers=staff)
    assert added.status_code == 201, added.text
    assert added.json()["status"] == "intake"
    again = client.post("/api/missions", json=MISSION, headers=staff)
    assert again.status_code == 409 and again.json()["field"] == "id"

    edited = client.patch(
        "/api/missions/tea-escort",
        json={"set": {"window.due": "2026-12-03", "route": ["konoha", "tanzaku-town"]}},
        headers=staff,
    )
    assert edited.status_code == 200, edited.text
    assert edited.json()["changed"] == ["route", "window"]
    detail = client.get("/api/missions/tea-escort", headers=as_role("viewer")).json()
    assert detail["mission"]["window"]["due"] == "2026-12-03"

    bad = client.patch(
        "/api/missions/tea-escort", json={"set": {"priority": "high"}}, headers=staff
    )
    assert bad.status_code == 400
    assert bad.json()["field"] == "priority" and "Input should" not in bad.json()["detail"]

    no_reason = client.post("/api/missions/tea-escort/cancel", json={"reason": ""}, headers=staff)
    assert no_reason.status_code == 400 and no_reason.json()["field"] == "reason"
    cancelled = client.post(
        "/api/missions/tea-escort/cancel", json={"reason": "found other guards"}, headers=staff
    )
    assert cancelled.status_code == 200, cancelled.text
    assert board_status(client, as_role, "tea-escort") == "cancelled"
    kinds = [
        e["kind"] for e in client.get("/api/missions/tea-escort/timeline", headers=staff).json()
    ]
    assert kinds == ["mission.added", "mission.edited", "mission.cancelled"]


def test_bad_mission_names_every_field(client: TestClient, as_role: Any) -> None:
    body = {**MISSION, "rank": "E", "priority": 9, "route": ["konoha", "atlantis"]}
    answer = client.post("/api/missions", json=body, headers=as_role("hokage"))
    assert answer.status_code == 400
    detail = answer.json()["detail"]
    assert "rank: 'E' is not a mission rank" in detail
    assert "priority: must be at most 5" in detail
    unknown_place = client.post(
        "/api/missions", json={**MISSION, "route": ["atlantis"]}, headers=as_role("hokage")
    )
    assert unknown_place.status_code == 400
    assert unknown_place.json()["field"] == "route[0]"


def test_shinobi_and_sightings(client: TestClient, as_role: Any) -> None:
    staff = as_role("hokage")
    added = client.post(
        "/api/shinobi",
        json={
            "name": "Yakumo Kurama",
            "rank": "genin",
            "skills": {"taijutsu": 5},
            "status": "available",
        },
        headers=staff,
    )
    assert added.status_code == 201, added.text
    assert added.json()["id"] == "yakumo-kurama"
    edited = client.patch(
        "/api/shinobi/yakumo-kurama", json={"set": {"skills.medical": "1"}}, headers=staff
    )
    assert edited.status_code == 200 and edited.json()["changed"] == ["skills"]
    hurt = client.patch(
        "/api/shinobi/yakumo-kurama", json={"set": {"status": "injured"}}, headers=staff
    )
    assert hurt.status_code == 400 and "available_from" in hurt.json()["detail"]

    seen = client.post(
        "/api/sightings",
        json={"threat": "uchiha-itachi", "place": "kusagakure", "confidence": 0.5},
        headers=staff,
    )
    assert seen.status_code == 201, seen.text
    nowhere = client.post(
        "/api/sightings",
        json={"threat": "uchiha-itachi", "place": "atlantis", "confidence": 0.5},
        headers=staff,
    )
    assert nowhere.status_code == 400 and nowhere.json()["field"] == "place"


def test_apply_and_remove(client: TestClient, as_role: Any) -> None:
    staff = as_role("commander")
    patch = (
        b"format: missiondesk/village/v1\n"
        b"places:\n  - {id: suna-oasis, name: The oasis}\n"
        b"roads:\n  - {from: suna-oasis, to: sunagakure, hours: 3}\n"
    )
    headers = {**staff, "Content-Type": "application/yaml"}
    dry = client.post("/api/village/apply?dry_run=true", content=patch, headers=headers)
    assert dry.status_code == 200, dry.text
    assert [a["kind"] for a in dry.json()["added"]] == ["place", "road"]
    places = client.get("/api/bingo-book/places", headers=staff).json()
    assert "suna-oasis" not in {p["id"] for p in places}
    done = client.post("/api/village/apply", content=patch, headers=headers)
    assert done.status_code == 200 and done.json() == dry.json()

    broken = client.post(
        "/api/village/apply",
        content=patch.replace(b"to: sunagakure", b"to: atlantis"),
        headers=headers,
    )
    assert broken.status_code == 422
    assert broken.json()["problems"][0]["line"] == 5

    roster = (
        b"id,name,rank,team,status,available_from,medical\nkato-dan,Kato Dan,jonin,,available,,2\n"
    )
    csv = client.post(
        "/api/village/apply", content=roster, headers={**staff, "Content-Type": "text/csv"}
    )
    assert csv.status_code == 200 and csv.json()["added"] == [{"kind": "shinobi", "id": "kato-dan"}]

    refused = client.delete("/api/village/place/suna-oasis", headers=staff)
    assert refused.status_code == 409 and "suna-oasis/sunagakure" in refused.json()["detail"]
    assert (
        client.delete("/api/village/road/suna-oasis/sunagakure", headers=staff).status_code == 200
    )
    assert client.delete("/api/village/place/suna-oasis", headers=staff).status_code == 200


def sign_in(client: TestClient, name: str, password: str) -> str:
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


def test_the_edit_forms(client: TestClient, as_role: Any, password: str) -> None:
    csrf = sign_in(client, "commander", password)
    page = client.get("/missions/find-tora")
    assert 'id="edit-mission-form"' in page.text and 'id="cancel-mission-form"' in page.text
    form = {
        "csrf_token": csrf,
        "title": "Find Tora again",
        "rank": "D",
        "priority": "",
        "kind": "",
        "reward_ryo": "",
        "client_name": "",
        "min_team_size": "",
        "route": "konoha",
        "tags": "",
        "earliest": "",
        "due": "",
    }
    saved = client.post("/missions/find-tora/edit", data=form, follow_redirects=False)
    assert saved.status_code == 303, saved.text
    assert "Find Tora again" in client.get("/missions/find-tora").text

    shinobi = client.get("/shinobi/nobody-at-all")
    assert shinobi.status_code == 404
    page = client.get("/shinobi/tenten")
    assert 'id="edit-shinobi-form"' in page.text
    changed = client.post(
        "/shinobi/tenten/edit",
        data={
            "csrf_token": csrf,
            "name": "Tenten",
            "rank": "chunin",
            "status": "available",
            "available_from": "",
            "team": "team-gai",
            "skills": "taijutsu=3, stealth=2",
            "techniques": "twin-rising-dragons",
        },
        follow_redirects=False,
    )
    assert changed.status_code == 303, changed.text
    roster = {r["id"]: r for r in client.get("/api/roster", headers=as_role("viewer")).json()}
    assert roster["tenten"]["rank"] == "chunin"

    viewer = client.get("/missions/find-tora", headers=as_role("viewer"))
    assert viewer.status_code == 200


def test_each_edit_form_goes_back_to_the_page_of_what_it_changed(
    client: TestClient, password: str
) -> None:
    csrf = sign_in(client, "commander", password)

    def post(path: str, **form: str) -> str:
        answer = client.post(path, data={"csrf_token": csrf, **form}, follow_redirects=False)
        assert answer.status_code == 303, (path, answer.text)
        return answer.headers["location"]

    new = {"id": "tea-escort", "title": "Escort the tea merchant", "rank": "C"}
    assert post("/missions/new", **new, route="konoha, tanzaku-town") == "/missions/tea-escort"
    edit = {"title": "Tea", "rank": "C", "route": "konoha, tanzaku-town"}
    assert post("/missions/tea-escort/edit", **edit) == "/missions/tea-escort"
    assert post("/missions/tea-escort/cancel", reason="no tea") == "/missions/tea-escort"
    tenten = {"name": "Tenten", "rank": "genin", "status": "available", "skills": "taijutsu=3"}
    assert post("/shinobi/tenten/edit", **tenten) == "/shinobi/tenten"
    seen = {"threat": "jirobo", "place": "konoha", "confidence": "0.5", "at": "2026-11-20T10:00"}
    assert post("/sightings", **seen) == "/bingo-book"
    # A refused edit answers with the error page, not a way back.
    refused = client.post(
        "/missions/tea-escort/cancel", data={"csrf_token": csrf, "reason": "again"}
    )
    assert refused.status_code == 409 and "already cancelled" in refused.text
