"""The outbox is written in the transaction of the change: a change that rolls back is
never notified, a committed one always is; the lifecycle's own steps feed it."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable

import pytest
from sqlalchemy import func, select

from md_support import DEMO_VILLAGE, Result
from missiondesk.errors import BadInput
from missiondesk.notifications.outbox import enqueue
from missiondesk.services import notify as notify_service
from missiondesk.services.events import record_event
from missiondesk.services.village import import_village
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from notifications.delivery_support import drain
from notify_receiver import Receiver

Cli = Callable[..., Result]
AT = dt.datetime(2026, 11, 24, 6, 0)


def rows(db: Database) -> int:
    with db.reading() as connection:
        return int(connection.execute(select(func.count()).select_from(t.outbox)).scalar_one())


def test_a_change_that_rolls_back_leaves_no_notification(db: Database) -> None:
    notify_service.add_endpoint(db, "http://127.0.0.1:9/h", events=["mission.approved"], actor="t")
    with pytest.raises(BadInput), db.transaction() as connection:
        record_event(connection, actor="t", kind="mission.approved", subject="m-1", at=AT)
        raise BadInput("the step was refused after all")
    assert rows(db) == 0
    with db.transaction() as connection:
        record_event(connection, actor="t", kind="mission.approved", subject="m-1", at=AT)
    assert rows(db) == 1


def test_only_subscribed_endpoints_get_a_row_and_unknown_events_are_refused(db: Database) -> None:
    notify_service.add_endpoint(db, "http://127.0.0.1:9/a", events=["plan.ready"], actor="t")
    notify_service.add_endpoint(
        db, "http://127.0.0.1:9/b", events=["plan.ready,report.filed"], actor="t"
    )
    with db.transaction() as connection:
        assert enqueue(connection, "plan.ready", None, {}, AT) == 2
        assert enqueue(connection, "report.filed", "m-1", {}, AT) == 1
        assert enqueue(connection, "shinobi.recovered", "x", {}, AT) == 0
        with pytest.raises(ValueError, match="not a notification event"):
            enqueue(connection, "mission.eaten", "m-1", {}, AT)
    assert rows(db) == 3


def test_the_lifecycle_notifies_each_step_in_order(
    cli: Cli, db_url: str, receiver: Receiver
) -> None:
    assert cli("--db", db_url, "village", "import", DEMO_VILLAGE).code == 0
    events = "mission.escalated,plan.ready,mission.approved,mission.dispatched,checkin.missed"
    added = cli("--db", db_url, "notify", "add", receiver.url, "--events", events)
    assert added.code == 0, added.stderr
    assert cli("--db", db_url, "assess", "--all").code == 0
    assert cli("--db", db_url, "assess", "--all").code == 0  # the same judgement: no news
    assert cli("--db", db_url, "plan", "--time-limit", "3").code == 0
    assert cli("--db", db_url, "approve", "tani-scroll").code == 0
    assert cli("--db", db_url, "dispatch", "tani-scroll", "--at", "2026-11-24T06:00").code == 0
    refused = cli("--db", db_url, "dispatch", "tani-scroll")  # already gone: nothing queued
    assert refused.code == 2
    # Time passes: the missed check-in is recorded (and notified) once, when it happens.
    assert cli("--db", db_url, "clock", "set", "2026-11-26T06:00").code == 0
    assert cli("--db", db_url, "clock", "set", "2026-11-26T07:00").code == 0  # still overdue
    assert cli("--db", db_url, "overdue", "--at", "2026-11-26T08:00").code == 0  # only reads
    db = Database(db_url)
    drain(db)
    db.dispose()
    got = [(r.event, r.json()["subject"]) for r in receiver.acknowledged()]
    assert got.count(("mission.escalated", "tani-scroll")) == 1  # news once, not per assess
    assert [e for e, s in got if s == "tani-scroll"] == [
        "mission.escalated",
        "mission.approved",
        "mission.dispatched",
        "checkin.missed",
    ]
    assert [e for e, _ in got].count("plan.ready") == 1
    missed = next(r.json() for r in receiver.acknowledged() if r.event == "checkin.missed")
    assert missed["mission"]["id"] == "tani-scroll"
    assert missed["data"]["rescue"]["leader"]  # the rescue proposal comes with it
    assert missed["data"]["last_place"]
    plan = next(r.json() for r in receiver.acknowledged() if r.event == "plan.ready")
    assert "tani-scroll" in {s["mission"] for s in plan["data"]["squads"]}
    log = json.loads(cli("--db", db_url, "notify", "log", "--json").stdout)
    assert {d["status"] for d in log} == {"delivered"}


def test_kinds_logged_by_other_steps_are_notified_under_their_own_names(db: Database) -> None:
    import_village(db, DEMO_VILLAGE, actor="t")
    notify_service.add_endpoint(
        db,
        "http://127.0.0.1:9/h",
        events=["mission.added,shinobi.recovered,rescue.dispatched"],
        actor="t",
    )
    with db.transaction() as connection:
        record_event(connection, actor="t", kind="mission.added", subject="tani-scroll", at=AT)
        record_event(
            connection,
            actor="t",
            kind="shinobi.recovered",
            subject="nara-shikamaru",
            after={"status": "available"},
            at=AT,
        )
        record_event(connection, actor="t", kind="village.imported", subject="konoha", at=AT)
    with db.reading() as connection:
        queued = connection.execute(select(t.outbox).order_by(t.outbox.c.id)).mappings().all()
    assert [(r["kind"], r["order_key"]) for r in queued] == [
        ("mission.added", "tani-scroll"),
        ("shinobi.recovered", "nara-shikamaru"),
    ]
    assert queued[0]["payload"]["mission"]["title"].startswith("Bring the sacred scroll")
    assert queued[0]["payload"]["data"] == {}
    assert queued[1]["payload"]["shinobi"]["name"] == "Nara Shikamaru"
    assert queued[1]["payload"]["data"] == {"status": "available"}
