"""Import then export is lossless for generated villages of many shapes (hypothesis)."""

from __future__ import annotations

import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missiondesk.services import village as village_service
from missiondesk.store.database import Database
from missiondesk.villagefile.generate import generate_village


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shinobi=st.integers(min_value=1, max_value=60),
    missions=st.integers(min_value=0, max_value=10),
    history=st.integers(min_value=0, max_value=80),
    seed=st.integers(min_value=0, max_value=2**31),
)
def test_generated_village_survives_import_and_export(
    shinobi: int, missions: int, history: int, seed: int
) -> None:
    village = generate_village(shinobi=shinobi, missions=missions, seed=seed, history=history)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'v.sqlite'}")
        village_service.import_village_value(db, village, replace=False, actor="test", source="gen")
        assert village_service.export_village(db) == village
        db.dispose()


def test_generated_village_survives_postgres(postgres_url: str) -> None:
    village = generate_village(shinobi=150, missions=20, seed=3, history=300)
    db = Database(postgres_url)
    village_service.import_village_value(db, village, replace=False, actor="test", source="gen")
    assert village_service.export_village(db) == village
    db.dispose()
