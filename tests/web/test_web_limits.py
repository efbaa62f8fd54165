"""Request bodies against a real uvicorn server on 127.0.0.1: too large is refused before
it is parsed (413), and a body without a credential gets its 401 before a byte of it is
read. The requests are written on a raw socket, so the test decides what is sent when."""

from __future__ import annotations

import socket
import time
from typing import Any

import pytest

from missiondesk.web.gate import MAX_BODY_BYTES, MAX_LOGIN_BYTES

FIFTY_TWO_MB = 52_000_000
ANSWER_WITHIN = 5.0  # seconds; a server waiting for the body would never answer


@pytest.fixture
def port(live_port: int) -> int:
    return live_port


def send_head(port: int, method: str, path: str, headers: dict[str, str]) -> socket.socket:
    connection = socket.create_connection(("127.0.0.1", port), timeout=ANSWER_WITHIN)
    lines = [
        f"{method} {path} HTTP/1.1",
        "Host: 127.0.0.1",
        *(f"{k}: {v}" for k, v in headers.items()),
    ]
    connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
    return connection


def status_of(connection: socket.socket) -> tuple[int, bytes]:
    """The status and the head of the answer (a timeout fails the test: no answer came)."""
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = connection.recv(65536)
        if not chunk:
            break
        received += chunk
    head = received.split(b"\r\n\r\n")[0]
    return int(head.split(b" ")[1]), head


def test_an_unauthenticated_large_body_is_refused_before_it_is_read(port: int) -> None:
    connection = send_head(
        port,
        "POST",
        "/api/plan",
        {"Content-Type": "application/json", "Content-Length": str(FIFTY_TWO_MB)},
    )
    with connection:
        connection.sendall(b"{" + b" " * 65536)  # a start; the rest is never sent
        started = time.monotonic()
        status, head = status_of(connection)
    assert status == 401, head
    assert b"www-authenticate: Bearer" in head.lower().replace(b"bearer", b"Bearer")
    assert time.monotonic() - started < ANSWER_WITHIN


def test_a_wrong_token_does_not_get_its_body_read_either(port: int) -> None:
    headers = {
        "Authorization": "Bearer not-a-token",
        "Content-Type": "application/json",
        "Content-Length": str(FIFTY_TWO_MB),
    }
    with send_head(port, "POST", "/api/missions/tani-scroll/report", headers) as connection:
        status, _ = status_of(connection)
    assert status == 401


def test_a_declared_body_over_the_limit_is_413_before_it_is_sent(port: int, as_role: Any) -> None:
    headers = {
        **as_role("hokage"),
        "Content-Type": "application/json",
        "Content-Length": str(MAX_BODY_BYTES + 1),
    }
    with send_head(port, "POST", "/api/plan", headers) as connection:
        status, _ = status_of(connection)
    assert status == 413


def test_a_chunked_body_is_cut_off_at_the_limit(port: int, as_role: Any) -> None:
    headers = {
        **as_role("hokage"),
        "Content-Type": "application/json",
        "Transfer-Encoding": "chunked",
    }
    with send_head(port, "POST", "/api/plan", headers) as connection:
        chunk = b" " * 65536
        try:
            for _ in range(MAX_BODY_BYTES // len(chunk) + 2):
                connection.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
        except OSError:
            pass  # the server answered and closed while we were still sending
        status, _ = status_of(connection)
    assert status == 413


def test_a_page_form_without_a_session_is_sent_to_the_login_page_unread(port: int) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(FIFTY_TWO_MB),
    }
    with send_head(port, "POST", "/missions/tani-scroll/report", headers) as connection:
        status, head = status_of(connection)
    assert status == 303 and b"location: /login" in head.lower()


def test_the_login_form_has_a_small_limit(port: int) -> None:
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(MAX_LOGIN_BYTES + 1),
    }
    with send_head(port, "POST", "/login", headers) as connection:
        status, _ = status_of(connection)
    assert status == 413


def test_a_body_within_the_limit_still_works(port: int, as_role: Any) -> None:
    body = b'{"shinobi": "nobody", "kind": "shield"}'
    headers = {
        **as_role("medic"),
        "Content-Type": "application/json",
        "Content-Length": str(len(body)),
    }
    with send_head(port, "POST", "/api/wellbeing/clear", headers) as connection:
        connection.sendall(body)
        status, _ = status_of(connection)
    assert status == 404  # read, parsed, and answered: there is no shinobi 'nobody'
