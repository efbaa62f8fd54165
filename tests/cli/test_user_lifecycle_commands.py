"""`missiondesk user ...` for an account's whole life, on SQLite and PostgreSQL; and
`missiondesk serve` on a port already taken."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from md_support import Result
from missiondesk.services import accounts
from missiondesk.store.database import Database

Cli = Callable[..., Result]


def test_an_account_from_creation_to_sign_out(cli: Cli, db_url: str) -> None:
    assert cli("user", "add", "tsunade", "--role", "hokage", "--generate", "--db", db_url).code == 0
    assert cli("user", "add", "genma", "--role", "viewer", "--generate", "--db", db_url).code == 0
    issued = cli("user", "token", "genma", "--expires", "12h", "--json", "--db", db_url)
    assert issued.code == 0, issued.stderr
    token = json.loads(issued.stdout)
    listed = json.loads(cli("user", "token", "genma", "--list", "--json", "--db", db_url).stdout)
    assert [row["id"] for row in listed] == [token["id"]] and listed[0]["expires_at"]
    db = Database(db_url)
    assert db and accounts.account_for_token(db, token["token"]) is not None

    assert cli("user", "disable", "genma", "--db", db_url).code == 0
    assert accounts.account_for_token(db, token["token"]) is None
    assert "[disabled]" in cli("user", "list", "--db", db_url).stdout
    assert cli("user", "enable", "genma", "--db", db_url).code == 0
    role = cli("user", "role", "genma", "commander", "--json", "--db", db_url)
    assert json.loads(role.stdout)["role"] == "commander"
    assert cli("user", "rename", "genma", "shiranui", "--db", db_url).code == 0
    changed = cli("user", "passwd", "shiranui", "--password", "a fresh password", "--db", db_url)
    assert changed.code == 0 and "0 sessions ended" in changed.stdout
    assert accounts.authenticate(db, "shiranui", "a fresh password") is not None
    assert accounts.account_for_token(db, token["token"]).name == "shiranui"  # type: ignore[union-attr]

    revoked = cli("user", "token", "shiranui", "--revoke", token["id"], "--db", db_url)
    assert revoked.code == 0 and token["id"] in revoked.stdout
    assert accounts.account_for_token(db, token["token"]) is None
    again = cli("user", "token", "shiranui", "--revoke", token["id"], "--db", db_url)
    assert again.code == 2 and "no token" in again.stderr

    other = cli("user", "token", "shiranui", "--expires", "never", "--db", db_url).stdout.strip()
    out = cli("user", "signout", "shiranui", "--db", db_url)
    assert out.code == 0 and "1 token revoked" in out.stdout
    assert accounts.account_for_token(db, other) is None
    kinds = [e.kind for e in _events(db)]
    for kind in ("token.issued", "account.disabled", "account.enabled", "account.role_changed",
                 "account.renamed", "account.password_changed", "token.revoked",
                 "account.signed_out"):  # fmt: skip
        assert kind in kinds, kind
    db.dispose()


def _events(db: Database) -> list[object]:
    from sqlalchemy import select

    from missiondesk.store import tables as t

    with db.reading() as connection:
        return list(connection.execute(select(t.event.c.kind).order_by(t.event.c.id)))


def test_bad_lifecycle_requests_are_bad_input(cli: Cli, sqlite_url: str) -> None:
    cli("user", "add", "tsunade", "--role", "hokage", "--generate", "--db", sqlite_url)
    for args, fragment in [
        (("user", "token", "tsunade", "--expires", "0d"), "not a lifetime"),
        (("user", "token", "tsunade", "--expires", "soon"), "not a lifetime"),
        (("user", "token", "tsunade", "--revoke", "xyz"), "not a token id"),
        (("user", "disable", "nobody"), "no account"),
        (("user", "disable", "tsunade"), "last enabled hokage"),
        (("user", "role", "tsunade", "daimyo"), "not a role"),
        (("user", "rename", "tsunade", "Bad Name"), "not an account name"),
        (("user", "passwd", "tsunade", "--password", "short"), "too short"),
    ]:
        result = cli(*args, "--db", sqlite_url)
        assert result.code == 2, args
        assert fragment in result.stderr, (args, result.stderr)


def test_serve_on_a_taken_port_exits_2_with_one_line(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run(
            [sys.executable, "-c", "from missiondesk.cli.app import main; main()",
             "serve", "--port", str(port), "--db", str(tmp_path / "village.sqlite")],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "MISSIONDESK_ACTOR": "test"},
        )  # fmt: skip
    assert result.returncode == 2
    assert result.stdout == ""  # the address was never announced
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and f"127.0.0.1:{port}" in lines[0] and "in use" in lines[0]
