"""Signing in to the pages: nothing without an account, cookies that scripts cannot read,
and no form accepted without the session's CSRF token."""

from __future__ import annotations

import re
from typing import Any

from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from missiondesk.store.database import Database
from missiondesk.web import create_app

PUBLIC = {"/health", "/login"}


def login_form(client: TestClient) -> str:
    page = client.get("/login")
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def sign_in(client: TestClient, name: str, password: str) -> Any:
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": login_form(client), "next": "/"},
        follow_redirects=False,
    )


def page_csrf(client: TestClient) -> str:
    found = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', client.get("/").text)
    assert found is not None
    return found.group(1)


def test_nothing_answers_without_an_account(client: TestClient, app_routes: list[APIRoute]) -> None:
    assert len(app_routes) > 40
    for route in app_routes:
        if route.path in PUBLIC:
            continue
        path = route.path.replace("{mission_id}", "tani-scroll").replace("{run_id}", "x")
        for method in route.methods:
            answer = client.request(method, path, follow_redirects=False)
            if path.startswith("/api/"):
                assert answer.status_code == 401, f"{method} {path}"
            else:
                assert answer.status_code == 303, f"{method} {path}"
                assert answer.headers["location"].startswith("/login")


def test_static_assets_and_login_page_are_public(client: TestClient) -> None:
    assert client.get("/login").status_code == 200
    script = client.get("/static/htmx.min.js")
    assert script.status_code == 200
    assert "Zero-Clause BSD" in script.text[:400]
    assert client.get("/static/style.css").status_code == 200


def test_login_sets_a_session_cookie_scripts_cannot_read(db: Database, password: str) -> None:
    with TestClient(create_app(db), base_url="https://testserver") as client:
        answer = sign_in(client, "hokage", password)
        assert answer.status_code == 303
        cookie = answer.headers["set-cookie"]
        assert "md_session=" in cookie
        assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" in cookie


def test_plain_http_cookie_is_not_marked_secure(client: TestClient, password: str) -> None:
    cookie = sign_in(client, "viewer", password).headers["set-cookie"]
    assert "Secure" not in cookie and "HttpOnly" in cookie


def test_wrong_password_is_refused(client: TestClient) -> None:
    answer = sign_in(client, "hokage", "not the password")
    assert answer.status_code == 401
    assert "Wrong name or password" in answer.text
    assert sign_in(client, "nobody", "whatever").status_code == 401


def test_login_without_its_csrf_token_is_refused(client: TestClient, password: str) -> None:
    answer = client.post(
        "/login", data={"name": "hokage", "password": password}, follow_redirects=False
    )
    assert answer.status_code == 403


def test_forms_without_the_csrf_token_are_refused(client: TestClient, password: str) -> None:
    sign_in(client, "hokage", password)
    missing = client.post("/assess", follow_redirects=False)
    assert missing.status_code == 403
    wrong = client.post("/assess", data={"csrf_token": "0" * 64}, follow_redirects=False)
    assert wrong.status_code == 403
    right = client.post("/assess", data={"csrf_token": page_csrf(client)}, follow_redirects=False)
    assert right.status_code == 303
    by_header = client.post(
        "/assess", headers={"X-CSRF-Token": page_csrf(client)}, follow_redirects=False
    )
    assert by_header.status_code == 303


def test_logout_ends_the_session(client: TestClient, password: str) -> None:
    sign_in(client, "viewer", password)
    assert client.get("/", follow_redirects=False).status_code == 200
    csrf = page_csrf(client)
    client.post("/logout", data={"csrf_token": csrf}, follow_redirects=False)
    client.cookies.clear()
    assert client.get("/", follow_redirects=False).status_code == 303


def test_next_never_leaves_the_site(client: TestClient, password: str) -> None:
    answer = client.post(
        "/login",
        data={
            "name": "viewer",
            "password": password,
            "csrf_token": login_form(client),
            "next": "//evil.example/",
        },
        follow_redirects=False,
    )
    assert answer.headers["location"] == "/"


def test_pages_carry_security_headers(client: TestClient) -> None:
    headers = client.get("/login").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"


def test_a_session_token_is_not_an_api_token(client: TestClient, password: str) -> None:
    session = sign_in(client, "hokage", password).cookies.get("md_session")
    assert session
    answer = client.get("/api/board", headers={"Authorization": f"Bearer {session}"})
    assert answer.status_code == 401
