"""`missiondesk user ...`: accounts for the web interface and API, and their lifecycle.

add, list, token (issue, list, revoke), role, rename, passwd, disable, enable, signout.
"""

import datetime as dt
import re
import sys
from typing import TYPE_CHECKING, Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import actor, emit_json, say
from missiondesk.domain.words import plural
from missiondesk.errors import BadInput

if TYPE_CHECKING:
    from missiondesk.services.accounts import Account

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
    from missiondesk.services import accounts as account_service

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
    say(f"added account {name!r} ({created.account.role.value})")
    if created.generated:
        say(f"password (shown once): {created.password}")


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


DURATION = re.compile(r"^(\d{1,6})([mhdw])$")
UNITS = {"m": "minutes", "h": "hours", "d": "days", "w": "weeks"}


def parse_lifetime(value: str) -> dt.timedelta | None:
    """`90d`, `12h`, `30m`, `2w`, or `never`."""
    if value == "never":
        return None
    found = DURATION.match(value)
    if found is None or int(found.group(1)) == 0:
        raise BadInput(
            f"{value!r} is not a lifetime (e.g. 30m, 12h, 90d, 2w, or never)", field="expires"
        )
    return dt.timedelta(**{UNITS[found.group(2)]: int(found.group(1))})


@user_app.command("token")
def token(
    name: NameArgument,
    expires: Annotated[
        str,
        typer.Option(
            "--expires", help="How long the new token lives: 30m, 12h, 90d, 2w, or never."
        ),
    ] = "90d",
    list_tokens: Annotated[
        bool, typer.Option("--list", help="List the account's live tokens instead.")
    ] = False,
    revoke: Annotated[
        str | None,
        typer.Option(
            "--revoke", help="Revoke the token with this id (from --list).", show_default=False
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Print a new API token for the account (send it as `Authorization: Bearer TOKEN`);
    with --list, its tokens by id; with --revoke ID, revoke one."""
    from missiondesk.services import accounts as account_service

    database = open_db(db)
    if list_tokens:
        rows = account_service.tokens(database, name)
        if json:
            emit_json(rows)
            return
        for row in rows:
            until = f"until {row.expires_at:%Y-%m-%d %H:%M}" if row.expires_at else "no expiry"
            say(f"{row.id}  {row.kind.value:<7}  since {row.created_at:%Y-%m-%d %H:%M}  {until}")
        return
    if revoke is not None:
        gone = account_service.revoke_token_id(database, name, revoke, actor=actor())
        if json:
            emit_json(gone)
        else:
            say(f"revoked {gone.kind.value} token {gone.id} of {name}")
        return
    lifetime = parse_lifetime(expires)
    raw = account_service.issue_token(
        database, name, account_service.TokenKind.API, lifetime=lifetime, actor=actor()
    )
    if json:
        emit_json({"account": name, "token": raw, "id": account_service.token_id(raw)})
    else:
        typer.echo(raw)


@user_app.command("list")
def list_(db: DbOption = None, json: JsonOption = False) -> None:
    """Every account: name, role, linked shinobi."""
    from missiondesk.services import accounts as account_service

    rows = account_service.accounts(open_db(db))
    if json:
        emit_json(rows)
        return
    for a in rows:
        linked = f" ({a.shinobi})" if a.shinobi else ""
        state = " [disabled]" if a.disabled else ""
        say(f"{a.name}: {a.role.value}{linked}{state}")


def _show(account: "Account", json: bool, text: str) -> None:
    if json:
        emit_json(account)
    else:
        say(text)


@user_app.command("disable")
def disable(name: NameArgument, db: DbOption = None, json: JsonOption = False) -> None:
    """Disable an account: it can no longer sign in, and its tokens are refused."""
    from missiondesk.services import accounts as account_service

    done = account_service.set_disabled(open_db(db), name, True, actor=actor())
    _show(done, json, f"disabled account {name!r}")


@user_app.command("enable")
def enable(name: NameArgument, db: DbOption = None, json: JsonOption = False) -> None:
    """Enable a disabled account again."""
    from missiondesk.services import accounts as account_service

    done = account_service.set_disabled(open_db(db), name, False, actor=actor())
    _show(done, json, f"enabled account {name!r}")


@user_app.command("role")
def role_(
    name: NameArgument,
    role: Annotated[
        str,
        typer.Argument(help="hokage, commander, medic, shinobi or viewer.", show_default=False),
    ],
    shinobi: Annotated[
        str | None,
        typer.Option("--shinobi", help="Link the account to this roster entry."),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Give an account another role."""
    from missiondesk.services import accounts as account_service

    done = account_service.set_role(open_db(db), name, role, shinobi=shinobi, actor=actor())
    _show(done, json, f"account {name!r} is now {done.role.value}")


@user_app.command("rename")
def rename(
    name: NameArgument,
    new_name: Annotated[str, typer.Argument(help="The new name.", show_default=False)],
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Rename an account (its tokens and sessions follow it)."""
    from missiondesk.services import accounts as account_service

    done = account_service.rename(open_db(db), name, new_name, actor=actor())
    _show(done, json, f"account {name!r} is now {done.name!r}")


@user_app.command("passwd")
def passwd(
    name: NameArgument,
    password: Annotated[
        str | None,
        typer.Option(
            "--password",
            help="The new password; without it you are asked for one (empty: generate one).",
            show_default=False,
        ),
    ] = None,
    generate: Annotated[
        bool, typer.Option("--generate", help="Generate a password without asking.")
    ] = False,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Set an account's password; its sessions end (its API tokens stay)."""
    from missiondesk.services import accounts as account_service

    if password is None and not generate:
        password = _prompt_password()
    changed = account_service.set_password(open_db(db), name, password, actor=actor())
    if json:
        emit_json(
            {
                "account": changed.account,
                "password": changed.password if changed.generated else None,
                "revoked_sessions": changed.revoked_sessions,
            }
        )
        return
    say(f"new password for {name!r}; {plural(changed.revoked_sessions, 'session')} ended")
    if changed.generated:
        say(f"password (shown once): {changed.password}")


@user_app.command("signout")
def signout(name: NameArgument, db: DbOption = None, json: JsonOption = False) -> None:
    """Sign an account out everywhere: revoke every session and API token it has."""
    from missiondesk.services import accounts as account_service

    out = account_service.sign_out_everywhere(open_db(db), name, actor=actor())
    if json:
        emit_json(out)
    else:
        say(f"signed {name!r} out everywhere ({plural(out.revoked, 'token')} revoked)")


def register(app: typer.Typer) -> None:
    app.add_typer(user_app, name="user")
