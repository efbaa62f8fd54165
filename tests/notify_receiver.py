"""A real webhook receiver on 127.0.0.1 for the notification tests and the benchmark.

It records every POST (path, headers, body, when, what it answered) and can be told to
fail (answer 500), to stall (answer only after the sender has given up), to accept, or to
redirect POST /hook elsewhere. Run as
a script (`python tests/notify_receiver.py`) it serves in its own process, prints its port,
and answers `GET /received` with what it recorded, for the benchmark.
"""

from __future__ import annotations

import contextlib
import json
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

ACCEPT = "accept"
FAIL = "fail"
STALL = "stall"


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes
    at: float  # time.time() on receipt
    answer: int
    stalled: bool

    @property
    def event(self) -> str:
        return self.headers.get("x-missiondesk-event", "")

    @property
    def delivery(self) -> str:
        return self.headers.get("x-missiondesk-delivery", "")

    @property
    def acknowledged(self) -> bool:
        """The sender saw a 2xx (a stalled answer came after it had hung up)."""
        return 200 <= self.answer < 300 and not self.stalled

    def json(self) -> Any:
        return json.loads(self.body)


class Receiver:
    def __init__(self, stall_seconds: float = 1.5) -> None:
        self.mode = ACCEPT
        self.stall_seconds = stall_seconds
        self.pause = 0.0  # seconds before each accepted answer (a slow but healthy receiver)
        self.fail_when: Callable[[Received], bool] | None = None  # refuse only these
        self.redirect: str | None = None  # answer POST /hook with 307 to this (else accept)
        self.received: list[Received] = []
        self.lock = threading.Lock()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.server.daemon_threads = True
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}/hook"

    def start(self) -> Receiver:
        self.thread.start()
        return self

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def acknowledged(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if r.acknowledged]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """The acknowledged POSTs once there are at least `count` (or when time is up)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            done = self.acknowledged()
            if len(done) >= count:
                return done
            time.sleep(0.02)
        return self.acknowledged()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each answer waits on a delayed ACK

            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                with receiver.lock:
                    rows = [
                        {"delivery": r.delivery, "at": r.at, "body": r.body.decode()}
                        for r in receiver.received
                        if r.acknowledged
                    ]
                self._answer(200, json.dumps(rows).encode())

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                if len(body) < length:
                    return  # the sender died mid-body (a killed serve): nothing was delivered
                if receiver.redirect is not None and self.path == "/hook":
                    self.send_response(307)  # 307: the POST and its body go along
                    self.send_header("Location", receiver.redirect)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                now = time.time()
                mode = receiver.mode
                record = Received(
                    path=self.path,
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    at=now,
                    answer=500 if mode == FAIL else 200,
                    stalled=mode == STALL,
                )
                if receiver.fail_when is not None and receiver.fail_when(record):
                    record.answer = 500
                answer = record.answer
                with receiver.lock:
                    receiver.received.append(record)
                if mode == STALL:
                    time.sleep(receiver.stall_seconds)
                elif receiver.pause:
                    time.sleep(receiver.pause)
                # A stalled answer finds the sender gone: writing to it may fail.
                with contextlib.suppress(OSError):
                    self._answer(answer, b"ok" if answer == 200 else b"down")

            def _answer(self, status: int, body: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


if __name__ == "__main__":
    served = Receiver().start()
    sys.stdout.write(f"{served.server.server_address[1]}\n")
    sys.stdout.flush()
    try:
        served.thread.join()
    except KeyboardInterrupt:
        served.stop()
