"""`missiondesk notify add/list/remove/test/log/deliver`, and bad input refused with exit 2,
the field named and nothing changed."""

from __future__ import annotations

import json
import time
from collections.abc import Callable

import pytest
from sqlalchemy import create_engine, text

from md_support import DEMO_VILLAGE, Result
from notifications.delivery_support import SECRET
from notify_receiver import FAIL, Receiver

Cli = Callable[..., Result]


def listed(cli: Cli, db: str) -> list[dict[str, object]]:
    result = cli("--db", db, "notify", "list", "--json")
    assert result.code == 0, result.stderr
    return list(json.loads(result.stdout))


def test_add_list_test_and_remove_an_endpoint(
    cli: Cli, db_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    added = cli(
        "--db", db_url, "notify", "add", receiver.url,
        "--events", "mission.approved,checkin.missed", "--events", "report.filed",
        "--format", "discord", "--secret-env", "HOOK_SECRET", "--json",
    )  # fmt: skip
    assert added.code == 0, added.stderr
    endpoint = json.loads(added.stdout)
    assert endpoint["events"] == ["mission.approved", "checkin.missed", "report.filed"]
    assert endpoint["secret_env"] == "HOOK_SECRET"
    assert [e["id"] for e in listed(cli, db_url)] == [endpoint["id"]]

    tested = cli("--db", db_url, "notify", "test", str(endpoint["id"]))
    assert tested.code == 0, tested.stderr
    [probe] = receiver.acknowledged()
    assert probe.event == "notify.test"
    assert "embeds" in probe.json()  # a Discord endpoint is tested in Discord's format
    assert probe.headers["x-missiondesk-signature"].startswith("sha256=")

    receiver.mode = FAIL
    refused = cli("--db", db_url, "notify", "test", str(endpoint["id"]))
    assert refused.code == 2
    assert "HTTP 500" in refused.stderr

    removed = cli("--db", db_url, "notify", "remove", str(endpoint["id"]))
    assert removed.code == 0, removed.stderr
    assert listed(cli, db_url) == []


def test_the_secret_is_never_printed_nor_stored(
    cli: Cli, db_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    cli("--db", db_url, "village", "import", DEMO_VILLAGE)
    outputs = [
        cli("--db", db_url, "notify", "add", receiver.url, "--events", "plan.ready",
            "--secret-env", "HOOK_SECRET"),
        cli("--db", db_url, "notify", "list"),
        cli("--db", db_url, "notify", "list", "--json"),
        cli("--db", db_url, "notify", "test", "1"),
        cli("--db", db_url, "notify", "log", "--json"),
    ]  # fmt: skip
    assert all(SECRET not in r.stdout + r.stderr for r in outputs)
    engine = create_engine(db_url)
    with engine.connect() as connection:
        for table in ("notify_endpoint", "event", "outbox"):
            table_rows = connection.execute(text(f"SELECT * FROM {table}"))
            dumped = json.dumps([list(map(str, r)) for r in table_rows])
            assert SECRET not in dumped
    engine.dispose()


BAD_INPUT = [
    (["notify", "add", "http://127.0.0.1:9/h", "--events", "mission.added,mission.eaten"],
     "events: 'mission.eaten' is not an event"),
    (["notify", "add", "ftp://127.0.0.1/h", "--events", "plan.ready"], "url: 'ftp:"),
    (["notify", "add", "127.0.0.1/h", "--events", "plan.ready"], "url: '127.0.0.1/h'"),
    (["notify", "add", "http://127.0.0.1:9/h", "--events", "plan.ready", "--format", "xml"],
     "format: 'xml'"),
    (["notify", "add", "http://127.0.0.1:9/h", "--events", "plan.ready",
      "--secret-env", "MISSIONDESK_NO_SUCH_SECRET"],
     "secret_env: environment variable MISSIONDESK_NO_SUCH_SECRET is not set"),
    (["notify", "remove", "41"], "id: no notification endpoint 41"),
    (["notify", "test", "41"], "id: no notification endpoint 41"),
    (["notify", "log", "--status", "lost"], "status: 'lost'"),
]  # fmt: skip


def test_bad_input_exits_2_names_the_field_and_changes_nothing(cli: Cli, db_url: str) -> None:
    cli("--db", db_url, "notify", "add", "http://127.0.0.1:9/keep", "--events", "plan.ready")
    before = (listed(cli, db_url), cli("--db", db_url, "notify", "log", "--json").stdout)
    for args, named in BAD_INPUT:
        result = cli("--db", db_url, *args)
        assert result.code == 2, (args, result.stdout + result.stderr)
        assert named in result.stderr, (args, result.stderr)
    after = (listed(cli, db_url), cli("--db", db_url, "notify", "log", "--json").stdout)
    assert after == before


def test_an_unset_secret_at_delivery_is_a_failed_attempt_never_an_unsigned_post(
    cli: Cli, db_url: str, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    cli("--db", db_url, "village", "import", DEMO_VILLAGE)
    cli("--db", db_url, "notify", "add", receiver.url, "--events", "plan.ready",
        "--secret-env", "HOOK_SECRET")  # fmt: skip
    assert cli("--db", db_url, "plan", "--time-limit", "2").code == 0
    monkeypatch.delenv("HOOK_SECRET")
    delivered = cli("--db", db_url, "notify", "deliver", "--json")
    assert json.loads(delivered.stdout)["retrying"] == 1
    assert receiver.received == []
    [row] = json.loads(cli("--db", db_url, "notify", "log", "--json").stdout)
    assert row["last_error"] == "environment variable HOOK_SECRET is not set"
    monkeypatch.setenv("HOOK_SECRET", SECRET)
    time.sleep(0.05)
    assert receiver.received == []  # the first retry waits: 10 s by default
