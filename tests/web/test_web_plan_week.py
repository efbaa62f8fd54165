"""The plan over time through the API and on the plan page: each squad's departure and
return, and the bench of idle shinobi with their reasons (SPEC section 9)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient


def test_plan_api_and_page_show_departures_returns_and_the_bench(
    client: TestClient, as_role: Any, password: str
) -> None:
    answer = client.post("/api/plan", json={"time_limit": 2}, headers=as_role("hokage"))
    assert answer.status_code == 200, answer.text
    plan = answer.json()
    assert plan["squads"]
    for squad in plan["squads"]:
        departs = dt.datetime.fromisoformat(squad["departs"])
        assert dt.datetime.fromisoformat(squad["returns"]) > departs
    assert plan["bench"], "the demo village leaves some shinobi idle"
    assert all(b["shinobi"] and b["reason"] for b in plan["bench"])
    stored = client.get("/api/plan", headers=as_role("viewer")).json()
    assert stored["bench"] == plan["bench"]
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    client.post(
        "/login",
        data={"name": "viewer", "password": password, "csrf_token": token.group(1), "next": "/"},
    )
    page = client.get("/plan")
    assert page.status_code == 200
    first = plan["squads"][0]
    shown = dt.datetime.fromisoformat(first["departs"]).strftime("%Y-%m-%d %H:%M")
    assert f">{shown}</time>" in page.text
    assert 'id="bench"' in page.text and plan["bench"][0]["reason"] in page.text
