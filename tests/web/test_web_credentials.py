"""Credentials have a lifecycle: expiring and revocable tokens, accounts disabled, re-roled,
renamed and given new passwords, "sign out everywhere"; and sign-ins are throttled.

The service tests run on SQLite and PostgreSQL (`db_url`); the API and page tests on the
web tests' demo village.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from missiondesk.errors import BadInput, Conflict, NotFound
from missiondesk.services import accounts, signin
from missiondesk.store import tables as t
from missiondesk.store.database import Database

PASSWORD = "correct horse battery"


@pytest.fixture
def fresh(db_url: str) -> Iterator[Database]:
    """An empty database on SQLite or PostgreSQL with a hokage and a viewer."""
    database = Database(db_url)
    accounts.add_user(database, "tsunade", "hokage", PASSWORD, actor="test")
    accounts.add_user(database, "genma", "viewer", PASSWORD, actor="test")
    yield database
    database.dispose()


def events(db: Database, kind: str) -> list[dict[str, Any]]:
    with db.reading() as connection:
        rows = connection.execute(select(t.event).where(t.event.c.kind == kind)).mappings()
        return [dict(r) for r in rows]


# --- The lifecycle, in the service ------------------------------------------------------


def test_a_disabled_account_cannot_sign_in_or_use_its_tokens(fresh: Database) -> None:
    token = accounts.issue_token(fresh, "genma", "api")
    session = accounts.issue_token(fresh, "genma", "session")
    accounts.set_disabled(fresh, "genma", True, actor="tsunade")
    assert accounts.account_for_token(fresh, token) is None
    assert accounts.account_for_token(fresh, session) is None
    with pytest.raises(signin.SignInFailed, match="disabled"):
        signin.sign_in(fresh, "genma", PASSWORD, address="10.0.0.1")
    with pytest.raises(Conflict):
        accounts.issue_token(fresh, "genma", "api")
    assert [e["after"] for e in events(fresh, "account.disabled")] == [{"disabled": True}]
    accounts.set_disabled(fresh, "genma", False, actor="tsunade")
    assert accounts.account_for_token(fresh, token).name == "genma"  # type: ignore[union-attr]
    assert signin.sign_in(fresh, "genma", PASSWORD, address="10.0.0.1").name == "genma"


def test_sign_out_everywhere_revokes_every_session_and_token(fresh: Database) -> None:
    raws = [accounts.issue_token(fresh, "genma", kind) for kind in ("api", "session", "api")]
    kept = accounts.issue_token(fresh, "tsunade", "api")
    out = accounts.sign_out_everywhere(fresh, "genma", actor="tsunade")
    assert out.revoked == 3
    assert all(accounts.account_for_token(fresh, raw) is None for raw in raws)
    assert accounts.account_for_token(fresh, kept) is not None
    assert events(fresh, "account.signed_out")[0]["after"] == {"revoked": 3}


def test_a_token_expires_and_is_revoked_by_its_id(fresh: Database) -> None:
    short = accounts.issue_token(fresh, "genma", "api", lifetime=dt.timedelta(days=1))
    other = accounts.issue_token(fresh, "genma", "api", actor="tsunade")
    listed = {row.id: row for row in accounts.tokens(fresh, "genma")}
    assert set(listed) == {accounts.token_id(short), accounts.token_id(other)}
    assert listed[accounts.token_id(short)].expires_at is not None
    assert listed[accounts.token_id(other)].expires_at is None
    accounts.revoke_token_id(fresh, "genma", accounts.token_id(short), actor="tsunade")
    assert accounts.account_for_token(fresh, short) is None
    assert accounts.account_for_token(fresh, other) is not None
    with pytest.raises(NotFound):
        accounts.revoke_token_id(fresh, "tsunade", accounts.token_id(other), actor="tsunade")
    with pytest.raises(BadInput, match="not a token id"):
        accounts.revoke_token_id(fresh, "genma", "", actor="tsunade")
    assert [e["kind"] for e in events(fresh, "token.revoked")] == ["token.revoked"]
    assert events(fresh, "token.issued")[0]["after"]["token"] == accounts.token_id(other)


def test_role_rename_and_password_changes(fresh: Database) -> None:
    token = accounts.issue_token(fresh, "genma", "api")
    session = accounts.issue_token(fresh, "genma", "session")
    assert accounts.set_role(fresh, "genma", "commander", actor="tsunade").role == "commander"
    renamed = accounts.rename(fresh, "genma", "shiranui-genma", actor="tsunade")
    assert renamed.name == "shiranui-genma" and renamed.role == "commander"
    follows = accounts.account_for_token(fresh, token)
    assert follows is not None and follows.name == "shiranui-genma"
    with pytest.raises(Conflict):
        accounts.rename(fresh, "shiranui-genma", "tsunade", actor="tsunade")
    with pytest.raises(BadInput):
        accounts.rename(fresh, "shiranui-genma", "Bad Name", actor="tsunade")
    changed = accounts.set_password(fresh, "shiranui-genma", "a new long password", actor="x")
    assert changed.revoked_sessions == 1 and not changed.generated
    assert accounts.account_for_token(fresh, session) is None  # sessions end
    assert accounts.account_for_token(fresh, token) is not None  # API tokens stay
    assert accounts.authenticate(fresh, "shiranui-genma", PASSWORD) is None
    assert accounts.authenticate(fresh, "shiranui-genma", "a new long password") is not None
    logged = [e["kind"] for e in events(fresh, "account.password_changed")]
    assert logged == ["account.password_changed"]
    assert "password" not in json.dumps(events(fresh, "account.password_changed")[0]["after"])


def test_the_last_hokage_cannot_be_disabled_or_demoted(fresh: Database) -> None:
    with pytest.raises(Conflict, match="last enabled hokage"):
        accounts.set_disabled(fresh, "tsunade", True, actor="tsunade")
    with pytest.raises(Conflict, match="last enabled hokage"):
        accounts.set_role(fresh, "tsunade", "viewer", actor="tsunade")
    accounts.set_role(fresh, "genma", "hokage", actor="tsunade")
    accounts.set_disabled(fresh, "tsunade", True, actor="genma")
    assert {a.name: a.disabled for a in accounts.accounts(fresh)} == {
        "genma": False,
        "tsunade": True,
    }


# --- Throttling ------------------------------------------------------------------------


def test_failed_sign_ins_wait_longer_and_then_lock_out(fresh: Database) -> None:
    now = dt.datetime(2026, 11, 29, 8, 0)
    free = signin.ACCOUNT_LIMITS.free
    for _ in range(free):  # the first few cost nothing but the log
        with pytest.raises(signin.SignInFailed):
            signin.sign_in(fresh, "genma", "guess", address="10.0.0.9", now=now)
    waits = []
    for _ in range(signin.ACCOUNT_LIMITS.lockout_after - free):
        with pytest.raises(signin.SignInFailed):
            signin.sign_in(fresh, "genma", "guess", address="10.0.0.9", now=now)
        # While the account must wait, even the right password is refused, unhashed.
        with pytest.raises(signin.SignInRefused) as refused:
            signin.sign_in(fresh, "genma", PASSWORD, address="10.0.0.7", now=now)
        waits.append(refused.value.retry_after)
        now += dt.timedelta(seconds=refused.value.retry_after)
    assert waits[:4] == [1, 2, 4, 8] and waits == sorted(waits)
    assert waits[-1] == signin.LOCKOUT.total_seconds()  # the lockout
    assert len(events(fresh, "login.failed")) == signin.ACCOUNT_LIMITS.lockout_after - 1
    locked = events(fresh, "login.locked")
    assert len(locked) == 1 and locked[0]["after"]["locked"] == ["account:genma"]
    assert locked[0]["subject"] == "account:genma" and "10.0.0.9" in locked[0]["actor"]
    # After the lockout the right password works, and the account starts afresh (the
    # guessing address has used up its own free failures, so another address shows it).
    assert signin.sign_in(fresh, "genma", PASSWORD, address="10.0.0.9", now=now).name == "genma"
    with pytest.raises(signin.SignInFailed):
        signin.sign_in(fresh, "genma", "guess", address="10.0.0.8", now=now)
    signin.sign_in(fresh, "genma", PASSWORD, address="10.0.0.8", now=now)


def test_one_address_guessing_many_names_is_throttled(fresh: Database) -> None:
    now = dt.datetime(2026, 11, 29, 8, 0)
    for n in range(signin.ADDRESS_LIMITS.free):
        with pytest.raises(signin.SignInFailed):
            signin.sign_in(fresh, f"name-{n}", "guess", address="10.6.6.6", now=now)
    with pytest.raises(signin.SignInFailed):
        signin.sign_in(fresh, "another-name", "guess", address="10.6.6.6", now=now)
    with pytest.raises(signin.SignInRefused):
        signin.sign_in(fresh, "tsunade", PASSWORD, address="10.6.6.6", now=now)
    # Another address is not held up by it.
    assert signin.sign_in(fresh, "tsunade", PASSWORD, address="10.1.1.1", now=now)


def test_failures_are_forgotten_after_an_hour(fresh: Database) -> None:
    now = dt.datetime(2026, 11, 29, 8, 0)
    for _ in range(signin.ACCOUNT_LIMITS.free):
        with pytest.raises(signin.SignInFailed):
            signin.sign_in(fresh, "genma", "guess", address="10.0.0.2", now=now)
    later = now + signin.FORGET_AFTER + dt.timedelta(minutes=1)
    with pytest.raises(signin.SignInFailed):  # a first failure again: no wait after it
        signin.sign_in(fresh, "genma", "guess", address="10.0.0.2", now=later)
    assert signin.sign_in(fresh, "genma", PASSWORD, address="10.0.0.2", now=later)


MEMORY_PROBE = """
import resource, threading
from missiondesk.services import accounts
stored = accounts.hash_password("correct horse battery")
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
threads = [
    threading.Thread(target=accounts.password_matches, args=(stored, "wrong guess"))
    for _ in range(12)
]
for thread in threads:
    thread.start()
for thread in threads:
    thread.join()
print((resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) // 1024)
"""


def test_twelve_concurrent_password_checks_stay_within_a_small_memory_budget() -> None:
    """argon2 at 64 MiB each, twelve at once, took 650+ MiB; bounded cost and at most
    MAX_CONCURRENT_HASHES at a time keep the peak growth small."""
    assert accounts.ARGON2_MEMORY_KIB <= 19_456 and accounts.MAX_CONCURRENT_HASHES <= 2
    probe = subprocess.run(
        [sys.executable, "-c", MEMORY_PROBE], capture_output=True, text=True, check=True
    )
    grown_mib = int(probe.stdout.strip())
    assert grown_mib < 64, f"peak memory grew by {grown_mib} MiB"


# --- Through the API and the pages --------------------------------------------------------


def test_the_api_manages_an_account_from_disable_to_sign_out(
    client: TestClient, as_role: Any, village: Any
) -> None:
    hokage = as_role("hokage")
    viewer = as_role("viewer")
    assert client.get("/api/me", headers=viewer).status_code == 200
    answer = client.post("/api/accounts/viewer/disable", headers=hokage)
    assert answer.status_code == 200 and answer.json()["disabled"] is True
    assert client.get("/api/me", headers=viewer).status_code == 401
    assert client.post("/api/accounts/viewer/enable", headers=hokage).json()["disabled"] is False
    assert client.get("/api/me", headers=viewer).status_code == 200
    role = client.post("/api/accounts/viewer/role", headers=hokage, json={"role": "medic"})
    assert role.status_code == 200 and role.json()["role"] == "medic"
    assert client.get("/api/wellbeing", headers=viewer).status_code == 200  # now a medic
    renamed = client.post("/api/accounts/viewer/rename", headers=hokage, json={"name": "shizune"})
    assert renamed.json()["name"] == "shizune"
    assert client.get("/api/me", headers=viewer).json()["name"] == "shizune"
    new = client.post("/api/accounts/shizune/password", headers=hokage, json={})
    assert new.status_code == 200 and len(new.json()["password"]) >= 12
    listed = client.get("/api/accounts/shizune/tokens", headers=hokage).json()
    assert [row["kind"] for row in listed] == ["api"] and "token_hash" not in listed[0]
    gone = client.post("/api/accounts/shizune/signout", headers=hokage)
    assert gone.json() == {"account": "shizune", "revoked": 1}
    assert client.get("/api/me", headers=viewer).status_code == 401
    assert client.post("/api/accounts/nobody/disable", headers=hokage).status_code == 404
    assert client.post("/api/accounts/hokage/disable", headers=viewer).status_code == 401


def test_an_account_signs_itself_out_everywhere(client: TestClient, as_role: Any) -> None:
    answer = client.post("/api/me/signout", headers=as_role("commander"))
    assert answer.status_code == 200 and answer.json()["revoked"] == 1
    assert client.get("/api/me", headers=as_role("commander")).status_code == 401


def test_a_token_is_revoked_through_the_api(client: TestClient, as_role: Any) -> None:
    listed = client.get("/api/accounts/medic/tokens", headers=as_role("hokage")).json()
    token_id = listed[0]["id"]
    answer = client.delete(f"/api/accounts/medic/tokens/{token_id}", headers=as_role("hokage"))
    assert answer.status_code == 200 and answer.json()["id"] == token_id
    assert client.get("/api/me", headers=as_role("medic")).status_code == 401


def login(client: TestClient, name: str, password: str) -> Any:
    form = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    return client.post(
        "/login",
        data={"name": name, "password": password, "csrf_token": token.group(1), "next": "/"},
        follow_redirects=False,
    )


def test_the_login_page_throttles_and_says_when_to_try_again(
    client: TestClient, password: str, db: Database
) -> None:
    for _ in range(signin.ACCOUNT_LIMITS.free):
        assert login(client, "medic", "guess").status_code == 401
    assert login(client, "medic", "guess").status_code == 401
    refused = login(client, "medic", password)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) >= 1
    assert "Too many failed sign-ins" in refused.text
    assert len(events(db, "login.failed")) == signin.ACCOUNT_LIMITS.free + 1
    assert login(client, "hokage", password).status_code == 303  # others are not held up


def test_the_accounts_page_changes_accounts(client: TestClient, password: str) -> None:
    assert login(client, "hokage", password).status_code == 303
    page = client.get("/accounts")
    csrf = re.search(r'"X-CSRF-Token": "([0-9a-f]+)"', page.text)
    assert csrf is not None
    assert 'action="/accounts/viewer/disable"' in page.text

    def change(path: str, **form: str) -> Any:
        return client.post(path, data={"csrf_token": csrf.group(1), **form})

    assert "viewer is disabled" in change("/accounts/viewer/disable").text
    assert "disabled" in client.get("/accounts").text
    assert "viewer is now commander" in change("/accounts/viewer/role", role="commander").text
    assert "now called kakashi" in change("/accounts/viewer/rename", new_name="kakashi").text
    answer = change("/accounts/kakashi/password")
    assert "The password, shown once" in answer.text
    assert "signed out everywhere" in change("/accounts/kakashi/signout").text
    assert change("/accounts/kakashi/explode").status_code == 404
    assert change("/accounts/hokage/role", role="viewer").status_code == 409  # last hokage
    with TestClient(client.app) as other:
        assert login(other, "kakashi", password).status_code == 401  # disabled still
