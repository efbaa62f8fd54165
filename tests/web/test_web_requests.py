"""Smaller findings of the security review: repeated JSON keys, times that are ISO 8601 or
nothing, an OpenAPI schema that says times carry no zone, a full `Allow` list on 405, and
planner runs from the pages one at a time."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient

from md_support import Result
from missiondesk.errors import Conflict
from missiondesk.store.database import Database
from missiondesk.web.jobs import MAX_WAITING, PlanRuns
from villagefile.village_texts import STORY_VILLAGE, problems_of

Cli = Callable[..., Result]


def test_a_json_body_may_not_name_a_key_twice(client: TestClient, as_role: Any) -> None:
    repeated = b'{"time_limit": 0.5, "time_limit": 200}'
    answer = client.post(
        "/api/plan",
        content=repeated,
        headers={**as_role("hokage"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422
    assert "'time_limit' appears twice" in answer.json()["detail"]
    nested = (
        b'{"outcome": "success", "returned": "2026-11-27T18:00", '
        b'"injuries": [{"shinobi": "a", "shinobi": "b", "severity": "minor"}]}'
    )
    answer = client.post(
        "/api/missions/tani-scroll/report",
        content=nested,
        headers={**as_role("hokage"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422 and "'shinobi' appears twice" in answer.text


def test_a_village_json_file_may_not_name_a_key_twice(client: TestClient, as_role: Any) -> None:
    body = b'{"format": "missiondesk/village/v1", "format": "missiondesk/village/v1"}'
    answer = client.post(
        "/api/village",
        content=body,
        headers={**as_role("hokage"), "Content-Type": "application/json"},
    )
    assert answer.status_code == 422 and "format" in answer.text


@pytest.mark.parametrize("at", [1700000000, "1700000000", 1.5e9, True, "next tuesday"])
def test_at_is_iso_8601_or_refused(client: TestClient, as_role: Any, at: Any) -> None:
    answer = client.post(
        "/api/missions/tani-scroll/dispatch", headers=as_role("hokage"), json={"at": at}
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["field"] == "at"
    overdue = client.get("/api/overdue", headers=as_role("viewer"), params={"at": str(at)})
    assert overdue.status_code == 422


def test_an_iso_8601_at_is_taken(client: TestClient, as_role: Any) -> None:
    answer = client.get(
        "/api/overdue", headers=as_role("viewer"), params={"at": "2026-11-24T06:00"}
    )
    assert answer.status_code == 200


def test_a_report_time_given_as_a_number_is_refused(client: TestClient, as_role: Any) -> None:
    answer = client.post(
        "/api/missions/tani-scroll/report",
        headers=as_role("hokage"),
        json={"outcome": "success", "returned": 1700000000},
    )
    assert answer.status_code == 422 and "not a time" in answer.text


def test_a_village_file_time_given_as_a_number_is_refused() -> None:
    text = STORY_VILLAGE.replace("at: 2026-11-22T16:00", "at: 1700000000", 1)
    assert text != STORY_VILLAGE
    (problem,) = problems_of(text)
    assert "is a number, not a time" in problem and ".at:" in problem


def test_the_command_line_takes_iso_8601_only(cli: Cli, sqlite_url: str) -> None:
    from md_support import DEMO_VILLAGE

    cli("village", "import", DEMO_VILLAGE, "--db", sqlite_url)
    refused = cli("overdue", "--at", "1700000000", "--db", sqlite_url)
    assert refused.code == 2 and "ISO 8601" in refused.stderr
    assert cli("overdue", "--at", "2026-11-24T06:00", "--db", sqlite_url).code == 0


def test_the_schema_describes_times_without_a_zone(client: TestClient, as_role: Any) -> None:
    schema = client.get("/api/openapi.json", headers=as_role("viewer")).json()
    text = json.dumps(schema)
    assert '"date-time"' not in text  # RFC 3339 date-time requires a zone; ours have none
    event = schema["components"]["schemas"]["Event"]["properties"]["at"]
    assert "without a zone" in event["description"] and "pattern" in event
    step = schema["components"]["schemas"]["StepRequest"]["properties"]["at"]
    assert "ISO 8601" in json.dumps(step)


def test_405_lists_every_method_of_the_path(client: TestClient, as_role: Any) -> None:
    answer = client.put("/api/village", headers=as_role("hokage"))
    assert answer.status_code == 405
    allowed = {m.strip() for m in answer.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    login = client.delete("/login")
    assert {"GET", "POST"} <= {m.strip() for m in login.headers["Allow"].split(",")}


def test_planner_runs_go_one_at_a_time_in_order(db: Database) -> None:
    runs = PlanRuns(db, poll_seconds=0.02)
    release = threading.Event()
    order: list[str] = []
    overlapping = []
    active = threading.Lock()

    def work(name: str) -> Callable[[Callable[[Any], None]], Any]:
        def plan(progress: Callable[[Any], None]) -> str:
            if not active.acquire(blocking=False):
                overlapping.append(name)
                return name
            try:
                order.append(name)
                if name == "first":
                    release.wait(10)
                return name
            finally:
                active.release()

        return plan

    def status(run_id: str) -> str:
        found = runs.get(run_id)
        assert found is not None
        return found.status

    first = runs.start("hokage", 1.0, work("first"))
    deadline = time.monotonic() + 10
    while status(first.id) != "running":
        assert time.monotonic() < deadline
        time.sleep(0.01)
    waiting = [runs.start("commander", 1.0, work(f"waiting-{n}")) for n in range(MAX_WAITING)]
    assert all(run.queued for run in waiting)
    with pytest.raises(Conflict, match="the planner is busy"):
        runs.start("commander", 1.0, work("one too many"))
    release.set()
    deadline = time.monotonic() + 20
    while not all(status(run.id) == "done" for run in (first, *waiting)):
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert order == ["first", *(f"waiting-{n}" for n in range(MAX_WAITING))]
    assert overlapping == []
    assert runs.start("hokage", 1.0, work("after")).status in ("queued", "running")


def test_a_time_with_a_zone_is_refused_by_every_front_end(
    client: TestClient, as_role: Any, cli: Cli, sqlite_url: str
) -> None:
    """One rule for times (docs/decisions.md): the village's local time, never a zone; the
    API and `--at` refuse a zoned time as a village file does, instead of converting it."""
    zoned = "2026-11-24T06:00+09:00"
    answer = client.get("/api/overdue", headers=as_role("viewer"), params={"at": zoned})
    assert answer.status_code == 422 and "time zone" in answer.text, answer.text
    body = client.post(
        "/api/missions/tani-scroll/dispatch", headers=as_role("hokage"), json={"at": zoned}
    )
    assert body.status_code == 422 and body.json()["field"] == "at", body.text
    from md_support import DEMO_VILLAGE

    cli("village", "import", DEMO_VILLAGE, "--db", sqlite_url)
    refused = cli("overdue", "--at", zoned, "--db", sqlite_url)
    assert refused.code == 2 and "time zone" in refused.stderr, refused.stderr
    text = STORY_VILLAGE.replace("at: 2026-11-22T16:00", f"at: {zoned}", 1)
    (problem,) = problems_of(text)
    assert "time zone" in problem
