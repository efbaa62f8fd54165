"""The server's scheduled pass: in `real` mode the village clock follows the machine's,
and what falls due (missed check-ins, recoveries, closed windows) is recorded as the
machine's clock passes it, without anyone running `missiondesk tick`.

Every worker of `missiondesk serve` runs a ticker; the one holding the `clock` lease
(services/leases.py) ticks, so the pass runs once whatever the number of workers. In
`story` mode the ticker does nothing: time moves when the game master moves it.
"""

from __future__ import annotations

import logging
import threading

from missiondesk.errors import BadInput
from missiondesk.services import clock, leases
from missiondesk.store.database import Database

log = logging.getLogger("missiondesk.clock")

LEASE = "clock"
ACTOR = "clock"


class ClockTicker:
    """A daemon thread that runs `clock.tick` every `every` seconds in real mode."""

    def __init__(self, db: Database, *, every: float = 30.0) -> None:
        self.db = db
        self.every = every
        self.worker = leases.worker_name()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="clock-ticker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def tick_once(self) -> bool:
        """One turn: whether this worker ticked (real mode, and it holds the lease)."""
        try:
            if clock.read_clock(self.db).mode != "real":
                return False
        except BadInput:  # no village yet
            return False
        if not leases.hold(self.db, LEASE, self.worker, seconds=max(90.0, 3 * self.every)):
            return False
        moved = clock.tick(self.db, actor=ACTOR)
        if moved.recorded:
            log.info("clock: %d happenings recorded up to %s", len(moved.recorded), moved.now)
        return True

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                self.tick_once()
            except Exception:  # a database hiccup must not stop the clock for good
                log.exception("the clock's scheduled pass failed; trying again")
