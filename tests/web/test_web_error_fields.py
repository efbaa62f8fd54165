"""The API words a service's refusal with its own names: the JSON key, never a CLI option."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient


def test_an_unknown_pinned_shinobi_is_refused_naming_the_json_key(
    client: TestClient, as_role: Any
) -> None:
    body = {"time_limit": 1, "pins": [{"shinobi": "nobody", "mission": "tani-scroll"}]}
    answer = client.post("/api/plan", json=body, headers=as_role("hokage"))
    assert answer.status_code == 400
    assert answer.json() == {"detail": "pins: no shinobi 'nobody' on the roster", "field": "pins"}


def test_a_request_out_of_range_is_refused_in_plain_words(client: TestClient, as_role: Any) -> None:
    answer = client.post("/api/plan", json={"time_limit": 0}, headers=as_role("hokage"))
    assert answer.status_code == 422
    assert answer.json() == {
        "detail": "time_limit: must be more than 0, not 0",
        "field": "time_limit",
    }
