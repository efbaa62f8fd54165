"""Generated villages are valid village files, the same for the same seed, and look real."""

from __future__ import annotations

from collections import Counter

import pytest

from missiondesk.domain.orders import PLAYER_RULES, RULES
from missiondesk.domain.ranks import RECOVERING, ShinobiRank
from missiondesk.domain.village import Village
from missiondesk.villagefile.generate import generate_village
from missiondesk.villagefile.parse import parse_village
from missiondesk.villagefile.write import dump_village


@pytest.fixture(scope="module")
def big_village() -> Village:
    return generate_village(2000, 40, seed=11)


def test_same_seed_gives_the_same_file() -> None:
    first = dump_village(generate_village(60, 5, seed=3))
    assert dump_village(generate_village(60, 5, seed=3)) == first
    assert dump_village(generate_village(60, 5, seed=4)) != first


@pytest.mark.parametrize(
    ("shinobi", "missions", "history"),
    [(0, 0, None), (1, 0, None), (1, 1, 3), (2, 1, None), (7, 3, 0), (150, 12, None)],
)
def test_generated_village_is_a_valid_file(
    shinobi: int, missions: int, history: int | None
) -> None:
    village = generate_village(shinobi, missions, seed=shinobi, history=history)
    assert len(village.shinobi) == shinobi
    assert len(village.missions) == missions
    expected_history = (int(2.5 * shinobi) if history is None else history) if shinobi else 0
    assert len(village.history) == expected_history
    for fmt, name in (("yaml", "v.yaml"), ("json", "v.json")):
        assert (
            parse_village(dump_village(village, "yaml" if fmt == "yaml" else "json"), name)
            == village
        )


def test_ranks_form_a_pyramid(big_village: Village) -> None:
    ranks = Counter(s.rank for s in big_village.shinobi)
    assert ranks[ShinobiRank.GENIN] > ranks[ShinobiRank.CHUNIN] > ranks[ShinobiRank.JONIN]
    assert ranks[ShinobiRank.KAGE] == 1


def test_skills_grow_with_rank(big_village: Village) -> None:
    def mean_skill(rank: ShinobiRank) -> float:
        people = [s for s in big_village.shinobi if s.rank == rank]
        return sum(sum(s.skills.values()) for s in people) / len(people)

    assert mean_skill(ShinobiRank.GENIN) < mean_skill(ShinobiRank.CHUNIN)
    assert mean_skill(ShinobiRank.CHUNIN) < mean_skill(ShinobiRank.JONIN)


def test_medics_are_scarce(big_village: Village) -> None:
    medics = sum(1 for s in big_village.shinobi if s.skill("medical") >= 2)
    assert 0.04 < medics / len(big_village.shinobi) < 0.13


def test_most_are_available_and_the_recovering_have_a_date(big_village: Village) -> None:
    statuses = Counter(s.status for s in big_village.shinobi)
    assert statuses["available"] > 0.7 * len(big_village.shinobi)
    assert statuses["injured"] and statuses["resting"] and statuses["missing"]
    recovering = [s for s in big_village.shinobi if s.status in RECOVERING]
    assert all(
        s.available_from and s.available_from > big_village.village.today for s in recovering
    )


def test_roads_connect_every_place(big_village: Village) -> None:
    neighbours: dict[str, set[str]] = {p.id: set() for p in big_village.places}
    for road in big_village.roads:
        neighbours[road.from_].add(road.to)
        neighbours[road.to].add(road.from_)
    reached, frontier = {big_village.village.id}, [big_village.village.id]
    while frontier:
        for nxt in neighbours[frontier.pop()] - reached:
            reached.add(nxt)
            frontier.append(nxt)
    assert reached == set(neighbours)
    assert len(big_village.places) >= 10


def test_history_squads_are_two_to_six_distinct_shinobi(big_village: Village) -> None:
    assert len(big_village.history) == 5000
    for entry in big_village.history:
        assert 2 <= len(entry.squad.everyone) <= 6
        assert len(set(entry.squad.everyone)) == len(entry.squad.everyone)
        assert all(i.shinobi in entry.squad.everyone for i in entry.report.injuries)
        assert entry.departed <= entry.returned
    departures = [e.departed for e in big_village.history]
    assert departures == sorted(departures)
    assert any(e.report.injuries for e in big_village.history)
    assert any(e.report.encounters for e in big_village.history)


def test_missions_are_open_and_travel_real_roads(big_village: Village) -> None:
    places = {p.id for p in big_village.places}
    for mission in big_village.missions:
        assert mission.status in ("intake", "assessed")
        assert set(mission.route) <= places
    assert {m.rank for m in big_village.missions} >= {"D", "C", "B"}


def test_standing_orders_cover_the_spec_vocabulary(big_village: Village) -> None:
    # The players' orders (SPEC section 13) depend on who volunteers and on teams, which
    # a generated village does not model: it keeps section 4's vocabulary.
    assert {o.rule for o in big_village.standing_orders} == set(RULES) - set(PLAYER_RULES)
    assert set(big_village.roles) == {"medic", "tracker", "sensor", "sealer"}
    assert any(c.role for c in big_village.countermeasures)
