"""How hard delivery tries: its own small module, so `serve --help` can show the defaults
without loading the HTTP client."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DeliveryPolicy:
    """How hard to try. Delays grow from `first_delay` by `factor` up to `max_delay`; a
    row is given up `give_up_after` seconds after its first attempt."""

    first_delay: float = 10.0
    factor: float = 2.0
    max_delay: float = 3600.0
    give_up_after: float = 86400.0
    timeout: float = 10.0  # seconds, for each of connect, write, read
    batch: int = 100
    max_redirects: int = 3
    record_every: int = 50  # answers written per commit, at most ...
    record_within: float = 0.1  # ... and at most this many seconds after the first

    def delay(self, attempts: int) -> float:
        """Seconds to wait after the `attempts`-th failed attempt (1, 2, ...)."""
        return float(min(self.max_delay, self.first_delay * self.factor ** max(0, attempts - 1)))

    @property
    def lease(self) -> float:
        """How long a claim holds: one request and its redirects, with room to spare."""
        return self.timeout * (self.max_redirects + 1) + 2.0
