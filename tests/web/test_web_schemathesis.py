"""Schemathesis against the app's own OpenAPI schema: whatever a client sends that the schema
allows (and much it does not), the answer is never a 5xx.

Driven through Hypothesis directly, one test per operation, because schemathesis's pytest
fixture loader does not run under this project's pytest.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from missiondesk.store.database import Database
from missiondesk.web import create_app

MAX_EXAMPLES = 12
PLAN_SECONDS = 0.3


def operations() -> list[tuple[str, str]]:
    """The schema's operations, read from an app on a throwaway database."""
    from tempfile import mkdtemp

    folder = Path(mkdtemp())
    try:
        db = Database(f"sqlite:///{folder / 'schema.sqlite'}")
        paths = create_app(db).openapi()["paths"]
        db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return [(method.upper(), path) for path, item in paths.items() for method in item]


@pytest.mark.parametrize(("method", "path"), operations())
def test_no_server_errors(method: str, path: str, db: Database, as_role: Any) -> None:
    headers = as_role("hokage")
    app = create_app(db, max_plan_seconds=PLAN_SECONDS)
    schema = schemathesis.openapi.from_asgi("/api/openapi.json", app, headers=headers)
    operation = next(
        result.ok()
        for result in schema.get_all_operations()
        if result.ok().method.upper() == method and result.ok().path == path
    )

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def no_5xx(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    no_5xx()
