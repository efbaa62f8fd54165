"""Sending the outbox: at least once, in order per mission, signed, retried for a day.

One pass claims the rows that are due (a lease, so a second deliverer never sends the same
row at the same time, and a killed one's claims lapse), POSTs them in id order, and records
the answers: a 2xx marks the row delivered and it is never sent again; anything else
schedules a retry after a growing delay, and holds back the later rows of the same mission
for that endpoint. A row still failing a day after its first attempt is marked failed, and
the mission's later rows go on. Answers are written in small groups (at most 50, within
0.1 s; a failure at once), so a deliverer killed in that window sends those few again,
with the same delivery id for the receiver to recognise.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import logging
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any

import httpx
from sqlalchemy import (
    ColumnElement,
    Connection,
    and_,
    bindparam,
    or_,
    select,
    true,
    tuple_,
    update,
)

import missiondesk
from missiondesk.notifications.formats import render_body
from missiondesk.notifications.outbox import CANCELLED, DELIVERED, FAILED, PENDING, utcnow
from missiondesk.notifications.policy import DeliveryPolicy
from missiondesk.services import leases
from missiondesk.store import tables as t
from missiondesk.store.database import Database

log = logging.getLogger("missiondesk.notify")

USER_AGENT = f"MissionDesk/{getattr(missiondesk, '__version__', '0.1.0')}"
EVENT_HEADER = "X-MissionDesk-Event"
DELIVERY_HEADER = "X-MissionDesk-Delivery"
SIGNATURE_HEADER = "X-MissionDesk-Signature"


@dataclass
class Answer:
    """What one POST came to."""

    ok: bool
    status: int | None = None
    error: str | None = None
    retry_after: float | None = None


@dataclass
class PassResult:
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    cancelled: int = 0
    errors: list[str] = field(default_factory=list)


def signature(secret: str, body: bytes) -> str:
    """`sha256=HEX`: HMAC-SHA256 of the exact body bytes with the endpoint's secret."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def new_client(policy: DeliveryPolicy) -> httpx.Client:
    return httpx.Client(
        timeout=httpx.Timeout(policy.timeout),
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT},
    )


def post(
    client: httpx.Client,
    url: str,
    body: bytes,
    *,
    event: str,
    delivery_id: str,
    secret_env: str | None,
    max_redirects: int = 3,
) -> Answer:
    """POST `body` to `url` with the event, delivery and signature headers. A redirect is
    followed only to the same scheme, host and port; the secret is read from the
    environment now, and a missing secret is a failed attempt, never an unsigned send."""
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: event,
        DELIVERY_HEADER: delivery_id,
    }
    if secret_env is not None:
        secret = os.environ.get(secret_env)
        if not secret:
            return Answer(ok=False, error=f"environment variable {secret_env} is not set")
        headers[SIGNATURE_HEADER] = signature(secret, body)
    origin = httpx.URL(url)
    try:
        request = client.build_request("POST", url, content=body, headers=headers)
        for _ in range(max_redirects + 1):
            response = client.send(request, follow_redirects=False)
            if not response.is_redirect:
                if response.is_success:
                    return Answer(ok=True, status=response.status_code)
                return Answer(
                    ok=False,
                    status=response.status_code,
                    error=f"HTTP {response.status_code}",
                    retry_after=_retry_after(response),
                )
            target = response.next_request
            if target is None:
                return Answer(ok=False, status=response.status_code, error="redirect, no target")
            if (target.url.scheme, target.url.host, target.url.port) != (
                origin.scheme,
                origin.host,
                origin.port,
            ):
                return Answer(
                    ok=False,
                    status=response.status_code,
                    error=f"redirect to another host ({target.url.host}) not followed",
                )
            request = target
        return Answer(ok=False, status=response.status_code, error="too many redirects")
    except httpx.TimeoutException:
        return Answer(ok=False, error="timed out")
    except httpx.HTTPError as failed:
        return Answer(ok=False, error=f"{type(failed).__name__}: {failed}")


def _retry_after(response: httpx.Response) -> float | None:
    """Seconds the receiver asks us to wait (429 and 503 carry it), if it says."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return None
        return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())


@contextmanager
def _outbox_write(db: Database) -> Iterator[Connection]:
    """A write to outbox rows this deliverer holds: BEGIN IMMEDIATE on SQLite, but not the
    village's write lock on PostgreSQL (no check of the village depends on it)."""
    with db.engine.connect() as connection:
        connection.execution_options(missiondesk_write=True)
        with connection.begin():
            yield connection


BLOCKED_STREAMS_INLINE = 500  # above this many held-back streams, let the database join


def _claim(db: Database, policy: DeliveryPolicy, cutoff: dt.datetime) -> list[dict[str, Any]]:
    """Up to `policy.batch` due rows, each preceded in its (endpoint, mission) stream only
    by rows also claimed here, now leased to this deliverer; oldest first.

    A stream is held back while one of its pending rows waits for a retry or is leased to
    another deliverer. Those streams are few, so they are found first and left out by
    name, which keeps the claim one index scan however long the queue is."""
    o = t.outbox
    with db.transaction() as connection:
        now = utcnow()
        waiting = or_(o.c.next_attempt_at > cutoff, o.c.claimed_until >= now)
        blocked = connection.execute(
            select(o.c.endpoint_id, o.c.order_key)
            .where(o.c.status == PENDING, waiting)
            .group_by(o.c.endpoint_id, o.c.order_key)
            .limit(BLOCKED_STREAMS_INLINE + 1)
        ).all()
        free: ColumnElement[bool]
        if len(blocked) <= BLOCKED_STREAMS_INLINE:
            free = (
                ~tuple_(o.c.endpoint_id, o.c.order_key).in_([tuple(b) for b in blocked])
                if blocked
                else true()
            )
        else:
            earlier = t.outbox.alias("earlier")
            free = ~(
                select(earlier.c.id)
                .where(
                    earlier.c.endpoint_id == o.c.endpoint_id,
                    earlier.c.order_key == o.c.order_key,
                    earlier.c.status == PENDING,
                    earlier.c.id < o.c.id,
                    or_(earlier.c.next_attempt_at > cutoff, earlier.c.claimed_until >= now),
                )
                .exists()
            )
        e = t.notify_endpoint
        rows = (
            connection.execute(
                select(
                    o.c.id,
                    o.c.endpoint_id,
                    o.c.kind,
                    o.c.order_key,
                    o.c.payload,
                    o.c.delivery_id,
                    o.c.attempts,
                    o.c.first_attempt_at,
                    e.c.url,
                    e.c.format,
                    e.c.secret_env,
                    e.c.removed_at,
                )
                .join(e, e.c.id == o.c.endpoint_id)
                .where(
                    o.c.status == PENDING,
                    o.c.next_attempt_at <= cutoff,
                    or_(o.c.claimed_until.is_(None), o.c.claimed_until < now),
                    free,
                )
                .order_by(o.c.id)
                .limit(policy.batch)
            )
            .mappings()
            .all()
        )
        if rows:
            connection.execute(
                update(o)
                .where(o.c.id.in_([r["id"] for r in rows]))
                .values(claimed_until=now + dt.timedelta(seconds=policy.lease))
            )
    return [dict(r) for r in rows]


def deliver_pass(
    db: Database,
    *,
    policy: DeliveryPolicy | None = None,
    client: httpx.Client | None = None,
    stop: Callable[[], bool] | None = None,
) -> PassResult:
    """Send every row due when the pass starts (rows retried during it wait for the next)."""
    policy = policy or DeliveryPolicy()
    own = client is None
    http = client or new_client(policy)
    result = PassResult()
    cutoff = utcnow()
    try:
        while not (stop and stop()):
            rows = _claim(db, policy, cutoff)
            if not rows:
                break
            _send_batch(db, http, policy, rows, result, stop)
    finally:
        if own:
            http.close()
    return result


def _send_batch(
    db: Database,
    client: httpx.Client,
    policy: DeliveryPolicy,
    rows: list[dict[str, Any]],
    result: PassResult,
    stop: Callable[[], bool] | None,
) -> None:
    stopped: set[tuple[int, str]] = set()
    book = _Outcomes(db, policy, [r["id"] for r in rows])
    try:
        for row in rows:
            stream = (row["endpoint_id"], row["order_key"])
            if stream in stopped or (stop and stop()):
                stopped.add(stream)
                book.release(row["id"])
                continue
            if row["removed_at"] is not None:
                book.record(row["id"], {"status": CANCELLED, "claimed_until": None})
                result.cancelled += 1
                continue
            body = render_body(row["format"], row["payload"])
            began = time.monotonic()
            answer = post(
                client,
                row["url"],
                body,
                event=row["kind"],
                delivery_id=row["delivery_id"],
                secret_env=row["secret_env"],
                max_redirects=policy.max_redirects,
            )
            now = utcnow()
            attempts = row["attempts"] + 1
            first = row["first_attempt_at"] or now
            values: dict[str, Any] = {
                "attempts": attempts,
                "first_attempt_at": first,
                "last_status": answer.status,
                "claimed_until": None,
            }
            if answer.ok:
                values.update(status=DELIVERED, delivered_at=now, last_error=None)
                result.delivered += 1
                # A slow receiver leaves time to write each answer before the next POST.
                slow = time.monotonic() - began >= policy.record_within
                book.record(row["id"], values, now=slow)
                continue
            stopped.add(stream)
            values["last_error"] = answer.error
            if (now - first).total_seconds() >= policy.give_up_after:
                values["status"] = FAILED
                result.failed += 1
            else:
                wait = policy.delay(attempts)
                if answer.retry_after is not None:
                    wait = min(policy.max_delay, max(wait, answer.retry_after))
                values["next_attempt_at"] = now + dt.timedelta(seconds=wait)
                result.retrying += 1
            result.errors.append(f"#{row['id']} {row['kind']}: {answer.error}")
            book.record(row["id"], values, now=True)
    finally:
        book.flush()


class _Outcomes:
    """The answers of one batch, written in small groups: a commit per answer would cost
    more than the POST itself. A group is written when it holds `policy.record_every`
    answers or is `policy.record_within` seconds old, at once after a failure, and at the
    end of the batch; the batch's lease is renewed as it runs."""

    def __init__(self, db: Database, policy: DeliveryPolicy, claimed: list[int]) -> None:
        self.db = db
        self.policy = policy
        self.unsent = list(claimed)
        self.waiting: list[tuple[int, dict[str, Any]]] = []
        self.released: list[int] = []
        self.since = time.monotonic()
        self.lease_renewed = time.monotonic()

    def record(self, row_id: int, values: dict[str, Any], *, now: bool = False) -> None:
        self.unsent.remove(row_id)
        self.waiting.append((row_id, values))
        due = time.monotonic() - self.since >= self.policy.record_within
        if now or due or len(self.waiting) >= self.policy.record_every:
            self.flush()

    def release(self, row_id: int) -> None:
        self.unsent.remove(row_id)
        self.released.append(row_id)

    def flush(self) -> None:
        o = t.outbox
        renew = time.monotonic() - self.lease_renewed >= self.policy.lease / 2
        if not (self.waiting or self.released or (renew and self.unsent)):
            return
        with _outbox_write(self.db) as connection:
            groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
            for row_id, values in self.waiting:
                groups.setdefault(tuple(sorted(values)), []).append(
                    {"row_id": row_id, **{f"new_{k}": v for k, v in values.items()}}
                )
            for keys, params in groups.items():
                # One statement for the group (executemany): answers of one kind share it.
                connection.execute(
                    update(o)
                    .where(o.c.id == bindparam("row_id"))
                    .values({k: bindparam(f"new_{k}") for k in keys}),
                    params,
                )
            if self.released:
                connection.execute(
                    update(o).where(o.c.id.in_(self.released)).values(claimed_until=None)
                )
            if renew and self.unsent:
                connection.execute(
                    update(o)
                    .where(and_(o.c.id.in_(self.unsent), o.c.status == PENDING))
                    .values(claimed_until=utcnow() + dt.timedelta(seconds=self.policy.lease))
                )
                self.lease_renewed = time.monotonic()
        self.waiting, self.released = [], []
        self.since = time.monotonic()


LEASE = "notifications"
"""The lease (services/leases.py) a server worker holds while it delivers."""


class BackgroundDelivery:
    """`missiondesk serve`'s deliverer: a daemon thread that runs a pass every `every`
    seconds until stopped. Everything it knows is in the outbox, so a server that is
    killed loses nothing: the next one picks up the rows (their leases lapse)."""

    def __init__(
        self, db: Database, *, every: float = 2.0, policy: DeliveryPolicy | None = None
    ) -> None:
        self.db = db
        self.every = every
        self.policy = policy or DeliveryPolicy()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="notify-delivery", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _run(self) -> None:
        worker = leases.worker_name()
        lease_seconds = max(30.0, 5 * self.every)
        with new_client(self.policy) as client:
            while not self._stop.is_set():
                try:
                    # Several workers (serve --workers N, or hosts) run a deliverer each;
                    # the one holding the lease delivers, so order per mission holds.
                    if not leases.hold(self.db, LEASE, worker, seconds=lease_seconds):
                        self._stop.wait(self.every)
                        continue
                    done = deliver_pass(
                        self.db, policy=self.policy, client=client, stop=self._stop.is_set
                    )
                    if done.delivered or done.failed:
                        log.info(
                            "notifications: %d delivered, %d retrying, %d failed",
                            done.delivered,
                            done.retrying,
                            done.failed,
                        )
                except Exception:  # a database hiccup must not end delivery for good
                    log.exception("notification delivery pass failed; trying again")
                self._stop.wait(self.every)
