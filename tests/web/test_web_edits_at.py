"""The API's edits are dated at their `at` as the lifecycle steps are (SPEC section 8): in
the body where the body is a request, `?at=` where it is a record, a file or nothing. One
later than the clock moves it; one too far ahead is refused with the field named, and
changes nothing."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient

MISSION = {
    "id": "tea-escort",
    "title": "Escort the tea merchant",
    "rank": "C",
    "route": ["konoha", "tanzaku-town", "konoha"],
    "window": {"earliest": "2026-11-30"},
}


def _clock(client: TestClient, staff: dict[str, str]) -> str:
    return str(client.get("/api/clock", headers=staff).json()["now"])[:16]


def _timeline(client: TestClient, staff: dict[str, str], mission: str) -> list[tuple[str, str]]:
    events = client.get(f"/api/missions/{mission}/timeline", headers=staff).json()
    return [(e["at"][:16], e["kind"]) for e in events]


def test_edits_over_the_api_are_dated_at_their_at(client: TestClient, as_role: Any) -> None:
    staff = as_role("commander")
    added = client.post("/api/missions?at=2026-11-23T09:00", json=MISSION, headers=staff)
    assert added.status_code == 201, added.text
    edited = client.patch(
        "/api/missions/tea-escort",
        json={"set": {"window.due": "2026-12-03"}, "at": "2026-11-23T10:00"},
        headers=staff,
    )
    assert edited.status_code == 200, edited.text
    cancelled = client.post(
        "/api/missions/tea-escort/cancel",
        json={"reason": "found other guards", "at": "2026-11-23T11:00"},
        headers=staff,
    )
    assert cancelled.status_code == 200, cancelled.text
    assert _timeline(client, staff, "tea-escort") == [
        ("2026-11-23T09:00", "mission.added"),
        ("2026-11-23T10:00", "mission.edited"),
        ("2026-11-23T11:00", "mission.cancelled"),
    ]
    shinobi = {"id": "kato-dan", "name": "Kato Dan", "rank": "jonin", "status": "available"}
    joined = client.post("/api/shinobi?at=2026-11-23T12:00", json=shinobi, headers=staff)
    assert joined.status_code == 201, joined.text
    renamed = client.patch(
        "/api/shinobi/kato-dan",
        json={"set": {"team": "dan"}, "at": "2026-11-23T13:00"},
        headers=staff,
    )
    assert renamed.status_code == 200, renamed.text
    oasis = b"format: missiondesk/village/v1\nplaces:\n  - {id: suna-oasis, name: The oasis}\n"
    applied = client.post(
        "/api/village/apply?at=2026-11-23T14:00",
        content=oasis,
        headers={**staff, "Content-Type": "application/yaml"},
    )
    assert applied.status_code == 200, applied.text
    assert _clock(client, staff) == "2026-11-23T14:00"
    removed = client.delete("/api/village/place/suna-oasis?at=2026-11-23T15:00", headers=staff)
    assert removed.status_code == 200, removed.text
    assert _clock(client, staff) == "2026-11-23T15:00"


def test_an_api_edit_too_far_ahead_is_refused_naming_at(client: TestClient, as_role: Any) -> None:
    staff = as_role("commander")
    before = (_clock(client, staff), client.get("/api/board", headers=staff).json())
    far = "2027-06-01T00:00"
    answers = [
        client.post(f"/api/missions?at={far}", json=MISSION, headers=staff),
        client.patch(
            "/api/missions/tani-scroll", json={"set": {"priority": 2}, "at": far}, headers=staff
        ),
        client.post(
            "/api/missions/tani-scroll/cancel", json={"reason": "why", "at": far}, headers=staff
        ),
        client.delete(f"/api/village/mission/tani-scroll?at={far}", headers=staff),
    ]
    for answer in answers:
        assert answer.status_code == 400, answer.text
        assert answer.json()["field"] == "at"
        assert "more than 60 days after the village clock" in answer.json()["detail"]
    zoned = client.patch(
        "/api/missions/tani-scroll",
        json={"set": {"priority": 2}, "at": "2026-11-24T06:00+02:00"},
        headers=staff,
    )
    assert zoned.status_code == 422
    assert (_clock(client, staff), client.get("/api/board", headers=staff).json()) == before
