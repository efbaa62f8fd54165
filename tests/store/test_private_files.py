"""The SQLite file and the folders Mission Desk creates for it are its owner's alone."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from missiondesk.services import accounts
from missiondesk.store.database import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(params=[0o022, 0o000])
def umask(request: pytest.FixtureRequest) -> Iterator[int]:
    """The usual umask, and none at all: the modes must not depend on it."""
    previous = os.umask(request.param)
    yield request.param
    os.umask(previous)


def test_a_new_database_and_its_folders_are_private(tmp_path: Path, umask: int) -> None:
    path = tmp_path / "data" / "missiondesk" / "village.sqlite"
    db = Database(f"sqlite:///{path}")
    accounts.add_user(db, "tsunade", "hokage", "long enough password")
    assert mode(path) == 0o600
    assert mode(path.parent) == 0o700 and mode(path.parent.parent) == 0o700
    for companion in path.parent.glob("village.sqlite-*"):  # the WAL and its index
        assert mode(companion) == 0o600, companion
    db.dispose()


def test_an_existing_folder_and_file_keep_their_modes(tmp_path: Path) -> None:
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    Database(f"sqlite:///{folder / 'village.sqlite'}").dispose()
    assert mode(folder) == 0o755  # not Mission Desk's to change
    (folder / "village.sqlite").chmod(0o640)
    Database(f"sqlite:///{folder / 'village.sqlite'}").dispose()
    assert mode(folder / "village.sqlite") == 0o640
