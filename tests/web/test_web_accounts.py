"""Accounts: argon2 passwords, hashed tokens, and `missiondesk user add` / `user token`."""

from __future__ import annotations

import datetime as dt

import pytest
import typer
from sqlalchemy import select
from typer.testing import CliRunner

from missiondesk.cli import serve as serve_commands
from missiondesk.cli import users as user_commands
from missiondesk.errors import BadInput, Conflict, NotFound
from missiondesk.services import accounts
from missiondesk.store import tables as t
from missiondesk.store.database import Database


def test_passwords_are_stored_as_argon2_hashes(db: Database) -> None:
    accounts.add_user(db, "anko", "commander", "snakes and dango")
    with db.reading() as connection:
        stored = connection.execute(
            select(t.account.c.password_hash).where(t.account.c.name == "anko")
        ).scalar_one()
    assert stored.startswith("$argon2id$") and "snakes" not in stored
    assert accounts.authenticate(db, "anko", "snakes and dango") is not None
    assert accounts.authenticate(db, "anko", "wrong password") is None
    assert accounts.authenticate(db, "nobody", "snakes and dango") is None


def test_a_password_is_generated_when_none_is_given(db: Database) -> None:
    created = accounts.add_user(db, "genma", "viewer")
    assert created.generated and len(created.password) >= 12
    assert accounts.authenticate(db, "genma", created.password) is not None


def test_bad_accounts_are_refused(db: Database) -> None:
    with pytest.raises(BadInput) as role:
        accounts.add_user(db, "x", "daimyo", "long enough")
    assert role.value.field == "role"
    with pytest.raises(BadInput):
        accounts.add_user(db, "Bad Name", "viewer", "long enough")
    with pytest.raises(BadInput):
        accounts.add_user(db, "short", "viewer", "tiny")
    with pytest.raises(NotFound):
        accounts.add_user(db, "ghost", "shinobi", "long enough", shinobi="no-such-ninja")
    with pytest.raises(Conflict):
        accounts.add_user(db, "hokage", "viewer", "long enough")


def test_tokens_are_stored_hashed_and_expire(db: Database) -> None:
    raw = accounts.issue_token(db, "viewer", "api")
    with db.reading() as connection:
        hashes = set(connection.execute(select(t.api_token.c.token_hash)).scalars())
    assert raw not in hashes and accounts.token_hash(raw) in hashes
    assert accounts.account_for_token(db, raw).name == "viewer"  # type: ignore[union-attr]
    assert accounts.account_for_token(db, raw, kind="session") is None
    old = accounts.issue_token(db, "viewer", "session", lifetime=dt.timedelta(seconds=-1))
    assert accounts.account_for_token(db, old) is None
    accounts.revoke_token(db, raw)
    assert accounts.account_for_token(db, raw) is None
    with pytest.raises(NotFound):
        accounts.issue_token(db, "nobody", "api")


def cli() -> typer.Typer:
    app = typer.Typer()
    user_commands.register(app)
    serve_commands.register(app)
    return app


def test_user_add_and_token_on_the_command_line(village: object) -> None:
    url = village.url  # type: ignore[attr-defined]
    runner = CliRunner()
    added = runner.invoke(
        cli(), ["user", "add", "kakashi", "--role", "commander", "--generate", "--db", url]
    )
    assert added.exit_code == 0, added.output
    assert "password (shown once)" in added.output
    linked = runner.invoke(
        cli(),
        ["user", "add", "choji", "--role", "shinobi", "--password", "butterfly mode",
         "--shinobi", "akimichi-choji", "--db", url],
    )  # fmt: skip
    assert linked.exit_code == 0, linked.output
    token = runner.invoke(cli(), ["user", "token", "choji", "--db", url])
    assert token.exit_code == 0
    db = Database(url)
    account = accounts.account_for_token(db, token.output.strip())
    assert account is not None and account.shinobi == "akimichi-choji"
    db.dispose()


def test_user_add_with_a_bad_role_is_bad_input(village: object) -> None:
    result = CliRunner().invoke(
        cli(),
        ["user", "add", "x", "--role", "daimyo", "--db", village.url],  # type: ignore[attr-defined]
    )
    assert isinstance(result.exception, BadInput)
