"""The web tests' village: the demo village in a real SQLite file, one account per role.

Hashing five argon2 passwords per test would dominate the run, so the accounts are made
once in a template database that each test copies (a real file per test all the same).
"""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from missiondesk.services import accounts as account_service
from missiondesk.services.village import import_village
from missiondesk.store.database import Database
from missiondesk.web import create_app

DEMO_VILLAGE = Path(__file__).parents[2] / "src" / "missiondesk" / "data" / "konoha.yaml"
ROLES = ("hokage", "commander", "medic", "shinobi", "viewer")
PASSWORD = "correct horse battery"
SHINOBI_OF_SHINOBI_ACCOUNT = "nara-shikamaru"
PLAN_SECONDS = 3.0


@dataclass(frozen=True)
class Village:
    """A copy of the template database and the API token of each role's account."""

    path: Path
    tokens: dict[str, str]

    @property
    def url(self) -> str:
        return f"sqlite:///{self.path}"


@pytest.fixture(scope="session")
def template_village(tmp_path_factory: pytest.TempPathFactory) -> Village:
    path = tmp_path_factory.mktemp("template") / "village.sqlite"
    db = Database(f"sqlite:///{path}")
    import_village(db, DEMO_VILLAGE, actor="test")
    tokens = {}
    for role in ROLES:
        shinobi = SHINOBI_OF_SHINOBI_ACCOUNT if role == "shinobi" else None
        account_service.add_user(db, role, role, PASSWORD, shinobi=shinobi, actor="test")
        tokens[role] = account_service.issue_token(db, role, "api")
    db.dispose()
    return Village(path, tokens)


@pytest.fixture
def village(template_village: Village, tmp_path: Path) -> Village:
    path = tmp_path / "village.sqlite"
    shutil.copy(template_village.path, path)
    return Village(path, template_village.tokens)


@pytest.fixture
def db(village: Village) -> Iterator[Database]:
    database = Database(village.url)
    yield database
    database.dispose()


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    with TestClient(create_app(db, max_plan_seconds=PLAN_SECONDS)) as test_client:
        yield test_client


@pytest.fixture
def as_role(village: Village):  # type: ignore[no-untyped-def]
    """`as_role("hokage")`: the Authorization header of that role's account."""

    def headers(role: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {village.tokens[role]}"}

    return headers


@pytest.fixture
def password() -> str:
    """The password of every role's account."""
    return PASSWORD


def _all_routes(routes: list[Any]) -> list[Any]:
    found = []
    for route in routes:
        inner = getattr(route, "original_router", None)
        found += _all_routes(inner.routes) if inner is not None else [route]
    return found


@pytest.fixture
def app_routes(client: TestClient) -> list[APIRoute]:
    """Every route of the app, looking inside included routers (FastAPI includes lazily)."""
    return [r for r in _all_routes(client.app.routes) if isinstance(r, APIRoute)]  # type: ignore[attr-defined]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture
def live_port(db: Database) -> Iterator[int]:
    """The app on `db`, served by a real uvicorn on 127.0.0.1; yields its port."""
    port = free_port()
    config = uvicorn.Config(
        create_app(db, max_plan_seconds=PLAN_SECONDS),
        host="127.0.0.1",
        port=port,
        log_level="warning",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield port
    server.should_exit = True
    thread.join(timeout=10)
