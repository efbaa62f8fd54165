"""A shinobi pinned twice: the planning service refuses it, so the pages, the API and the
command line give the same answer (the pages used to keep the last pin silently)."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from test_web_roles import sign_in

from missiondesk.store import tables as t
from missiondesk.web import create_app

SHINOBI = "nara-shikamaru"


def _events(db: Any) -> int:
    with db.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(t.event)).scalar_one())


def test_the_plan_form_refuses_a_shinobi_pinned_twice(db: Any, password: str) -> None:
    before = _events(db)
    with TestClient(create_app(db, max_plan_seconds=1)) as client:
        csrf = sign_in(client, "hokage", password)
        answer = client.post(
            "/plan/run",
            data={
                "time_limit": "1",
                "csrf_token": csrf,
                "override_shinobi": [SHINOBI, SHINOBI],
                "override_mission": ["tani-scroll", "find-tora"],
                "override_kind": ["pin", "pin"],
            },
            follow_redirects=False,
        )
    assert answer.status_code == 400, answer.text
    assert f"pinned twice ({SHINOBI})" in answer.text
    assert _events(db) == before


def test_the_api_refuses_a_shinobi_pinned_twice(client: TestClient, as_role: Any, db: Any) -> None:
    before = _events(db)
    pins = [
        {"shinobi": SHINOBI, "mission": "tani-scroll"},
        {"shinobi": SHINOBI, "mission": "find-tora"},
    ]
    answer = client.post("/api/plan", json={"pins": pins}, headers=as_role("hokage"))
    assert answer.status_code == 400, answer.text
    assert f"pinned twice ({SHINOBI})" in answer.text
    assert _events(db) == before


def test_the_command_line_refuses_a_shinobi_pinned_twice(cli: Any, sqlite_url: str) -> None:
    from md_support import DEMO_VILLAGE

    assert cli("--db", sqlite_url, "village", "import", DEMO_VILLAGE).code == 0
    before = cli("--db", sqlite_url, "timeline", "tani-scroll", "--json").stdout
    pins = ("--pin", f"{SHINOBI}=tani-scroll", "--pin", f"{SHINOBI}=find-tora")
    refused = cli("--db", sqlite_url, "plan", "--time-limit", "1", *pins)
    assert refused.code == 2 and f"pinned twice ({SHINOBI})" in refused.stderr, refused.stderr
    assert cli("--db", sqlite_url, "timeline", "tani-scroll", "--json").stdout == before
