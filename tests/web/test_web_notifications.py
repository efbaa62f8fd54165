"""The Accounts page shows the notification endpoints and the deliveries given up on; the
server started with background delivery sends the outbox while it runs."""

from __future__ import annotations

import datetime as dt
import re
import time

from fastapi.testclient import TestClient

from missiondesk.notifications.deliver import DeliveryPolicy, deliver_pass
from missiondesk.notifications.outbox import enqueue
from missiondesk.services import notify as notify_service
from missiondesk.store.database import Database
from missiondesk.web import create_app
from notify_receiver import Receiver

AT = dt.datetime(2026, 11, 24, 6, 0)


def sign_in(client: TestClient, name: str, password: str) -> None:
    form = client.get("/login").text
    found = re.search(r'name="csrf_token" value="([^"]+)"', form)
    assert found is not None
    client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": found.group(1), "next": "/"},
        follow_redirects=False,
    )


def test_the_accounts_page_lists_endpoints_and_failed_deliveries(
    client: TestClient, db: Database, password: str
) -> None:
    notify_service.add_endpoint(
        db, "http://127.0.0.1:9/closed", events=["mission.approved"], actor="test"
    )
    with db.transaction() as connection:
        enqueue(connection, "mission.approved", "tani-scroll", {}, AT)
    give_up_at_once = DeliveryPolicy(give_up_after=0.0, timeout=0.5)
    assert deliver_pass(db, policy=give_up_at_once).failed == 1  # nothing listens on port 9
    sign_in(client, "hokage", password)
    page = client.get("/accounts").text
    assert "http://127.0.0.1:9/closed" in page
    section = page[page.index("Failed deliveries") :]
    assert "mission.approved" in section and "tani-scroll" in section
    assert "ConnectError" in section


def test_the_server_delivers_in_the_background_while_it_runs(db: Database) -> None:
    receiver = Receiver().start()
    try:
        notify_service.add_endpoint(db, receiver.url, events=["plan.ready"], actor="test")
        app = create_app(db, deliver_every=0.05, delivery_policy=DeliveryPolicy(timeout=1.0))
        with TestClient(app):
            with db.transaction() as connection:
                enqueue(connection, "plan.ready", None, {"squads": []}, AT)
            assert [r.event for r in receiver.wait_for(1, timeout=10)] == ["plan.ready"]
        with db.transaction() as connection:  # stopped with the app: this one waits
            enqueue(connection, "plan.ready", None, {"squads": []}, AT)
        time.sleep(0.3)
        assert len(receiver.received) == 1
    finally:
        receiver.stop()
