"""Planner runs started from the plan page, kept in the database so that whichever server
worker answers the page can show a run's progress and outcome.

A run is the same `services.planning.plan` call the API and the command line make. The
worker that receives the request runs it in a thread; one run per village goes at a time
(the others wait as `queued`, in the order they were asked), and a running worker beats a
heartbeat into its row, so a run whose worker died is shown as failed instead of hanging.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from typing import Any

from sqlalchemy import func, insert, select, update

from missiondesk.errors import BadInput, Conflict
from missiondesk.services.leases import worker_name
from missiondesk.store import tables as t
from missiondesk.store.database import Database

HEARTBEAT_SECONDS = 1.0
"""How often a running worker says it is alive (and stores the latest progress)."""

DEAD_AFTER = dt.timedelta(seconds=30)
"""A run whose heartbeat is older than this lost its worker."""

MAX_WAITING = 3
"""Runs that may wait behind the one in progress: a page cannot start a planner per click."""

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


@dataclass(frozen=True)
class PlanRun:
    """A run as the pages show it, read from its row."""

    id: str
    owner: str
    time_limit: float
    status: str
    elapsed: float
    progress: dict[str, Any] | None
    error: str | None

    @property
    def done(self) -> bool:
        return self.status in (DONE, FAILED)

    @property
    def queued(self) -> bool:
        return self.status == QUEUED

    @property
    def fraction(self) -> float:
        """How far along the time limit the run is, for a progress bar (0 to 1)."""
        if self.done:
            return 1.0
        if self.queued or self.time_limit <= 0:
            return 0.0
        return min(0.99, self.elapsed / self.time_limit)


class PlanRuns:
    """Start and look up planner runs; every worker of one database sees the same runs."""

    def __init__(self, db: Database, *, poll_seconds: float = 0.25) -> None:
        self.db = db
        self.worker = worker_name()
        self.poll_seconds = poll_seconds

    def start(
        self, owner: str, time_limit: float, work: Callable[[Callable[[Any], None]], Any]
    ) -> PlanRun:
        """Queue a run of `work(progress)` and run it in a thread once it has its turn.
        Refused (Conflict) when MAX_WAITING runs already wait behind the one in progress."""
        run_id = uuid.uuid4().hex
        now = dt.datetime.now()
        with self.db.transaction() as connection:
            waiting = connection.execute(
                select(func.count())
                .select_from(t.plan_run)
                .where(t.plan_run.c.status == QUEUED, t.plan_run.c.heartbeat_at > now - DEAD_AFTER)
            ).scalar_one()
            if waiting >= MAX_WAITING:
                raise Conflict(
                    f"the planner is busy: {waiting} runs are waiting behind the one in "
                    "progress; try again when one has finished",
                    field="plan",
                )
            connection.execute(
                insert(t.plan_run).values(
                    id=run_id,
                    owner=owner,
                    time_limit=time_limit,
                    status=QUEUED,
                    created_at=now,
                    heartbeat_at=now,
                    worker=self.worker,
                )
            )
        threading.Thread(
            target=self._run, args=(run_id, work), name=f"plan-{run_id[:8]}", daemon=True
        ).start()
        run = self.get(run_id)
        assert run is not None
        return run

    def get(self, run_id: str) -> PlanRun | None:
        with self.db.reading() as connection:
            row = connection.execute(select(t.plan_run).where(t.plan_run.c.id == run_id)).first()
        if row is None:
            return None
        now = dt.datetime.now()
        status, error = row.status, row.error
        if status in (QUEUED, RUNNING) and now - row.heartbeat_at > DEAD_AFTER:
            status, error = FAILED, "the server worker running this plan stopped; run it again"
        end = row.finished_at or now
        return PlanRun(
            id=row.id,
            owner=row.owner,
            time_limit=row.time_limit,
            status=status,
            elapsed=(end - row.started_at).total_seconds() if row.started_at else 0.0,
            progress=row.progress,
            error=error,
        )

    # --- The worker's side ---------------------------------------------------------------

    def _run(self, run_id: str, work: Callable[[Callable[[Any], None]], Any]) -> None:
        latest: list[Any] = [None]
        stop = threading.Event()
        beating = threading.Thread(
            target=self._beat, args=(run_id, latest, stop), name=f"beat-{run_id[:8]}", daemon=True
        )
        beating.start()
        try:
            while not self._claim(run_id):
                time.sleep(self.poll_seconds)
            try:
                work(_keep(latest))
                self._finish(run_id, DONE, None, latest[0])
            except BadInput as bad:
                self._finish(run_id, FAILED, bad.message, latest[0])
            except ValueError as bad:  # the planner's PlanningError: a request it cannot honour
                self._finish(run_id, FAILED, str(bad), latest[0])
            except Exception as bug:
                self._finish(
                    run_id, FAILED, f"internal error: {type(bug).__name__}: {bug}", latest[0]
                )
        finally:
            stop.set()

    def _claim(self, run_id: str) -> bool:
        """Start this run if it is the oldest waiting and no other run is alive."""
        now = dt.datetime.now()
        alive = now - DEAD_AFTER
        with self.db.transaction() as connection:
            busy = connection.execute(
                select(t.plan_run.c.id).where(
                    t.plan_run.c.status == RUNNING, t.plan_run.c.heartbeat_at > alive
                )
            ).first()
            if busy is not None:
                return False
            first = connection.execute(
                select(t.plan_run.c.id)
                .where(t.plan_run.c.status == QUEUED, t.plan_run.c.heartbeat_at > alive)
                .order_by(t.plan_run.c.created_at, t.plan_run.c.id)
                .limit(1)
            ).scalar()
            if first != run_id:
                return False
            connection.execute(
                update(t.plan_run)
                .where(t.plan_run.c.id == run_id)
                .values(status=RUNNING, started_at=now, heartbeat_at=now)
            )
            return True

    def _beat(self, run_id: str, latest: list[Any], stop: threading.Event) -> None:
        while not stop.wait(HEARTBEAT_SECONDS):
            with self.db.transaction() as connection:
                connection.execute(
                    update(t.plan_run)
                    .where(t.plan_run.c.id == run_id, t.plan_run.c.status.in_([QUEUED, RUNNING]))
                    .values(heartbeat_at=dt.datetime.now(), progress=_jsonable(latest[0]))
                )

    def _finish(self, run_id: str, status: str, error: str | None, progress: Any) -> None:
        now = dt.datetime.now()
        with self.db.transaction() as connection:
            connection.execute(
                update(t.plan_run)
                .where(t.plan_run.c.id == run_id)
                .values(
                    status=status,
                    error=error,
                    finished_at=now,
                    heartbeat_at=now,
                    progress=_jsonable(progress),
                )
            )


def _keep(latest: list[Any]) -> Callable[[Any], None]:
    """The progress callback: remember the planner's newest event for the next heartbeat."""

    def progress(event: Any) -> None:
        latest[0] = event

    return progress


def _jsonable(event: Any) -> dict[str, Any] | None:
    """The planner's progress event as JSON for the run's row (its phase is an enum)."""
    if event is None:
        return None
    is_instance = dataclasses.is_dataclass(event) and not isinstance(event, type)
    fields = dataclasses.asdict(event) if is_instance else vars(event)
    return {k: v.value if isinstance(v, Enum) else v for k, v in fields.items()}
