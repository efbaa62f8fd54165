"""Import then export is lossless for generated villages of many shapes (hypothesis),
their ledger included, and `import --replace` gives the same village (and ledger) back."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from missiondesk.domain.village import LedgerEntry, Village
from missiondesk.services import players as player_service
from missiondesk.services import village as village_service
from missiondesk.store.database import Database
from missiondesk.villagefile.generate import generate_village

# One share of a reward: the village's cut (nobody) or a leader's or member's (someone).
_SHARES = st.tuples(
    st.datetimes(min_value=dt.datetime(2020, 1, 1), max_value=dt.datetime(2030, 1, 1)),
    st.sampled_from(["success", "partial"]),
    st.sampled_from(["village", "leader", "member"]),
    st.integers(min_value=0, max_value=10**9),
    st.integers(min_value=0, max_value=10**6),  # picks the shinobi and the mission
)


def _with_ledger(village: Village, shares: list[tuple[dt.datetime, str, str, int, int]]) -> Village:
    people = [s.id for s in village.shinobi]
    missions = [m.id for m in village.missions] + [h.mission.id for h in village.history]
    ledger = [
        LedgerEntry.model_validate(
            {
                "at": at,
                "mission": missions[pick % len(missions)] if missions else "gone",
                "outcome": outcome,
                "share": share,
                "shinobi": None if share == "village" else people[pick % len(people)],
                "ryo": ryo,
            }
        )
        for at, outcome, share, ryo, pick in shares
    ]
    return village.model_copy(update={"ledger": ledger})


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    shinobi=st.integers(min_value=1, max_value=60),
    missions=st.integers(min_value=0, max_value=10),
    history=st.integers(min_value=0, max_value=80),
    seed=st.integers(min_value=0, max_value=2**31),
    shares=st.lists(_SHARES, max_size=30),
)
def test_generated_village_survives_import_and_export(
    shinobi: int,
    missions: int,
    history: int,
    seed: int,
    shares: list[tuple[dt.datetime, str, str, int, int]],
) -> None:
    village = generate_village(shinobi=shinobi, missions=missions, seed=seed, history=history)
    village = _with_ledger(village, shares)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite:///{Path(folder) / 'v.sqlite'}")
        village_service.import_village_value(db, village, replace=False, actor="test", source="gen")
        assert village_service.export_village(db) == village
        # Replacing appends the file's ledger into a new book: the same ledger, not twice.
        village_service.import_village_value(db, village, replace=True, actor="test", source="gen")
        assert village_service.export_village(db) == village
        paid = {r.shinobi: r.ryo for r in player_service.ledger(db)}
        for s in village.shinobi:
            assert paid[s.id] == sum(e.ryo for e in village.ledger if e.shinobi == s.id)
        db.dispose()


def test_generated_village_survives_postgres(postgres_url: str) -> None:
    village = generate_village(shinobi=150, missions=20, seed=3, history=300)
    shares = [(dt.datetime(2026, 1, 1, i % 24), "success", "member", i * 7, i) for i in range(40)]
    village = _with_ledger(
        village, [*shares, (dt.datetime(2026, 2, 1), "partial", "village", 9, 0)]
    )
    db = Database(postgres_url)
    village_service.import_village_value(db, village, replace=False, actor="test", source="gen")
    assert village_service.export_village(db) == village
    village_service.import_village_value(db, village, replace=True, actor="test", source="gen")
    assert village_service.export_village(db) == village
    db.dispose()
