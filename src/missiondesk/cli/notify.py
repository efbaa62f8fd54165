"""`missiondesk notify`: webhook endpoints, a test POST, the delivery log, one delivery pass."""

from typing import Annotated

import typer

from missiondesk.cli.context import DbOption, JsonOption, open_db
from missiondesk.cli.output import actor, console, emit_json, errors
from missiondesk.errors import BadInput
from missiondesk.notifications.vocabulary import EVENT_NAMES

notify_app = typer.Typer(
    help="Notifications: POST events (" + ", ".join(EVENT_NAMES) + ") to webhooks.",
    no_args_is_help=True,
)

IdArgument = Annotated[int, typer.Argument(help="The endpoint's id (see `notify list`).")]


@notify_app.command("add")
def add(
    url: Annotated[str, typer.Argument(help="Where to POST (http:// or https://).")],
    events: Annotated[
        list[str],
        typer.Option(
            "--events",
            help="Comma-separated event names: " + ", ".join(EVENT_NAMES) + ".",
            show_default=False,
        ),
    ],
    body_format: Annotated[
        str, typer.Option("--format", help="json, or discord (a Discord webhook body).")
    ] = "json",
    secret_env: Annotated[
        str | None,
        typer.Option(
            "--secret-env",
            help="NAME of the environment variable holding the signing secret (only the "
            "name is stored; the secret signs X-MissionDesk-Signature).",
            show_default=False,
        ),
    ] = None,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Add an endpoint: it is told of the named events from now on."""
    from missiondesk.services import notify as notify_service

    endpoint = notify_service.add_endpoint(
        open_db(db),
        url,
        events=events,
        body_format=body_format,
        secret_env=secret_env,
        actor=actor(),
    )
    if json:
        emit_json(endpoint)
        return
    signed = f", signed with ${endpoint.secret_env}" if endpoint.secret_env else ""
    console.print(
        f"added notify {endpoint.id}: {endpoint.url} ({endpoint.format}{signed}) for "
        + ", ".join(endpoint.events),
        markup=False,
    )


@notify_app.command("list")
def list_(db: DbOption = None, json: JsonOption = False) -> None:
    """Every endpoint, with its deliveries pending, delivered and failed."""
    from missiondesk.services import notify as notify_service

    rows = notify_service.endpoints(open_db(db))
    if json:
        emit_json(rows)
        return
    if not rows:
        console.print("no notification endpoints (add one with `missiondesk notify add`)")
    for e in rows:
        signed = f" signed with ${e.secret_env}" if e.secret_env else ""
        console.print(
            f"{e.id}: {e.url} [{e.format}{signed}] {', '.join(e.events)} "
            f"(pending {e.pending}, delivered {e.delivered}, failed {e.failed})",
            markup=False,
        )


@notify_app.command("remove")
def remove(endpoint_id: IdArgument, db: DbOption = None) -> None:
    """Remove an endpoint; what it had not received yet is cancelled."""
    from missiondesk.services import notify as notify_service

    cancelled = notify_service.remove_endpoint(open_db(db), endpoint_id, actor=actor())
    console.print(f"removed notify {endpoint_id} ({cancelled} undelivered cancelled)")


@notify_app.command("test")
def test(endpoint_id: IdArgument, db: DbOption = None, json: JsonOption = False) -> None:
    """POST a `notify.test` event to the endpoint now; exit 2 when it does not accept it."""
    from missiondesk.services import notify as notify_service

    result = notify_service.test_endpoint(open_db(db), endpoint_id)
    if json:
        emit_json(result)
    elif result.ok:
        console.print(f"notify {endpoint_id} answered {result.status} (delivery {result.delivery})")
    if not result.ok:
        raise BadInput(f"notify {endpoint_id} did not accept the test: {result.error}", field="id")


@notify_app.command("log")
def log(
    status: Annotated[
        str | None,
        typer.Option("--status", help="Only pending, delivered, failed or cancelled."),
    ] = None,
    limit: Annotated[int, typer.Option("--limit", help="How many, newest first.")] = 50,
    db: DbOption = None,
    json: JsonOption = False,
) -> None:
    """Deliveries newest first: event, endpoint, status, attempts, last error."""
    from missiondesk.services import notify as notify_service

    rows = notify_service.delivery_log(open_db(db), status=status, limit=limit)
    if json:
        emit_json(rows)
        return
    if not rows:
        console.print("no deliveries")
    for d in rows:
        about = f" {d.subject}" if d.subject else ""
        detail = f" ({d.last_error})" if d.last_error and d.status != "delivered" else ""
        retry = f", next try {d.next_attempt_at:%Y-%m-%d %H:%M:%S} UTC" if d.next_attempt_at else ""
        console.print(
            f"#{d.id} {d.event}{about} -> notify {d.endpoint}: {d.status}, "
            f"{d.attempts} attempt{'s' if d.attempts != 1 else ''}{retry}{detail}",
            markup=False,
        )


@notify_app.command("deliver")
def deliver(db: DbOption = None, json: JsonOption = False) -> None:
    """One delivery pass: send what is due, then stop (for cron)."""
    from missiondesk.services import notify as notify_service

    result = notify_service.deliver(open_db(db))
    if json:
        emit_json(
            {
                "delivered": result.delivered,
                "retrying": result.retrying,
                "failed": result.failed,
                "cancelled": result.cancelled,
            }
        )
        return
    console.print(
        f"delivered {result.delivered}, retrying {result.retrying}, failed {result.failed}"
    )
    for line in result.errors:
        errors.print(line, markup=False)


def register(app: typer.Typer) -> None:
    app.add_typer(notify_app, name="notify")
