"""The database handle: where it lives, how it is opened, and migration on first use."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

from platformdirs import user_data_dir
from sqlalchemy import Connection, Engine, create_engine, event, inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DisconnectionError

if TYPE_CHECKING:
    from alembic.config import Config

ENV_VAR = "MISSIONDESK_DATABASE_URL"

SCHEMA_HEAD = "0014"
"""The newest migration in store/migrations/versions (a test holds the two equal)."""

WRITE_LOCK_KEY = 0x4D495353  # "MISS": the one advisory lock every writer takes on PostgreSQL


def default_url() -> str:
    """A SQLite file in the user's data folder (platformdirs)."""
    folder = Path(user_data_dir("missiondesk", appauthor=False))
    return f"sqlite:///{folder / 'missiondesk.sqlite'}"


def resolve_url(db: str | None) -> str:
    """`--db` wins, then MISSIONDESK_DATABASE_URL, then the default file.

    A bare path is a SQLite file; anything with `://` is a SQLAlchemy URL. `postgresql://`
    URLs are sent through psycopg 3, the driver this project installs.
    """
    raw = db or os.environ.get(ENV_VAR) or default_url()
    if "://" not in raw:
        return f"sqlite:///{Path(raw).expanduser().resolve()}"
    url = make_url(raw)
    if url.drivername in ("postgresql", "postgres"):
        url = url.set(drivername="postgresql+psycopg")
    return url.render_as_string(hide_password=False)


def alembic_config(connection: Connection | None = None) -> Config:
    from alembic.config import Config  # alembic loads in ~0.5 s: only when migrating

    config = Config()
    config.set_main_option("script_location", "missiondesk.store:migrations")
    if connection is not None:
        config.attributes["connection"] = connection
    return config


class Database:
    """An engine on one village's database, migrated to the newest schema when opened."""

    def __init__(self, url: str, *, migrate: bool = True) -> None:
        self.url = url
        self.engine: Engine = _make_engine(url)
        if migrate:
            self.migrate()

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    def migrate(self) -> None:
        """Bring the schema to the newest revision; a no-op when it is already there.

        The check reads `alembic_version` directly against SCHEMA_HEAD, so a command on an
        up-to-date database never loads alembic (half a second of every command's start).
        """
        if self.schema_revision() == SCHEMA_HEAD:
            return
        from alembic import command

        with self.engine.begin() as connection:
            if not self.is_sqlite:
                # Processes started together on a new database migrate it once: the rest
                # wait here, then find it at head.
                connection.execute(
                    text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY}
                )
            command.upgrade(alembic_config(connection), "head")

    def schema_revision(self) -> str | None:
        """The migration the database is at; None for a new, empty database."""
        with self.engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """One unit of work: everything inside commits together or not at all.

        Writers take the village's write lock before their first read, so every check a
        step makes ("is this mission still approved?", "is this shinobi free?") and the
        write that follows it are one atomic decision, whoever races it. On SQLite that is
        BEGIN IMMEDIATE; on PostgreSQL a transaction-scoped advisory lock, taken first so
        that every statement after it (READ COMMITTED takes a fresh snapshot per
        statement) sees what the previous writer committed. A database holds one village,
        so one lock is the right grain: writes are short, and the planner solves outside
        it (services/planning.py).
        """
        with self.engine.connect() as connection:
            connection.execution_options(missiondesk_write=True)
            with connection.begin():
                if not self.is_sqlite:
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"), {"key": WRITE_LOCK_KEY}
                    )
                yield connection

    @contextmanager
    def reading(self) -> Iterator[Connection]:
        """A connection for reads. On PostgreSQL it runs in autocommit: at READ COMMITTED
        every statement takes its own snapshot whether or not a transaction wraps it, so the
        BEGIN and ROLLBACK around a read would only cost two round trips per request."""
        with self.engine.connect() as connection:
            if not self.is_sqlite:
                connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


def _make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            _private_file(Path(parsed.database))
        engine = create_engine(url, connect_args={"timeout": 30})
        _sqlite_transactions_under_our_control(engine)
        return engine
    # A worker runs up to 40 sync requests at once in its threadpool; with SQLAlchemy's
    # default 5 pooled connections, every burst above 5 opened and closed connections
    # (a PostgreSQL backend each), which cost more than the queries they ran.
    engine = create_engine(url, pool_size=POOL_SIZE)
    _ping_connections_left_idle(engine)
    return engine


POOL_SIZE = 12
"""PostgreSQL connections a process keeps open for reuse (and as many again as overflow)."""

PING_AFTER_IDLE_SECONDS = 10.0
"""A pooled PostgreSQL connection idle for longer than this is pinged before it is used
again (a server restart or an idle timeout would have closed it); a busy server reuses its
connections without the extra round trip that `pool_pre_ping` costs on every checkout."""


def _ping_connections_left_idle(engine: Engine) -> None:
    """SQLAlchemy's pessimistic disconnect handling, only for connections that sat idle:
    raising DisconnectionError at checkout makes the pool replace the connection."""

    @event.listens_for(engine, "checkin")
    def _checked_in(dbapi_connection: Any, record: Any) -> None:
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_connection: Any, record: Any, proxy: Any) -> None:
        since = record.info.get("idle_since")
        if since is None or time.monotonic() - since <= PING_AFTER_IDLE_SECONDS:
            return
        try:
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute("SELECT 1")
            finally:
                cursor.close()
            if not dbapi_connection.autocommit:
                dbapi_connection.rollback()
        except Exception as lost:
            raise DisconnectionError(f"a pooled connection was lost: {lost}") from lost


def _private_file(path: Path) -> None:
    """Create the database file, and any folder missing above it, readable by the owner
    only (0600 and 0700): the file holds password hashes and the village's secrets. SQLite
    gives its -wal and -shm files the main file's mode. Existing files and folders are
    left as their owner set them."""
    missing = []
    folder = path.parent
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for new in reversed(missing):
        try:
            new.mkdir(mode=0o700)
        except FileExistsError:
            continue  # another process made it first
        os.chmod(new, 0o700)  # whatever the umask says
    try:
        descriptor = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600)
    except FileExistsError:
        return
    os.close(descriptor)
    os.chmod(path, 0o600)


def _sqlite_transactions_under_our_control(engine: Engine) -> None:
    """Let `Database.transaction` issue BEGIN itself (pysqlite's own BEGIN is deferred)."""

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        writing = connection.get_execution_options().get("missiondesk_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writing else "BEGIN")
