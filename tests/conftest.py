"""Shared fixtures: a real database per test (SQLite file, or PostgreSQL when the test
script started one), and the command line run in-process with its exit status.

Only fixtures and hooks live here: what a test module imports lives in plain modules
(md_support.py, pg_support.py), because every conftest.py is a module named `conftest`."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from md_support import Result
from missiondesk.cli import output
from missiondesk.cli.app import main
from pg_support import fresh_postgres_database


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'village.sqlite'}"


@pytest.fixture
def postgres_url() -> Iterator[str]:
    yield from fresh_postgres_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """Each test that takes `db_url` runs on both databases the product supports."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'village.sqlite'}"
    else:
        yield from fresh_postgres_database()


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """Run `missiondesk ARGS...` in this process; returns its exit status and output."""
    monkeypatch.setenv("MISSIONDESK_ACTOR", "test")
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args: str) -> Result:
        capsys.readouterr()
        # As in a new process, the consoles are made on first use, reading COLUMNS then.
        for lazy in (output.console, output.errors):
            lazy._console = None  # type: ignore[attr-defined]
        try:
            main([str(a) for a in args])
            code = 0
        except SystemExit as exit_:
            code = int(exit_.code or 0)
        out, err = capsys.readouterr()
        return Result(code, out, err)

    return run


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]):  # type: ignore[no-untyped-def]
    """Under scripts/test (MISSIONDESK_NO_SKIPS=1) a skipped test is a failed one: a suite
    whose PostgreSQL or browser tests quietly skipped has not shown they pass."""
    outcome = yield
    report = outcome.get_result()
    if report.skipped and os.environ.get("MISSIONDESK_NO_SKIPS") == "1":
        report.outcome = "failed"
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else report.longrepr
        report.longrepr = f"skipped under scripts/test, which counts as a failure: {reason}"
