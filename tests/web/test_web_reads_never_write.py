"""Reads never write: every GET of the API and of the pages leaves every table as it was,
on SQLite and PostgreSQL, with a squad overdue so that `overdue` and the page banner have a
rescue to propose."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from test_web_roles import sign_in

from md_support import DEMO_VILLAGE
from missiondesk.services import accounts as account_service
from missiondesk.services import lifecycle, planning
from missiondesk.services.village import import_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database, resolve_url
from missiondesk.web import create_app

PASSWORD = "correct horse battery"
SCROLL = "tani-scroll"
LATE = "2026-11-26T12:00"  # the squad sent at 06:00 on the 24th owed Tanigakure by the 25th
IDS = {
    "mission_id": SCROLL,
    "shinobi_id": "nara-shikamaru",
    "name": "hokage",
    "run_id": "none",
}


def _everything(db: Database) -> dict[str, list[Any]]:
    with db.reading() as connection:
        return {
            name: sorted(repr(tuple(row)) for row in connection.execute(select(table)))
            for name, table in t.metadata.tables.items()
        }


def _all_routes(routes: list[Any]) -> list[Any]:
    found = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        found += _all_routes(inner.routes) if inner is not None else [route]
    return found


def _get_paths(app: Any) -> list[str]:
    """Every GET path of the app (inside included routers too), its ids filled in."""
    paths = []
    for route in _all_routes(app.routes):
        if isinstance(getattr(route, "methods", None), set) and "GET" in route.methods:
            paths.append(re.sub(r"\{(\w+)\}", lambda m: IDS[m.group(1)], route.path))
    return sorted(set(paths))


def test_no_get_writes(db_url: str) -> None:
    db = Database(resolve_url(db_url))
    try:
        import_village(db, DEMO_VILLAGE, actor="test")
        account_service.add_user(db, "hokage", "hokage", PASSWORD, actor="test")
        token = account_service.issue_token(db, "hokage", "api")
        planning.plan(db, actor="test", time_limit=2, workers=1)
        lifecycle.approve(db, SCROLL, actor="test")
        lifecycle.dispatch(db, SCROLL, actor="test", at=dt.datetime(2026, 11, 24, 6, 0))
        with TestClient(create_app(db, max_plan_seconds=1)) as client:
            sign_in(client, "hokage", PASSWORD)
            paths = _get_paths(client.app)
            assert "/api/overdue" in paths and "/missions/" + SCROLL in paths
            before = _everything(db)
            for path in paths:
                answer = client.get(path, headers={"Authorization": f"Bearer {token}"})
                assert answer.status_code < 500, (path, answer.text)
            late = client.get(
                "/api/overdue", params={"at": LATE}, headers={"Authorization": f"Bearer {token}"}
            )
            assert [o["mission"] for o in late.json()] == [SCROLL]
            assert _everything(db) == before
    finally:
        db.dispose()
