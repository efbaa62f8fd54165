"""Schemathesis against the app's own OpenAPI schema: whatever a client sends that the schema
allows (and much it does not), the answer is never a 5xx.

Driven through Hypothesis directly, one test per operation, because schemathesis's pytest
fixture loader does not run under this project's pytest.
"""

from __future__ import annotations

import functools
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


@functools.cache
def _schema() -> Any:
    """The app's schema (what /api/openapi.json answers), loaded once per session from an
    app on a throwaway database; each test points it and its operation at its own app."""
    from tempfile import mkdtemp

    folder = Path(mkdtemp())
    try:
        db = Database(f"sqlite:///{folder / 'schema.sqlite'}")
        schema = schemathesis.openapi.from_dict(create_app(db).openapi())
        db.dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return schema


@functools.cache
def _operations() -> dict[tuple[str, str], Any]:
    return {
        (op.method.upper(), op.path): op
        for op in (result.ok() for result in _schema().get_all_operations())
    }


@pytest.mark.parametrize(("method", "path"), list(_operations()))
def test_no_server_errors(method: str, path: str, db: Database, as_role: Any) -> None:
    headers = as_role("hokage")
    app = create_app(db, max_plan_seconds=PLAN_SECONDS)
    operation = _operations()[method, path]
    operation.schema.app = operation.app = app  # the in-process transport, to this test's app

    @given(case=operation.as_strategy())
    @settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    def no_5xx(case: Any) -> None:
        case.call_and_validate(headers=headers, checks=[not_a_server_error])

    no_5xx()
