"""The notify commands' work: endpoints added and removed, a test POST, the delivery log,
and one delivery pass. The CLI, the pages and `serve` all call these."""

from __future__ import annotations

import datetime as dt
import os
import re
import uuid
from typing import Any

import httpx
from pydantic import BaseModel
from sqlalchemy import Connection, func, select, update

from missiondesk.errors import BadInput, NotFound
from missiondesk.notifications.deliver import (
    DeliveryPolicy,
    PassResult,
    deliver_pass,
    new_client,
    post,
)
from missiondesk.notifications.formats import render_body
from missiondesk.notifications.outbox import CANCELLED, DELIVERED, FAILED, PENDING
from missiondesk.notifications.vocabulary import EVENT_NAMES, TEST_EVENT, BodyFormat
from missiondesk.services.events import record_event
from missiondesk.store import tables as t
from missiondesk.store.database import Database

ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


class Endpoint(BaseModel):
    id: int
    url: str
    events: list[str]
    format: str
    secret_env: str | None
    created_at: dt.datetime
    pending: int = 0
    delivered: int = 0
    failed: int = 0


class Delivery(BaseModel):
    id: int
    endpoint: int
    url: str
    event: str
    subject: str | None
    status: str
    attempts: int
    last_status: int | None
    last_error: str | None
    at: dt.datetime
    queued_at: dt.datetime
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
    delivery: str


class TestResult(BaseModel):
    endpoint: int
    delivery: str
    ok: bool
    status: int | None
    error: str | None


def parse_events(events: list[str]) -> list[str]:
    """Event names from a list whose items may be comma-separated; each must be known."""
    names = [n.strip() for item in events for n in item.split(",") if n.strip()]
    if not names:
        raise BadInput(f"events: name at least one of {', '.join(EVENT_NAMES)}", field="events")
    unknown = [n for n in names if n not in EVENT_NAMES]
    if unknown:
        raise BadInput(
            f"events: {', '.join(map(repr, unknown))} "
            f"{'is not an event' if len(unknown) == 1 else 'are not events'} "
            f"({', '.join(EVENT_NAMES)})",
            field="events",
        )
    return list(dict.fromkeys(names))


def check_url(url: str) -> str:
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError, ValueError):
        raise BadInput(f"url: {url!r} is not a URL", field="url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise BadInput(f"url: {url!r} is not an http:// or https:// URL with a host", field="url")
    return url


def check_secret_env(name: str | None) -> str | None:
    """The NAME of the variable holding the secret; it must be set now (its value is
    never read here beyond that, never stored and never shown)."""
    if name is None:
        return None
    if not ENV_NAME.match(name):
        raise BadInput(
            f"secret_env: {name!r} is not an environment variable name", field="secret_env"
        )
    if not os.environ.get(name):
        raise BadInput(
            f"secret_env: environment variable {name} is not set (export it first)",
            field="secret_env",
        )
    return name


def check_format(body_format: str) -> str:
    formats = [f.value for f in BodyFormat]
    if body_format not in formats:
        raise BadInput(
            f"format: {body_format!r} is not a format ({', '.join(formats)})", field="format"
        )
    return body_format


def add_endpoint(
    db: Database,
    url: str,
    *,
    events: list[str],
    body_format: str = BodyFormat.JSON,
    secret_env: str | None = None,
    actor: str,
) -> Endpoint:
    """A new receiver of the named events; it hears of changes from now on."""
    url = check_url(url)
    names = parse_events(events)
    body_format = check_format(body_format)
    secret_env = check_secret_env(secret_env)
    created = dt.datetime.now().replace(microsecond=0)
    e = t.notify_endpoint
    with db.transaction() as connection:
        new_id = connection.execute(
            e.insert()
            .values(
                url=url,
                events=names,
                format=body_format,
                secret_env=secret_env,
                created_at=created,
            )
            .returning(e.c.id)
        ).scalar_one()
        record_event(
            connection,
            actor=actor,
            kind="notify.added",
            subject=f"notify:{new_id}",
            after={"url": url, "events": names, "format": body_format, "secret_env": secret_env},
            at=created,
        )
    return Endpoint(
        id=new_id,
        url=url,
        events=names,
        format=body_format,
        secret_env=secret_env,
        created_at=created,
    )


def endpoints(db: Database) -> list[Endpoint]:
    """Every active endpoint with its deliveries counted by status, by id."""
    e, o = t.notify_endpoint, t.outbox
    with db.reading() as connection:
        counts: dict[tuple[int, str], int] = {
            (r.endpoint_id, r.status): r.n
            for r in connection.execute(
                select(o.c.endpoint_id, o.c.status, func.count().label("n")).group_by(
                    o.c.endpoint_id, o.c.status
                )
            )
        }
        rows = connection.execute(
            select(e).where(e.c.removed_at.is_(None)).order_by(e.c.id)
        ).mappings()
        return [
            Endpoint(
                id=r["id"],
                url=r["url"],
                events=list(r["events"]),
                format=r["format"],
                secret_env=r["secret_env"],
                created_at=r["created_at"],
                pending=counts.get((r["id"], PENDING), 0),
                delivered=counts.get((r["id"], DELIVERED), 0),
                failed=counts.get((r["id"], FAILED), 0),
            )
            for r in rows
        ]


def _active(connection: Connection, endpoint_id: int) -> dict[str, Any]:
    e = t.notify_endpoint
    row = (
        connection.execute(select(e).where(e.c.id == endpoint_id, e.c.removed_at.is_(None)))
        .mappings()
        .first()
    )
    if row is None:
        raise NotFound(f"id: no notification endpoint {endpoint_id}", field="id")
    return dict(row)


def remove_endpoint(db: Database, endpoint_id: int, *, actor: str) -> int:
    """Stop notifying an endpoint; its undelivered rows are cancelled. Returns how many."""
    e, o = t.notify_endpoint, t.outbox
    now = dt.datetime.now().replace(microsecond=0)
    with db.transaction() as connection:
        row = _active(connection, endpoint_id)
        connection.execute(update(e).where(e.c.id == endpoint_id).values(removed_at=now))
        cancelled = connection.execute(
            update(o)
            .where(o.c.endpoint_id == endpoint_id, o.c.status == PENDING)
            .values(status=CANCELLED, claimed_until=None)
        ).rowcount
        record_event(
            connection,
            actor=actor,
            kind="notify.removed",
            subject=f"notify:{endpoint_id}",
            before={"url": row["url"], "events": row["events"], "format": row["format"]},
            after={"cancelled": cancelled},
            at=now,
        )
    return int(cancelled or 0)


def test_endpoint(
    db: Database, endpoint_id: int, *, policy: DeliveryPolicy | None = None
) -> TestResult:
    """POST a `notify.test` event to the endpoint now, outside the outbox, and say how it
    answered (nothing is queued or retried)."""
    policy = policy or DeliveryPolicy()
    with db.reading() as connection:
        endpoint = _active(connection, endpoint_id)
    check_secret_env(endpoint["secret_env"])
    now = dt.datetime.now().replace(second=0, microsecond=0)
    payload = {
        "event": TEST_EVENT,
        "at": now.isoformat(timespec="minutes"),
        "subject": None,
        "data": {"message": f"Mission Desk can reach this endpoint (notify {endpoint_id})."},
    }
    delivery = str(uuid.uuid4())
    with new_client(policy) as client:
        answer = post(
            client,
            endpoint["url"],
            render_body(endpoint["format"], payload),
            event=TEST_EVENT,
            delivery_id=delivery,
            secret_env=endpoint["secret_env"],
            max_redirects=policy.max_redirects,
        )
    return TestResult(
        endpoint=endpoint_id,
        delivery=delivery,
        ok=answer.ok,
        status=answer.status,
        error=answer.error,
    )


def delivery_log(db: Database, *, status: str | None = None, limit: int = 100) -> list[Delivery]:
    """Deliveries newest first, optionally only those in one status."""
    statuses = [PENDING, DELIVERED, FAILED, CANCELLED]
    if status is not None and status not in statuses:
        raise BadInput(f"status: {status!r} is not one of {', '.join(statuses)}", field="status")
    if limit < 1:
        raise BadInput("limit: must be at least 1", field="limit")
    o, e = t.outbox, t.notify_endpoint
    query = select(o, e.c.url).join(e, e.c.id == o.c.endpoint_id).order_by(o.c.id.desc())
    if status is not None:
        query = query.where(o.c.status == status)
    with db.reading() as connection:
        rows = connection.execute(query.limit(limit)).mappings().all()
    return [
        Delivery(
            id=r["id"],
            endpoint=r["endpoint_id"],
            url=r["url"],
            event=r["kind"],
            subject=r["subject"],
            status=r["status"],
            attempts=r["attempts"],
            last_status=r["last_status"],
            last_error=r["last_error"],
            at=r["at"],
            queued_at=r["queued_at"],
            next_attempt_at=r["next_attempt_at"] if r["status"] == PENDING else None,
            delivered_at=r["delivered_at"],
            delivery=r["delivery_id"],
        )
        for r in rows
    ]


def deliver(db: Database, *, policy: DeliveryPolicy | None = None) -> PassResult:
    """One delivery pass (what `notify deliver` runs from cron)."""
    return deliver_pass(db, policy=policy)
