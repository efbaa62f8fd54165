"""`missiondesk user add` and `missiondesk user token`: accounts for the web interface and API."""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import actor, console, emit_json
from missiondesk.errors import BadInput
from missiondesk.services import accounts as account_service

user_app = typer.Typer(
    help="Accounts (roles: hokage, commander, medic, shinobi, viewer) and their API tokens.",
    no_args_is_help=True,
)

NameArgument = Annotated[str, typer.Argument(help="The account's name.", show_default=False)]


@user_app.command("add")
def add(
    name: NameArgument,
    role: Annotated[
        str,
        typer.Option(
            "--role", help="hokage, commander, medic, shinobi or viewer.", show_default=False
        ),
    ],
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="The password; without it you are asked for one (empty: generate one).",
            show_default=False,
        ),
    ] = None,
    shinobi: Annotated[
        str | None,
        typer.Option("--shinobi", help="The roster id of this person (for shinobi accounts)."),
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate", help="Generate a password without asking.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Create an account; a generated password is printed once."""
    account_service.parse_role(role)  # a bad role is refused before any prompt
    if password is None and not generate:
        password = _prompt_password()
    created = account_service.add_user(
        open_db(db), name, role, password, shinobi=shinobi, actor=actor()
    )
    if json:
        emit_json(
            {
                "account": created.account,
                "password": created.password if created.generated else None,
            }
        )
        return
    console.print(f"added account {name!r} ({created.account.role.value})")
    if created.generated:
        console.print(f"password (shown once): {created.password}", markup=False)


def _prompt_password() -> str | None:
    """Ask twice on a terminal; with no terminal, or an empty answer, generate one."""
    if not sys.stdin.isatty():
        return None
    first = typer.prompt(
        "Password (empty: generate one)", hide_input=True, default="", show_default=False
    )
    if not first:
        return None
    again = typer.prompt("Repeat it", hide_input=True, default="", show_default=False)
    if first != again:
        raise BadInput("the two passwords differ", field="password")
    return str(first)


@user_app.command("token")
def token(name: NameArgument, db: DbOption = None, json: JsonOption = False) -> None:
    """Print a new API token for the account (send it as `Authorization: Bearer TOKEN`)."""
    raw = account_service.issue_token(open_db(db), name, account_service.TokenKind.API)
    if json:
        emit_json({"account": name, "token": raw})
    else:
        typer.echo(raw)


@user_app.command("list")
def list_(db: DbOption = None, json: JsonOption = False) -> None:
    """Every account: name, role, linked shinobi."""
    rows = account_service.accounts(open_db(db))
    if json:
        emit_json(rows)
        return
    for a in rows:
        linked = f" ({a.shinobi})" if a.shinobi else ""
        console.print(f"{a.name}: {a.role.value}{linked}", markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
