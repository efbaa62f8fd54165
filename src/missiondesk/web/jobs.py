"""Planner runs started from the plan page, in a thread each, so the page can poll progress.

A run is the same `services.planning.plan` call the API and the command line make; this
module only keeps its latest progress event and its outcome for the page to show.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from missiondesk.errors import BadInput

KEEP = 20  # finished runs remembered, newest first


@dataclass
class PlanRun:
    id: str
    owner: str
    time_limit: float
    started: float = field(default_factory=time.monotonic)
    progress: Any = None  # the planner's latest progress event
    result: Any = None
    error: str | None = None
    done: bool = False

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

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

    def start(
        self,
        owner: str,
        time_limit: float,
        work: Callable[[Callable[[Any], None]], Any],
    ) -> PlanRun:
        """Run `work(progress)` in a thread; `progress` records each event it is given."""
        run = PlanRun(id=uuid.uuid4().hex, owner=owner, time_limit=time_limit)

        def progress(event: Any) -> None:
            run.progress = event

        def target() -> None:
            try:
                run.result = work(progress)
            except BadInput as bad:
                run.error = bad.message
            except ValueError as bad:  # the planner's PlanningError: a request it cannot honour
                run.error = str(bad)
            except Exception as bug:
                run.error = f"internal error: {type(bug).__name__}: {bug}"
            finally:
                run.done = True

        with self._lock:
            self._runs[run.id] = run
            while len(self._runs) > KEEP:
                self._runs.popitem(last=False)
        threading.Thread(target=target, name=f"plan-{run.id[:8]}", daemon=True).start()
        return run

    def get(self, run_id: str) -> PlanRun | None:
        with self._lock:
            return self._runs.get(run_id)
