"""Delivery to a real receiver on 127.0.0.1 that fails, stalls and recovers: nothing lost,
nothing sent again once acknowledged, order per mission kept, every request signed."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import json
import time
from collections import defaultdict

import pytest
from sqlalchemy import select

from missiondesk.notifications import deliver as deliver_module
from missiondesk.notifications.deliver import DeliveryPolicy, deliver_pass
from missiondesk.notifications.outbox import enqueue, utcnow
from missiondesk.services import notify as notify_service
from missiondesk.store import tables as t
from missiondesk.store.database import Database
from notifications.delivery_support import FAST, SECRET, drain, pending
from notify_receiver import ACCEPT, FAIL, STALL, Receiver

AT = dt.datetime(2026, 11, 24, 6, 0)
MISSIONS = ("m-alpha", "m-bravo", "m-charlie")
STEPS = ("mission.approved", "mission.dispatched", "checkin.missed")


def add_endpoint(db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    endpoint = notify_service.add_endpoint(
        db, receiver.url, events=[",".join(STEPS)], secret_env="HOOK_SECRET", actor="test"
    )
    return endpoint.id


def queue_story(db: Database) -> list[tuple[str, str]]:
    """Three steps for each of three missions, interleaved as a busy night would be."""
    queued = []
    for step in STEPS:
        for mission in MISSIONS:
            with db.transaction() as connection:
                enqueue(connection, step, mission, {"step": step}, AT)
            queued.append((mission, step))
    return queued


def by_mission(received: list) -> dict[str, list[str]]:  # type: ignore[type-arg]
    order: dict[str, list[str]] = defaultdict(list)
    for r in received:
        order[r.json()["subject"]].append(r.event)
    return order


def test_a_receiver_that_fails_then_stalls_then_recovers_gets_everything_once_in_order(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_endpoint(db, receiver, monkeypatch)
    queue_story(db)

    receiver.mode = FAIL
    first = deliver_pass(db, policy=FAST)
    assert (first.delivered, first.retrying) == (0, 3)
    # Only each mission's first event was tried: the later ones wait behind it.
    assert sorted((r.json()["subject"], r.event) for r in receiver.received) == [
        (m, "mission.approved") for m in MISSIONS
    ]

    receiver.mode = STALL
    time.sleep(FAST.delay(1))
    stalled = deliver_pass(db, policy=FAST)
    assert (stalled.delivered, stalled.retrying) == (0, 3)
    assert all("timed out" in e for e in stalled.errors)

    receiver.mode = ACCEPT
    assert drain(db) == 9
    acknowledged = receiver.acknowledged()
    assert len(acknowledged) == 9
    assert len({r.delivery for r in acknowledged}) == 9  # each acknowledged exactly once
    assert by_mission(acknowledged) == {m: list(STEPS) for m in MISSIONS}
    # A stalled attempt and its retry carry the same delivery id, so a receiver can dedupe.
    tried = defaultdict(set)
    for r in receiver.received:
        tried[(r.json()["subject"], r.event)].add(r.delivery)
    assert all(len(ids) == 1 for ids in tried.values())
    assert deliver_pass(db, policy=FAST).delivered == 0  # nothing is sent again
    assert len(receiver.received) == 9 + 3 + 3
    log = notify_service.delivery_log(db)
    assert {d.status for d in log} == {"delivered"}
    heads = [d for d in log if d.event == "mission.approved"]
    assert all(d.attempts == 3 for d in heads)


def test_every_request_is_signed_with_the_secret_and_names_its_event(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_endpoint(db, receiver, monkeypatch)
    queue_story(db)
    drain(db)
    for r in receiver.acknowledged():
        expected = "sha256=" + hmac.new(SECRET.encode(), r.body, hashlib.sha256).hexdigest()
        assert r.headers["x-missiondesk-signature"] == expected
        assert r.event == r.json()["event"]
        assert r.headers["content-type"] == "application/json"


@pytest.mark.parametrize("inline", [500, 1], ids=["few-waiting", "many-waiting"])
def test_a_failing_mission_holds_back_only_its_own_later_events(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch, inline: int
) -> None:
    # Past BLOCKED_STREAMS_INLINE waiting streams the claim asks the database instead.
    monkeypatch.setattr(deliver_module, "BLOCKED_STREAMS_INLINE", inline)
    add_endpoint(db, receiver, monkeypatch)
    queue_story(db)
    receiver.fail_when = lambda r: r.json()["subject"] == "m-bravo"
    drain(db, seconds=0.6)
    assert by_mission(receiver.acknowledged()) == {
        "m-alpha": list(STEPS),
        "m-charlie": list(STEPS),
    }
    assert {r.event for r in receiver.received if r.json()["subject"] == "m-bravo"} == {
        "mission.approved"
    }
    receiver.fail_when = None
    drain(db)
    assert by_mission(receiver.acknowledged())["m-bravo"] == list(STEPS)


def test_retries_wait_longer_each_time(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_endpoint(db, receiver, monkeypatch)
    with db.transaction() as connection:
        enqueue(connection, "mission.approved", "m-alpha", {}, AT)
    receiver.mode = FAIL
    policy = DeliveryPolicy(first_delay=0.1, factor=2.0, max_delay=10.0, timeout=0.4)
    for expected in (0.1, 0.2, 0.4):
        before = utcnow()
        deliver_pass(db, policy=policy)
        after = utcnow()
        with db.reading() as connection:
            row = connection.execute(select(t.outbox)).mappings().one()
        wait = dt.timedelta(seconds=expected)
        # The attempt happened between `before` and `after`; the next waits `expected`.
        assert before + wait <= row["next_attempt_at"] <= after + wait
        time.sleep(max(0.0, (row["next_attempt_at"] - utcnow()).total_seconds()) + 0.01)
    assert len(receiver.received) == 3


def test_a_delivery_failing_past_the_limit_is_marked_failed_and_the_mission_goes_on(
    db: Database,
    receiver: Receiver,
    monkeypatch: pytest.MonkeyPatch,
    cli,  # type: ignore[no-untyped-def]
) -> None:
    add_endpoint(db, receiver, monkeypatch)
    with db.transaction() as connection:
        enqueue(connection, "mission.approved", "m-alpha", {}, AT)
        enqueue(connection, "mission.dispatched", "m-alpha", {}, AT)
    receiver.fail_when = lambda r: r.event == "mission.approved"
    policy = DeliveryPolicy(first_delay=0.05, max_delay=0.05, give_up_after=0.3, timeout=0.4)
    drain(db, policy, seconds=3.0)
    assert pending(db) == 0
    statuses = {d.event: d.status for d in notify_service.delivery_log(db)}
    assert statuses == {"mission.approved": "failed", "mission.dispatched": "delivered"}
    shown = cli("--db", db.url, "notify", "log", "--status", "failed", "--json")
    assert shown.code == 0
    assert [d["event"] for d in json.loads(shown.stdout)] == ["mission.approved"]
    assert "HTTP 500" in cli("--db", db.url, "notify", "log").stdout


def test_a_redirect_is_followed_only_to_the_same_origin(
    db: Database, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    elsewhere = Receiver().start()
    try:
        # 127.0.0.1 and localhost are different hosts to a browser and to us.
        receiver.redirect = elsewhere.url.replace("127.0.0.1", "localhost")
        endpoint = notify_service.add_endpoint(
            db, receiver.url, events=["mission.approved"], actor="test"
        )
        with db.transaction() as connection:
            enqueue(connection, "mission.approved", "m-alpha", {}, AT)
        result = deliver_pass(db, policy=FAST)
        assert result.delivered == 0
        assert "redirect to another host (localhost) not followed" in result.errors[0]
        assert elsewhere.received == []
        notify_service.remove_endpoint(db, endpoint.id, actor="test")
    finally:
        elsewhere.stop()
    receiver.redirect = "/landed"
    notify_service.add_endpoint(db, receiver.url, events=["mission.approved"], actor="test")
    with db.transaction() as connection:
        enqueue(connection, "mission.approved", "m-alpha", {}, AT)
    assert deliver_pass(db, policy=FAST).delivered == 1
    assert [(r.path, r.event) for r in receiver.acknowledged()] == [("/landed", "mission.approved")]
