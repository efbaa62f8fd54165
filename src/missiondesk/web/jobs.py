"""Planner runs started from the plan page, in the background, so the page can poll progress.

A run is the same `services.planning.plan` call the API and the command line make; this
module keeps its latest progress event and its outcome for the page to show. A database
holds one village, and one app serves one database, so runs go one at a time through a
single worker thread: a run started while another is going waits its turn (`queued`),
and at most MAX_WAITING may wait, so a page cannot start a planner per click.
"""

from __future__ import annotations

import queue
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from missiondesk.errors import BadInput, Conflict

KEEP = 20  # finished runs remembered, newest first
MAX_WAITING = 3  # runs queued behind the one in progress


@dataclass
class PlanRun:
    id: str
    owner: str
    time_limit: float
    work: Callable[[Callable[[Any], None]], Any] | None = None
    queued_at: float = field(default_factory=time.monotonic)
    started: float | None = None  # when it left the queue and began planning
    progress: Any = None  # the planner's latest progress event
    result: Any = None
    error: str | None = None
    done: bool = False

    @property
    def queued(self) -> bool:
        return self.started is None and not self.done

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started if self.started is not None else 0.0

    @property
    def fraction(self) -> float:
        """How far along the time limit the run is, for a progress bar (0 to 1)."""
        if self.done:
            return 1.0
        return min(0.99, self.elapsed / self.time_limit) if self.time_limit > 0 else 0.0


class PlanRuns:
    def __init__(self) -> None:
        self._runs: OrderedDict[str, PlanRun] = OrderedDict()
        self._lock = threading.Lock()
        self._waiting: queue.Queue[PlanRun] = queue.Queue()
        self._worker: threading.Thread | None = None

    def start(
        self,
        owner: str,
        time_limit: float,
        work: Callable[[Callable[[Any], None]], Any],
    ) -> PlanRun:
        """Queue `work(progress)`; `progress` records each event it is given. Refused
        (Conflict) when MAX_WAITING runs already wait behind the one in progress."""
        run = PlanRun(id=uuid.uuid4().hex, owner=owner, time_limit=time_limit, work=work)
        with self._lock:
            pending = sum(1 for r in self._runs.values() if not r.done)
            if pending > MAX_WAITING:  # one in progress and MAX_WAITING behind it
                raise Conflict(
                    f"the planner is busy: {pending - 1} run(s) are waiting behind the one "
                    "in progress; try again when one has finished",
                    field="plan",
                )
            self._runs[run.id] = run
            while len(self._runs) > KEEP:
                oldest = next(iter(self._runs.values()))
                if not oldest.done:
                    break  # never forget a run someone is waiting on
                self._runs.popitem(last=False)
            if self._worker is None:
                self._worker = threading.Thread(target=self._serve, name="planner", daemon=True)
                self._worker.start()
        self._waiting.put(run)
        return run

    def get(self, run_id: str) -> PlanRun | None:
        with self._lock:
            return self._runs.get(run_id)

    def _serve(self) -> None:
        """The one worker: each run in the order it was started, one at a time."""
        while True:
            run = self._waiting.get()
            _execute(run)


def _execute(run: PlanRun) -> None:
    def progress(event: Any) -> None:
        run.progress = event

    run.started = time.monotonic()
    try:
        assert run.work is not None
        run.result = run.work(progress)
    except BadInput as bad:
        run.error = bad.message
    except ValueError as bad:  # the planner's PlanningError: a request it cannot honour
        run.error = str(bad)
    except Exception as bug:
        run.error = f"internal error: {type(bug).__name__}: {bug}"
    finally:
        run.work = None
        run.done = True
